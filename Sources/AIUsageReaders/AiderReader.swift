import AIUsageCore
import Foundation

extension ToolKind {
    public static let aider = ToolKind(rawValue: "aider")
}

/// Reads Aider's chat log, `.aider.chat.history.md`, which Aider appends to in the root
/// of the repository it runs in (found through `ReaderEnvironment.repositoryRoots`;
/// `$AIDER_CHAT_HISTORY_FILE` names another file, relative to each root or absolute).
///
/// The log is Markdown, not JSON, but only ever grows, so it is streamed line by line
/// from the last offset like a JSONL file (`.appendOnly`). CR LF line ends (histories
/// written on Windows) read exactly like LF ones.
///
/// - Session: one `# aider chat started at <local time>` block; its id is a hash of
///   the file's path plus that start time. The working directory is the folder
///   holding the log.
/// - Times: the log has no time but each chat's start. An event is never older than
///   its chat's start, and a chat's events happen in the order they are written, each
///   user message and model request taking at least a second; so each usage and edit
///   event is stamped with the start plus one second per user message and request
///   before it — a lower bound that keeps a chat's order. The commit named by an
///   edit's `commitHint` bounds it from above.
/// - Usage: one event per `> Tokens: … sent, … received.` line (`k` / `M` suffixes and
///   thousands separators parsed). Aider's "sent" includes cache writes and, for most
///   versions and providers, cache hits; older versions printed them beside it. So
///   cache tokens are subtracted from "sent" only when "sent" is at least their sum.
///   The line's `Cost: $x message` (or `request`) is the recorded cost — except when
///   Aider says cache costs are not included, then the price table prices it.
/// - Model: the `> Model:` / `> Models:` / `> Main model:` announcement (main model),
///   which also names the edit format (`Editor model:` names the editor's, in architect mode).
/// - Edits (`AiderReplyParser`): SEARCH/REPLACE blocks (`diff`, `diff-fenced`,
///   `editor-diff`, `editor-diff-fenced`), unified-diff hunks (`udiff`), `patch`
///   sections and whole-file listings (`whole`, `editor-whole`). A reply's edits count
///   once Aider says it wrote them: one `EditEvent` per `> Applied edit to <file>` line
///   (all of that file's edits in the reply, key: the Applied line's ordinal), or, when
///   Aider reports that some blocks failed to match, one per file of the blocks it did
///   not echo as failed (it wrote those before reporting; key `p<n>`). File names may
///   be Windows paths (`src\app\x.cs`, read as `src/app/x.cs`) or hold brackets and
///   parentheses (`src/pages/[...slug].astro`). A listing's old text is unknown unless
///   the chat listed the file before, so every line of a first listing counts as added.
///   Edits never confirmed are dropped at the next user message.
/// - Commits: `> Commit <sha> <message>` (Aider's own commit) links the edits it holds
///   — those just applied, those of a "Committing <file> before applying edits." dirty
///   commit, or all uncommitted ones after `/commit` — to the commit: they are handed
///   out again, same key, with `commitHint` set to the sha.
/// - Format drift: chat lines outside any chat, unknown edit formats, Applied lines
///   without a block to match, unreadable `Tokens:` lines and failure reports whose
///   counts do not add up are counted as `.shape` drift.
public struct AiderReader: SessionReader {
    public let tool: ToolKind = .aider
    /// The zone Aider's local start times are read in (the machine's own by default).
    let timeZone: TimeZone

    public init() { self.init(timeZone: .current) }

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    static let defaultFileName = ".aider.chat.history.md"
    static let batchLimit = 5000

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        environment.repositoryRoots.map(ReaderPaths.trimmed)
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var names = [Self.defaultFileName]
        var absolute: [String] = []
        if let custom = ReaderPaths.variable("AIDER_CHAT_HISTORY_FILE", in: environment) {
            if custom.hasPrefix("/") { absolute.append(custom) } else { names.append(custom) }
        }
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            for name in names {
                let path = root + "/" + name
                if FileManager.default.isReadableFile(atPath: path) { found.insert(path) }
            }
        }
        for path in absolute where FileManager.default.isReadableFile(atPath: path) { found.insert(path) }
        return found.sorted()
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        var parser = AiderHistoryParser(path: path, timeZone: timeZone, state: AiderReadState.decode(state))
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, _ in
            parser.consume(String(decoding: line, as: UTF8.self))
            if parser.batch.count >= Self.batchLimit {
                try sink(parser.batch)
                parser.batch = ReadBatch()
            }
        }
        if !parser.batch.isEmpty { try sink(parser.batch) }
        return ReadProgress(
            offset: outcome.consumedTo, state: parser.state.encoded(), linesRead: parser.linesRead,
            linesSkipped: parser.linesSkipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }
}
