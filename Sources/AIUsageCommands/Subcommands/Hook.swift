import AIUsageEngine
import AIUsageGit
import AIUsageStore
import ArgumentParser
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension AIUsageCommand {
    /// `aiusage hook <name>`: what the installed git hooks run, detached from git.
    ///
    /// It never fails and prints nothing (unless `AIUSAGE_DEBUG` is set): errors go to
    /// the log in the store folder. Each run leaves a marker for its repository and then
    /// tries the background lock; the holder drains every marker before it lets go, so a
    /// burst of commits (or a slow first ingest of gigabytes) never runs twice at once
    /// and never loses a commit.
    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hook",
            abstract: "Run by the installed git hooks (post-commit, post-rewrite, post-merge).", shouldDisplay: false)

        @Argument(help: "The git hook being run.")
        var name: String

        @Argument(parsing: .captureForPassthrough, help: "The hook's own arguments.")
        var hookArguments: [String] = []

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let debug = environment["AIUSAGE_DEBUG"] != nil
            let location = StoreLocation.resolve(environment: environment)
            let log = HookLog(path: location.logPath, echo: debug)
            do {
                try handle(environment: environment, location: location, log: log)
            } catch {
                log.write("\(name): \(error)")
            }
        }

        private func handle(environment: [String: String], location: StoreLocation, log: HookLog) throws {
            guard HookInstaller.hookNames.contains(name) else { return }
            let context = try CommandContext(environment: environment)
            let git = try GitRepository(discoveringFrom: FileManager.default.currentDirectoryPath)
            let sync = RepositorySync(store: context.store, git: git)
            let repo = try sync.register()
            if name == "post-rewrite" {
                let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                let pairs = input.split(separator: "\n").compactMap { line -> (old: String, new: String)? in
                    let fields = line.split(separator: " ")
                    return fields.count >= 2 ? (String(fields[0]), String(fields[1])) : nil
                }
                try context.store.recordRewrites(repo: repo.id, pairs: pairs)
                log.debug("recorded \(pairs.count) rewrites")
            }
            let queue = HookQueue(directory: location.directory + "/queue")
            try queue.add(repoRoot: repo.roots.first ?? git.commonDirectory)
            guard let lock = FileLock(path: location.backgroundLockPath) else { return }
            // In the foreground (tests, AIUSAGE_HOOK_SYNC) wait for a running background
            // process instead of leaving the work to it, so that when git returns this
            // commit has been recorded.
            let blocking = environment["AIUSAGE_HOOK_SYNC"] != nil
            while true {
                if blocking { lock.lock() } else if !lock.tryLock() { return }
                let pending = queue.drain()
                if pending.isEmpty {
                    // A marker added while we held the lock, by a hook whose tryLock
                    // failed, is seen here after unlocking: go round again for it.
                    lock.unlock()
                    if queue.isEmpty { return }
                    continue
                }
                defer { lock.unlock() }
                try process(pending, context: context, log: log)
            }
        }

        private func process(_ pending: [String], context: CommandContext, log: HookLog) throws {
            var repositories: [GitRepository] = []
            for root in pending {
                do {
                    repositories.append(try GitRepository(discoveringFrom: root))
                } catch {
                    log.write("\(root): \(error)")
                }
            }
            let summary = try context.engine.update(.repositories(repositories))
            for error in summary.ingest.errors { log.write("ingest: \(error)") }
            for problem in summary.problems { log.write(problem) }
            log.debug("ingested \(summary.ingest.bytesRead) bytes from \(summary.ingest.filesRead) files")
            for result in summary.syncs {
                log.debug(
                    "\(result.repo?.name ?? "?"): \(result.commitsAttributed) commits attributed, \(result.newlyLanded) landed"
                        + (result.note.map { " (\($0))" } ?? ""))
            }
            log.debug(String(format: "done in %.3f s", summary.seconds))
            uploadIfDue(context: context, log: log)
        }

        /// With sharing on, at most one successful upload a day; a failure is logged and
        /// retried on a later run. With sharing off this reads one row and returns.
        private func uploadIfDue(context: CommandContext, log: HookLog) {
            do {
                let now = Date()
                guard let settings = try context.store.sharingSettings(), Sharing.isDue(settings, now: now) else { return }
                let since = Sharing.defaultSince(settings: settings, now: now)
                log.debug(try Sharing.upload(context: context, settings: settings, since: since, now: now, scan: false))
            } catch {
                log.write("upload: \(error)")
            }
        }
    }
}

/// Repositories waiting for a background run: one marker file each, so that many
/// hooks can add themselves while one process does the work.
struct HookQueue {
    let directory: String

    func add(repoRoot: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in repoRoot.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // Write aside, then rename: a draining process must never read half a marker.
        let temporary = directory + "/.tmp-" + UUID().uuidString
        try Data(repoRoot.utf8).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, directory + "/" + String(hash, radix: 16)) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    var isEmpty: Bool { markers().isEmpty }

    private func markers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Takes every marker, removing it.
    func drain() -> [String] {
        var roots: [String] = []
        for name in markers() {
            let path = directory + "/" + name
            if let data = FileManager.default.contents(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                roots.append(String(decoding: data, as: UTF8.self))
            }
        }
        return roots
    }
}

/// The hook's log: errors always, details with `AIUSAGE_DEBUG`, echoed to stderr then.
struct HookLog {
    let path: String
    let echo: Bool

    func write(_ message: String) {
        let line = "\(Format.iso(Date())) \(message)\n"
        if echo { FileHandle.standardError.write(Data(("aiusage: " + message + "\n").utf8)) }
        guard let handle = FileHandle(forWritingAtPath: path) ?? create() else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(line.utf8))
    }

    func debug(_ message: String) {
        if echo { write(message) }
    }

    private func create() -> FileHandle? {
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }
}
