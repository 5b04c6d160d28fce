import AIUsageCore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Pieces shared by the readers of tools built on Gemini CLI's code base (Gemini CLI
// itself and its fork Qwen Code): Gemini-style token counts, lenient decoding of the
// loosely typed JSON they write, and a small batch collector.

/// Gemini API usage (`usageMetadata`, or Gemini CLI's `tokens` summary of it),
/// normalised to the product's rules (PRODUCT.md, "Tokens and cost").
///
/// Gemini's `promptTokenCount` (`input`) *includes* the cached prompt tokens
/// (`cachedContentTokenCount`, `cached`), so uncached input = prompt − cached.
/// `candidatesTokenCount` (`output`) *excludes* the thinking tokens
/// (`thoughtsTokenCount`, `thoughts`), so output = candidates + thoughts, and
/// reasoning = thoughts. `toolUsePromptTokenCount` (`tool`) is prompt sent for tool
/// use, outside `promptTokenCount`, so it is added to input.
///
/// Forks that translate OpenAI-style usage (Qwen Code with OpenAI-compatible
/// providers) may put reasoning *inside* the candidates count; that shows in the
/// total: when `total == prompt + candidates + tool` with thoughts > 0, the thoughts
/// are already in the candidates and are not added again.
struct GeminiStyleUsage: Sendable, Equatable {
    var prompt: Int64 = 0
    var candidates: Int64 = 0
    var cached: Int64 = 0
    var thoughts: Int64 = 0
    var tool: Int64 = 0
    var total: Int64 = 0

    var tokens: TokenCounts {
        let cachedPart = min(max(cached, 0), max(prompt, 0))
        let input = max(prompt, 0) - cachedPart + max(tool, 0)
        let thinking = max(thoughts, 0)
        let thoughtsInsideCandidates =
            thinking > 0 && total > 0 && total == prompt + candidates + tool && candidates >= thinking
        let output = max(candidates, 0) + (thoughtsInsideCandidates ? 0 : thinking)
        return TokenCounts(input: input, output: output, cacheWrite: 0, cacheRead: cachedPart, reasoning: thinking)
    }
}

/// A number as these tools write it: an integer, a float, or a numeric string; nil
/// for anything else (never a decoding failure).
struct GeminiLenientInt: Decodable, Sendable {
    let value: Int64?

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int64.self) {
            value = int
        } else if let double = try? container.decode(Double.self), double.isFinite {
            value = Int64(double)
        } else if let text = try? container.decode(String.self) {
            value = Int64(text)
        } else {
            value = nil
        }
    }
}

/// A value that decodes to nil instead of failing the record around it: these
/// records change shape between versions, and one odd field must not cost the
/// tokens of the whole line.
struct GeminiLenient<Value: Decodable>: Decodable {
    let value: Value?

    init(from decoder: Decoder) throws {
        value = try? Value(from: decoder)
    }
}

/// A string field that may hold something else (Gemini's `content` is a string or a
/// list of parts, `resultDisplay` a string or an object).
struct GeminiLenientString: Decodable, Sendable {
    let value: String?

    init(from decoder: Decoder) throws {
        value = try? decoder.singleValueContainer().decode(String.self)
    }
}

/// Arguments of a file-editing tool call, common to Gemini CLI and Qwen Code.
struct GeminiEditArguments: Decodable, Sendable {
    var filePath: String?
    var oldString: String?
    var newString: String?
    var content: String?

    enum CodingKeys: String, CodingKey {
        case filePath = "file_path"
        case absolutePath = "absolute_path"
        case path
        case oldString = "old_string"
        case newString = "new_string"
        case content
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? { (try? container.decodeIfPresent(String.self, forKey: key)) ?? nil }
        filePath = text(.filePath) ?? text(.absolutePath) ?? text(.path)
        oldString = text(.oldString)
        newString = text(.newString)
        content = text(.content)
    }
}

/// The `resultDisplay` of a finished edit or write: a diff with the whole file
/// before and after, when the tool recorded one (and did not truncate it).
struct GeminiFileDiffDisplay: Decodable, Sendable {
    var originalContent: String?
    var newContent: String?
    var truncated: Bool

    enum CodingKeys: String, CodingKey {
        case originalContent, newContent, truncatedForSession, fileDiff
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.fileDiff) || container.contains(.newContent) else {
            throw DecodingError.dataCorruptedError(
                forKey: .newContent, in: container, debugDescription: "not a file diff")
        }
        originalContent = (try? container.decodeIfPresent(String.self, forKey: .originalContent)) ?? nil
        newContent = (try? container.decodeIfPresent(String.self, forKey: .newContent)) ?? nil
        truncated = ((try? container.decodeIfPresent(Bool.self, forKey: .truncatedForSession)) ?? nil) ?? false
    }

    /// Lines the edit added, from the whole file before and after; nil when the
    /// display does not carry both in full.
    var addedLines: [LineHash]? {
        guard !truncated, let newContent else { return nil }
        return AddedLines.between(old: originalContent ?? "", new: newContent)
    }
}

