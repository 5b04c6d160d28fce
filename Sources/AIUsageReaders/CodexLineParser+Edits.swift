import AIUsageCore
import Foundation

// Edits of a Codex rollout: FileChange items (paginated history), and the patches of
// tool calls (everything before it), with the rule that decides between the two.
extension CodexLineParser {
    /// A text that may hold patches, with the working directory its call ran in.
    struct PatchText {
        var bytes: [UInt8]
        /// The text must itself invoke apply_patch (a shell command), else it is not
        /// applying a patch (writing one to a file, say).
        var mustInvoke: Bool
        var workdir: String?
    }

    /// Whether tool calls are read for patches: not once the rollout records its edits
    /// as FileChange items (paginated history, or any such item seen), which say what
    /// was applied — reading both would count every patch twice under two keys.
    var readsCallPatches: Bool { state.paginated != true && state.fileChangeItems != true }

    // MARK: Tool calls

    mutating func handleToolCall(_ line: UnsafeBufferPointer<UInt8>) {
        guard readsCallPatches else { return }
        if fastApplyPatchCall(line) { return }
        guard let record = decode(CodexEnvelope<CodexToolCall>.self, line, shape: "response_item:tool call"),
            let call = record.payload
        else { return }
        let timestamp = date(record.timestamp)
        var texts: [PatchText] = []
        var scripted = false
        let name = call.name.map(Self.toolName)
        switch call.type {
        case "custom_tool_call":
            guard let input = call.input else { return }
            if name == "apply_patch" {
                texts.append(PatchText(bytes: Array(input.utf8), mustInvoke: false))
            } else if name == "exec" {
                // Code mode: a JavaScript script calling `tools.apply_patch`.
                scripted = true
                var script = input
                let literals = script.withUTF8 { CodexExecScript.patchLiterals(in: $0) }
                texts += literals.map { PatchText(bytes: $0, mustInvoke: false) }
            } else if let arguments = decodeArguments(input) {
                texts += commandTexts(arguments)
            } else {
                texts.append(PatchText(bytes: Array(input.utf8), mustInvoke: true))
            }
        case "function_call":
            guard let raw = call.arguments else { return }
            if name == "multi_tool_use.parallel" {
                texts += parallelTexts(raw)
            } else if let arguments = decodeArguments(raw) {
                if name == "apply_patch", let input = arguments.input ?? arguments.patch {
                    texts.append(PatchText(bytes: Array(input.utf8), mustInvoke: false, workdir: arguments.workdir))
                }
                texts += commandTexts(arguments)
            } else if name == "apply_patch" {
                texts.append(PatchText(bytes: Array(raw.utf8), mustInvoke: false))
            }
        case "local_shell_call":
            if let command = call.action?.command {
                texts.append(
                    PatchText(
                        bytes: Array(command.joined(separator: "\n").utf8), mustInvoke: true,
                        workdir: call.action?.workingDirectory))
            }
        default:
            return
        }
        let edits = makeEdits(texts, callID: call.callID, timestamp: timestamp, timestampText: record.timestamp)
        if edits.isEmpty, let name, !CodexRecordTypes.patchReadingTools.contains(name) {
            // A patch in a call of a tool this reader does not read: its edits are lost.
            batch.noteUnrecognized(.toolName, name)
        }
        hold(edits, callID: call.callID, scripted: scripted)
    }

    /// `functions.apply_patch` → `apply_patch`: some builds record the namespace the
    /// model used.
    static func toolName(_ name: String) -> String {
        name.hasPrefix("functions.") ? String(name.dropFirst("functions.".count)) : name
    }

    /// The calls a `multi_tool_use.parallel` wraps, as patch texts.
    private func parallelTexts(_ raw: String) -> [PatchText] {
        guard raw.first(where: { !$0.isWhitespace }) == "{",
            let parallel = try? decoder.decode(CodexParallelArguments.self, from: Data(raw.utf8))
        else { return [] }
        var texts: [PatchText] = []
        for use in parallel.toolUses {
            guard let arguments = use.parameters else { continue }
            if use.recipientName.map(Self.toolName) == "apply_patch", let input = arguments.input ?? arguments.patch {
                texts.append(PatchText(bytes: Array(input.utf8), mustInvoke: false, workdir: arguments.workdir))
            } else {
                texts += commandTexts(arguments)
            }
        }
        return texts
    }

