import Foundation
import Testing
import _AIUsageTestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// Issue 10: `kill -9` at random moments of a large ingest (the built `aiusage scan
/// --all-repos`, a child process, on a generated corpus of real sample records), then
/// one run to the end: the report must be exactly that of a store that read the same
/// files in one go. SQLite's journal and the cursors written with their rows are what
/// make this hold; a cursor saved ahead of its rows, or rows without their cursor that
/// a re-read counts again, would show here.
///
/// `AIUSAGE_KILL_TEST_MB` sets the corpus size (default 40), `AIUSAGE_KILL_TEST_KILLS`
/// the number of kills (default 6), `AIUSAGE_KILL_TEST_SEED` the moments.
@Suite(.serialized) struct KilledIngestTests {
    @Test func anIngestKilledAtRandomMomentsEndsWithTheReportOfAFreshStore() throws {
        let environment = ProcessInfo.processInfo.environment
        let megabytes = environment["AIUSAGE_KILL_TEST_MB"].flatMap(Int.init) ?? 40
        let kills = environment["AIUSAGE_KILL_TEST_KILLS"].flatMap(Int.init) ?? 6
        let seed = environment["AIUSAGE_KILL_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970)
        try #require(
            FileManager.default.isExecutableFile(atPath: CLI.binary),
            "\(CLI.binary) is missing: build it first (swift build --product aiusage)")

        let home = try TemporaryDirectory(prefix: "aiusage-killed-home")
        let bytes = try KillCorpus.write(megabytes: megabytes, into: home.path, material: try Material.load())

        // The truth: one uninterrupted scan into a fresh store, timed to aim the kills.
        let freshStore = try TemporaryDirectory(prefix: "aiusage-killed-fresh")
        let started = Date()
        let fresh = try CLI.run(
            ["scan", "--all-repos", "-q"], in: home.path, environment: CLI.environment(home: home.path, store: freshStore.path))
        let duration = Date().timeIntervalSince(started)
        try #require(fresh.status == 0, "the uninterrupted scan failed: \(fresh.stderr)")
        let expected = try report(home: home.path, store: freshStore.path)

        // The same corpus, killed at random moments, then finished.
        let killedStore = try TemporaryDirectory(prefix: "aiusage-killed-store")
        var random = SeededGenerator(seed: seed)
        var moments: [String] = []
        var ran = 0.0  // seconds the killed scans ran: about what they did
        for _ in 0..<kills {
            // Aim into what is left to do (each scan goes on where the last one stopped).
            let left = max(duration - ran, duration / 10)
            let delay = left * Double.random(in: 0.1...0.7, using: &random)
            let outcome = try scanKilled(after: delay, home: home.path, store: killedStore.path)
            ran += delay
            moments.append(String(format: "%.2fs%@", delay, outcome))
        }
        let finish = try CLI.run(
            ["scan", "--all-repos", "-q"], in: home.path, environment: CLI.environment(home: home.path, store: killedStore.path))
        #expect(finish.status == 0, "the scan after the kills failed: \(finish.stderr)")
        let got = try report(home: home.path, store: killedStore.path)
        let context = """
            seed \(seed) (AIUSAGE_KILL_TEST_SEED), corpus \(bytes / 1_000_000) MB read in \
            \(String(format: "%.1f", duration)) s, killed after \(moments.joined(separator: ", "))
            """
        print("KilledIngestTests: \(context)")
        #expect(moments.contains { !$0.hasSuffix("(finished)") }, "no kill hit a running scan: \(context)")
        #expect(got.rows.count == expected.rows.count, "\(context)")
        #expect(got == expected, "the report after kills differs from a fresh store's; \(context)")
        #expect(expected.totalTokens > 0, "the corpus gave no usage: \(context)")
    }

