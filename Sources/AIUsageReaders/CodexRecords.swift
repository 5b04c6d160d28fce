import AIUsageCore
import Foundation

// The few fields of Codex rollout records the reader uses. Small, lenient Decodables:
// everything else in a record is ignored by the decoder, and a field of an unexpected
// type becomes nil rather than failing the whole line, because Codex's schema has
// changed often (0.5x legacy shapes to 0.14x) and a reader must outlive it.

/// `{"timestamp": ..., "type": ..., "payload": {...}}`, the shape of every rollout line.
struct CodexEnvelope<Payload: Decodable>: Decodable {
    var timestamp: String?
    var payload: Payload?

    enum CodingKeys: String, CodingKey { case timestamp, payload }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timestamp = try? container.decodeIfPresent(String.self, forKey: .timestamp)
        payload = try container.decodeIfPresent(Payload.self, forKey: .payload)
    }
}

/// Just the two types of a record, for lines whose keys are not in Codex's order.
struct CodexRoutingEnvelope: Decodable {
    var type: String?
    var payloadType: String?

    private struct Payload: Decodable { var type: String? }
    enum CodingKeys: String, CodingKey { case type, payload }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        payloadType = (try? container.decodeIfPresent(Payload.self, forKey: .payload))??.type
    }
}

/// `session_meta`: the session's id and starting working directory, and what tells how
/// the rest of the file must be read: `history_mode` ("paginated" since 0.15x: edits
/// come as `item_completed` FileChange items) and `history_base` (a continuation page
/// or fork whose cumulative token totals start where an earlier rollout stopped).
struct CodexSessionMeta: Decodable {
    var id: String?
    var cwd: String?
    var timestamp: String?
    /// The session's model, when a build records it here; `null` in some builds.
    var model: String?
    var historyMode: String?
    /// Whether `history_base` is present and not null.
    var hasHistoryBase = false

    enum CodingKeys: String, CodingKey {
        case id, cwd, timestamp, model
        case historyMode = "history_mode"
        case historyBase = "history_base"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        cwd = try? container.decodeIfPresent(String.self, forKey: .cwd)
        timestamp = try? container.decodeIfPresent(String.self, forKey: .timestamp)
        model = try? container.decodeIfPresent(String.self, forKey: .model)
        historyMode = try? container.decodeIfPresent(String.self, forKey: .historyMode)
        if container.contains(.historyBase) {
            hasHistoryBase = !((try? container.decodeNil(forKey: .historyBase)) ?? true)
        }
    }
}

/// `turn_context`: the model and working directory of the turn that follows.
struct CodexTurnContext: Decodable {
    var cwd: String?
    var model: String?

    enum CodingKeys: String, CodingKey { case cwd, model }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cwd = try? container.decodeIfPresent(String.self, forKey: .cwd)
        model = try? container.decodeIfPresent(String.self, forKey: .model)
    }
}

/// Codex's token usage object (`total_token_usage`, legacy `turn.completed.usage`).
/// `input_tokens` includes the cached part and (0.15x) the `cache_write_input_tokens`
/// part; `output_tokens` includes reasoning.
struct CodexRawUsage: Decodable {
    var inputTokens: Int64?
    var cachedInputTokens: Int64?
    var cacheWriteInputTokens: Int64?
    var outputTokens: Int64?
    var reasoningOutputTokens: Int64?
    var totalTokens: Int64?

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case cachedInputTokens = "cached_input_tokens"
        case cacheWriteInputTokens = "cache_write_input_tokens"
        case outputTokens = "output_tokens"
        case reasoningOutputTokens = "reasoning_output_tokens"
        case totalTokens = "total_tokens"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try? container.decodeIfPresent(Int64.self, forKey: .inputTokens)
        cachedInputTokens = try? container.decodeIfPresent(Int64.self, forKey: .cachedInputTokens)
        cacheWriteInputTokens = try? container.decodeIfPresent(Int64.self, forKey: .cacheWriteInputTokens)
        outputTokens = try? container.decodeIfPresent(Int64.self, forKey: .outputTokens)
        reasoningOutputTokens = try? container.decodeIfPresent(Int64.self, forKey: .reasoningOutputTokens)
        totalTokens = try? container.decodeIfPresent(Int64.self, forKey: .totalTokens)
    }

    var totals: CodexTotals? {
        guard inputTokens != nil || outputTokens != nil || totalTokens != nil else { return nil }
        return CodexTotals.normalised(
            input: inputTokens, cached: cachedInputTokens, cacheWrite: cacheWriteInputTokens, output: outputTokens,
            reasoning: reasoningOutputTokens, total: totalTokens)
    }
}