    /// The common case — a freeform `custom_tool_call` named `apply_patch` — read by
    /// walking the bytes: the envelope's few fields are located structurally and only
    /// the patch string is unescaped (to bytes; no `String` of the patch is built).
    /// False when the line has any other shape, or anything `JSONDecoder` might read
    /// differently (escapes in the small fields, duplicate keys, a bad escape or
    /// invalid UTF-8 in the patch): the caller then decodes it.
    private mutating func fastApplyPatchCall(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var timestamp: Range<Int>?
        var payload: Range<Int>?
        var duplicate = false
        let wellFormed = JSONWalk.forEachTopLevelMember(line) { key, value in
            if JSONByteScan.equals(line, key, "timestamp") {
                duplicate = duplicate || timestamp != nil
                timestamp = value
            } else if JSONByteScan.equals(line, key, "payload") {
                duplicate = duplicate || payload != nil
                payload = value
            }
        }
        guard wellFormed, !duplicate, let payload, JSONWalk.isObject(line, payload) else { return false }
        var type: Range<Int>?
        var name: Range<Int>?
        var callID: Range<Int>?
        var input: Range<Int>?
        let payloadEnd = JSONWalk.forEachMember(line, of: payload.lowerBound) { key, value in
            switch key.count {
            case 4 where JSONByteScan.equals(line, key, "type"):
                duplicate = duplicate || type != nil
                type = value
            case 4 where JSONByteScan.equals(line, key, "name"):
                duplicate = duplicate || name != nil
                name = value
            case 7 where JSONByteScan.equals(line, key, "call_id"):
                duplicate = duplicate || callID != nil
                callID = value
            case 5 where JSONByteScan.equals(line, key, "input"):
                duplicate = duplicate || input != nil
                input = value
            default:
                break
            }
        }
        guard payloadEnd != nil, !duplicate,
            let type, let typeText = JSONWalk.plainString(line, type), JSONByteScan.equals(line, typeText, "custom_tool_call"),
            let name, let nameText = JSONWalk.plainString(line, name), JSONByteScan.equals(line, nameText, "apply_patch"),
            let input, let patch = JSONWalk.unescapedBytes(line, input)
        else { return false }
        // Small strings: plain (no escapes) or let the decoder have the line. Not a
        // string at all: nil, as the lenient decoder would give.
        var callIDText: String?
        if let callID, line[callID.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, callID) else { return false }
            callIDText = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        var timestampText: String?
        if let timestamp, line[timestamp.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, timestamp) else { return false }
            timestampText = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        let edits = makeEdits(
            [PatchText(bytes: patch, mustInvoke: false, workdir: nil)], callID: callIDText, timestamp: date(timestampText),
            timestampText: timestampText)
        hold(edits, callID: callIDText, scripted: false)
        return true
    }

