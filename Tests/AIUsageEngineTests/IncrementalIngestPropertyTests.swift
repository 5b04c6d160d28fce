import AIUsageCore
import AIUsageEngine
import AIUsageReaders
@testable import AIUsageStore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// Issue 10: random histories of transcript files — appends cut at any byte,
/// truncations, rewrites in place, replacements, renames, copies and deletions, each
/// followed by a scan — must leave the store with exactly the usage a fresh store
/// reads from the final files plus the last-scanned version of every deleted file
/// (a vanished file keeps what was ingested from it). Records are real sample lines
/// (Claude Code and Codex, from `../shared/samples`).
///
/// `AIUSAGE_PROPERTY_RUNS` (default 10 histories) and `AIUSAGE_PROPERTY_STEPS`
/// (default 10 steps each) run it longer; a failure names the seed that replays it
/// (`AIUSAGE_PROPERTY_SEED=<seed> AIUSAGE_PROPERTY_RUNS=1`).
@Suite(.serialized) struct IncrementalIngestPropertyTests {
    @Test func randomHistoriesOfFilesEndWithTheUsageAFreshStoreReads() throws {
        let environment = ProcessInfo.processInfo.environment
        let runs = environment["AIUSAGE_PROPERTY_RUNS"].flatMap(Int.init) ?? 10
        let steps = environment["AIUSAGE_PROPERTY_STEPS"].flatMap(Int.init) ?? 10
        let base = environment["AIUSAGE_PROPERTY_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0010
        let material = try Material.load()
        for run in 0..<runs {
            let seed = base &+ UInt64(run)
            let history = try History(seed: seed, material: material)
            if let failure = try history.play(steps: steps) {
                Issue.record(
                    """
                    seed \(seed) (replay: AIUSAGE_PROPERTY_SEED=\(seed) AIUSAGE_PROPERTY_RUNS=1 \
                    swift test --filter IncrementalIngestPropertyTests): \(failure)
                    """)
                return
            }
        }
    }

    /// Found by the histories above (seed 1000, 5 steps): a copy of a transcript (an
    /// archive, a fork) is deleted, then the original is rewritten without some of the
    /// records they shared. The deleted copy keeps what was ingested from it, so those
    /// records must stay; but the rows belong to the original (which was read first), and
    /// the original's replacement deletes them.
    @Test func aDeletedCopyKeepsTheRecordsItSharedWithAFileRewrittenLater() throws {
        let home = try TemporaryDirectory(prefix: "aiusage-copy-home")
        let storeDirectory = try TemporaryDirectory(prefix: "aiusage-copy-store")
        let store = try Store(location: StoreLocation(directory: storeDirectory.path))
        let ingestor = Ingestor(store: store, readers: History.readers, environment: ReaderEnvironment(home: home.path))
        func line(_ request: String, output: Int) -> String {
            #"{"type":"assistant","sessionId":"s","cwd":"/w","timestamp":"2025-01-01T00:00:00Z","requestId":"req_\#(request)","message":{"id":"msg_\#(request)","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":\#(output)},"content":[{"type":"text","text":"x"}]}}"#
                + "\n"
        }
        let original = try home.write(".claude/projects/-w/original.jsonl", line("a", output: 10) + line("b", output: 20))
        _ = try ingestor.run()
        let copy = try home.write(".claude/projects/-w/copy.jsonl", line("a", output: 10) + line("b", output: 20))
        _ = try ingestor.run()
        try FileManager.default.removeItem(atPath: copy)
        _ = try ingestor.run()
        // The original is rewritten in place without request b.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: original))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(line("a", output: 10).utf8))
        try handle.close()
        _ = try ingestor.run()
        // The truth: the original as it is, and the copy as it was when it was last read.
        let usage = try History.contents(of: store).usage
        #expect(usage["claude-code msg_a:req_a"]?.output == 10)
        #expect(usage["claude-code msg_b:req_b"]?.output == 20, "the deleted copy's request b was lost")
    }

    /// Found by the histories above (seed 1592590359, 20 steps): a request that two files
    /// share, with larger counts in one of them (Claude repeats a request with growing
    /// counts; a copy or fork taken earlier holds the smaller ones). When the file with
    /// the larger counts is rewritten without the request, the row — owned by the other
    /// file — keeps the larger counts, which no file on disk gives any more: the copy is
    /// read again, but an upsert that keeps the maximum cannot lower them.
    @Test func aRewrittenFileTakesItsLargerCountsOfASharedRequestWithIt() throws {
        let home = try TemporaryDirectory(prefix: "aiusage-shared-home")
        let storeDirectory = try TemporaryDirectory(prefix: "aiusage-shared-store")
        let store = try Store(location: StoreLocation(directory: storeDirectory.path))
        let ingestor = Ingestor(store: store, readers: History.readers, environment: ReaderEnvironment(home: home.path))
        func line(_ request: String, output: Int) -> String {
            #"{"type":"assistant","sessionId":"s","cwd":"/w","timestamp":"2025-01-01T00:00:00Z","requestId":"req_\#(request)","message":{"id":"msg_\#(request)","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":\#(output)},"content":[{"type":"text","text":"x"}]}}"#
                + "\n"
        }
        // The copy (read first, so the row is its own) was taken while the request had
        // streamed 8 tokens; the original went on to 407.
        try home.write(".claude/projects/-w/copy.jsonl", line("a", output: 8))
        _ = try ingestor.run()
        try home.write(".claude/projects/-w/original.jsonl", line("a", output: 8) + line("a", output: 407))
        _ = try ingestor.run()
        // The original is rewritten in place with other requests only.
        let original = home.path + "/.claude/projects/-w/original.jsonl"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: original))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(line("b", output: 20).utf8))
        try handle.close()
        _ = try ingestor.run()
        let got = try History.contents(of: store)
        let fresh = try Store(location: StoreLocation(directory: try TemporaryDirectory(prefix: "aiusage-shared-fresh").path))
        _ = try Ingestor(store: fresh, readers: History.readers, environment: ReaderEnvironment(home: home.path)).run()
        let expected = try History.contents(of: fresh)
        #expect(expected.usage["claude-code msg_a:req_a"]?.output == 8)
        #expect(got == expected, "\(got.difference(from: expected))")
    }
}

