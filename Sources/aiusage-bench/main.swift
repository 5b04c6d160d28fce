import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// aiusage-bench: measures the commands a user types — `aiusage report --all-repos` cold
// and warm on two generated corpora, against aiburn; `aiusage report` first and later in
// a generated long history, against `git log -p`; the post-commit hook's cost — as whole
// processes of the aiusage binary it is given. Imports no aiusage library. Always exits
// 0 once it has measured: it is a benchmark, not a test. See BENCHMARKS.md.

let arguments = Array(CommandLine.arguments.dropFirst())
Launcher.runIfRequested(arguments)

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("aiusage-bench: \(message)\n".utf8))
    exit(2)
}

let options: Options
do {
    options = try Options.parse(arguments)
} catch {
    fail("\(error)")
}

/// The bench folder: `--dir`, else `$TMPDIR/aiusage-bench`. Never inside a git work tree:
/// the sessions' folders (and the neutral working folder) would then all be inside that
/// repository, which no real machine's are.
func benchRoot(_ options: Options) -> String {
    let path: String
    if let directory = options.directory {
        path = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
    } else {
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        path = (temporary.hasSuffix("/") ? String(temporary.dropLast()) : temporary) + "/aiusage-bench"
    }
    var folder = (path as NSString).standardizingPath
    while folder != "/" && !folder.isEmpty {
        if FileManager.default.fileExists(atPath: folder + "/.git") {
            fail("--dir \(path) is inside the git work tree \(folder); choose a folder outside any repository")
        }
        folder = (folder as NSString).deletingLastPathComponent
    }
    return (path as NSString).standardizingPath
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

let binary =
    options.aiusageBinary.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
    ?? (URL(fileURLWithPath: SelfPath.executable()).deletingLastPathComponent().path + "/aiusage")
guard FileManager.default.isExecutableFile(atPath: binary) else {
    fail("no aiusage binary at \(binary): build it (swift build -c release --product aiusage --static-swift-stdlib) or pass --aiusage PATH")
}
let root = benchRoot(options)
do {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
} catch {
    fail("cannot create the bench folder \(root): \(error.localizedDescription)")
}
let bench = Benchmark(options: options, root: root, aiusage: binary)
let started = Clock.now()
let loadBefore = loadAverage()
/// The binary under test, with its modification time (it has no --version).
let version: String = {
    var status = stat()
    guard stat(binary, &status) == 0 else { return binary }
    let date = Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec))
    return "\(binary) (built \(ISO8601DateFormatter().string(from: date)), \(Format.mb(Int64(status.st_size))))"
}()
bench.log("machine: \(machine()); load average \(loadBefore); folder: \(root); aiusage: \(version)")

var aiburn: AIBurn?
if options.aiburn, !options.parts.isDisjoint(with: [.large, .realistic]) {
    do {
        aiburn = try AIBurn.install(root: root, log: bench.log)
    } catch {
        bench.notes.append("aiburn not measured: \(error)")
    }
}

/// The corpus store the hook part runs against: the realistic corpus's, caught up.
var hookStore: (home: String, store: String)?

/// The corpus in one line; `written` is its size before compression when some files are
/// `.jsonl.zst` (what the size and requests-per-MB figures count).
func describe(_ info: CorpusInfo, requests: Int?, written: Int64? = nil, extra: String = "") -> String {
    let size = written ?? info.bytes
    var text =
        "\(Format.mb(size)) of transcripts in \(info.files.count) files (Claude \(Format.mb(info.claudeBytes)), Codex \(Format.mb(size - info.claudeBytes))"
    if info.zstFiles > 0 {
        text += ", of which \(info.zstFiles) files .jsonl.zst: \(Format.mb(info.zstBytes)) on disk, \(Format.mb(info.bytes)) in all"
    }
    text += ")"
    if let requests {
        text += String(format: ", %d billed requests (%.0f per MB)", requests, Double(requests) / (Double(size) / 1_048_576))
    }
    return text + extra
}

