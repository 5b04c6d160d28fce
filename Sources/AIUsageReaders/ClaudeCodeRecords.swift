import AIUsageCore
import Foundation

/// The few fields of a Claude Code transcript record that `aiusage` needs.
///
/// Every field is optional and decoded leniently (`try?`): Claude's schema changes
/// often, and a field of an unexpected type must cost that field, not the record.
/// Fields that are not read (message text, tool output, file contents) are never
/// materialised, which is what keeps decoding cheap.
struct ClaudeRecord: Decodable {
    var type: String?
    var sessionId: String?
    var cwd: String?
    var timestamp: String?
    var uuid: String?
    var requestId: String?
    var message: ClaudeMessage?
    var toolUseResult: ClaudeToolUseResult?

    enum CodingKeys: String, CodingKey {
        case type, sessionId, cwd, timestamp, uuid, requestId, message, toolUseResult
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.lenient(String.self, .type)
        sessionId = c.lenient(String.self, .sessionId)
        cwd = c.lenient(String.self, .cwd)
        timestamp = c.lenient(String.self, .timestamp)
        uuid = c.lenient(String.self, .uuid)
        requestId = c.lenient(String.self, .requestId)
        message = c.lenient(ClaudeMessage.self, .message)
        // A string (error text) for failed calls; an object for real results.
        toolUseResult = c.lenient(ClaudeToolUseResult.self, .toolUseResult)
    }
}

struct ClaudeMessage: Decodable {
    var id: String?
    var model: String?
    var usage: ClaudeUsage?
    /// Content blocks; nil when `content` is a plain string (a typed prompt).
    var content: [ClaudeContentBlock]?

    enum CodingKeys: String, CodingKey { case id, model, usage, content }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(String.self, .id)
        model = c.lenient(String.self, .model)
        usage = c.lenient(ClaudeUsage.self, .usage)
        content = c.lenient([LenientBlock].self, .content)?.compactMap(\.block)
    }
}

/// `message.usage` of an assistant record, as billed (see `ClaudeUsageRule`).
struct ClaudeUsage: Decodable {
    var tokens: TokenCounts

    enum CodingKeys: String, CodingKey {
        case input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens
        case cache_creation, output_tokens_details, iterations
    }

    private enum DetailKeys: String, CodingKey { case ephemeral_1h_input_tokens, thinking_tokens }

    /// One entry of `iterations` (the same counters, one sampling step each).
    private struct Iteration: Decodable {
        var tokens: TokenCounts
        init(from decoder: any Decoder) throws { tokens = try ClaudeUsage.counts(decoder.container(keyedBy: CodingKeys.self)) }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let top = try Self.counts(c)
        let iterations = c.lenient([LenientIteration].self, .iterations)?.compactMap(\.tokens)
        tokens = ClaudeUsageRule.billed(
            top: top, iterations: iterations.flatMap { $0.isEmpty ? nil : $0.reduce(TokenCounts.zero, +) })
    }

    private struct LenientIteration: Decodable {
        var tokens: TokenCounts?
        init(from decoder: any Decoder) throws { tokens = (try? Iteration(from: decoder))?.tokens }
    }

    /// The counters of one usage object: token counts (negative ones as zero), the 1-hour
    /// part of the cache write, and the thinking part of the output.
    fileprivate static func counts(_ c: KeyedDecodingContainer<CodingKeys>) throws -> TokenCounts {
        func count(_ key: CodingKeys) -> Int64 { max(0, c.lenient(Int64.self, key) ?? 0) }
        var tokens = TokenCounts(
            input: count(.input_tokens), output: count(.output_tokens),
            cacheWrite: count(.cache_creation_input_tokens), cacheRead: count(.cache_read_input_tokens))
        if let cache = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .cache_creation) {
            tokens.cacheWrite1h = max(0, cache.lenient(Int64.self, .ephemeral_1h_input_tokens) ?? 0)
        }
        if let details = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .output_tokens_details) {
            tokens.reasoning = max(0, details.lenient(Int64.self, .thinking_tokens) ?? 0)
        }
        return tokens
    }
}

/// How a Claude usage object turns into billed tokens, one rule for the fast walk
/// (`ClaudeLineScan`) and the decoders.
///
/// - `cache_creation.ephemeral_1h_input_tokens` is the part of the cache write made
///   with a 1-hour time to live (`cacheWrite1h`, never more than `cacheWrite`).
/// - `output_tokens_details.thinking_tokens` (2.1.2xx) is the part of the output spent
///   thinking (`reasoning`, never more than `output`).
/// - `iterations` (2.1.x): one usage per sampling step of the request. With server-side
///   compaction the top-level counters leave out the compaction step, which is billed
///   too, so the request costs the larger of the top level and the steps' sum, field
///   by field (with a single step, as usual, both are the same).
/// - `server_tool_use` counts web searches and fetches, not tokens: read, not counted.
enum ClaudeUsageRule {
    static func billed(top: TokenCounts, iterations: TokenCounts?) -> TokenCounts {
        var tokens = iterations.map { top.fieldwiseMax($0) } ?? top
        tokens.cacheWrite1h = min(tokens.cacheWrite1h, tokens.cacheWrite)
        tokens.reasoning = min(tokens.reasoning, tokens.output)
        return tokens
    }
}

