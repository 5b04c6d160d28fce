import Foundation

/// A commit not (yet) on the default branch that a default-branch commit may copy.
public struct SourceCandidate: Sendable, Hashable {
    public var sha: String
    public var commitTime: Date
    public var patchID: String?
    /// Its significant added lines.
    public var added: [PathLine]
    /// Its AI lines (claimed at its own attribution).
    public var aiLines: [PathLine]

    public init(sha: String, commitTime: Date, patchID: String?, added: [PathLine], aiLines: [PathLine]) {
        self.sha = sha
        self.commitTime = commitTime
        self.patchID = patchID
        self.added = added
        self.aiLines = aiLines
    }
}

/// A source found for a default-branch commit, and what of it landed.
public struct DetectedSource: Sendable, Hashable {
    public var sha: String
    public var how: LandingKind
    /// The source's AI lines found in what landed.
    public var landedAILines: Int
}

/// Finds the commits a default-branch commit copies: same patch-id (rebase merge,
/// cherry-pick) or, failing that, at least half of their significant lines added on
/// the same paths (squash). Only commits made at or before it qualify.
public enum SourceDetector {
    public static func sources(of commit: CommitDiff, among candidates: [SourceCandidate]) -> [DetectedSource] {
        guard commit.onDefaultBranch, !commit.isMerge else { return [] }
        var addedCounts: [PathLine: Int] = [:]
        for line in commit.added { addedCounts[line, default: 0] += 1 }
        var result: [DetectedSource] = []
        for candidate in candidates where candidate.sha != commit.sha && candidate.commitTime <= commit.commitTime {
            let how: LandingKind
            if let patchID = commit.patchID, patchID == candidate.patchID {
                how = .patchID
            } else {
                guard !candidate.added.isEmpty else { continue }
                let found = multisetOverlap(candidate.added, addedCounts)
                guard found * 2 >= candidate.added.count else { continue }
                how = .squash
            }
            result.append(DetectedSource(sha: candidate.sha, how: how, landedAILines: multisetOverlap(candidate.aiLines, addedCounts)))
        }
        return result.sorted { $0.sha < $1.sha }
    }

    /// How many of `lines` (with repeats) are found in `counts`.
    static func multisetOverlap(_ lines: [PathLine], _ counts: [PathLine: Int]) -> Int {
        var remaining = counts
        var found = 0
        for line in lines {
            if let count = remaining[line], count > 0 {
                remaining[line] = count - 1
                found += 1
            }
        }
        return found
    }
}