enum GeminiEdits {
    /// Tool names whose calls change a file by replacing a string.
    static let replaceTools: Set<String> = ["replace", "edit", "smart_edit", "edit_file"]
    /// Tool names whose calls write a whole file.
    static let writeTools: Set<String> = ["write_file"]

    static func isEditTool(_ name: String?) -> Bool {
        guard let name else { return false }
        return replaceTools.contains(name) || writeTools.contains(name)
    }

    /// Lines a call adds, from its arguments: `replace` new − old, `write_file` its
    /// whole content (minus the file's previous content when the result knows it).
    static func addedLines(tool name: String, _ arguments: GeminiEditArguments, display: GeminiFileDiffDisplay?)
        -> [LineHash]
    {
        if let fromDisplay = display?.addedLines { return fromDisplay }
        if writeTools.contains(name) { return LineIdentity.significantHashes(ofText: arguments.content ?? "") }
        return AddedLines.between(old: arguments.oldString ?? "", new: arguments.newString ?? "")
    }

    /// Whether a call's recorded status says nothing was written.
    static func failed(status: String?) -> Bool {
        guard let status = status?.lowercased() else { return false }
        return status == "error" || status == "cancelled" || status == "canceled" || status == "rejected"
    }
}

/// Collects one read's events into bounded batches; inside a batch, usage of one key
/// keeps the field-wise max and an edit key keeps its last version (what the store
/// does across batches too).
struct GeminiStyleBatch {
    let limit: Int
    private var batch = ReadBatch()
    private var usageIndex: [String: Int] = [:]
    private var editIndex: [String: Int] = [:]
    private var observed: Set<SessionObservation> = []

    init(limit: Int = 4000) { self.limit = limit }

    mutating func add(usage event: UsageEvent) {
        if let index = usageIndex[event.dedupKey] {
            batch.usage[index].tokens = batch.usage[index].tokens.fieldwiseMax(event.tokens)
            batch.usage[index].timestamp = event.timestamp
            if batch.usage[index].model == "unknown" { batch.usage[index].model = event.model }
        } else {
            usageIndex[event.dedupKey] = batch.usage.count
            batch.usage.append(event)
        }
    }

    mutating func add(edit event: EditEvent) {
        if let index = editIndex[event.dedupKey] {
            batch.edits[index] = event
        } else {
            editIndex[event.dedupKey] = batch.edits.count
            batch.edits.append(event)
        }
    }

    mutating func observe(_ observation: SessionObservation) {
        if observed.insert(observation).inserted { batch.observations.append(observation) }
    }

    /// Counts something the reader does not understand (`ReadBatch.drift`).
    mutating func noteUnrecognized(_ kind: FormatDrift.Kind, _ name: String) {
        batch.noteUnrecognized(kind, name)
    }

    mutating func flushIfFull(_ sink: (ReadBatch) throws -> Void) rethrows {
        if batch.count >= limit { try flush(sink) }
    }

    mutating func flush(_ sink: (ReadBatch) throws -> Void) rethrows {
        guard !batch.isEmpty else { return }
        let full = batch
        batch = ReadBatch()
        usageIndex.removeAll(keepingCapacity: true)
        editIndex.removeAll(keepingCapacity: true)
        observed.removeAll(keepingCapacity: true)
        try sink(full)
    }
}

/// File facts used to tell whether a JSON Lines file read before is the same file,
/// only longer: a reader of `.rewritten` kind gets offset 0 on every change and must
/// decide itself where to resume.
struct GeminiFileIdentity: Codable, Sendable, Equatable {
    var inode: UInt64
    /// FNV-1a of the first `min(offset, 4096)` bytes.
    var head: UInt64

    static func of(path: String, upTo length: Int64) -> GeminiFileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return GeminiFileIdentity(inode: UInt64(info.st_ino), head: headHash(path: path, length: length))
    }

    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func headHash(path: String, length: Int64) -> UInt64 {
        FileHeadFingerprint.of(path: path, length: length)
    }
}

enum GeminiPaths {

    /// Path components of `path` below `root` (nil when not below it).
    static func components(of path: String, below root: String) -> [Substring]? {
        let base = root.hasSuffix("/") ? root : root + "/"
        guard path.hasPrefix(base) else { return nil }
        return path.dropFirst(base.count).split(separator: "/", omittingEmptySubsequences: true)
    }

    /// File name without its extension.
    static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    static func modificationTime(_ path: String) -> Date {
        FileModificationTime.of(path) ?? Date(timeIntervalSince1970: 0)
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or nil when it is missing or of another type.
    func geminiLenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }

    /// The elements at `key` that decode, dropping the others; nil when missing.
    func geminiLenientArray<T: Decodable>(_ type: T.Type, _ key: Key) -> (values: [T], dropped: Int)? {
        guard let items = try? decodeIfPresent([GeminiLenient<T>].self, forKey: key) else { return nil }
        let values = items.compactMap(\.value)
        return (values, items.count - values.count)
    }
}
