import AIUsageStore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of the summary table.
struct Row {
    enum Verdict: String { case pass = "PASS", fail = "FAIL", info = "", skipped = "SKIPPED" }
    var name: String
    var value: String
    var target: String = ""
    var verdict: Verdict = .info
}

enum Format {
    static func mb(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
    static func seconds(_ value: Double) -> String { value < 1 ? String(format: "%.1f ms", value * 1000) : String(format: "%.2f s", value) }
    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value * 1000) }
    static func rate(_ bytes: Int64, _ seconds: Double) -> String { String(format: "%.0f MB/s", Double(bytes) / 1_048_576 / seconds) }
}

/// The measurements, each adding rows to the summary.
final class Benchmark {
    let options: Options
    let root: String
    var rows: [Row] = []
    var notes: [String] = []

    init(options: Options, root: String) {
        self.options = options
        self.root = root
    }

    var mixedHome: String { root + "/mixed-home" }
    var mixedStore: String { root + "/store-mixed" }
    var singleHome: String { root + "/single-home" }
    var singleStore: String { root + "/store-single" }

    func log(_ text: String) {
        FileHandle.standardError.write(Data(("[bench] " + text + "\n").utf8))
    }

    // MARK: corpus

    private var mixedCorpus: CorpusInfo?

    func mixed() throws -> CorpusInfo {
        if let mixedCorpus { return mixedCorpus }
        log("generating \(options.sizeMB) MB corpus in \(mixedHome) …")
        let info = try CorpusGenerator(seed: options.seed).generateMixed(
            home: mixedHome, totalBytes: Int64(options.sizeMB) << 20)
        log(info.reused ? "reusing the corpus already there" : String(format: "generated in %.1f s", info.seconds))
        rows.append(Row(
            name: "Corpus (\(info.files.count) files)",
            value: "\(Format.mb(info.bytes)): Claude \(Format.mb(info.claudeBytes)), Codex \(Format.mb(info.codexBytes))"))
        mixedCorpus = info
        return info
    }

    // MARK: cat baseline

    /// Median of three timed `cat`s to /dev/null, after one untimed warm-up read.
    func catSeconds(_ files: [String]) throws -> Double {
        _ = try Spawner.run(["cat"] + files)
        var times: [Double] = []
        for _ in 0..<3 {
            let run = try Spawner.run(["cat"] + files)
            guard run.succeeded else { throw BenchError.message("cat failed with status \(run.status)") }
            times.append(run.seconds)
        }
        return Stats.median(times)
    }

    // MARK: cold ingest

    private var coldDone = false

    func coldIngest(report: Bool) throws {
        let corpus = try mixed()
        try? FileManager.default.removeItem(atPath: mixedStore)
        try FileManager.default.createDirectory(atPath: mixedStore, withIntermediateDirectories: true)
        let cat = try catSeconds(corpus.files)
        log("cat: \(Format.seconds(cat)); cold ingest of \(corpus.files.count) files …")
        // Three fresh-store runs (median wall time; the machine's speed varies from run to
        // run); the last one's store is kept for the warm re-run and the hook.
        var runs: [ChildIngest.Report] = []
        for attempt in 0..<(report ? 3 : 1) {
            if attempt > 0 {
                try? FileManager.default.removeItem(atPath: mixedStore)
                try FileManager.default.createDirectory(atPath: mixedStore, withIntermediateDirectories: true)
            }
            runs.append(try ChildIngest.spawn(home: corpus.home, store: mixedStore, scratch: root))
        }
        coldDone = true
        guard report else { return }
        let child = runs.sorted { $0.run.seconds < $1.run.seconds }[runs.count / 2]
        let peakRSS = runs.map(\.run.peakRSS).max() ?? 0
        let seconds = child.run.seconds
        let ratio = seconds / cat
        log(String(format: "cold ingest (median of %d): %.2f s (%.1f× cat), peak RSS %@", runs.count, seconds, ratio, Format.mb(peakRSS)))
        rows.append(Row(name: "cat of the same files (page cache warm)", value: "\(Format.seconds(cat)) (\(Format.rate(corpus.bytes, cat)))"))
        rows.append(Row(
            name: "Cold ingest, many files (median of 3)",
            value: "\(Format.seconds(seconds)) (\(Format.rate(corpus.bytes, seconds)))",
            target: "—"))
        // Informational: the target is judged with both reading from disk (below), as the
        // issue's reference (`cat` reads 1 GB "in about half a second") is a cold-cache
        // `cat` on this machine; a warm `cat` is a memory copy at 5–7 GB/s.
        rows.append(Row(name: "Cold ingest / cat, both with page cache warm", value: String(format: "%.1f×", ratio)))
        rows.append(Row(
            name: "Cold ingest, peak RSS", value: Format.mb(peakRSS), target: "< 200 MB",
            verdict: peakRSS < 200 << 20 ? .pass : .fail))
        rows.append(Row(
            name: "Cold ingest, CPU time",
            value: String(format: "user %.2f s + sys %.2f s (%.2f cores busy)", child.run.userSeconds, child.run.systemSeconds,
                (child.run.userSeconds + child.run.systemSeconds) / seconds)))
        rows.append(Row(
            name: "Cold ingest, what was read",
            value: "\(child.values["lines_read"] ?? "?") lines, \(child.values["usage_events"] ?? "?") usage events, \(child.values["edits"] ?? "?") edits, \(child.values["lines_skipped"] ?? "?") skipped, \(child.values["errors"] ?? "?") errors"))
        if let bytes = child.int("bytes_read"), bytes != corpus.bytes {
            notes.append("Cold ingest read \(bytes) bytes of \(corpus.bytes).")
        }
        if let error = child.values["first_error"] { notes.append("First ingest error: \(error)") }
        try coldCacheIngest(corpus)
    }

