import AIUsageCore
import Foundation

/// The line-by-line state machine behind `AiderReader.read`.
///
/// A history line is one of: a chat header (`# aider chat started at …`), a user
/// message line (`#### …`), an Aider output line (`> …`), or reply text. Reply text
/// goes to `AiderReplyParser`, which proposes edits; Aider's output then says what
/// became of them (`Applied edit to`, a failure report, `Commit <sha>`).
struct AiderHistoryParser {
    let path: String
    let cwd: String
    let pathHash: String
    /// The name of the folder holding the history (the repository's), to cut absolute
    /// Windows paths down to repository-relative ones.
    let repositoryName: String
    let timeZone: TimeZone
    var state: AiderReadState
    var batch = ReadBatch()
    var linesRead = 0
    var linesSkipped = 0
    private var countedOrphan = false

    init(path: String, timeZone: TimeZone, state: AiderReadState) {
        self.path = path
        self.cwd = (path as NSString).deletingLastPathComponent
        self.pathHash = String(LineIdentity.fnv1a(Array(path.utf8)), radix: 16)
        self.repositoryName = (cwd as NSString).lastPathComponent
        self.timeZone = timeZone
        self.state = state
    }

    /// The time of the chat's next event: its start plus one second per user message
    /// and model request before it (see `AiderReader`, "Times").
    var now: Date { Date(timeIntervalSince1970: (state.start ?? 0) + Double(state.clock)) }