/// Sample transcripts the histories are made of: each a list of complete lines.
struct Material {
    struct Source {
        var tool: ToolKind
        var lines: [[UInt8]]
        var bytes: [UInt8] { lines.flatMap { $0 + [0x0A] } }
    }

    var sources: [Source]

    /// Real Claude Code and Codex transcripts with usage, each cut to about 40 KB so a
    /// scan takes milliseconds.
    static func load() throws -> Material {
        let claude = [
            "gitai-example-claude-code.jsonl", "thesession-claude-code-bash-session.jsonl",
            "gitai-claude-code-with-thinking.jsonl", "sessionbin-1f8cbb82-9ca1-4649-b3d9-b4c0f9754930.jsonl",
        ]
        let codex = [
            "localpush-redacted-real-rollout-2026-02-23T12-40-23-019c8a4c-ed82-79a1-aa28-7738fc5ab61a.jsonl",
            "localpush-redacted-real-rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl",
            "thesession-rollout-2026-09-23T19-24-04-01a0d095-5bd9-7d73-871a-b6756ea97139.jsonl",
        ]
        func source(_ tool: ToolKind, _ folder: String, _ name: String) throws -> Source {
            let data = try Data(contentsOf: URL(fileURLWithPath: Samples.path(folder, name)))
            var lines: [[UInt8]] = []
            var size = 0
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                if size > 40_000, !lines.isEmpty { break }
                lines.append(Array(line))
                size += line.count + 1
            }
            return Source(tool: tool, lines: lines)
        }
        return Material(
            sources: try claude.map { try source(.claudeCode, "claude-code", $0) } + codex.map { try source(.codex, "codex", $0) })
    }
}

/// One random history: a fake home whose transcript files change step by step, an
/// incremental store that scans after every step, and the truth to compare it with.
final class History {
    /// A transcript on disk: the version it is a prefix of, and how much of it is written.
    struct LiveFile {
        var relativePath: String
        var tool: ToolKind
        var version: [UInt8]
        var length: Int
    }

    let material: Material
    var random: SeededGenerator
    let home: TemporaryDirectory
    let storeDirectory: TemporaryDirectory
    let store: Store
    let ingestor: Ingestor
    var live: [LiveFile] = []
    /// Versions of deleted files as last scanned: they stay in the truth.
    var deleted: [(relativePath: String, bytes: [UInt8])] = []
    var log: [String] = []
    var names = 0

    static let readers: [any SessionReader] = [ClaudeCodeReader(), CodexReader()]

    init(seed: UInt64, material: Material) throws {
        self.material = material
        random = SeededGenerator(seed: seed)
        home = try TemporaryDirectory(prefix: "aiusage-history-home")
        storeDirectory = try TemporaryDirectory(prefix: "aiusage-history-store")
        store = try Store(location: StoreLocation(directory: storeDirectory.path))
        ingestor = Ingestor(store: store, readers: Self.readers, environment: ReaderEnvironment(home: home.path))
    }

