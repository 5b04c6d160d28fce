import Foundation

/// The attribution of one commit: which of its own added lines are AI-written and by
/// which edit, and how many are human.
public struct CommitAttribution: Sendable, Hashable {
    public var sha: String
    /// Own added lines that matched an AI-written line, with the line they claimed.
    public var aiLines: [AIWrittenLine]
    /// Own significant added lines that matched nothing.
    public var humanLines: [PathLine]
    /// Added lines not counted as the commit's own because a source commit had them.
    public var sourceLineCount: Int
    public var sources: [DetectedSource]
}

/// Applies PRODUCT.md's attribution rules to one commit at a time, in commit order.
///
/// Commits must be given oldest first (parents before children): a line can only be
/// claimed once, by the earliest commit that adds it, and a copy (squash,
/// cherry-pick) counts as its own only what none of its sources had.
public enum Attributor {
    public static func attribute(
        _ commit: CommitDiff, candidates: [SourceCandidate], pool: inout LinePool
    ) -> CommitAttribution {
        guard !commit.isMerge else {
            // Merge commits add no lines of their own.
            return CommitAttribution(sha: commit.sha, aiLines: [], humanLines: [], sourceLineCount: 0, sources: [])
        }
        let sources = SourceDetector.sources(of: commit, among: candidates)
        var sourceLines: [PathLine: Int] = [:]
        let bySha = Dictionary(candidates.map { ($0.sha, $0) }, uniquingKeysWith: { first, _ in first })
        for source in sources {
            for line in bySha[source.sha]?.added ?? [] { sourceLines[line, default: 0] += 1 }
        }
        var ai: [AIWrittenLine] = []
        var human: [PathLine] = []
        var sourceCount = 0
        for line in commit.added {
            if let count = sourceLines[line], count > 0 {
                sourceLines[line] = count - 1
                sourceCount += 1
                continue
            }
            if let claimed = pool.claim(line, notAfter: commit.commitTime, commit: commit.sha) {
                ai.append(claimed)
            } else {
                human.append(line)
            }
        }
        return CommitAttribution(sha: commit.sha, aiLines: ai, humanLines: human, sourceLineCount: sourceCount, sources: sources)
    }
}