    mutating func consume(_ raw: String) {
        linesRead += 1
        var line = raw
        // Windows histories end every line in CR LF; the reader splits on LF.
        while line.hasSuffix("\r") { line.removeLast() }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return }
        if let last = state.lastUsage {
            state.lastUsage = nil
            if trimmed.hasPrefix("Cost: $") {
                wrappedCost(trimmed, of: last)
                return
            }
        }
        if trimmed.hasPrefix("# aider chat started at ") {
            endOutput()
            startSession(String(trimmed.dropFirst("# aider chat started at ".count)))
            return
        }
        guard state.sessionID != nil else {
            if !countedOrphan {
                countedOrphan = true
                batch.noteUnrecognized(.shape, "aider-line-outside-chat")
            }
            return
        }
        if state.reply.isInsideEdit {
            if !Self.endsEdit(line, trimmed, guessing: state.reply.isGuessing) {
                propose(state.reply.consume(line, repositoryName: repositoryName))
                return
            }
            // A reply cut off inside a block or listing: what it held was never applied.
            state.reply.reset()
        }
        if trimmed == ">" || trimmed.hasPrefix("> ") {
            output(line)
        } else if trimmed.hasPrefix("####") {
            userLine(trimmed)
        } else {
            replyLine(line)
        }
    }

    /// A line that ends a block or listing left open (a reply cut off mid-block): Aider's
    /// usage, Applied and Commit lines, and its user and output lines as Aider writes
    /// them, with two trailing spaces (a Markdown file's own `#### Heading` or `> quote`
    /// inside a block has none). Inside a listing that is only a guess (no file name
    /// before its fence) any output or user line ends it.
    static func endsEdit(_ line: String, _ trimmed: String, guessing: Bool) -> Bool {
        if trimmed.hasPrefix("> Tokens: ") || trimmed.hasPrefix("> Applied edit to ") || trimmed.hasPrefix("> Commit ") {
            return true
        }
        let aiderLine = trimmed == ">" || trimmed.hasPrefix("> ") || trimmed.hasPrefix("####")
        return aiderLine && (guessing || line.hasSuffix("  "))
    }

    /// Keeps a reply's complete edits until Aider's verdict (at most `proposalLimit`).
    private mutating func propose(_ edits: [AiderProposedEdit]) {
        guard !edits.isEmpty, state.proposed.count < Self.proposalLimit else { return }
        state.proposed += edits
    }

    static let proposalLimit = 10_000

    // MARK: - Line kinds

    private mutating func userLine(_ trimmed: String) {
        endOutput()
        if !state.lastWasUser {
            state.clock += 1
            state.proposed.removeAll()
            state.reply.reset()
            let message = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            state.userCommitCommand = message == "/commit" || message.hasPrefix("/commit ")
        }
        state.lastWasUser = true
    }

    private mutating func replyLine(_ line: String) {
        if state.inOutput {
            // Reply text after Aider's output is a new reply (a reflection, a lint fix).
            endOutput()
            state.reply.reset()
        }
        state.lastWasUser = false
        propose(state.reply.consume(line, repositoryName: repositoryName))
    }

    private mutating func output(_ line: String) {
        state.lastWasUser = false
        if !state.inOutput {
            state.inOutput = true
            state.outputResolved = false
        }
        var content = Substring(line.drop { $0 == " " || $0 == "\t" }.dropFirst())
        if content.hasPrefix(" ") { content = content.dropFirst() }
        let text = content.trimmingCharacters(in: .whitespaces)
        if var failure = state.failure {
            let endsReport = text.hasPrefix("Commit ") || text.hasPrefix("Tokens: ") || text.hasPrefix("Applied edit to ")
            if !endsReport {
                failure.consume(String(content), repositoryName: repositoryName)
                state.failure = failure
                return
            }
            resolveFailure()
        }
        if let announced = Self.announcement(text) {
            announce(announced)
        } else if text.hasPrefix("Tokens: ") {
            usage(text)
        } else if text.hasPrefix("Applied edit to ") {
            applied(String(text.dropFirst("Applied edit to ".count)))
        } else if text.hasPrefix("Commit "), let sha = Self.commitSHA(text) {
            commit(sha)
        } else if text.hasPrefix("Committing "), text.hasSuffix(" before applying edits.") {
            let file = text.dropFirst("Committing ".count).dropLast(" before applying edits.".count)
            state.dirtyFiles.append(AiderPaths.normalized(String(file), repositoryName: repositoryName))
        } else if text.hasPrefix("The LLM did not conform to the edit format") {
            state.failure = AiderFailureReport()
        } else if let file = Self.refusedFile(text) {
            let name = AiderPaths.normalized(file, repositoryName: repositoryName)
            state.proposed.removeAll { $0.file.map { AiderPaths.sameFile($0, name) } ?? false }
            state.outputResolved = true
        }
    }

    /// The file of "Did not apply edit to X (--dry-run)" and "Skipping edits to X".
    static func refusedFile(_ text: String) -> String? {
        for prefix in ["Did not apply edit to ", "Skipping edits to ", "Skipping edit to "] where text.hasPrefix(prefix) {
            var rest = Substring(text.dropFirst(prefix.count))
            if let suffix = rest.range(of: " (--dry-run)") { rest = rest[..<suffix.lowerBound] }
            return String(rest)
        }
        return nil
    }

    /// Ends a run of output lines: a pending failure report is settled, and once Aider
    /// said what became of a reply's edits, those it did not name are dropped.
    private mutating func endOutput() {
        guard state.inOutput else { return }
        if state.failure != nil { resolveFailure() }
        if state.outputResolved { state.proposed.removeAll() }
        state.inOutput = false
        state.outputResolved = false
        state.appliedFiles = []
        state.dirtyFiles = []
    }

    // MARK: - Sessions, models, usage

    private mutating func startSession(_ timeText: String) {
        state = AiderReadState()
        guard let utc = Timestamps.parse(timeText) else {
            linesSkipped += 1
            batch.noteUnrecognized(.shape, "aider-chat-start-time")
            return
        }
        // The header is local time without a zone: Timestamps read it as UTC.
        let start = utc.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: utc)))
        state.start = start.timeIntervalSince1970
        let sessionID = "\(pathHash):\(timeText)"
        state.sessionID = sessionID
        batch.observations.append(SessionObservation(tool: .aider, sessionID: sessionID, cwd: cwd, timestamp: start))
    }

    struct Announcement: Equatable {
        var model: String
        var editFormat: String?
        var isEditor: Bool
    }

    private mutating func announce(_ announced: Announcement) {
        if let format = announced.editFormat, !Self.knownEditFormats.contains(format) {
            batch.noteUnrecognized(.shape, "aider-edit-format:" + format)
        }
        if announced.isEditor {
            state.editorFormat = announced.editFormat
            return
        }
        state.model = announced.model
        state.editFormat = announced.editFormat
        guard let sessionID = state.sessionID else { return }
        batch.observations.append(
            SessionObservation(tool: .aider, sessionID: sessionID, cwd: cwd, timestamp: now, model: announced.model))
    }

    /// Edit formats Aider has shipped (`aider/coders/__init__.py`); the ones that edit
    /// nothing (`ask`, `help`, `context`) and `architect` (its editor edits) included.
    static let knownEditFormats: Set<String> = [
        "diff", "diff-fenced", "udiff", "udiff-simple", "whole", "editor-diff", "editor-diff-fenced", "editor-whole",
        "patch", "architect", "ask", "help", "context", "func", "diff-func", "whole-func", "single-whole-func",
    ]

    /// Whether the chat's replies carry whole-file listings (`whole`, `editor-whole`,
    /// or `architect` with such an editor).
    var listsWholeFiles: Bool {
        let format = state.editFormat == "architect" ? state.editorFormat : state.editFormat
        return format == "whole" || format == "editor-whole"
    }

    private mutating func usage(_ text: String) {
        guard let sessionID = state.sessionID else { return }
        guard let (tokens, cost) = Self.usage(text) else {
            linesSkipped += 1
            batch.noteUnrecognized(.shape, "aider-tokens-line")
            return
        }
        state.clock += 1
        let event = UsageEvent(
            tool: .aider, sessionID: sessionID, timestamp: now, model: state.model ?? "unknown", tokens: tokens,
            dedupKey: "\(sessionID):t\(state.usageCount)", recordedCostUSD: cost)
        batch.usage.append(event)
        state.usageCount += 1
        if cost == nil, !text.contains("Cost:"), !text.contains("cache costs not") {
            state.lastUsage = .init(key: event.dedupKey, tokens: tokens, model: event.model, time: event.timestamp.timeIntervalSince1970)
        }
    }

    /// `Cost: $0.03 message, …` wrapped onto the line after its `Tokens:` line: the
    /// event is handed out again, same key, with its recorded cost.
    private mutating func wrappedCost(_ trimmed: String, of last: AiderReadState.LastUsage) {
        guard let sessionID = state.sessionID, let cost = Self.recordedCost(Substring(trimmed)) else { return }
        batch.usage.append(
            UsageEvent(
                tool: .aider, sessionID: sessionID, timestamp: Date(timeIntervalSince1970: last.time), model: last.model,
                tokens: last.tokens, dedupKey: last.key, recordedCostUSD: cost))
    }

    // MARK: - Edits

    /// `Applied edit to <file>`: the reply's edits of that file were written.
    private mutating func applied(_ printed: String) {
        let ordinal = state.appliedCount
        state.appliedCount += 1
        state.outputResolved = true
        let file = AiderPaths.normalized(printed, repositoryName: repositoryName)
        let matches = { (edit: AiderProposedEdit) in edit.file.map { AiderPaths.sameFile($0, file) } ?? false }
        var chosen = state.proposed.indices.filter { state.proposed[$0].kind != .listing && matches(state.proposed[$0]) }
        if chosen.isEmpty, let listing = state.proposed.firstIndex(where: { $0.kind == .listing && matches($0) }) {
            chosen = [listing]
        }
        if chosen.isEmpty, listsWholeFiles, let listing = state.proposed.firstIndex(where: { $0.kind == .listing && $0.file == nil }) {
            // A listing with no name line: Aider used the only file in the chat.
            chosen = [listing]
        }
        guard !chosen.isEmpty else {
            batch.noteUnrecognized(.shape, "aider-applied-edit-without-block")
            return
        }
        let edits = chosen.map { state.proposed[$0] }
        for index in chosen.reversed() { state.proposed.remove(at: index) }
        emit(key: "e\(ordinal)", file: file, edits: edits)
    }

    /// Settles a failure report: the edits it does not echo as failed were written.
    private mutating func resolveFailure() {
        guard let failure = state.failure else { return }
        state.failure = nil
        state.outputResolved = true
        let (applied, mismatch) = failure.applied(of: state.proposed)
        if mismatch { batch.noteUnrecognized(.shape, "aider-partial-apply-count") }
        state.proposed.removeAll()
        var files: [String] = []
        for edit in applied {
            if let file = edit.file, !files.contains(file) { files.append(file) }
        }
        for file in files {
            let key = "p\(state.partialCount)"
            state.partialCount += 1
            emit(key: key, file: file, edits: applied.filter { $0.file == file })
        }
    }

    private mutating func emit(key: String, file: String, edits: [AiderProposedEdit]) {
        guard let sessionID = state.sessionID else { return }
        var added: [LineHash] = []
        for edit in edits {
            switch edit.kind {
            case .block, .hunk:
                added += AddedLines.added(edit.new.map(\.editLine), minus: edit.old.map(\.editLine))
                if let known = state.known[file] {
                    // The file's text after the edit, as a multiset: minus the old lines, plus the new.
                    var removed: [UInt64: Int] = [:]
                    for line in edit.old { removed[line.exact, default: 0] += 1 }
                    var kept: [UInt64] = []
                    kept.reserveCapacity(known.count + edit.new.count)
                    for line in known {
                        if let count = removed[line], count > 0 {
                            removed[line] = count - 1
                        } else {
                            kept.append(line)
                        }
                    }
                    remember(file, kept + edit.new.map(\.exact))
                }
            case .listing:
                let old = (state.known[file] ?? []).map { EditLine(exact: $0, identity: nil) }
                added += AddedLines.added(edit.new.map(\.editLine), minus: old)
                remember(file, edit.new.map(\.exact))
            }
        }
        let time = now
        let edit = EditEvent(
            tool: .aider, sessionID: sessionID, timestamp: time, dedupKey: "\(sessionID):\(key)", filePath: file, cwd: cwd,
            addedLines: added)
        batch.edits.append(edit)
        state.uncommitted.append(.init(key: edit.dedupKey, file: file, added: added.map(\.storageValue), time: time.timeIntervalSince1970))
        if state.uncommitted.count > AiderReadState.uncommittedLimit { state.uncommitted.removeFirst() }
        if !state.appliedFiles.contains(file) { state.appliedFiles.append(file) }
    }

    private mutating func remember(_ file: String, _ lines: [UInt64]) {
        state.known[file] = lines
        let total = state.known.values.reduce(0) { $0 + $1.count }
        if total > AiderReadState.knownLineLimit { state.known[file] = nil }
    }

    /// `Commit <sha> <message>`: the commit holding the edits Aider just wrote — the
    /// files of the latest applied edits (auto-commit), the files it named in
    /// "Committing <file> before applying edits." (a dirty commit), or every edit not yet
    /// committed (the `/commit` command). A second commit right after (the linter's
    /// "style: …" commit) takes none.
    private mutating func commit(_ sha: String) {
        if state.failure != nil { resolveFailure() }
        let files: [String]?
        if !state.dirtyFiles.isEmpty {
            files = state.dirtyFiles
            state.dirtyFiles = []
        } else if state.userCommitCommand {
            files = nil
            state.userCommitCommand = false
        } else if !state.appliedFiles.isEmpty {
            files = state.appliedFiles
            state.appliedFiles = []
        } else {
            return
        }
        guard let sessionID = state.sessionID else { return }
        var kept: [AiderReadState.Uncommitted] = []
        for edit in state.uncommitted {
            guard files.map({ $0.contains { AiderPaths.sameFile($0, edit.file) } }) ?? true else {
                kept.append(edit)
                continue
            }
            batch.edits.append(
                EditEvent(
                    tool: .aider, sessionID: sessionID, timestamp: Date(timeIntervalSince1970: edit.time), dedupKey: edit.key,
                    filePath: edit.file, cwd: cwd, addedLines: edit.added.map(LineHash.init(storageValue:)), commitHint: sha))
        }
        state.uncommitted = kept
    }

    // MARK: - Line formats

    /// The sha of `Commit <sha> <message>` (7 to 40 hex digits), else nil.
    static func commitSHA(_ text: String) -> String? {
        let rest = text.dropFirst("Commit ".count)
        let sha = rest.prefix { $0.isHexDigit }
        guard (7...40).contains(sha.count), rest.count == sha.count || rest.dropFirst(sha.count).first == " " else { return nil }
        return sha.lowercased()
    }

    /// A `Model:` / `Models:` / `Main model:` / `Editor model:` announcement: the model
    /// and the edit format it works with.
    static func announcement(_ text: String) -> Announcement? {
        var rest: Substring
        var isEditor = false
        if text.hasPrefix("Model: ") {
            rest = text.dropFirst("Model: ".count)
        } else if text.hasPrefix("Models: ") {
            rest = text.dropFirst("Models: ".count)
        } else if text.hasPrefix("Main model: ") {
            rest = text.dropFirst("Main model: ".count)
        } else if text.hasPrefix("Editor model: ") {
            rest = text.dropFirst("Editor model: ".count)
            isEditor = true
        } else {
            return nil
        }
        var format: String?
        if let range = rest.range(of: " edit format") {
            let word = rest[..<range.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            if !word.isEmpty, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                format = word.lowercased()
            }
        }
        var model = rest
        if let space = model.firstIndex(of: " ") { model = model[..<space] }
        model = model.trimmingSuffix { $0 == "⚡" || $0 == "," }
        guard !model.isEmpty else { return nil }
        return Announcement(model: String(model), editFormat: format, isEditor: isEditor)
    }

    /// The main model of a `Model:` / `Models:` / `Main model:` announcement.
    static func model(_ text: String) -> String? {
        guard let announced = announcement(text), !announced.isEditor else { return nil }
        return announced.model
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
        return (tokens, recordedCost(body))
    }

    /// The `Cost: $x message` (or `request`) of a usage text, unless Aider says its cache
    /// costs are not included.
    static func recordedCost(_ body: Substring) -> Double? {
        guard let costRange = body.range(of: "Cost: $"), !body.contains("cache costs not") else { return nil }
        let amount = body[costRange.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "," }
        let unit = body[costRange.upperBound...].dropFirst(amount.count).prefix(9)
        guard unit.hasPrefix(" message") || unit.hasPrefix(" request") else { return nil }
        return Double(amount.replacingOccurrences(of: ",", with: ""))
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
        guard let value = Double(digits), value.isFinite, value >= 0, value * scale < 9e18 else { return nil }
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
