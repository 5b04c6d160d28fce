import Foundation

/// The AI-written lines of one repository that no commit has claimed yet.
///
/// Matching is multiset matching (PRODUCT.md, "Line identity"): each AI-written line
/// can be claimed by at most one committed line. Among candidates written at or
/// before the commit, the most recent is claimed — the edit that last produced the
/// line is the one the commit most plausibly took it from. Ties break on the edit key
/// so that the hook and a later backfill choose the same edit.
public struct LinePool: Sendable {
    private var available: [PathLine: [AIWrittenLine]] = [:]

    /// - Parameters:
    ///   - lines: every AI-written line of the repository;
    ///   - claimed: claims already made by earlier commits, with multiplicity.
    public init(lines: [AIWrittenLine], claimed: [ClaimKey] = []) {
        var remainingClaims: [ClaimKey: Int] = [:]
        for key in claimed { remainingClaims[key, default: 0] += 1 }
        for line in lines {
            // A first run has no claims: no claim key to build and hash for each line.
            if !remainingClaims.isEmpty, let count = remainingClaims[line.claimKey], count > 0 {
                remainingClaims[line.claimKey] = count - 1
                continue
            }
            available[PathLine(path: line.path, hash: line.hash), default: []].append(line)
        }
        // Sorted in place, walking indices: iterating `available.keys` while sorting held
        // a second reference to the storage, so the first sort copied the whole table.
        var index = available.startIndex
        while index != available.endIndex {
            if available.values[index].count > 1 {
                available.values[index].sort {
                    ($0.timestamp, $0.tool.rawValue, $0.editKey) < ($1.timestamp, $1.tool.rawValue, $1.editKey)
                }
            }
            available.formIndex(after: &index)
        }
    }

    /// Claims the most recent unclaimed AI line with this identity written at or
    /// before `time`, or returns nil when there is none (the line is human).
    ///
    /// A tool that names the commit holding its edit (Aider's `Commit <sha>` lines) is
    /// taken at its word: commit `sha` claims first the lines hinted for it, then lines
    /// without a hint, and only last lines hinted for another commit (that commit may
    /// have been rewritten since).
    public mutating func claim(_ line: PathLine, notAfter time: Date, commit sha: String? = nil) -> AIWrittenLine? {
        guard var candidates = available[line], !candidates.isEmpty else { return nil }
        // Sorted by time: take the last one not after `time`, by preference.
        let index =
            (sha.flatMap { sha in candidates.lastIndex { $0.timestamp <= time && $0.isHinted(for: sha) } })
            ?? candidates.lastIndex { $0.timestamp <= time && $0.commitHint == nil }
            ?? candidates.lastIndex { $0.timestamp <= time }
        guard let index else { return nil }
        let claimed = candidates.remove(at: index)
        available[line] = candidates
        return claimed
    }

    /// Whether any unclaimed line with this identity exists (for `explain`).
    public func hasCandidate(_ line: PathLine) -> Bool { !(available[line]?.isEmpty ?? true) }

    public var unclaimedCount: Int { available.values.reduce(0) { $0 + $1.count } }
}
