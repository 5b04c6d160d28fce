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
/// from the last offset like a JSONL file (`.appendOnly`).
///
/// - Session: one `# aider chat started at <local time>` block; its id is a hash of
///   the file's path plus that start time, and every record of the block is stamped
///   with the start time (the log has no other timestamps). The working directory is
///   the folder holding the log.
/// - Usage: one event per `> Tokens: … sent, … received.` line (`k` / `M` suffixes and
///   thousands separators parsed). Aider's "sent" includes cache writes and, for most
///   versions and providers, cache hits; older versions printed them beside it. So
///   cache tokens are subtracted from "sent" only when "sent" is at least their sum.
///   The line's `Cost: $x message` (or `request`) is the recorded cost — except when
///   Aider says cache costs are not included, then the price table prices it.
/// - Model: the `> Model:` / `> Models:` / `> Main model:` announcement (main model).
/// - Edits: `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks under a file-name
///   line count only once a following `> Applied edit to <file>` confirms them; one
///   `EditEvent` per Applied line (all of that file's blocks), keyed by session and
///   the Applied line's ordinal. Blocks not applied before the next user message
///   (`#### `) are dropped. Whole-file edits (`whole` edit format) have no blocks and
///   give no edit.
/// - `> Commit <sha> <message>` lines (Aider's own commits) are not handed out: the
///   model has no record for a direct session–commit link yet.
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

    public func read(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
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
            linesSkipped: parser.linesSkipped, trailingBytes: outcome.trailingBytes)
    }
}

/// What carries over to the next read: the open session and any edit block in
/// progress — as line hashes and a file name only, never code text.
struct AiderReadState: Codable, Equatable {
    struct Block: Codable, Equatable {
        var file: String
        var added: [Int64]  // LineHash storage values
    }

    var sessionID: String?
    var start: Double?
    var model: String?
    var usageCount = 0
    var appliedCount = 0
    /// Complete SEARCH/REPLACE blocks waiting for their `Applied edit to` line.
    var pending: [Block] = []
    /// 0 outside a block, 1 in its SEARCH half, 2 in its REPLACE half.
    var blockPart = 0
    var blockFile: String?
    var searchHashes: [Int64] = []
    var replaceHashes: [Int64] = []
    /// The last non-blank line if it looked like a file name (the line a block sits under).
    var fileCandidate: String?
    /// The file of the previous block, for further blocks of the same file.
    var lastBlockFile: String?

    static func decode(_ data: Data?) -> AiderReadState {
        guard let data, let state = try? JSONDecoder().decode(AiderReadState.self, from: data) else { return AiderReadState() }
        return state
    }

    func encoded() -> Data? { try? JSONEncoder().encode(self) }
}

/// The line-by-line state machine behind `AiderReader.read`.
struct AiderHistoryParser {
    let path: String
    let cwd: String
    let pathHash: String
    let timeZone: TimeZone
    var state: AiderReadState
    var batch = ReadBatch()
    var linesRead = 0
    var linesSkipped = 0

    init(path: String, timeZone: TimeZone, state: AiderReadState) {
        self.path = path
        self.cwd = (path as NSString).deletingLastPathComponent
        self.pathHash = String(LineIdentity.fnv1a(Array(path.utf8)), radix: 16)
        self.timeZone = timeZone
        self.state = state
    }

    var startDate: Date { Date(timeIntervalSince1970: state.start ?? 0) }

    mutating func consume(_ raw: String) {
        linesRead += 1
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if state.blockPart != 0 {
            // A block never closed (a cut-off reply) must not swallow what follows.
            let escapes = line.hasPrefix("# aider chat started at ") || line.hasPrefix("> Tokens: ") || line.hasPrefix("> Applied edit to ")
            if !escapes {
                consumeBlockLine(line)
                return
            }
            state.blockPart = 0
            state.searchHashes = []
            state.replaceHashes = []
        }
        if line.hasPrefix("# aider chat started at ") {
            startSession(String(line.dropFirst("# aider chat started at ".count)))
        } else if line.hasPrefix("> ") {
            consumeOutputLine(String(line.dropFirst(2)))
            state.fileCandidate = nil
        } else if line.hasPrefix("####") {
            // A new user message: edits proposed before it and never applied are dropped.
            state.pending.removeAll()
            state.fileCandidate = nil
            state.lastBlockFile = nil
        } else if Self.isMarker(line, "<", "SEARCH") {
            state.blockPart = 1
            state.blockFile = state.fileCandidate ?? state.lastBlockFile
            state.searchHashes = []
            state.replaceHashes = []
        } else if line.hasPrefix("```") {
            // A fence between a file name and its block keeps the candidate.
        } else if !line.isEmpty {
            state.fileCandidate = Self.fileName(line)
        }
    }