    /// The same comparison with the page cache dropped before each run, so that both
    /// `cat` and the ingest read from disk — "cold" in the filesystem sense. Needs root
    /// (writing /proc/sys/vm/drop_caches); skipped with a note otherwise. The mixed
    /// store is left as the warm-cache run made it.
    private func coldCacheIngest(_ corpus: CorpusInfo) throws {
        func dropCaches() -> Bool {
            sync()
            guard let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
            defer { try? handle.close() }
            return (try? handle.write(contentsOf: Data("3\n".utf8))) != nil
        }
        guard dropCaches() else {
            notes.append("Page-cache-dropped figures skipped: /proc/sys/vm/drop_caches is not writable; run as root to judge the ≤ 2.5× cold-ingest target.")
            return
        }
        var cats: [Double] = []
        var ingests: [Double] = []
        for _ in 0..<5 {
            guard dropCaches() else { return }
            let cat = try Spawner.run(["cat"] + corpus.files)
            guard cat.succeeded else { throw BenchError.message("cat failed with status \(cat.status)") }
            cats.append(cat.seconds)
            let store = root + "/store-cold-cache"
            try? FileManager.default.removeItem(atPath: store)
            try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
            guard dropCaches() else { return }
            ingests.append(try ChildIngest.spawn(home: corpus.home, store: store, scratch: root).run.seconds)
            try? FileManager.default.removeItem(atPath: store)
        }
        let cat = Stats.median(cats)
        let ingest = Stats.median(ingests)
        log(String(format: "page cache dropped: cat %.2f s, ingest %.2f s (%.1f×)", cat, ingest, ingest / cat))
        rows.append(Row(name: "cat, page cache dropped (median of 5)", value: "\(Format.seconds(cat)) (\(Format.rate(corpus.bytes, cat)))"))
        rows.append(Row(name: "Cold ingest, page cache dropped (median of 5)", value: "\(Format.seconds(ingest)) (\(Format.rate(corpus.bytes, ingest)))"))
        rows.append(Row(
            name: "Cold ingest / cat, both with page cache dropped", value: String(format: "%.1f×", ingest / cat), target: "≤ 2.5×",
            verdict: ingest / cat <= 2.5 ? .pass : .fail))
    }

    // MARK: warm re-run

    func warmRerun() throws {
        let corpus = try mixed()
        if !coldDone {
            log("warm re-run needs a caught-up store: cold ingest first (not reported) …")
            try coldIngest(report: false)
        }
        var walls: [Double] = []
        var inside: [Double] = []
        var opens: [Double] = []
        for _ in 0..<options.warmRuns {
            let child = try ChildIngest.spawn(home: corpus.home, store: mixedStore, scratch: root)
            if let read = child.int("files_read"), read != 0 {
                notes.append("A warm re-run read \(read) files (expected 0).")
            }
            walls.append(child.run.seconds)
            inside.append(child.double("run_s") ?? .nan)
            opens.append(child.double("open_s") ?? .nan)
        }
        var pending: [Double] = []
        for _ in 0..<options.warmRuns {
            let child = try ChildIngest.spawn(pendingOnly: true, home: corpus.home, store: mixedStore, scratch: root)
            pending.append(child.double("pending_s") ?? .nan)
        }
        let wall = Stats.median(walls)
        log(String(format: "warm re-run: median %.1f ms (process), %.1f ms in run()", wall * 1000, Stats.median(inside) * 1000))
        rows.append(Row(
            name: "Warm re-run, nothing new (whole process, median of \(walls.count))", value: Format.ms(wall), target: "< 100 ms",
            verdict: wall < 0.1 ? .pass : .fail))
        rows.append(Row(name: "  of which Store open + migrations check", value: Format.ms(Stats.median(opens))))
        rows.append(Row(name: "  of which Ingestor.run()", value: Format.ms(Stats.median(inside))))
        rows.append(Row(name: "  pendingFiles() alone (\(corpus.files.count) files)", value: Format.ms(Stats.median(pending))))
    }