/// `event_msg` payloads that carry usage: `token_count` (`info.total_token_usage`, or
/// the 0.50 legacy `info.prompt` / `info.completion`) and legacy `turn.completed.usage`.
struct CodexUsagePayload: Decodable {
    var info: Info?
    var usage: CodexRawUsage?

    struct Info: Decodable {
        var totalTokenUsage: CodexRawUsage?
        var lastTokenUsage: CodexRawUsage?
        var model: String?
        var prompt: Int64?
        var completion: Int64?

        enum CodingKeys: String, CodingKey {
            case totalTokenUsage = "total_token_usage"
            case lastTokenUsage = "last_token_usage"
            case model, prompt, completion
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            totalTokenUsage = try container.decodeIfPresent(CodexRawUsage.self, forKey: .totalTokenUsage)
            lastTokenUsage = try? container.decodeIfPresent(CodexRawUsage.self, forKey: .lastTokenUsage)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
            prompt = try? container.decodeIfPresent(Int64.self, forKey: .prompt)
            completion = try? container.decodeIfPresent(Int64.self, forKey: .completion)
        }
    }

    enum CodingKeys: String, CodingKey { case info, usage }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        info = try container.decodeIfPresent(Info.self, forKey: .info)
        usage = try container.decodeIfPresent(CodexRawUsage.self, forKey: .usage)
    }

    /// Cumulative totals this record reports, if any.
    var totals: CodexTotals? {
        if let totals = info?.totalTokenUsage?.totals { return totals }
        if let info, info.prompt != nil || info.completion != nil {
            let input = max(0, info.prompt ?? 0)
            let output = max(0, info.completion ?? 0)
            return CodexTotals(input: input, cachedInput: 0, cacheWrite: 0, output: output, reasoning: 0, total: input + output)
        }
        return usage?.totals
    }
}

/// A tool call that may carry an apply_patch: `function_call`, `custom_tool_call` or
/// `local_shell_call`.
struct CodexToolCall: Decodable {
    var type: String?
    var name: String?
    var callID: String?
    /// `custom_tool_call` input: the bare patch for `apply_patch`, JSON for others.
    var input: String?
    /// `function_call` arguments: a JSON object encoded as a string.
    var arguments: String?
    var action: Action?

    struct Action: Decodable {
        var command: [String]?
        var workingDirectory: String?
        enum CodingKeys: String, CodingKey {
            case command
            case workingDirectory = "working_directory"
        }
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            command = try? container.decodeIfPresent([String].self, forKey: .command)
            workingDirectory = try? container.decodeIfPresent(String.self, forKey: .workingDirectory)
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, name, input, arguments, action
        case callID = "call_id"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        name = try? container.decodeIfPresent(String.self, forKey: .name)
        callID = try? container.decodeIfPresent(String.self, forKey: .callID)
        input = try? container.decodeIfPresent(String.self, forKey: .input)
        arguments = try? container.decodeIfPresent(String.self, forKey: .arguments)
        action = try? container.decodeIfPresent(Action.self, forKey: .action)
    }
}

/// The decoded `arguments` of a function call: `apply_patch` takes `input` (or
/// `patch` in older builds); shell tools take `command` (array or string) or `cmd`.
struct CodexToolArguments: Decodable {
    var input: String?
    var patch: String?
    var command: [String]?
    var cmd: String?
    var workdir: String?