    /// One `EditEvent` per file of every patch in `texts`, keyed by the call and the
    /// file's place in the call.
    func makeEdits(_ texts: [PatchText], callID: String?, timestamp: Date, timestampText: String?) -> [EditEvent] {
        let callKey = callID ?? "\(sessionID):\(timestampText ?? "")"
        var edits: [EditEvent] = []
        let sessionID = self.sessionID
        for text in texts {
            var cwd = state.cwd
            if let workdir = text.workdir, !workdir.isEmpty {
                cwd = workdir.hasPrefix("/") || cwd == nil ? workdir : Self.join(cwd ?? "", workdir)
            }
            text.bytes.withUnsafeBufferPointer { bytes in
                if text.mustInvoke, ApplyPatchParser.find("apply_patch", in: bytes, from: 0) == nil { return }
                for range in ApplyPatchParser.patchRanges(in: bytes) {
                    for change in ApplyPatchParser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[range])) {
                        edits.append(
                            EditEvent(
                                tool: .codex, sessionID: sessionID, timestamp: timestamp,
                                dedupKey: "\(callKey):\(edits.count)", filePath: change.destinationPath, cwd: cwd,
                                addedLines: change.addedLines))
                    }
                }
            }
        }
        return edits
    }

    /// Holds a call's edits until its outcome is known (or emits them at once when the
    /// call has no id to match an outcome by).
    mutating func hold(_ edits: [EditEvent], callID: String?, scripted: Bool) {
        guard !edits.isEmpty else { return }
        if let callID, !callID.isEmpty {
            pending.append(PendingCall(callID: Array(callID.utf8), edits: edits, scripted: scripted))
            if pending.count > Self.pendingLimit { batch.edits.append(contentsOf: pending.removeFirst().edits) }
        } else {
            batch.edits.append(contentsOf: edits)
        }
    }

    /// A call's outcome read by walking the bytes: `call_id`, `success` and a string
    /// `output` (unescaped only here). Nil — decode instead — for other shapes (an array
    /// or object `output`, a payload that is not an object), escapes in the call id,
    /// duplicate keys, or anything the unescaper declines.
    static func fastCallResult(_ line: UnsafeBufferPointer<UInt8>) -> CodexCallResult? {
        var payload: Range<Int>?
        var duplicate = false
        let wellFormed = JSONWalk.forEachTopLevelMember(line) { key, value in
            if JSONByteScan.equals(line, key, "payload") {
                duplicate = duplicate || payload != nil
                payload = value
            }
        }
        guard wellFormed, !duplicate, let payload, JSONWalk.isObject(line, payload) else { return nil }
        var callID: Range<Int>?
        var success: Range<Int>?
        var output: Range<Int>?
        let payloadEnd = JSONWalk.forEachMember(line, of: payload.lowerBound) { key, value in
            if JSONByteScan.equals(line, key, "call_id") {
                duplicate = duplicate || callID != nil
                callID = value
            } else if JSONByteScan.equals(line, key, "success") {
                duplicate = duplicate || success != nil
                success = value
            } else if JSONByteScan.equals(line, key, "output") {
                duplicate = duplicate || output != nil
                output = value
            }
        }
        guard payloadEnd != nil, !duplicate else { return nil }
        // Like the lenient decoder: a field of another type reads as absent.
        var result = CodexCallResult()
        if let callID, line[callID.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, callID) else { return nil }
            result.callID = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        if let success {
            if JSONByteScan.equals(line, success, "true") {
                result.success = true
            } else if JSONByteScan.equals(line, success, "false") {
                result.success = false
            }
        }
        if let output {
            switch line[output.lowerBound] {
            case 0x22:
                guard let bytes = JSONWalk.unescapedBytes(line, output) else { return nil }
                result.outputText = String(decoding: bytes, as: UTF8.self)
            case 0x5B, 0x7B:
                return nil  // items: decoded
            default:
                break
            }
        }
        return result
    }

    /// `base/relative`, without doubling a trailing slash.
    private static func join(_ base: String, _ relative: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + relative
    }

    private func decodeArguments(_ text: String) -> CodexToolArguments? {
        guard text.first(where: { !$0.isWhitespace }) == "{" else { return nil }
        return try? decoder.decode(CodexToolArguments.self, from: Data(text.utf8))
    }

    /// Shell command texts that may hold `apply_patch <<'EOF' … EOF` or
    /// `["apply_patch", "<patch>"]`; they count only if they invoke apply_patch.
    private func commandTexts(_ arguments: CodexToolArguments) -> [PatchText] {
        var texts: [PatchText] = []
        if let command = arguments.command {
            texts.append(PatchText(bytes: Array(command.joined(separator: "\n").utf8), mustInvoke: true, workdir: arguments.workdir))
        }
        if let cmd = arguments.cmd {
            texts.append(PatchText(bytes: Array(cmd.utf8), mustInvoke: true, workdir: arguments.workdir))
        }
        return texts
    }

    /// Resolves pending edits with a call's outcome: success emits them, failure drops
    /// them. A script's outcome drops its patch only on an explicit patch failure.
    mutating func handleCallResult(_ line: UnsafeBufferPointer<UInt8>) {
        let result: CodexCallResult
        if let fast = Self.fastCallResult(line) {
            result = fast
        } else {
            guard let record = decode(CodexEnvelope<CodexCallResult>.self, line, shape: "response_item:tool call output"),
                let payload = record.payload
            else { return }
            result = payload
        }
        guard let callID = result.callID else { return }
        let bytes = Array(callID.utf8)
        guard let index = pending.firstIndex(where: { $0.callID == bytes }) else { return }
        let entry = pending.remove(at: index)
        let applied = entry.scripted ? !result.patchFailed : result.succeeded
        if applied { batch.edits.append(contentsOf: entry.edits) }
    }

    // MARK: FileChange items

    /// `item_completed`: a FileChange item gives the edits; other known items are
    /// skipped, unknown ones counted.
    mutating func handleItemCompleted(_ line: UnsafeBufferPointer<UInt8>) {
        // The item's start only: its type is its first member, and a FileChange is then
        // read member by member; skipping a whole item (an agent message's text) to find
        // its end was a pass over it for nothing.
        guard let payload = payloadStart ?? JSONWalk.member(line, "payload")?.lowerBound,
            let item = JSONWalk.memberStart(line, of: payload, "item"), line[item] == 0x7B,
            let type = JSONWalk.member(line, of: item, "type"), line[type.lowerBound] == 0x22
        else {
            batch.noteUnrecognized(.shape, "event_msg:item_completed")
            return
        }
        let inner = (type.lowerBound + 1)..<(type.upperBound - 1)
        if JSONByteScan.equals(line, inner, "FileChange") {
            handleFileChange(line, item: item)
        } else if !CodexRecordTypes.contains(CodexRecordTypes.otherTurnItems, line, inner) {
            batch.noteUnrecognized(
                .recordType, "item_completed:" + String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self))
        }
    }

    /// What a patch really did, per file: an added file's content, an updated file's
    /// unified diff (its `+` lines minus its `-` lines), a deleted file with no lines.
    /// Keyed `"<item id>:<index>"`, the files in path order. The calls still waiting for
    /// their outcome are the ones this item records: their own patches are dropped.
    private mutating func handleFileChange(_ line: UnsafeBufferPointer<UInt8>, item itemStart: Int) {
        let record: (timestamp: String?, item: CodexFileChangeItem)
        if let fast = Self.fastFileChange(line, item: itemStart) {
            record = fast
        } else {
            guard let decoded = decode(CodexEnvelope<CodexFileChangeItem.Completed>.self, line, shape: "item_completed:FileChange"),
                let item = decoded.payload?.item
            else { return }
            record = (decoded.timestamp, item)
        }
        let item = record.item
        state.fileChangeItems = true
        pending.removeAll()
        // "failed", "declined", "in_progress": nothing was written.
        guard item.status == nil || item.status == "completed" else { return }
        let timestamp = date(record.timestamp)
        let key = item.id.flatMap { $0.isEmpty ? nil : $0 } ?? "\(sessionID):\(record.timestamp ?? "")"
        let changes = item.changes ?? [:]
        for (index, path) in changes.keys.sorted().enumerated() {
            guard let change = changes[path], !path.isEmpty else { continue }
            var added: [LineHash]
            switch change.type {
            case "add":
                added = AddedLines.between(old: "", new: change.content ?? "")
            case "update":
                var diff = change.unifiedDiff ?? ""
                added = diff.withUTF8 { UnifiedDiffLines.added(in: $0) } ?? []
            case "delete":
                added = []
            default:
                batch.noteUnrecognized(.shape, "FileChange:" + (change.type ?? "(none)"))
                continue
            }
            let destination = change.movePath.flatMap { $0.isEmpty ? nil : $0 } ?? path
            batch.edits.append(
                EditEvent(
                    tool: .codex, sessionID: sessionID, timestamp: timestamp, dedupKey: "\(key):\(index)",
                    filePath: destination, cwd: state.cwd, addedLines: added))
        }
    }
}

