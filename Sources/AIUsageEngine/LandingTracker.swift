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
        // When the first-parent commit that brought `sha` in was made.
        func landing(_ sha: String) throws -> (into: String, at: Date) {
            var low = 0
            var high = chain.count - 1
            while low < high {
                let mid = (low + high) / 2
                if try git.isAncestor(sha, of: chain[mid]) { high = mid } else { low = mid + 1 }
            }
            let into = chain.isEmpty ? tip : chain[low]
            return (into, try time(into))
        }
        var landed = 0
        for record in records {
            if try git.isAncestor(record.sha, of: tip) {
                let (into, at) = try landing(record.sha)
                try store.markLanded(repo: repo, sha: record.sha, how: .ancestor, into: into, at: at, landedAILines: record.aiLines)
                landed += 1
            } else if let copy = record.copyInto, let how = record.copyHow, record.landedHow == nil, try git.isAncestor(copy, of: tip) {
                // Landed through its copy, when the copy reached the default branch.
                let (_, at) = try landing(copy)
                try store.markLanded(repo: repo, sha: record.sha, how: how, into: copy, at: at, landedAILines: record.copyAILines)
                landed += 1
            }
        }
        return landed
    }
}