    enum CodingKeys: String, CodingKey { case input, patch, command, cmd, workdir }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try? container.decodeIfPresent(String.self, forKey: .input)
        patch = try? container.decodeIfPresent(String.self, forKey: .patch)
        if let array = try? container.decodeIfPresent([String].self, forKey: .command) {
            command = array
        } else if let string = try? container.decodeIfPresent(String.self, forKey: .command) {
            command = [string]
        }
        cmd = try? container.decodeIfPresent(String.self, forKey: .cmd)
        workdir = try? container.decodeIfPresent(String.self, forKey: .workdir)
    }
}

/// `function_call_output` / `custom_tool_call_output` / `event_msg` `patch_apply_end`:
/// whether a tool call succeeded.
struct CodexCallResult: Decodable {
    var callID: String?
    var success: Bool?
    var outputText: String?

    enum CodingKeys: String, CodingKey {
        case callID = "call_id"
        case success, output
    }

    private struct Item: Decodable {
        var text: String?
        var content: String?
        var success: Bool?
    }

    init(callID: String? = nil, success: Bool? = nil, outputText: String? = nil) {
        self.callID = callID
        self.success = success
        self.outputText = outputText
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        callID = try? container.decodeIfPresent(String.self, forKey: .callID)
        success = try? container.decodeIfPresent(Bool.self, forKey: .success)
        if let text = try? container.decodeIfPresent(String.self, forKey: .output) {
            outputText = text
        } else if let items = try? container.decodeIfPresent([Item].self, forKey: .output) {
            outputText = items.compactMap { $0.text ?? $0.content }.joined(separator: "\n")
        } else if let item = try? container.decodeIfPresent(Item.self, forKey: .output) {
            outputText = item.text ?? item.content
            if success == nil { success = item.success }
        }
    }

    /// True when the patch is known not to have applied: `success: false`, or Codex's
    /// "apply_patch verification failed". What an `exec` script's output can say about
    /// its patch — the script's other commands may fail while the patch applied.
    var patchFailed: Bool {
        if success == false { return true }
        guard var text = outputText else { return false }
        return text.withUTF8 { ApplyPatchParser.find("apply_patch verification failed", in: $0, from: 0) != nil }
    }

    /// False when the call is known to have failed. Codex reports a failed apply_patch
    /// as `success: false` (patch_apply_end, older outputs), "apply_patch verification
    /// failed", "Exit code: N" or a JSON `"exit_code": N` with N ≠ 0.
    var succeeded: Bool {
        if let success { return success }
        guard var text = outputText else { return true }
        // Byte searches for the ASCII markers (Foundation's `range(of:)` bridges to
        // CFStringFind on Linux); what follows a marker is judged as `Character`s.
        let (failed, exitCodeValue) = text.withUTF8 { bytes -> (Bool, Int?) in
            if ApplyPatchParser.find("apply_patch verification failed", in: bytes, from: 0) != nil { return (true, nil) }
            return (false, ApplyPatchParser.find("\"exit_code\":", in: bytes, from: 0).map { $0 + 12 })
        }
        if failed { return false }
        if text.hasPrefix("Exit code: ") {
            return text.dropFirst("Exit code: ".count).first == "0"
        }
        if let exitCodeValue {
            let utf8 = text.utf8
            let rest = Substring(utf8[utf8.index(utf8.startIndex, offsetBy: exitCodeValue)...]).drop(while: { $0 == " " })
            if let first = rest.first, first.isNumber { return first == "0" }
        }
        return true
    }
}

/// Codex's cumulative token counters for a session, as last seen.
struct CodexTotals: Codable, Equatable, Sendable {
    var input: Int64
    var cachedInput: Int64
    /// The part of `input` written to the prompt cache (`cache_write_input_tokens`).
    var cacheWrite: Int64
    var output: Int64
    var reasoning: Int64
    var total: Int64

    static let zero = CodexTotals(input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, total: 0)