extension CodexLineParser {
    /// A FileChange item (its object starts at `item` in `line`) and the record's timestamp, read
    /// by walking the bytes; nil for anything but the plain shape — a field of another
    /// type, an escape `JSONDecoder` might read otherwise, a path given twice, a change
    /// that is not an object — which then goes to the decoder as before. Decoding every
    /// FileChange line was 3 % of a first ingest's CPU on the heavy-user corpus.
    static func fastFileChange(_ line: UnsafeBufferPointer<UInt8>, item: Int) -> (timestamp: String?, item: CodexFileChangeItem)? {
        /// A string member (unescaped), `.some(nil)` for null or absent, nil otherwise.
        func text(_ range: Range<Int>?) -> String?? {
            guard let range, !JSONWalk.isNull(line, range) else { return .some(nil) }
            guard let bytes = JSONWalk.unescapedBytes(line, range) else { return nil }
            return .some(String(decoding: bytes, as: UTF8.self))
        }
        guard item < line.count, line[item] == 0x7B,
            let timestamp = text(JSONWalk.member(line, "timestamp")),
            let fields = JSONWalk.members(line, of: item, "id", "status", "changes"),
            let id = text(fields[0]), let status = text(fields[1])
        else { return nil }
        var changes: [String: CodexFileChangeItem.Change]?
        if let range = fields[2], !JSONWalk.isNull(line, range) {
            guard JSONWalk.isObject(line, range) else { return nil }
            var read: [String: CodexFileChangeItem.Change] = [:]
            var plain = true
            let end = JSONWalk.forEachMember(line, of: range.lowerBound) { key, value in
                guard plain else { return }
                // The key with its quotes, as a string value.
                guard let pathBytes = JSONWalk.unescapedBytes(line, (key.lowerBound - 1)..<(key.upperBound + 1)),
                    JSONWalk.isObject(line, value),
                    let members = JSONWalk.members(line, of: value.lowerBound, "type", "content", "unified_diff", "move_path"),
                    let type = text(members[0]), let content = text(members[1]), let diff = text(members[2]),
                    let move = text(members[3])
                else {
                    plain = false
                    return
                }
                let path = String(decoding: pathBytes, as: UTF8.self)
                guard read[path] == nil else {
                    plain = false
                    return
                }
                read[path] = CodexFileChangeItem.Change(type: type, content: content, unifiedDiff: diff, movePath: move)
            }
            guard end != nil, plain else { return nil }
            changes = read
        }
        return (timestamp, CodexFileChangeItem(id: id, status: status, changes: changes))
    }
}
