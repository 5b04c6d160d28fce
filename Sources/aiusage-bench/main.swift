import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// aiusage-bench: generates its own corpus of Claude Code and Codex transcripts and
// measures cold ingest (against `cat`), peak memory, warm re-runs and the time the
// post-commit hook adds to `git commit`. Always exits 0 once it has measured: it is a
// benchmark, not a test. See BENCHMARKS.md.
//
//     swift build -c release && .build/release/aiusage-bench [--size-mb N] [--only …]

let arguments = Array(CommandLine.arguments.dropFirst())
if ChildIngest.runIfRequested(arguments) { exit(0) }

let options: Options
do {
    options = try Options.parse(arguments)
} catch {
    FileHandle.standardError.write(Data("aiusage-bench: \(error)\n".utf8))
    exit(2)
}

/// The folder for the corpus and stores: `--dir`, else `.build-bench-corpus` in the
/// package folder when run from there, else a fresh folder in /tmp.
func benchRoot(_ options: Options) -> String {
    if let directory = options.directory {
        return directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
    }
    let here = FileManager.default.currentDirectoryPath
    if FileManager.default.fileExists(atPath: here + "/Package.swift") { return here + "/.build-bench-corpus" }
    return NSTemporaryDirectory() + "aiusage-bench-corpus"
}

func machine() -> String {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let system = withUnsafeBytes(of: &name.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    return String(format: "%d cores, %.1f GB RAM, %@ %@", cores, memory, system, release)
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews every figure.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "n/a" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

let root = benchRoot(options)
try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
let bench = Benchmark(options: options, root: root)
let started = Clock.now()
bench.log("machine: \(machine()); load average \(loadAverage()); folder: \(root)")
let loadBefore = loadAverage()

let order: [Phase] = [.ingest, .warm, .single, .hook]
for phase in order where options.phases.contains(phase) {
    do {
        switch phase {
        case .ingest: try bench.coldIngest(report: true)
        case .warm: try bench.warmRerun()
        case .single: try bench.singleTranscript()
        case .hook: try bench.hookOverhead()
        }
    } catch {
        bench.rows.append(Row(name: "\(phase.rawValue) phase", value: "error: \(error)", verdict: .fail))
    }
}

if !options.keep {
    try? FileManager.default.removeItem(atPath: root)
}

// Summary table.
let nameWidth = min(72, bench.rows.map(\.name.count).max() ?? 0)
let valueWidth = min(64, bench.rows.map(\.value.count).max() ?? 0)
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
print("")
print("aiusage-bench — \(machine()) — \(ISO8601DateFormatter().string(from: Date()))")
print("load average (1, 5, 15 min): \(loadBefore) at start, \(loadAverage()) at end")
print("command: aiusage-bench \(arguments.joined(separator: " "))".trimmingCharacters(in: .whitespaces))
print("")
print(padded("measure", nameWidth) + "  " + padded("value", valueWidth) + "  " + padded("target", 9) + "  result")
print(String(repeating: "-", count: nameWidth + valueWidth + 9 + 14))
for row in bench.rows {
    print(padded(row.name, nameWidth) + "  " + padded(row.value, valueWidth) + "  " + padded(row.target, 9) + "  " + row.verdict.rawValue)
}
for note in bench.notes { print("note: " + note) }
print(String(format: "\n(total benchmark time %.0f s)", Clock.now() - started))
exit(0)
