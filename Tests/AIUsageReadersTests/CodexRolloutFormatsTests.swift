import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// Codex's 2026 formats: paginated history (0.152) with FileChange items and `exec`
/// scripts, Codex Desktop's `token_usage_record` (0.155), cache writes, compressed
/// rollouts (`.jsonl.zst`, since 0.137), continuation pages and forks, and the call
/// shapes older builds wrote. Real rollouts where they exist (`shared/samples/codex`);
/// elsewhere records written from Codex's public source, named at each test.
@Suite struct CodexRolloutFormatsTests {
    /// One read, merged as the store merges it, with the format drift counted.
    struct Read {
        var merged = MergedRead()
        var drift: [FormatDrift: Int] = [:]
        var usage: [UsageEvent] = []  // in order, as handed out

        var progress: ReadProgress { merged.progress }
        var edits: [EditEvent] { merged.edits.values.sorted { $0.dedupKey < $1.dedupKey } }
    }

    static func read(_ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> Read {
        var result = Read()
        result.merged.progress = try CodexReader().read(path: path, from: offset, state: state) { batch in
            result.merged.add(batch)
            result.usage += batch.usage
            for (drift, count) in batch.drift { result.drift[drift, default: 0] += count }
        }
        return result
    }

    static let sessionbin = "sessionbin-rollout-2026-09-14T10-20-48-01a0a04a-bfb2-7e12-8e42-9bdd2783d9d2.jsonl"
    static let sessionbinID = "01a0a04a-bfb2-7e12-8e42-9bdd2783d9d2"
    static let thesession = "thesession-rollout-2026-09-23T19-24-04-01a0d095-5bd9-7d73-871a-b6756ea97139.jsonl"

    static func sampleLines(_ file: String) throws -> [String] {
        try String(contentsOfFile: Samples.path("codex", file), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    static func hashes(_ lines: String...) -> [LineHash] { lines.compactMap { LineIdentity.significantHash($0) } }

    // MARK: Codex 0.152 paginated history (real rollout)

    /// Expected numbers from a Python one-off over the sample (json.loads each line):
    /// four `token_count` increases; final total_token_usage input 51,597 = cached
    /// 24,918 + cache write 26,667 + 12 uncached; output 527 (reasoning 30); total 52,124.
    @Test func paginatedRolloutUsageWithCacheWritesAndModelSwitch() throws {
        let result = try Self.read(Samples.path("codex", Self.sessionbin))
        let id = Self.sessionbinID
        #expect(result.usage.map(\.dedupKey) == ["\(id):10476", "\(id):21502", "\(id):36366", "\(id):52124"])
        // The first request: 10,285 in, of which 10,282 written to the cache.
        #expect(result.usage.first?.tokens == TokenCounts(input: 3, output: 191, cacheWrite: 10_282, cacheRead: 0, reasoning: 18))
        #expect(result.merged.totals == TokenCounts(input: 12, output: 527, cacheWrite: 26_667, cacheRead: 24_918, reasoning: 30))
        #expect(result.merged.totals.total == 52_124)
        // thread_settings_applied switched gpt-5.6-luna to gpt-5.6-sol for the second turn.
        #expect(result.usage.map(\.model) == ["gpt-5.6-luna", "gpt-5.6-luna", "gpt-5.6-sol", "gpt-5.6-sol"])
        #expect(result.progress.linesSkipped == 0)
        #expect(result.drift.isEmpty, "\(result.drift)")
    }

    /// Before: 0 edits, so every line today's Codex writes counted as human. The
    /// FileChange items give what was applied: hello.py created, then rewritten.
    @Test func paginatedRolloutEditsComeFromFileChangeItems() throws {
        let result = try Self.read(Samples.path("codex", Self.sessionbin))
        let edits = result.edits
        #expect(
            edits.map(\.dedupKey) == [
                "exec-5d2b9a51-1a78-4481-a9de-9aa0758f9c79:0", "exec-914ce347-949e-4592-87f0-80a70add143e:0",
            ])
        try #require(edits.count == 2)
        #expect(edits.allSatisfy { $0.filePath == "/home/alice/projects/demo/hello.py" && $0.sessionID == Self.sessionbinID })
        let created = try #require(edits.first { $0.dedupKey.hasPrefix("exec-914ce347") })
        #expect(created.addedLines == Self.hashes("print('Hello, world!')"))
        #expect(created.timestamp == Timestamps.parse("2026-09-14T14:20:51.228Z"))
        let updated = try #require(edits.first { $0.dedupKey.hasPrefix("exec-5d2b9a51") })
        #expect(updated.addedLines == Self.hashes("def greet(name):", "print(f'Hello, {name}!')", "greet('Alice')"))
    }

    /// The `exec` script holds each patch as a JavaScript string literal. In a rollout
    /// that records no FileChange items (the same rollout with them taken out and its
    /// history mode set back to legacy), the scripts give the same lines.
    @Test func execScriptPatchesAreReadWhenNoFileChangeItemsRecordThem() throws {
        let dir = try TemporaryDirectory()
        let lines = try Self.sampleLines(Self.sessionbin)
            .filter { !$0.contains(#""type":"FileChange""#) }
            .map { $0.replacingOccurrences(of: #""history_mode":"paginated""#, with: #""history_mode":"legacy""#) }
        let path = try dir.write(Self.sessionbin, lines.joined(separator: "\n") + "\n")
        let result = try Self.read(path)
        let edits = result.edits
        #expect(edits.map(\.dedupKey) == ["call_cCAkYuA1kzAUVekA3N18ElkX:0", "call_wVLaAlD1fqb7nVcRNRoYddt6:0"])
        try #require(edits.count == 2)
        #expect(edits.allSatisfy { $0.filePath == "hello.py" && $0.absolutePath == "/home/alice/projects/demo/hello.py" })
        let fromItems = try Self.read(Samples.path("codex", Self.sessionbin)).edits
        #expect(Set(edits.map(\.addedLines)) == Set(fromItems.map(\.addedLines)))
    }

    /// Where a call and the FileChange item recording it both appear, the patch counts
    /// once: the item's (the same rollout in legacy mode, items kept).
    @Test func aCallAndItsFileChangeItemCountOnce() throws {
        let dir = try TemporaryDirectory()
        let lines = try Self.sampleLines(Self.sessionbin)
            .map { $0.replacingOccurrences(of: #""history_mode":"paginated""#, with: #""history_mode":"legacy""#) }
        let result = try Self.read(try dir.write(Self.sessionbin, lines.joined(separator: "\n") + "\n"))
        #expect(
            result.edits.map(\.dedupKey) == [
                "exec-5d2b9a51-1a78-4481-a9de-9aa0758f9c79:0", "exec-914ce347-949e-4592-87f0-80a70add143e:0",
            ])
        // Paginated, read in pieces ending right after a call: still the items only.
        let all = try Self.sampleLines(Self.sessionbin)
        let head = all[..<13].joined(separator: "\n") + "\n"
        let path = try dir.write("split/" + Self.sessionbin, head)
        let first = try Self.read(path)
        try dir.append("split/" + Self.sessionbin, Data((all[13...].joined(separator: "\n") + "\n").utf8))
        let second = try Self.read(path, from: first.progress.offset, state: first.progress.state)
        #expect(Set(first.edits.map(\.dedupKey)).union(second.edits.map(\.dedupKey)) == Set(result.edits.map(\.dedupKey)))
        #expect(first.usage.map(\.dedupKey) + second.usage.map(\.dedupKey) == result.usage.map(\.dedupKey))
    }

    /// Without its turn_context lines the same rollout still switches model at
    /// `thread_settings_applied` (before: "unknown" throughout).
    @Test func threadSettingsAppliedSwitchesTheModel() throws {
        let dir = try TemporaryDirectory()
        let lines = try Self.sampleLines(Self.sessionbin).filter { !$0.contains(#""type":"turn_context""#) }
        let result = try Self.read(try dir.write(Self.sessionbin, lines.joined(separator: "\n") + "\n"))
        #expect(result.usage.map(\.model) == ["unknown", "unknown", "gpt-5.6-sol", "gpt-5.6-sol"])
    }

    // MARK: Codex Desktop 0.155 (real rollout)

    /// token_usage_record and token_count report the same cumulative totals: three
    /// requests, not six. Final total_token_usage: input 112,667 (cached 74,624),
    /// output 446 (reasoning 159), total 113,113; model switched gpt-5.6-sol → gpt-6-astra.
    @Test func desktopRolloutCountsEachRequestOnce() throws {
        let result = try Self.read(Samples.path("codex", Self.thesession))
        let id = "01a0d095-5bd9-7d73-871a-b6756ea97139"
        #expect(result.usage.map(\.dedupKey) == ["\(id):33756", "\(id):73211", "\(id):113113"])
        #expect(result.merged.totals == TokenCounts(input: 38_043, output: 446, cacheWrite: 0, cacheRead: 74_624, reasoning: 159))
        #expect(result.usage.map(\.model) == ["gpt-5.6-sol", "gpt-6-astra", "gpt-6-astra"])
        #expect(result.progress.linesSkipped == 0)
        #expect(result.drift.isEmpty, "\(result.drift)")
    }

    /// A Desktop rollout with only token_usage_record lines (token_count taken out)
    /// gives the same three requests (before: none).
    @Test func tokenUsageRecordAloneCounts() throws {
        let dir = try TemporaryDirectory()
        let lines = try Self.sampleLines(Self.thesession).filter { !$0.contains(#""type":"token_count""#) }
        let alone = try Self.read(try dir.write(Self.thesession, lines.joined(separator: "\n") + "\n"))
        let full = try Self.read(Samples.path("codex", Self.thesession))
        #expect(alone.usage.map(\.dedupKey) == full.usage.map(\.dedupKey))
        #expect(alone.merged.totals == full.merged.totals)
    }

    // MARK: Compressed rollouts

    /// The `.jsonl.zst` sample is the `.jsonl` sample compressed: same keys, same tokens,
    /// same edits, whatever offset and state the ingest hands over.
    @Test func compressedRolloutGivesTheSameRecords() throws {
        let plain = try Self.read(Samples.path("codex", Self.sessionbin))
        let compressed = try Self.read(Samples.path("codex", Self.sessionbin + ".zst"))
        #expect(compressed.usage == plain.usage)
        #expect(compressed.edits == plain.edits)
        #expect(compressed.progress.linesRead == 41 && compressed.progress.linesSkipped == 0)
        let again = try Self.read(Samples.path("codex", Self.sessionbin + ".zst"), from: 5000, state: plain.progress.state)
        #expect(again.usage == plain.usage && again.edits == plain.edits)
        let reader = CodexReader()
        #expect(reader.fileKind(for: "/x/rollout-a.jsonl.zst") == .rewritten)
        #expect(reader.fileKind(for: "/x/rollout-a.jsonl") == .appendOnly)
        #expect(reader.fileKind == .appendOnly)
    }

    /// Ingested as `.jsonl` (in two runs), then compressed by Codex, then resumed:
    /// materialised back to `.jsonl` and appended to. Every copy gives the same keys
    /// for the same records, so the store's upserts count each request and edit once.
    @Test func noCopyOfARolloutCountsTwice() throws {
        let dir = try TemporaryDirectory()
        let lines = try Self.sampleLines(Self.sessionbin)
        let name = "sessions/2026/09/14/" + Self.sessionbin
        let path = try dir.write(name, lines[..<20].joined(separator: "\n") + "\n")
        let first = try Self.read(path)
        try dir.append(name, Data((lines[20...].joined(separator: "\n") + "\n").utf8))
        let second = try Self.read(path, from: first.progress.offset, state: first.progress.state)
        var ingested = first.merged
        for event in second.usage { ingested.usage[event.dedupKey] = event }
        for edit in second.edits { ingested.edits[edit.dedupKey] = edit }

        let compressed = try Self.read(Samples.path("codex", Self.sessionbin + ".zst"))
        #expect(compressed.merged.usage == ingested.usage)
        #expect(compressed.merged.edits == ingested.edits)

        // The resume appends a third turn (a model request and a FileChange) to the
        // materialised `.jsonl`, read from 0 as a new file.
        let resumed =
            lines + [
                #"{"timestamp":"2026-09-21T09:00:00.000Z","ordinal":41,"type":"event_msg","payload":{"type":"item_completed","thread_id":"01a0a04a-bfb2-7e12-8e42-9bdd2783d9d2","turn_id":"t3","item":{"type":"FileChange","id":"exec-resumed","changes":{"/home/alice/projects/demo/notes.md":{"type":"add","content":"resumed later\n"}},"status":"completed","stdout":"","stderr":""},"started_at_ms":1,"completed_at_ms":2}}"#,
                #"{"timestamp":"2026-09-21T09:00:01.000Z","ordinal":42,"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":70000,"cached_input_tokens":40000,"cache_write_input_tokens":26667,"output_tokens":600,"reasoning_output_tokens":30,"total_tokens":70600},"last_token_usage":{"input_tokens":18403,"cached_input_tokens":15082,"cache_write_input_tokens":0,"output_tokens":73,"reasoning_output_tokens":0,"total_tokens":18476},"model_context_window":258400},"rate_limits":null}}"#,
            ]
        let materialised = try dir.write("resumed/" + Self.sessionbin, resumed.joined(separator: "\n") + "\n")
        let later = try Self.read(materialised)
        var store = compressed.merged
        for event in later.usage { store.usage[event.dedupKey] = event }
        for edit in later.edits { store.edits[edit.dedupKey] = edit }
        #expect(store.usage.count == compressed.merged.usage.count + 1)
        #expect(store.edits.count == compressed.merged.edits.count + 1)
        #expect(store.totals.total == 70_600)
    }

    @Test func discoveryFindsCompressedRolloutsAndPrefersThePlainSibling() throws {
        let dir = try TemporaryDirectory()
        let home = dir.path + "/codex-home"
        let id = "019c0000-aaaa-7bbb-8ccc-0123456789ab"
        let compressed = try dir.write("codex-home/sessions/2026/09/14/rollout-2026-09-14T10-00-00-\(id).jsonl.zst", "")
        let archived = try dir.write("codex-home/archived_sessions/rollout-2026-01-01T00-00-00-\(id).jsonl.zst", "")
        let plain = try dir.write("codex-home/sessions/2026/09/15/rollout-2026-09-15T10-00-00-\(id).jsonl", "")
        // Both forms during a resume: the plain one is read.
        try dir.write("codex-home/sessions/2026/09/15/rollout-2026-09-15T10-00-00-\(id).jsonl.zst", "")
        try dir.write("codex-home/sessions/2026/09/15/notes.jsonl.zst", "")
        let found = CodexReader().discoverFiles(in: ReaderEnvironment(home: dir.path, variables: ["CODEX_HOME": home]))
        #expect(found == [archived, compressed, plain].sorted())
    }

    @Test func sessionIDFromCompressedAndSegmentNames() {
        let thread = "019c0000-aaaa-7bbb-8ccc-0123456789ab"
        let segment = "019c0000-bbbb-7bbb-8ccc-0123456789ab"
        #expect(CodexReader.sessionID(fromPath: "/s/rollout-2026-09-14T10-00-00-\(thread).jsonl.zst") == thread)
        #expect(CodexReader.sessionID(fromPath: "/s/rollout-2026-09-14T10-00-00-\(thread)_\(segment).jsonl") == thread)
        #expect(CodexReader.sessionID(fromPath: "/s/rollout-2026-09-14T10-00-00-\(thread)_\(segment).jsonl.zst") == thread)
        #expect(CodexReader.sessionID(fromPath: "/s/other.jsonl.zst") == "other")
    }
}
