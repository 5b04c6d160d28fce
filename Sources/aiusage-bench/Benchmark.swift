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
    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.1f ms", value * 1000) : String(format: "%.2f s", value)
    }
    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value * 1000) }
    static func rate(_ bytes: Int64, _ seconds: Double) -> String { String(format: "%.0f MB/s", Double(bytes) / 1_048_576 / seconds) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
}

/// One `aiusage` command as the bench ran it.
struct CommandRun {
    var run: ChildRun
    /// The first line of its standard error when it failed.
    var error: String?
    var seconds: Double { run.seconds }
    /// Wall time, or "≥ limit (cut off)" when it was killed at its time limit.
    var shown: String { run.timedOut ? "≥ \(Format.seconds(run.seconds)) (cut off by --timeout)" : Format.seconds(run.seconds) }
}

/// The state shared by the parts: options, folders, the binary under test, the rows.
final class Benchmark {
    let options: Options
    let root: String
    let aiusage: String
    var rows: [Row] = []
    var notes: [String] = []

    init(options: Options, root: String, aiusage: String) {
        self.options = options
        self.root = root
        self.aiusage = aiusage
        try? FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: neutral, withIntermediateDirectories: true)
    }

    var logs: String { root + "/logs" }
    /// An empty folder outside any repository: the working folder of `--all-repos` runs,
    /// so that the bench's own checkout is never taken for a user's repository.
    var neutral: String { root + "/cwd" }

    func log(_ text: String) {
        FileHandle.standardError.write(Data(("[bench] " + text + "\n").utf8))
    }

    /// The environment of a user whose transcripts are under `home` and whose store is
    /// `store`; nothing of the real HOME leaks in.
    func environment(home: String, store: String) -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home, "AIUSAGE_HOME": store,
            "LANG": "C.UTF-8", "TZ": "UTC", "GIT_CONFIG_NOSYSTEM": "1", "TERM": "dumb", "NO_COLOR": "1",
        ]
    }

    /// Runs `aiusage arguments` as a user would type it, output to a log file, within
    /// `--timeout`.
    func aiusage(_ arguments: [String], home: String, store: String, directory: String, label: String) throws -> CommandRun {
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        let stdout = logs + "/\(label).out"
        let stderr = logs + "/\(label).err"
        let run = try Spawner.measured(
            [aiusage] + arguments,
            SpawnOptions(
                environment: environment(home: home, store: store), directory: directory, stdout: stdout, stderr: stderr,
                timeout: options.timeout))
        var error: String?
        if !run.succeeded && !run.timedOut {
            let text = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            error = "exit status \(run.status): " + (text.split(separator: "\n").first.map(String.init) ?? "(no output)")
        }
        return CommandRun(run: run, error: error)
    }

    func freshStore(_ name: String) -> String {
        let path = root + "/stores/" + name
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Reads every file once, so that a timed run finds them in the page cache.
    func warmPageCache(_ files: [String]) throws {
        var index = 0
        while index < files.count {
            let batch = Array(files[index..<min(files.count, index + 500)])
            _ = try Spawner.run(["cat"] + batch)
            index += batch.count
        }
    }

    func failure(_ name: String, _ run: CommandRun) {
        if let error = run.error { notes.append("\(name): \(error) (logs in \(logs))") }
    }
}