    /// Plays `steps` random steps, scanning after each; the first difference from the
    /// truth, described with the steps that led to it, or nil.
    func play(steps: Int) throws -> String? {
        for step in 1...steps {
            try randomStep()
            let summary = try ingestor.run()
            if !summary.errors.isEmpty { return "step \(step): scan errors \(summary.errors)\n" + log.joined(separator: "\n") }
            let got = try Self.contents(of: store)
            let expected = try truth()
            if got != expected {
                return "after step \(step) the store differs from a fresh read: \(got.difference(from: expected))\nsteps:\n"
                    + log.joined(separator: "\n")
            }
        }
        return nil
    }

    // MARK: Steps

    func randomStep() throws {
        let roll = Int.random(in: 0..<100, using: &random)
        guard !live.isEmpty, roll >= 12 else { return try create() }
        let index = Int.random(in: 0..<live.count, using: &random)
        switch roll {
        case 12..<40: try grow(index)
        case 40..<50: try truncate(index)
        case 50..<62: try rewrite(index, inPlace: true)
        case 62..<72: try rewrite(index, inPlace: false)
        case 72..<82: try rename(index)
        case 82..<90: try copy(index)
        default: try delete(index)
        }
    }

    /// A new file: a prefix, cut at any byte, of a sample version.
    func create() throws {
        let source = material.sources.randomElement(using: &random)!
        let version = variant(of: source)
        let file = LiveFile(relativePath: newName(for: source.tool), tool: source.tool, version: version, length: cut(version))
        try write(file, path: path(file))
        live.append(file)
        log.append("create \(file.relativePath) with \(file.length) of \(version.count) bytes")
    }

    /// The tool appends: more of the same version, cut at any byte.
    func grow(_ index: Int) throws {
        var file = live[index]
        guard file.length < file.version.count else { return try create() }
        let length = Int.random(in: (file.length + 1)...file.version.count, using: &random)
        try appendBytes(Array(file.version[file.length..<length]), to: path(file))
        log.append("append \(length - file.length) bytes to \(file.relativePath) (now \(length))")
        file.length = length
        live[index] = file
    }

    /// Cut short in place (same inode), at any byte.
    func truncate(_ index: Int) throws {
        var file = live[index]
        guard file.length > 0 else { return try grow(index) }
        let length = Int.random(in: 0..<file.length, using: &random)
        #expect(Glibc.truncate(path(file), off_t(length)) == 0)
        log.append("truncate \(file.relativePath) to \(length) bytes")
        file.length = length
        live[index] = file
    }

    /// Another version of the file's session (lines dropped, counts changed) written
    /// over it in place (same inode) or saved beside it and renamed over it (new inode).
    func rewrite(_ index: Int, inPlace: Bool) throws {
        var file = live[index]
        let sources = material.sources.filter { $0.tool == file.tool }
        let version = variant(of: sources.randomElement(using: &random)!)
        file.version = version
        file.length = cut(version)
        if inPlace {
            try write(file, path: path(file))
        } else {
            try write(file, path: path(file) + ".tmp")
            #expect(Glibc.rename(path(file) + ".tmp", path(file)) == 0)
        }
        log.append(
            "\(inPlace ? "rewrite in place" : "replace") \(file.relativePath) with \(file.length) of \(version.count) bytes of another version"
        )
        live[index] = file
    }

    func rename(_ index: Int) throws {
        var file = live[index]
        let old = path(file)
        file.relativePath = newName(for: file.tool)
        #expect(Glibc.rename(old, path(file)) == 0)
        log.append("rename \(live[index].relativePath) to \(file.relativePath)")
        live[index] = file
    }

    /// A copy under another name (an archive, a fork): its records count once.
    func copy(_ index: Int) throws {
        var file = live[index]
        file.relativePath = newName(for: file.tool)
        try write(file, path: path(file))
        live.append(file)
        log.append("copy \(live[index].relativePath) to \(file.relativePath)")
    }

    func delete(_ index: Int) throws {
        let file = live.remove(at: index)
        deleted.append((file.relativePath, Array(file.version[..<file.length])))
        #expect(unlink(path(file)) == 0)
        log.append("delete \(file.relativePath)")
    }

    // MARK: Material

    /// A sample, or a version of it with lines dropped and token counts changed — what
    /// a tool's rewrite, a resumed session or a compaction leaves. A Codex version keeps
    /// its first line (`session_meta`, which names the session its keys carry).
    func variant(of source: Material.Source) -> [UInt8] {
        guard Bool.random(using: &random) else { return source.bytes }
        var lines: [[UInt8]] = []
        for (index, line) in source.lines.enumerated() {
            let keep = (source.tool == .codex && index == 0) || Int.random(in: 0..<10, using: &random) >= 2
            guard keep else { continue }
            lines.append(Int.random(in: 0..<10, using: &random) < 3 ? changingCounts(line) : line)
        }
        return lines.flatMap { $0 + [0x0A] }
    }

