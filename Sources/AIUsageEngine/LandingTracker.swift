import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// Marks commits that became ancestors of the default branch as landed, at the time
/// of the first-parent commit of the default branch that brought them in.
struct LandingTracker {
    let store: Store
    let git: GitRepository

    /// Returns how many commits were newly marked landed.
    func update(repo: Int64, tip: String) throws -> Int {
        let records = try store.commits(repo: repo).filter { $0.supersededBy == nil && $0.landedHow != .ancestor }
        guard !records.isEmpty else { return 0 }
        // Oldest first; "C is an ancestor of chain[i]" holds for a suffix of the chain,
        // so the introducing commit is found by binary search.
        let chain = Array(try git.firstParentChain(from: tip).reversed())
        var times: [String: Date] = [:]
        func time(_ sha: String) throws -> Date {
            if let known = times[sha] { return known }
            let value = try git.commit(sha).commitTime
            times[sha] = value
            return value
        }
        var landed = 0
        for record in records where try git.isAncestor(record.sha, of: tip) {
            var low = 0
            var high = chain.count - 1
            while low < high {
                let mid = (low + high) / 2
                if try git.isAncestor(record.sha, of: chain[mid]) { high = mid } else { low = mid + 1 }
            }
            let into = chain.isEmpty ? tip : chain[low]
            try store.markLanded(repo: repo, sha: record.sha, how: .ancestor, into: into, at: try time(into), landedAILines: record.aiLines)
            landed += 1
        }
        return landed
    }
}
