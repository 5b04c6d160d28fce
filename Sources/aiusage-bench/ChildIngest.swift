import AIUsageCore
import AIUsageEngine
import AIUsageReaders
import AIUsageStore
import Foundation

/// The hidden child modes: the benchmark re-runs itself so that each ingest is a fresh
/// process whose peak RSS and wall time (start-up, store open included) are its own.
///
///     aiusage-bench --child-ingest <home> <store dir> <result file>    Ingestor.run()
///     aiusage-bench --child-pending <home> <store dir> <result file>   pendingFiles() only
enum ChildIngest {
    static let ingestFlag = "--child-ingest"
    static let pendingFlag = "--child-pending"

    /// Runs a child mode if `arguments` ask for one; returns false otherwise.
    static func runIfRequested(_ arguments: [String]) -> Bool {
        guard arguments.count == 4, arguments[0] == ingestFlag || arguments[0] == pendingFlag else { return false }
        let (home, storeDirectory, resultPath) = (arguments[1], arguments[2], arguments[3])
        var result: [String: String] = [:]
        do {
            let started = Clock.now()
            let store = try Store(location: StoreLocation(directory: storeDirectory))
            let opened = Clock.now()
            result["open_s"] = String(opened - started)
            let ingestor = Ingestor(
                store: store, readers: SessionReaders.all,
                environment: ReaderEnvironment(home: home, variables: [:]))
            if arguments[0] == pendingFlag {
                let pending = try ingestor.pendingFiles()
                result["pending_s"] = String(Clock.now() - opened)
                result["pending_files"] = String(pending.count)
            } else {
                let summary = try ingestor.run()
                result["run_s"] = String(Clock.now() - opened)
                result["files_seen"] = String(summary.filesSeen)
                result["files_read"] = String(summary.filesRead)
                result["bytes_read"] = String(summary.bytesRead)
                result["lines_read"] = String(summary.linesRead)
                result["lines_skipped"] = String(summary.linesSkipped)
                result["usage_events"] = String(summary.usageEvents)
                result["edits"] = String(summary.edits)
                result["errors"] = String(summary.errors.count)
                if let first = summary.errors.first { result["first_error"] = first.replacingOccurrences(of: "\n", with: " ") }
            }
        } catch {
            result["failure"] = "\(error)".replacingOccurrences(of: "\n", with: " ")
        }
        let text = result.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n") + "\n"
        try? text.write(toFile: resultPath, atomically: true, encoding: .utf8)
        exit(result["failure"] == nil ? 0 : 1)
    }

    /// What a child reported, with the parent's view of its run.
    struct Report {
        var run: ChildRun
        var values: [String: String]

        func double(_ key: String) -> Double? { values[key].flatMap(Double.init) }
        func int(_ key: String) -> Int64? { values[key].flatMap { Int64($0) } }
    }

    /// Runs a child mode of this executable and collects its report.
    static func spawn(pendingOnly: Bool = false, home: String, store: String, scratch: String) throws -> Report {
        let resultPath = scratch + "/child-result-\(getpid()).txt"
        try? FileManager.default.removeItem(atPath: resultPath)
        let run = try Spawner.run(
            [SelfPath.executable(), pendingOnly ? pendingFlag : ingestFlag, home, store, resultPath],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home],
            stdout: "/dev/null", stderr: nil)
        var values: [String: String] = [:]
        if let text = try? String(contentsOfFile: resultPath, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        if let failure = values["failure"] { throw BenchError.message("child ingest failed: \(failure)") }
        guard run.succeeded else { throw BenchError.message("child ingest exited with status \(run.status)") }
        return Report(run: run, values: values)
    }
}