    private mutating func consumeBlockLine(_ line: String) {
        if state.blockPart == 1, Self.isDivider(line) {
            state.blockPart = 2
        } else if state.blockPart == 2, Self.isMarker(line, ">", "REPLACE") {
            if let file = state.blockFile {
                let added = AddedLines.difference(
                    state.replaceHashes.map(LineHash.init(storageValue:)),
                    minus: state.searchHashes.map(LineHash.init(storageValue:)))
                state.pending.append(.init(file: file, added: added.map(\.storageValue)))
                state.lastBlockFile = file
            }
            state.blockPart = 0
            state.blockFile = nil
            state.searchHashes = []
            state.replaceHashes = []
            state.fileCandidate = nil
        } else if let hash = LineIdentity.significantHash(line) {
            if state.blockPart == 1 { state.searchHashes.append(hash.storageValue) } else { state.replaceHashes.append(hash.storageValue) }
        }
    }

    private mutating func startSession(_ timeText: String) {
        state.pending.removeAll()
        state.blockPart = 0
        state.fileCandidate = nil
        state.lastBlockFile = nil
        state.usageCount = 0
        state.appliedCount = 0
        state.model = nil
        guard let utc = Timestamps.parse(timeText) else {
            state.sessionID = nil
            linesSkipped += 1
            return
        }
        // The header is local time without a zone: Timestamps read it as UTC.
        let start = utc.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: utc)))
        state.start = start.timeIntervalSince1970
        state.sessionID = "\(pathHash):\(timeText)"
        batch.observations.append(SessionObservation(tool: .aider, sessionID: state.sessionID!, cwd: cwd, timestamp: start))
    }

    private mutating func consumeOutputLine(_ text: String) {
        guard let sessionID = state.sessionID else { return }
        if let model = Self.model(text) {
            state.model = model
            batch.observations.append(SessionObservation(tool: .aider, sessionID: sessionID, cwd: cwd, timestamp: startDate, model: model))
        } else if text.hasPrefix("Tokens: ") {
            guard let (tokens, cost) = Self.usage(text) else {
                linesSkipped += 1
                return
            }
            batch.usage.append(UsageEvent(
                tool: .aider, sessionID: sessionID, timestamp: startDate, model: state.model ?? "unknown", tokens: tokens,
                dedupKey: "\(sessionID):t\(state.usageCount)", recordedCostUSD: cost))
            state.usageCount += 1
        } else if text.hasPrefix("Applied edit to ") {
            let file = String(text.dropFirst("Applied edit to ".count))
            let ordinal = state.appliedCount
            state.appliedCount += 1
            let blocks = state.pending.filter { $0.file == file }
            guard !blocks.isEmpty else { return }
            state.pending.removeAll { $0.file == file }
            batch.edits.append(EditEvent(
                tool: .aider, sessionID: sessionID, timestamp: startDate, dedupKey: "\(sessionID):e\(ordinal)",
                filePath: file, cwd: cwd,
                addedLines: blocks.flatMap(\.added).map(LineHash.init(storageValue:))))
        } else if text.hasPrefix("Did not apply edit to ") {
            let file = String(text.dropFirst("Did not apply edit to ".count))
            state.pending.removeAll { $0.file == file }
        }
    }

    /// `<<<<<<< SEARCH` / `>>>>>>> REPLACE`: 5 to 9 marker characters and the word.
    static func isMarker(_ line: String, _ mark: Character, _ word: String) -> Bool {
        guard line.hasSuffix(word) else { return false }
        let marks = line.dropLast(word.count).trimmingCharacters(in: .whitespaces)
        return (5...9).contains(marks.count) && marks.allSatisfy { $0 == mark }
    }

    static func isDivider(_ line: String) -> Bool { (5...9).contains(line.count) && line.allSatisfy { $0 == "=" } }

    /// Root files commonly edited that have neither an extension nor a folder.
    static let extensionless: Set<String> = ["Makefile", "Dockerfile", "Gemfile", "Rakefile", "Procfile", "Justfile", "LICENSE", "Containerfile"]

    /// A line that could name the file a block edits (`path/to/file.py`, possibly in
    /// backticks or bold), else nil: prose and code are never kept.
    static func fileName(_ line: String) -> String? {
        let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "#*`: \t"))
        guard !name.isEmpty, name.count <= 255, !name.contains(where: { $0 == " " || $0 == "\t" }),
            name.contains(where: { $0 == "." || $0 == "/" }) || extensionless.contains(name)
        else { return nil }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-/+@~".contains($0) }) else { return nil }
        return name
    }

    /// The main model of a `Model:` / `Models:` / `Main model:` announcement.
    static func model(_ text: String) -> String? {
        var rest: Substring
        if text.hasPrefix("Model: ") {
            rest = text.dropFirst("Model: ".count)
        } else if text.hasPrefix("Models: ") {
            rest = text.dropFirst("Models: ".count)
        } else if text.hasPrefix("Main model: ") {
            rest = text.dropFirst("Main model: ".count)
        } else {
            return nil
        }
        if let space = rest.firstIndex(of: " ") { rest = rest[..<space] }
        rest = rest.trimmingSuffix { $0 == "⚡" || $0 == "," }
        return rest.isEmpty ? nil : String(rest)
    }

    /// Tokens and recorded cost of a `Tokens: 2.3k sent, 1.8k cache write, 150 received.
    /// Cost: $0.01 message, $0.05 session.` line; nil when it has no `sent` count.
    static func usage(_ text: String) -> (TokenCounts, Double?)? {
        let body = text.dropFirst("Tokens: ".count)
        let tokenPart = body.range(of: "Cost:").map { body[..<$0.lowerBound] } ?? body
        var sent: Int64?
        var received: Int64 = 0
        var cacheWrite: Int64 = 0
        var cacheHit: Int64 = 0
        for part in tokenPart.components(separatedBy: ", ") {
            let words = part.trimmingCharacters(in: CharacterSet(charactersIn: " .")).split(separator: " ")
            guard words.count >= 2, let count = tokenCount(words[0]) else { continue }
            switch words.dropFirst().joined(separator: " ") {
            case "sent": sent = count
            case "received": received = count
            case "cache write": cacheWrite = count
            case "cache hit", "cached": cacheHit = count
            default: continue
            }
        }
        guard let sent else { return nil }
        let cached = cacheWrite + cacheHit
        let input = sent >= cached ? sent - cached : sent
        let tokens = TokenCounts(input: input, output: received, cacheWrite: cacheWrite, cacheRead: cacheHit)
        var cost: Double?
        if let costRange = body.range(of: "Cost: $"), !body.contains("cache costs not") {
            let amount = body[costRange.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "," }
            let unit = body[costRange.upperBound...].dropFirst(amount.count).prefix(9)
            if unit.hasPrefix(" message") || unit.hasPrefix(" request") {
                cost = Double(amount.replacingOccurrences(of: ",", with: ""))
            }
        }
        return (tokens, cost)
    }

    /// `5,244` → 5244, `2.3k` → 2300, `1.2M` → 1200000.
    static func tokenCount(_ text: Substring) -> Int64? {
        var digits = text.replacingOccurrences(of: ",", with: "")
        var scale = 1.0
        if digits.hasSuffix("k") || digits.hasSuffix("K") {
            scale = 1e3
            digits.removeLast()
        } else if digits.hasSuffix("M") {
            scale = 1e6
            digits.removeLast()
        } else if digits.hasSuffix("B") {
            scale = 1e9
            digits.removeLast()
        }
        guard let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        return Int64((value * scale).rounded())
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return result
    }
}