    init(input: Int64, cachedInput: Int64, cacheWrite: Int64, output: Int64, reasoning: Int64, total: Int64) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.output = output
        self.reasoning = reasoning
        self.total = total
    }

    enum CodingKeys: String, CodingKey { case input, cachedInput, cacheWrite, output, reasoning, total }

    /// State written before cache writes were read has no `cacheWrite`: it was 0.
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(Int64.self, forKey: .input)
        cachedInput = try container.decode(Int64.self, forKey: .cachedInput)
        cacheWrite = try container.decodeIfPresent(Int64.self, forKey: .cacheWrite) ?? 0
        output = try container.decode(Int64.self, forKey: .output)
        reasoning = try container.decode(Int64.self, forKey: .reasoning)
        total = try container.decode(Int64.self, forKey: .total)
    }

    /// Uncached, unwritten input: what is billed at the full input price.
    var uncachedInput: Int64 { input - cachedInput - cacheWrite }

    /// Clamps Codex's raw counters to sane values: none negative, cached + cache
    /// write ≤ input, and `total` = input + output when Codex did not write it.
    static func normalised(
        input: Int64?, cached: Int64?, cacheWrite: Int64? = nil, output: Int64?, reasoning: Int64?, total: Int64?
    ) -> CodexTotals {
        let input = max(0, input ?? 0)
        let cached = min(max(0, cached ?? 0), input)
        let written = min(max(0, cacheWrite ?? 0), input - cached)
        let output = max(0, output ?? 0)
        return CodexTotals(
            input: input, cachedInput: cached, cacheWrite: written, output: output, reasoning: max(0, reasoning ?? 0),
            total: max(0, total ?? (input &+ output)))
    }

    /// Field-wise `self − other`, none below zero: the counters of an earlier point.
    func minus(_ other: CodexTotals) -> CodexTotals {
        CodexTotals(
            input: max(0, input - other.input), cachedInput: max(0, cachedInput - other.cachedInput),
            cacheWrite: max(0, cacheWrite - other.cacheWrite), output: max(0, output - other.output),
            reasoning: max(0, reasoning - other.reasoning), total: max(0, total - other.total))
    }
}

/// What the Codex reader carries from one incremental read to the next, encoded into
/// `ReadProgress.state`. Small on purpose: ids, the current model/cwd and the running
/// totals that turn repeated cumulative `token_count` records into deltas.
struct CodexReadState: Codable, Equatable, Sendable {
    var version = 1
    var sessionID: String?
    var cwd: String?
    var model: String?
    /// Seconds since 1970 of the last parseable timestamp, for records without one.
    var lastTimestamp: Double?
    var totals: CodexTotals?
    /// How many times the session's totals went down (a resumed process restarting
    /// its counters); part of the dedup key so a new baseline's keys never collide
    /// with the old ones.
    var epoch = 0
    /// `session_meta.history_mode` is "paginated": the file's edits are its
    /// `item_completed` FileChange items, and tool calls are not read for patches.
    var paginated: Bool?
    /// A FileChange item was seen: from then on, the same.
    var fileChangeItems: Bool?
    /// `session_meta.history_base` is set: this file continues an earlier rollout (a
    /// continuation page or a fork), and its first cumulative total includes spend
    /// already counted there.
    var continuation: Bool?

    enum CodingKeys: String, CodingKey {
        case version, sessionID, cwd, model, lastTimestamp, totals, epoch, paginated, fileChangeItems, continuation
    }

    init() {}

    /// Every field but the version may be missing (state written by an older build).
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        sessionID = try container.decodeIfPresent(String.self, forKey: .sessionID)
        cwd = try container.decodeIfPresent(String.self, forKey: .cwd)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        lastTimestamp = try container.decodeIfPresent(Double.self, forKey: .lastTimestamp)
        totals = try container.decodeIfPresent(CodexTotals.self, forKey: .totals)
        epoch = try container.decodeIfPresent(Int.self, forKey: .epoch) ?? 0
        paginated = try container.decodeIfPresent(Bool.self, forKey: .paginated)
        fileChangeItems = try container.decodeIfPresent(Bool.self, forKey: .fileChangeItems)
        continuation = try container.decodeIfPresent(Bool.self, forKey: .continuation)
    }

    static func decode(_ data: Data?) -> CodexReadState {
        guard let data, !data.isEmpty,
            let state = try? JSONDecoder().decode(CodexReadState.self, from: data), state.version == 1
        else { return CodexReadState() }
        return state
    }

    func encoded() -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try? encoder.encode(self)
    }
}
