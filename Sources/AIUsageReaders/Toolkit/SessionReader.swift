import AIUsageCore
import Foundation

/// Where to look for a tool's records: the user's home and environment, injectable so
/// tests and the benchmark never read the real `~/.claude` or `~/.codex`.
public struct ReaderEnvironment: Sendable {
    public var home: String
    public var variables: [String: String]
    /// Work trees of the repositories aiusage knows, for tools that keep their records
    /// inside the repository (Aider's `.aider.chat.history.md`).
    public var repositoryRoots: [String]

    public init(home: String, variables: [String: String] = [:], repositoryRoots: [String] = []) {
        self.home = home
        self.variables = variables
        self.repositoryRoots = repositoryRoots
    }

    public static var current: ReaderEnvironment {
        let env = ProcessInfo.processInfo.environment
        return ReaderEnvironment(home: env["HOME"] ?? NSHomeDirectory(), variables: env)
    }
}

/// How far a read got: the next run starts at `offset` with `state`.
public struct ReadProgress: Sendable, Equatable {
    /// Byte offset just past the last complete line consumed. A truncated last line is
    /// left for the next run, when it may be complete.
    public var offset: Int64
    /// Reader-specific state carried to the next run (e.g. Codex's running totals).
    public var state: Data?
    public var linesRead: Int
    /// Lines that were malformed (not JSON, not UTF-8, a control byte JSON forbids, or
    /// longer than the line limit): skipped and counted. A well-formed record the reader
    /// does not understand is not malformed: it is counted as format drift
    /// (`ReadBatch.noteUnrecognized`) instead.
    public var linesSkipped: Int
    /// Bytes after the last newline, not consumed yet (a record being written, or cut off).
    public var trailingBytes: Int

    public init(offset: Int64, state: Data?, linesRead: Int = 0, linesSkipped: Int = 0, trailingBytes: Int = 0) {
        self.offset = offset
        self.state = state
        self.linesRead = linesRead
        self.linesSkipped = linesSkipped
        self.trailingBytes = trailingBytes
    }
}

/// How a tool writes its record files, which decides how a changed file is re-read.
public enum RecordFileKind: Sendable {
    /// JSON Lines only ever appended to: a changed file is read from where the last
    /// run stopped.
    case appendOnly
    /// A whole JSON document or a database rewritten in place: a changed file is read
    /// again from the start, with the state the last run returned (so the reader can
    /// skip what it already handed out); the store's upserts absorb any repeat.
    case rewritten
}

/// Reads one AI tool's local session records. One conforming type per tool, so that a
/// new tool is one new file.
///
/// Readers are incremental: `read` starts at a byte offset and the state the previous
/// run returned. They must be tolerant — a malformed line is skipped and counted,
/// never thrown — and deterministic, so that re-reading a file from 0 yields the same
/// dedup keys and the store keeps one row per request and per edit.
public protocol SessionReader: Sendable {
    var tool: ToolKind { get }

    /// Folders this tool's records are looked for in, existing or not (for `doctor`).
    func searchRoots(in environment: ReaderEnvironment) -> [String]

    /// Record files found under the search roots, as absolute paths.
    func discoverFiles(in environment: ReaderEnvironment) -> [String]

    /// Reads complete lines from `offset` to the end of the file, handing out batches
    /// through `sink`. Throws only when the file cannot be opened or read at all.
    /// Callers use `read(path:from:state:sink:)`, which applies the rules every reader
    /// shares to what this hands out.
    func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress

    /// How the tool writes its files; `.appendOnly` unless a reader says otherwise.
    var fileKind: RecordFileKind { get }

    /// How the tool writes the file at `path`, when one tool writes files of both kinds
    /// (Codex appends to `rollout-*.jsonl` but writes `rollout-*.jsonl.zst` once, whole:
    /// a changed compressed file is read again from the start, never from an offset).
    /// The ingest asks this for every file; by default it is `fileKind`.
    func fileKind(for path: String) -> RecordFileKind
}

extension SessionReader {
    /// Reads as `readRecords`, with the rules every reader shares applied to what it
    /// hands out: a request whose token counts no real request reaches (negative, or
    /// over `TokenBounds.perRequest`) is a corrupt record — left out and counted as
    /// format drift, so that one bad record can neither inflate a total nor overflow a sum.
    public func read(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        try readRecords(path: path, from: offset, state: state) { batch in try sink(TokenBounds.checked(batch)) }
    }

    public var fileKind: RecordFileKind { .appendOnly }
    public func fileKind(for path: String) -> RecordFileKind { fileKind }
}