    /// The line with the number after each `_tokens":` replaced by another.
    func changingCounts(_ line: [UInt8]) -> [UInt8] {
        let marker = Array("_tokens\":".utf8)
        var result: [UInt8] = []
        var index = 0
        while index < line.count {
            if line[index...].starts(with: marker) {
                result += marker
                index += marker.count
                var digits = 0
                while index < line.count, (0x30...0x39).contains(line[index]) {
                    index += 1
                    digits += 1
                }
                result += digits > 0 ? Array(String(Int.random(in: 0...50_000, using: &random)).utf8) : []
            } else {
                result.append(line[index])
                index += 1
            }
        }
        return result
    }

    /// A length to cut `version` at: its end, a line's end, or any byte.
    func cut(_ version: [UInt8]) -> Int {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return version.count
        case 1: return version.indices.filter { version[$0] == 0x0A }.randomElement(using: &random).map { $0 + 1 } ?? 0
        default: return Int.random(in: 0...version.count, using: &random)
        }
    }

    func newName(for tool: ToolKind) -> String {
        names += 1
        let uuid = String(format: "0199a000-0000-7000-8000-%012d", names)
        if tool == .codex { return ".codex/sessions/2026/02/23/rollout-2026-02-23T00-00-00-\(uuid).jsonl" }
        return ".claude/projects/-home-u-w/\(uuid).jsonl"
    }

    func path(_ file: LiveFile) -> String { home.path + "/" + file.relativePath }

    func write(_ file: LiveFile, path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Truncate and write through one descriptor: the inode stays when the file exists.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        try writeAll(fd, Array(file.version[..<file.length]))
    }

    func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND)
        #expect(fd >= 0)
        defer { close(fd) }
        try writeAll(fd, bytes)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        let wrote = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        #expect(wrote == bytes.count)
    }

    // MARK: Truth

    /// What a store that never saw the history holds: the files on disk, then each
    /// deleted file's last-scanned version (in a home of its own, under its own path).
    func truth() throws -> StoreContents {
        let directory = try TemporaryDirectory(prefix: "aiusage-history-fresh")
        let fresh = try Store(location: StoreLocation(directory: directory.path))
        _ = try Ingestor(store: fresh, readers: Self.readers, environment: ReaderEnvironment(home: home.path)).run()
        var graves: [TemporaryDirectory] = []
        for (relativePath, bytes) in deleted {
            let grave = try TemporaryDirectory(prefix: "aiusage-history-deleted")
            graves.append(grave)
            let path = grave.path + "/" + relativePath
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            _ = try Ingestor(store: fresh, readers: Self.readers, environment: ReaderEnvironment(home: grave.path)).run()
        }
        return try Self.contents(of: fresh)
    }

    /// Usage rows as the store keeps them (tokens per tool and dedup key) and the keys
    /// of the edits.
    struct StoreContents: Equatable {
        var usage: [String: TokenCounts]
        var edits: Set<String>

        func difference(from expected: StoreContents) -> String {
            var parts: [String] = []
            for key in Set(usage.keys).union(expected.usage.keys).sorted() where usage[key] != expected.usage[key] {
                parts.append(
                    "usage \(key): \(usage[key].map(String.init(describing:)) ?? "missing") instead of "
                        + (expected.usage[key].map(String.init(describing:)) ?? "nothing"))
                if parts.count >= 4 { break }
            }
            let extra = edits.subtracting(expected.edits)
            let missing = expected.edits.subtracting(edits)
            if !extra.isEmpty { parts.append("edits not in a fresh read: \(extra.sorted().prefix(3))") }
            if !missing.isEmpty { parts.append("edits missing: \(missing.sorted().prefix(3))") }
            let sum = usage.values.reduce(TokenCounts(), +)
            let expectedSum = expected.usage.values.reduce(TokenCounts(), +)
            parts.append("totals \(sum) instead of \(expectedSum)")
            return parts.joined(separator: "; ")
        }
    }

    static func contents(of store: Store) throws -> StoreContents {
        try store.read { db in
            var usage: [String: TokenCounts] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT tool, dedup_key, input, output, cache_write, cache_read, reasoning FROM usage_effective")
            {
                let tool: String = row[0]
                let key: String = row[1]
                usage[tool + " " + key] = TokenCounts(
                    input: row[2], output: row[3], cacheWrite: row[4], cacheRead: row[5], reasoning: row[6])
            }
            var edits: Set<String> = []
            for row in try Row.fetchAll(db, sql: "SELECT tool, dedup_key FROM edits") {
                let tool: String = row[0]
                let key: String = row[1]
                edits.insert(tool + " " + key)
            }
            return StoreContents(usage: usage, edits: edits)
        }
    }
}