for part in [Part.large, .realistic, .history, .hook] where options.parts.contains(part) {
    do {
        switch part {
        case .large:
            bench.log("large: generating \(options.sizeMB) MB in large files …")
            let info = try CorpusGenerator(seed: options.seed).generateMixed(
                home: root + "/large-home", totalBytes: Int64(options.sizeMB) << 20)
            bench.log(info.reused ? "large: reusing the corpus already there" : String(format: "large: generated in %.1f s", info.seconds))
            _ = try bench.measureCorpus(
                label: "large", title: "Large files", corpus: info,
                describe: describe(info, requests: nil, extra: "; working folders that do not exist"), judged: false, aiburn: aiburn)
        case .realistic:
            bench.log("realistic: generating \(options.sizeMB) MB of sessions in 12 project folders …")
            let corpus = RealisticCorpus(
                home: root + "/realistic-home", seed: options.seed, totalBytes: Int64(options.sizeMB) << 20, compress: options.zst)
            let (info, stats) = try corpus.generate(log: bench.log)
            bench.log(
                info.reused ? "realistic: reusing the corpus already there" : String(format: "realistic: generated in %.1f s", info.seconds)
            )
            let outcome = try bench.measureCorpus(
                label: "realistic", title: "Heavy user", corpus: info,
                describe: describe(
                    info, requests: stats.requests, written: stats.writtenBytes,
                    extra:
                        "; \(stats.sessions) sessions in 12 project folders: \(stats.repositories) git repositories (\(stats.repositoryCommits) commits), 4 plain, 1 deleted"
                ),
                judged: true, aiburn: aiburn)
            if outcome.caughtUp { hookStore = (info.home, outcome.store) }
        case .history:
            try bench.measureHistory()
        case .hook:
            if hookStore == nil {
                // The hook runs against a caught-up store of the heavy user's corpus.
                let corpus = RealisticCorpus(
                    home: root + "/realistic-home", seed: options.seed, totalBytes: Int64(options.sizeMB) << 20, compress: options.zst)
                let (info, _) = try corpus.generate(log: bench.log)
                let store = bench.freshStore("hook-store")
                bench.log("hook: catching the store up (`aiusage report --all-repos`, not timed) …")
                let run = try bench.aiusage(
                    ["report", "--all-repos"], home: info.home, store: store, directory: bench.neutral, label: "hook-catch-up")
                bench.failure("Hook: catching up", run)
                hookStore = (info.home, store)
            }
            try bench.measureHook(home: hookStore!.home, store: hookStore!.store)
        }
    } catch {
        bench.rows.append(Row(name: "\(part.rawValue) part", value: "error: \(error)", verdict: .fail))
    }
}

// Summary table.
let rows = bench.rows
let nameWidth = min(80, rows.map(\.name.count).max() ?? 0)
let valueWidth = min(90, rows.map(\.value.count).max() ?? 0)
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
print("")
print("aiusage-bench — \(machine()) — \(ISO8601DateFormatter().string(from: Date()))")
print("aiusage: \(version)")
print("load average (1, 5, 15 min): \(loadBefore) at start, \(loadAverage()) at end")
print("command: aiusage-bench \(arguments.joined(separator: " "))".trimmingCharacters(in: .whitespaces))
print("cold runs read the transcripts from the page cache (warmed by cat) unless the row says \"page cache dropped\"")
print("")
print(padded("measure", nameWidth) + "  " + padded("value", valueWidth) + "  " + padded("target", 9) + "  result")
print(String(repeating: "-", count: nameWidth + valueWidth + 9 + 14))
for row in rows {
    print(padded(row.name, nameWidth) + "  " + padded(row.value, valueWidth) + "  " + padded(row.target, 9) + "  " + row.verdict.rawValue)
}
for note in bench.notes { print("note: " + note) }
print(String(format: "\n(total benchmark time %.0f s; folder %@)", Clock.now() - started, root))
exit(0)