    /// Starts a scan and kills it with SIGKILL after `delay` seconds (if it is still
    /// running: " (finished)" otherwise).
    func scanKilled(after delay: TimeInterval, home: String, store: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["scan", "--all-repos", "-q"]
        process.currentDirectoryURL = URL(fileURLWithPath: home)
        process.environment = CLI.environment(home: home, store: store)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning, Date() < deadline { usleep(2_000) }
        guard process.isRunning else {
            process.waitUntilExit()
            return " (finished)"
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return ""
    }

    /// The parts of `report --by session --format json` that must match: rows and totals.
    struct Report: Equatable {
        var rows: [NSDictionary]
        var totals: NSDictionary
        var totalTokens: Int {
            ((totals["tokens"] as? NSDictionary)?["total"] as? NSNumber)?.intValue ?? 0
        }
    }

    func report(home: String, store: String) throws -> Report {
        let result = try CLI.run(
            ["report", "--all-repos", "--no-scan", "--by", "session", "--format", "json", "--since", "2000-01-01"], in: home,
            environment: CLI.environment(home: home, store: store))
        try #require(result.status == 0, "report failed: \(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary)
        let rows = try #require(document["rows"] as? [NSDictionary], "no rows in \(result.stdout.prefix(300))")
        let totals = try #require(document["totals"] as? NSDictionary, "no totals in \(result.stdout.prefix(300))")
        return Report(rows: rows, totals: totals)
    }
}

/// A corpus of Claude Code and Codex transcripts made of the sample records, their ids
/// made unique per file and per repeat so that the records count apart.
enum KillCorpus {
    /// Writes about `megabytes` MB below `home`; returns the bytes written.
    static func write(megabytes: Int, into home: String, material: Material) throws -> Int {
        let target = megabytes * 1_000_000
        var written = 0
        var index = 0
        while written < target {
            let source = material.sources[index % material.sources.count]
            let uuid = String(format: "0199b000-0000-7000-8000-%012d", index)
            let path: String
            var file: [UInt8] = []
            if source.tool == .codex {
                path = home + "/.codex/sessions/2026/02/23/rollout-2026-02-23T00-00-00-\(uuid).jsonl"
                // A rollout repeated: Codex's counters restart, so each repeat counts anew.
                let text = replacing(sessionIDs(in: source, key: #""id":""#), with: uuid, in: source.bytes)
                for _ in 0..<3 { file += text }
            } else {
                path = home + "/.claude/projects/-home-u-w\(index % 7)/\(uuid).jsonl"
                for repeatIndex in 0..<3 {
                    var text = replacing(sessionIDs(in: source, key: #""sessionId":""#), with: uuid, in: source.bytes)
                    for prefix in ["msg_", "req_", "toolu_"] {
                        text = replace(Array(prefix.utf8), with: Array("\(prefix)f\(index)r\(repeatIndex)_".utf8), in: text)
                    }
                    file += text
                }
            }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file).write(to: URL(fileURLWithPath: path))
            written += file.count
            index += 1
        }
        return written
    }

    /// Every distinct value of `key` (e.g. `"sessionId":"`) in the source's first lines.
    static func sessionIDs(in source: Material.Source, key: String) -> [[UInt8]] {
        var found: [[UInt8]] = []
        let marker = Array(key.utf8)
        for line in source.lines.prefix(3) {
            guard let start = firstIndex(of: marker, in: line) else { continue }
            let valueStart = start + marker.count
            guard let end = line[valueStart...].firstIndex(of: 0x22) else { continue }
            let value = Array(line[valueStart..<end])
            if !value.isEmpty, !found.contains(value) { found.append(value) }
        }
        return found
    }

    static func replacing(_ values: [[UInt8]], with uuid: String, in bytes: [UInt8]) -> [UInt8] {
        values.reduce(bytes) { replace($1, with: Array(uuid.utf8), in: $0) }
    }

    static func replace(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 10)
        var index = 0
        while index < bytes.count {
            if bytes[index] == needle[0], bytes.count - index >= needle.count, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                result += replacement
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
