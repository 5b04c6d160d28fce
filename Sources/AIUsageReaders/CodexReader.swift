import AIUsageCore
import Foundation

/// Reads Codex CLI / Codex Desktop rollout files
/// (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`, the same files moved
/// to `$CODEX_HOME/archived_sessions/`, and — since Codex 0.137 — their compressed form
/// `rollout-*.jsonl.zst`, which replaces a rollout idle for seven days).
///
/// Usage: Codex writes *cumulative* totals (`token_count`'s `total_token_usage`, Codex
/// Desktop's `token_usage_record.thread_token_usage`), often repeated unchanged. A usage
/// event is emitted only when the session's total grows, carrying the delta; its dedup
/// key is `"<session id>:<new total>"`, so re-reading a file, reading its archived or
/// compressed copy, or reading it in increments yields the same keys. A file that
/// continues an earlier one (`session_meta.history_base`: a continuation page or a
/// fork) counts only its own increases.
///
/// Edits: in paginated rollouts (0.15x) the `item_completed` FileChange items, which
/// record what was applied; otherwise every `apply_patch` (freeform `custom_tool_call`,
/// JSON `function_call`, `multi_tool_use.parallel`, a heredoc / argv inside a shell
/// call, a string literal in an `exec` script) gives one `EditEvent` per file of the
/// patch, keyed `"<call id>:<file index>"`. Where a FileChange item follows a call, the
/// item is counted and the call's patch is not.
public struct CodexReader: SessionReader {
    public let tool: ToolKind = .codex

    public init() {}

    /// Records handed to the sink at a time: bounded memory on a 1 GB ingest.
    static let batchLimit = 5000

    /// `$CODEX_HOME` (default `~/.codex`), taken from the injected environment only.
    static func codexHome(in environment: ReaderEnvironment) -> String {
        guard var home = environment.variables["CODEX_HOME"], !home.isEmpty else {
            return trimmingSlash(environment.home) + "/.codex"
        }
        if home == "~" {
            home = environment.home
        } else if home.hasPrefix("~/") {
            home = trimmingSlash(environment.home) + String(home.dropFirst(1))
        }
        return trimmingSlash(home)
    }

    private static func trimmingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        let home = Self.codexHome(in: environment)
        return [home + "/sessions", home + "/archived_sessions"]
    }

    /// Rollouts, plain and compressed. A compressed rollout whose plain sibling exists
    /// is left out, as Codex itself does: during a resume Codex writes the `.jsonl`
    /// back from the `.zst`, and the plain file is the newer, longer one (reading both
    /// would count nothing twice — the keys are the same — but would read it twice).
    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            // Recursive: sessions/ is date-nested, archived_sessions/ flat or nested.
            found.formUnion(RecordFileWalker.files(under: root) { Self.isRolloutName($0) }.files)
        }
        return found.filter { !($0.hasSuffix(".zst") && found.contains(String($0.dropLast(4)))) }.sorted()
    }

    static func isRolloutName(_ name: String) -> Bool {
        name.hasPrefix("rollout-") && (name.hasSuffix(".jsonl") || name.hasSuffix(".jsonl.zst"))
    }

    /// A compressed rollout is written once, whole: read again from the start if it
    /// ever changes. Plain rollouts are appended to.
    public func fileKind(for path: String) -> RecordFileKind {
        JSONLinesFile.isCompressed(path) ? .rewritten : .appendOnly
    }

    public func readRecords(
        path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        // A compressed rollout is always read whole, from a fresh state, so that it
        // gives exactly the keys its plain form gave (or will give).
        let compressed = JSONLinesFile.isCompressed(path)
        var parser = CodexLineParser(
            fileSessionID: Self.sessionID(fromPath: path),
            state: compressed ? CodexReadState() : CodexReadState.decode(state))
        let outcome = try JSONLinesFile.forEachLine(path: path, from: compressed ? 0 : offset) { line, _ in
            try parser.consume(line, sink: sink)
        }
        try parser.finish(sink: sink)
        return ReadProgress(
            offset: outcome.consumedTo, state: parser.state.encoded(), linesRead: parser.linesRead + outcome.skippedLines,
            linesSkipped: parser.linesSkipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }

    /// The session id a rollout's file name carries, used until (or unless) a
    /// `session_meta` record names it: `rollout-<time>-<uuid>.jsonl` → `<uuid>`, also
    /// compressed (`.jsonl.zst`), and for a segment named `…-<thread uuid>_<rollout
    /// uuid>.jsonl` the thread's. Other names fall back to the file's base name, which
    /// is at least stable across re-reads and across the plain and compressed forms.
    static func sessionID(fromPath path: String) -> String {
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".zst") { name = String(name.dropLast(".zst".count)) }
        if name.hasSuffix(".jsonl") { name = String(name.dropLast(".jsonl".count)) }
        let utf8 = Array(name.utf8)
        if utf8.count >= 73, utf8[utf8.count - 37] == 0x5F, isUUID(utf8[(utf8.count - 36)...]),
            isUUID(utf8[(utf8.count - 73)..<(utf8.count - 37)])
        {
            return String(decoding: utf8[(utf8.count - 73)..<(utf8.count - 37)], as: UTF8.self)
        }
        if utf8.count >= 36, isUUID(utf8[(utf8.count - 36)...]) {
            return String(decoding: utf8[(utf8.count - 36)...], as: UTF8.self)
        }
        return name
    }

    static func isUUID(_ candidate: ArraySlice<UInt8>) -> Bool {
        guard candidate.count == 36 else { return false }
        return candidate.enumerated().allSatisfy { index, byte in
            switch index {
            case 8, 13, 18, 23: return byte == 0x2D
            default:
                return (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
            }
        }
    }
}
