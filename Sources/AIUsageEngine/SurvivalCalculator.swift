import AIUsageCore
import AIUsageGit
import Foundation

/// Survival, churn and pending counts of landed AI lines (PRODUCT.md, "Landing and
/// survival"), read from the default branch's tree as of N days after landing.
final class SurvivalCalculator {
    /// Days after landing within which a disappearance counts as churn.
    static let churnDays = 21.0

    private let git: GitRepository
    private let tip: String
    private let now: Date
    /// First-parent chain of the default branch, oldest first, with commit times.
    private let chain: [(sha: String, time: Date)]
    private var renameCache: [String: [String: String]] = [:]
    private var fileCache: [String: [LineHash]?] = [:]

    /// - Parameter notBefore: the earliest landing it will be asked about; the branch's
    ///   history before it is not read.
    init(git: GitRepository, tip: String, now: Date, notBefore: Date) throws {
        self.git = git
        self.tip = tip
        self.now = now
        chain = try git.firstParentChain(from: tip, notBefore: notBefore).reversed()
    }

    struct Counts { var surviving = 0; var pending = 0; var churned = 0 }

    func counts(aiLines: [PathLine], landed: Int, into: String, at landedAt: Date, days: Int) throws -> Counts {
        guard landed > 0 else { return Counts() }
        var result = Counts()
        let horizon = landedAt.addingTimeInterval(Double(days) * 86_400)
        if horizon > now {
            result.pending = landed
        } else {
            result.surviving = min(landed, try present(aiLines, from: into, at: horizon))
        }
        let churnHorizon = min(landedAt.addingTimeInterval(Self.churnDays * 86_400), now)
        result.churned = max(0, landed - min(landed, try present(aiLines, from: into, at: churnHorizon)))
        return result
    }

    /// How many of `lines` are in the default branch's tree as it was at `time`.
    private func present(_ lines: [PathLine], from landing: String, at time: Date) throws -> Int {
        guard let commit = treeCommit(at: time) else { return 0 }
        return try Survival.surviving(lines) { path in
            // A file still under its name needs no rename detection (a tree diff with
            // rename detection over weeks of history is the costly part).
            if let here = try? self.linesCached(path: path, at: commit) { return here }
            guard let renames = try? self.renamesCached(from: landing, to: commit), let moved = renames[path] else { return nil }
            return try? self.linesCached(path: moved, at: commit)
        }
    }

    /// The newest first-parent commit made at or before `time`.
    private func treeCommit(at time: Date) -> String? {
        var low = 0
        var high = chain.count
        while low < high {
            let mid = (low + high) / 2
            if chain[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : chain[low - 1].sha
    }

    private func renamesCached(from: String, to: String) throws -> [String: String] {
        let key = from + ":" + to
        if let known = renameCache[key] { return known }
        let value = from == to ? [:] : (try? git.renamedPaths(from: from, to: to)) ?? [:]
        renameCache[key] = value
        return value
    }

    private func linesCached(path: String, at commit: String) throws -> [LineHash]? {
        let key = commit + ":" + path
        if let known = fileCache[key] { return known }
        let value = try git.significantLines(path: path, at: commit)
        fileCache[key] = value
        return value
    }
}
