/// The commits a default-branch commit may copy, indexed so that each commit is
/// compared only with the few that could be its source: those with its patch-id, and
/// those that added lines to one of the paths it adds lines to (a squash holds at
/// least half of a source's lines, so it shares a path with it).
///
/// Comparing every default-branch commit with every open commit made a first run on
/// a long history quadratic in the window.
public struct SourceIndex: Sendable {
    private var candidates: [String: SourceCandidate] = [:]
    private var byPatchID: [String: Set<String>] = [:]
    private var byPath: [String: Set<String>] = [:]

    public init() {}

    public var count: Int { candidates.count }

    public mutating func add(_ candidate: SourceCandidate) {
        remove(candidate.sha)
        candidates[candidate.sha] = candidate
        if let patchID = candidate.patchID { byPatchID[patchID, default: []].insert(candidate.sha) }
        for path in Set(candidate.added.map(\.path)) { byPath[path, default: []].insert(candidate.sha) }
    }

    public mutating func remove(_ sha: String) {
        guard let candidate = candidates.removeValue(forKey: sha) else { return }
        if let patchID = candidate.patchID {
            byPatchID[patchID]?.remove(sha)
            if byPatchID[patchID]?.isEmpty == true { byPatchID[patchID] = nil }
        }
        for path in Set(candidate.added.map(\.path)) {
            byPath[path]?.remove(sha)
            if byPath[path]?.isEmpty == true { byPath[path] = nil }
        }
    }

    /// The candidates that could be sources of `commit`, ordered by sha.
    public func candidates(for commit: CommitDiff) -> [SourceCandidate] {
        guard commit.onDefaultBranch, !commit.isMerge else { return [] }
        var shas: Set<String> = []
        if let patchID = commit.patchID { shas.formUnion(byPatchID[patchID] ?? []) }
        for path in Set(commit.added.map(\.path)) { shas.formUnion(byPath[path] ?? []) }
        return shas.sorted().compactMap { candidates[$0] }
    }
}