/// Wraps a content block so that one odd block (a bare string, a number) is dropped
/// instead of failing the whole array.
private struct LenientBlock: Decodable {
    var block: ClaudeContentBlock?
    init(from decoder: any Decoder) throws { block = try? ClaudeContentBlock(from: decoder) }
}

/// A content block: `tool_use` (with its input, only for edit tools) or `tool_result`.
struct ClaudeContentBlock: Decodable {
    var type: String?
    var id: String?
    var name: String?
    var toolUseID: String?
    var isError: Bool
    var editInput: ClaudeEditInput?

    /// Tools whose calls write files. `NotebookEdit` is left out: notebook cells are
    /// JSON inside a file, and their lines do not match committed lines one to one.
    static let editToolNames: Set<String> = ["Edit", "MultiEdit", "Write"]

    enum CodingKeys: String, CodingKey {
        case type, id, name, input
        case toolUseID = "tool_use_id"
        case isError = "is_error"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.lenient(String.self, .type)
        id = c.lenient(String.self, .id)
        name = c.lenient(String.self, .name)
        toolUseID = c.lenient(String.self, .toolUseID)
        isError = c.lenient(Bool.self, .isError) ?? false
        if type == "tool_use", let name, Self.editToolNames.contains(name) {
            editInput = c.lenient(ClaudeEditInput.self, .input)
        }
    }
}

/// The input of an `Edit`, `MultiEdit` or `Write` call: what the model asked for.
struct ClaudeEditInput: Decodable {
    var filePath: String?
    var oldString: String?
    var newString: String?
    var content: String?
    var edits: [ClaudeStringPair]?

    enum CodingKeys: String, CodingKey {
        case filePath = "file_path", oldString = "old_string", newString = "new_string", content, edits
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filePath = c.lenient(String.self, .filePath)
        oldString = c.lenient(String.self, .oldString)
        newString = c.lenient(String.self, .newString)
        content = c.lenient(String.self, .content)
        edits = c.lenient([ClaudeStringPair].self, .edits)
    }
}

struct ClaudeStringPair: Decodable {
    var oldString: String?
    var newString: String?

    enum CodingKeys: String, CodingKey { case oldString = "old_string", newString = "new_string" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        oldString = c.lenient(String.self, .oldString)
        newString = c.lenient(String.self, .newString)
    }
}

/// What an edit tool call really did, as Claude Code recorded it after applying it.
///
/// Only the fields needed for the added lines are decoded, and lazily: `originalFile`
/// (a whole file) is read only for a `Write` update that came without a patch.
struct ClaudeToolUseResult: Decodable {
    var filePath: String?
    var type: String?
    var addedLines: [LineHash]?

    enum CodingKeys: String, CodingKey {
        case filePath, type, structuredPatch, oldString, newString, content, originalFile
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filePath = c.lenient(String.self, .filePath)
        type = c.lenient(String.self, .type)
        addedLines = Self.addedLines(c, type: type)
    }

    /// Added significant lines, from the most faithful source present: a created
    /// file's whole content; else the patch's `+` lines minus its `-` lines; else
    /// `newString − oldString`; else `content − originalFile` — always compared on the
    /// exact text of the lines (`AddedLines.added`): a line only moved is not new, a
    /// line re-indented is.
    private static func addedLines(_ c: KeyedDecodingContainer<CodingKeys>, type: String?) -> [LineHash]? {
        if type == "create", let content = c.lenient(String.self, .content) {
            return ClaudeEditLines.significantHashes(content)
        }
        if let hunks = c.lenient([ClaudePatchHunk].self, .structuredPatch) {
            var added: [EditLine] = []
            var removed: [EditLine] = []
            for hunk in hunks {
                for var line in hunk.lines {
                    line.withUTF8 { bytes in
                        guard let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return }
                        let edit = LineIdentity.editLine(bytes: UnsafeBufferPointer(rebasing: bytes.dropFirst()))
                        if first == UInt8(ascii: "+") { added.append(edit) } else { removed.append(edit) }
                    }
                }
            }
            return AddedLines.added(added, minus: removed)
        }
        if let new = c.lenient(String.self, .newString) {
            return ClaudeEditLines.between(old: c.lenient(String.self, .oldString) ?? "", new: new)
        }
        if let content = c.lenient(String.self, .content), type == "update" {
            return ClaudeEditLines.between(old: c.lenient(String.self, .originalFile) ?? "", new: content)
        }
        return nil
    }
}

struct ClaudePatchHunk: Decodable {
    var lines: [String]

    enum CodingKeys: String, CodingKey { case lines }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lines = c.lenient([String].self, .lines) ?? []
    }
}

fileprivate extension KeyedDecodingContainer {
    /// The value for `key`, or nil when it is missing, null or of another type.
    @inline(__always)
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
