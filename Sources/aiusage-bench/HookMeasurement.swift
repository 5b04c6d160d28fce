import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Benchmark {
    /// The time `aiusage install`'s hooks add to `git commit`: alternating commits with
    /// and without the hooks in a throwaway repository, the user's store caught up.
    func measureHook(home: String, store: String) throws {
        let base = root + "/hook"
        let repo = base + "/repo"
        let noHooks = base + "/no-hooks"
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: noHooks, withIntermediateDirectories: true)

        var environment = self.environment(home: home, store: store)
        environment.merge([
            "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        ]) { $1 }
        func git(_ arguments: [String]) throws {
            _ = try Spawner.output(["git", "-C", repo] + arguments, environment: environment)
        }
        _ = try Spawner.output(["git", "init", "-q", repo], environment: environment)
        try git(["config", "user.name", "Bench"])
        try git(["config", "user.email", "bench@example.com"])
        try git(["config", "commit.gpgsign", "false"])
        var random = SeededRandom(seed: options.seed ^ 0x600C)
        let sourcePath = repo + "/Sources.swift"
        var source = ""
        var depth = 0
        for _ in 0..<200 { source += TextPool.codeLine(random: &random, depth: &depth) + "\n" }
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        try git(["add", "."])
        try git(["-c", "core.hooksPath=" + noHooks, "commit", "-q", "-m", "initial"])
        let install = try Spawner.output([aiusage, "install", "--repo", repo], environment: environment)
        log("aiusage install: " + install.split(separator: "\n").joined(separator: "; "))
        let hooksDirectory = repo + "/.git/hooks"

        let subreaper = Spawner.becomeSubreaper()
        if !subreaper { notes.append("Could not become a child subreaper; waited for the background run through its lock instead.") }

        func change() throws {
            for _ in 0..<random.int(1...5) { source += TextPool.codeLine(random: &random, depth: &depth) + "\n" }
            try source.write(toFile: sourcePath, atomically: false, encoding: .utf8)
        }
        func commit(hooks: String, message: String) throws -> Double {
            try change()
            let run = try Spawner.run(
                ["git", "-C", repo, "-c", "core.hooksPath=" + hooks, "commit", "-q", "-a", "-m", message], environment: environment)
            guard run.succeeded else { throw BenchError.message("git commit failed with status \(run.status)") }
            return run.seconds
        }
        /// Waits until the detached `aiusage hook` run is over, so that it does not compete
        /// with the next timed commit for the two cores.
        func waitForBackground() -> Double {
            let started = Clock.now()
            if subreaper {
                Spawner.reapOrphans()
            } else {
                usleep(300_000)
                let deadline = Clock.now() + 300
                while Clock.now() < deadline {
                    let queue = (try? FileManager.default.contentsOfDirectory(atPath: store + "/queue")) ?? []
                    if queue.isEmpty, Self.lockIsFree(store + "/background.lock") { break }
                    usleep(10_000)
                }
            }
            return Clock.now() - started
        }

        // Catch up: the first hooked commits register the repository and link history.
        log("hook: catching up …")
        for index in 0..<2 {
            _ = try commit(hooks: hooksDirectory, message: "warm-up \(index)")
            _ = waitForBackground()
        }
        log("hook: \(options.commits) commits with and \(options.commits) without the hooks …")
        var with: [Double] = []
        var without: [Double] = []
        var background: [Double] = []
        for index in 0..<options.commits {
            // Alternate, so that drift in machine load hits both alike.
            without.append(try commit(hooks: noHooks, message: "bench \(index) (no hooks)"))
            _ = waitForBackground()
            with.append(try commit(hooks: hooksDirectory, message: "bench \(index) (hooks)"))
            background.append(waitForBackground())
        }
        let withMedian = Stats.median(with)
        let withoutMedian = Stats.median(without)
        let overhead = withMedian - withoutMedian
        log(String(format: "hook: with %.1f ms, without %.1f ms", withMedian * 1000, withoutMedian * 1000))
        rows.append(Row(name: "Hook: git commit without hooks (median of \(without.count))", value: Format.ms(withoutMedian)))
        rows.append(Row(name: "Hook: git commit with aiusage hooks (median of \(with.count))", value: Format.ms(withMedian)))
        rows.append(
            Row(
                name: "Hook: overhead on git commit (difference of medians)", value: Format.ms(overhead), target: "< 10 ms",
                verdict: overhead < 0.01 ? .pass : .fail))
        if subreaper {
            rows.append(
                Row(
                    name: "Hook: detached background run after each commit (median, not on git's clock)",
                    value: Format.ms(Stats.median(background))))
        }
        let logPath = store + "/aiusage.log"
        if let text = try? String(contentsOfFile: logPath, encoding: .utf8), !text.isEmpty {
            let lines = text.split(separator: "\n")
            notes.append("The hook logged \(lines.count) error line(s) in \(logPath); first: \(lines[0])")
        }
    }

    /// Whether nobody holds an exclusive `flock` on `path` (aiusage's background lock).
    static func lockIsFree(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }
}