    // MARK: single big transcript

    func singleTranscript() throws {
        let bytes = Int64(options.singleSizeMB ?? options.sizeMB) << 20
        log("generating one \(bytes >> 20) MB Claude Code transcript …")
        let info = try CorpusGenerator(seed: options.seed).generateSingle(home: singleHome, bytes: bytes)
        try? FileManager.default.removeItem(atPath: singleStore)
        let cat = try catSeconds(info.files)
        log("cat: \(Format.seconds(cat)); ingesting …")
        let child = try ChildIngest.spawn(home: info.home, store: singleStore, scratch: root)
        let seconds = child.run.seconds
        log(String(format: "single transcript: %.2f s, peak RSS %@", seconds, Format.mb(child.run.peakRSS)))
        rows.append(Row(
            name: "Single transcript (\(Format.mb(info.bytes))), cold ingest",
            value: "\(Format.seconds(seconds)) (\(Format.rate(info.bytes, seconds)); cat \(Format.seconds(cat)), \(String(format: "%.1f×", seconds / cat)))"))
        rows.append(Row(
            name: "Single transcript, peak RSS", value: Format.mb(child.run.peakRSS), target: "< 200 MB",
            verdict: child.run.peakRSS < 200 << 20 ? .pass : .fail))
        rows.append(Row(
            name: "Single transcript, what was read",
            value: "\(child.values["lines_read"] ?? "?") lines, \(child.values["usage_events"] ?? "?") usage events, \(child.values["edits"] ?? "?") edits, \(child.values["errors"] ?? "?") errors"))
        if let error = child.values["first_error"] { notes.append("Single transcript error: \(error)") }
    }

    // MARK: hook overhead

    func hookOverhead() throws {
        let binary = options.aiusageBinary
            ?? (URL(fileURLWithPath: SelfPath.executable()).deletingLastPathComponent().path + "/aiusage")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            rows.append(Row(
                name: "Hook overhead on git commit", value: "no aiusage binary at \(binary)", target: "< 20 ms", verdict: .skipped))
            notes.append("Build both products first: swift build -c release && .build/release/aiusage-bench (or pass --aiusage PATH).")
            return
        }
        let corpus = try mixed()
        if !coldDone {
            log("hook overhead needs a caught-up store: cold ingest first (not reported) …")
            try coldIngest(report: false)
        }
        let base = root + "/hook"
        let repo = base + "/repo"
        let noHooks = base + "/no-hooks"
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: noHooks, withIntermediateDirectories: true)

        // The environment of a user whose transcripts are the corpus and whose store is
        // the caught-up one; nothing of the real HOME leaks in.
        let environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": corpus.home, "AIUSAGE_HOME": mixedStore, "LANG": "C.UTF-8", "TZ": "UTC",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        ]
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
        let install = try Spawner.output([binary, "install", "--repo", repo], environment: environment)
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
                ["git", "-C", repo, "-c", "core.hooksPath=" + hooks, "commit", "-q", "-a", "-m", message],
                environment: environment)
            guard run.succeeded else { throw BenchError.message("git commit failed with status \(run.status)") }
            return run.seconds
        }
        /// Waits until the detached `aiusage hook` run is over, so that it does not
        /// compete with the next timed commit for the two cores.
        func waitForBackground() -> Double {
            let started = Clock.now()
            if subreaper {
                Spawner.reapOrphans()
            } else {
                usleep(300_000)
                let deadline = Clock.now() + 300
                while Clock.now() < deadline {
                    let queue = (try? FileManager.default.contentsOfDirectory(atPath: mixedStore + "/queue")) ?? []
                    if queue.isEmpty, let lock = FileLock(path: mixedStore + "/background.lock"), lock.tryLock() {
                        lock.unlock()
                        break
                    }
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
        rows.append(Row(name: "git commit without hooks (median of \(without.count))", value: Format.ms(withoutMedian)))
        rows.append(Row(name: "git commit with aiusage hooks (median of \(with.count))", value: Format.ms(withMedian)))
        rows.append(Row(
            name: "Hook overhead on git commit (difference of medians)", value: Format.ms(overhead), target: "< 20 ms",
            verdict: overhead < 0.02 ? .pass : .fail))
        if subreaper {
            rows.append(Row(name: "  detached background run after each commit (median, not on git's clock)", value: Format.ms(Stats.median(background))))
        }
        let logPath = mixedStore + "/aiusage.log"
        if let text = try? String(contentsOfFile: logPath, encoding: .utf8), !text.isEmpty {
            let lines = text.split(separator: "\n")
            notes.append("The hook logged \(lines.count) error line(s) in \(logPath); first: \(lines[0])")
        }
    }
}
