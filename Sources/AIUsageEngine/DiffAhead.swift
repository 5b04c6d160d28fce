import AIUsageGit
import Foundation

/// The diffs of the commits a sync attributes, computed ahead of the attribution on
/// other threads, each with its own handle on the repository (libgit2 objects belong to
/// one thread), and handed out in order.
///
/// Attribution is sequential (each commit's lines are claimed before the next one's),
/// but its diffs are not: they are nine tenths of a first report on a long history, and
/// libgit2 diffs about eight times slower than `git log -p`. A bounded window keeps at
/// most `window` results waiting, so memory does not grow with the history. The owner
/// calls `stop()` when done (or failing), which ends the workers.
final class DiffAhead: @unchecked Sendable {
    private let shas: [String?]
    private let window: Int
    private let condition = NSCondition()
    private var results: [Int: Result<CommitChanges, Error>] = [:]
    private var claimed = 0
    private var consumed = 0
    private var stopped = false
    private var running = 0

    /// The caller's own handle: while it waits for a diff, the caller makes the next one
    /// itself, so two diffs run at once with one worker (each handle holds its own pack
    /// caches: a second worker cost 20 MB of peak memory for no more cores).
    private let local: GitRepository

    /// - Parameters:
    ///   - shas: the commits in attribution order; nil for a commit not diffed (a merge).
    ///   - local: the caller's handle on the repository.
    ///   - open: opens another handle on the repository, once per worker.
    init(
        shas: [String?], local: GitRepository, workers: Int, window: Int = 64, open: @escaping @Sendable () throws -> GitRepository
    ) {
        self.shas = shas
        self.local = local
        self.window = window
        running = workers
        for _ in 0..<workers {
            Thread.detachNewThread { [self] in work(open: open) }
        }
    }

    /// The changes of commit `index`, or the error its diff threw; while they are not
    /// ready, the caller diffs the next unclaimed commit itself.
    func changes(at index: Int) throws -> CommitChanges {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil {
            if claimed < shas.count && claimed - index < window {
                let next = claimed
                claimed += 1
                condition.unlock()
                let result = diff(next, with: local)
                condition.lock()
                results[next] = result
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        let result = results.removeValue(forKey: index)
        consumed = index + 1
        condition.broadcast()
        return try result.map { try $0.get() } ?? CommitChanges(files: [], patchID: nil)
    }

    private func diff(_ index: Int, with git: GitRepository) -> Result<CommitChanges, Error> {
        Result {
            guard let sha = shas[index] else { return CommitChanges(files: [], patchID: nil) }
            return try git.changes(of: sha)
        }
    }

    /// Lets the workers finish (they stop claiming commits) and waits for them.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work(open: () throws -> GitRepository) {
        let git = Result { try open() }
        while true {
            condition.lock()
            while !stopped && claimed < shas.count && claimed - consumed >= window { condition.wait() }
            guard !stopped, claimed < shas.count else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let index = claimed
            claimed += 1
            condition.unlock()
            let result: Result<CommitChanges, Error>
            switch git {
            case .success(let git): result = diff(index, with: git)
            case .failure(let error): result = .failure(error)
            }
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }
}
