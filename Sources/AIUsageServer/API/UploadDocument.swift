import Foundation

/// The upload document, schema `aiusage.upload/1` (see /tmp/upload-contract.md and the README).
///
/// Parsing goes in three steps so each refusal is precise: JSON syntax (`malformed_json`),
/// then the schema string (`unsupported_schema`, checked before the shape so a future version
/// is named as such), then shape (`invalid_document`) and values (`invalid_value`).
public struct UploadDocument: Sendable, Equatable {
    public static let schema = "aiusage.upload/1"
    public var named: Bool
    public var repoNames: RepoNames
    public var days: [UploadDay]

    public enum RepoNames: String, Sendable, Codable { case hashed, plain }

    /// Contract limits; the byte limit is enforced before parsing, by the route.
    public struct Limits: Sendable {
        public var maxBodyBytes = 1 << 20
        public var maxDays = 400
        public var maxRowsPerDay = 2000
        public var maxStringLength = 200
        public init() {}
    }

    public static func parse(_ data: Data, limits: Limits = Limits()) throws(APIError) -> UploadDocument {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw APIError(.badRequest, "malformed_json", "The request body is not valid JSON.")
        }
        // JSON may escape any character, NUL included; stored text must not carry control
        // characters (a NUL truncated the string in SQLite's C API, others garble pages and logs).
        if let path = Self.controlCharacterPath(in: object) {
            throw APIError(.badRequest, "invalid_value", "The string at \(path) contains a control character (U+0000 to U+001F, U+007F to U+009F).")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError(.badRequest, "invalid_document", "The upload document must be a JSON object.")
        }
        guard let schema = dictionary["schema"] as? String, schema == Self.schema else {
            let found = (dictionary["schema"] as? String).map { "\"\($0)\"" } ?? "none"
            throw APIError(.badRequest, "unsupported_schema", "The schema must be \"\(Self.schema)\"; found \(found).")
        }
        let wire: WireDocument
        do {
            wire = try JSONDecoder().decode(WireDocument.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError(.badRequest, "invalid_document", "Missing field \(Self.path(context.codingPath + [key])).")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError(.badRequest, "invalid_document", "Wrong type at \(Self.path(context.codingPath)).")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError(.badRequest, "invalid_document", "Null value at \(Self.path(context.codingPath)).")
        } catch let DecodingError.dataCorrupted(context) {
            throw APIError(.badRequest, "invalid_document", "Invalid value at \(Self.path(context.codingPath)).")
        } catch {
            throw APIError(.badRequest, "invalid_document", "The upload document does not have the expected shape.")
        }
        return try wire.validated(limits: limits)
    }

    /// Where the first string (or object key) with a control character is, as a path like
    /// `days[0].rows[1].model`; nil when there is none.
    static func controlCharacterPath(in value: Any, at path: String = "") -> String? {
        func hasControl(_ text: String) -> Bool {
            text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        }
        switch value {
        case let text as String:
            return hasControl(text) ? (path.isEmpty ? "the top level" : path) : nil
        case let dictionary as [String: Any]:
            for key in dictionary.keys.sorted() {
                let child = path.isEmpty ? key : path + "." + key
                if hasControl(key) { return "a key of " + (path.isEmpty ? "the top level" : path) }
                if let found = controlCharacterPath(in: dictionary[key]!, at: child) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = controlCharacterPath(in: element, at: path + "[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
    }

    /// `YYYY-MM-DD` that names a real calendar day.
    static func isDay(_ text: String) -> Bool {
        // Years 1970 to 2999: real usage, and far from the calendar's edges for day arithmetic.
        guard text.utf8.count == 10, ("1970"..."2999").contains(text.prefix(4)), let date = DayMath.date(text) else { return false }
        return DayMath.string(date) == text
    }
}

/// The document as sent; `Decodable` only, validation happens in `validated`.
struct WireDocument: Decodable {
    var schema: String
    var named: Bool
    var repoNames: UploadDocument.RepoNames
    var days: [WireDay]
    /// Informative and not stored, but typed: the document says they are strings.
    var generatedAt: String?
    var client: String?
    enum CodingKeys: String, CodingKey { case schema, named, repoNames = "repo_names", days, generatedAt = "generated_at", client }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        named = try container.decode(Bool.self, forKey: .named)
        repoNames = try container.decode(UploadDocument.RepoNames.self, forKey: .repoNames)
        days = try container.decode([WireDay].self, forKey: .days)
        // Optional, but a string when present: `null` is refused as the document says.
        generatedAt = container.contains(.generatedAt) ? try container.decode(String.self, forKey: .generatedAt) : nil
        client = container.contains(.client) ? try container.decode(String.self, forKey: .client) : nil
    }

    func validated(limits: UploadDocument.Limits) throws(APIError) -> UploadDocument {
        guard days.count <= limits.maxDays else {
            throw .invalid("At most \(limits.maxDays) days per upload; this one has \(days.count).")
        }
        var seen = Set<String>()
        var result: [UploadDay] = []
        for (index, day) in days.enumerated() {
            guard UploadDocument.isDay(day.day) else { throw .invalid("days[\(index)].day must be a date YYYY-MM-DD; found \"\(day.day.prefix(20))\".") }
            guard seen.insert(day.day).inserted else { throw .invalid("Day \(day.day) appears twice.") }
            guard day.rows.count <= limits.maxRowsPerDay else {
                throw .invalid("At most \(limits.maxRowsPerDay) rows per day; \(day.day) has \(day.rows.count).")
            }
            var rows: [UsageRow] = []
            for (rowIndex, row) in day.rows.enumerated() {
                let at = "days[\(index)].rows[\(rowIndex)]"
                for (name, value) in [("repo", row.repo), ("tool", row.tool), ("model", row.model)] {
                    // Code points, as JSON Schema's maxLength counts them (a Character may hold thousands).
                    guard !value.isEmpty, value.unicodeScalars.count <= limits.maxStringLength else {
                        throw .invalid("\(at).\(name) must be 1 to \(limits.maxStringLength) characters (code points).")
                    }
                }
                if repoNames == .hashed, !(row.repo.utf8.count == 64 && row.repo.utf8.allSatisfy(\.isHexDigit)) {
                    // A hashed document must not smuggle a plain repository name.
                    throw .invalid("\(at).repo must be 64 hex digits (HMAC-SHA256) when repo_names is \"hashed\".")
                }
                let usage = row.usage
                if let violation = UploadBounds.violation(in: usage) {
                    throw .invalid("\(at).\(violation.field) \(violation.problem).")
                }
                rows.append(usage)
            }
            result.append(UploadDay(day: day.day, rows: rows))
        }
        return UploadDocument(named: named, repoNames: repoNames, days: result)
    }
}

struct WireDay: Decodable {
    var day: String
    var rows: [UsageRowJSON]
}

extension UInt8 {
    var isHexDigit: Bool { (48...57).contains(self) || (97...102).contains(self) || (65...70).contains(self) }
}

/// One row in the wire format shared by uploads and `GET /api/v1/me`.
struct UsageRowJSON: Codable {
    var repo: String
    var tool: String
    var model: String
    var sessions: Int64
    var tokens: TokensJSON
    var costUSD: Double
    var unpricedTokens: Int64
    var wastedCostUSD: Double
    var aiLinesWritten: Int64, aiLinesCommitted: Int64, aiLinesLanded: Int64
    var aiLinesSurviving: Int64, aiLinesPending: Int64, aiLinesChurned: Int64
    var humanLinesCommitted: Int64
    var commits: Int64, aiAssistedCommits: Int64, landedAIAssistedCommits: Int64

    enum CodingKeys: String, CodingKey {
        case repo, tool, model, sessions, tokens, costUSD = "cost_usd", unpricedTokens = "unpriced_tokens"
        case wastedCostUSD = "wasted_cost_usd", aiLinesWritten = "ai_lines_written", aiLinesCommitted = "ai_lines_committed"
        case aiLinesLanded = "ai_lines_landed", aiLinesSurviving = "ai_lines_surviving", aiLinesPending = "ai_lines_pending"
        case aiLinesChurned = "ai_lines_churned", humanLinesCommitted = "human_lines_committed", commits
        case aiAssistedCommits = "ai_assisted_commits", landedAIAssistedCommits = "landed_ai_assisted_commits"
    }

    /// The token counts; `total` is written for readers but recomputed, never trusted, on input.
    struct TokensJSON: Codable {
        var input: Int64, output: Int64, cacheWrite: Int64, cacheRead: Int64, reasoning: Int64
        var total: Int64?
        enum CodingKeys: String, CodingKey { case input, output, cacheWrite = "cache_write", cacheRead = "cache_read", reasoning, total }

        init(input: Int64, output: Int64, cacheWrite: Int64, cacheRead: Int64, reasoning: Int64, total: Int64?) {
            (self.input, self.output, self.cacheWrite, self.cacheRead, self.reasoning, self.total) =
                (input, output, cacheWrite, cacheRead, reasoning, total)
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            input = try container.decode(Int64.self, forKey: .input)
            output = try container.decode(Int64.self, forKey: .output)
            cacheWrite = try container.decode(Int64.self, forKey: .cacheWrite)
            cacheRead = try container.decode(Int64.self, forKey: .cacheRead)
            reasoning = try container.decode(Int64.self, forKey: .reasoning)
            // Ignored, but an integer when present (`null` is not one).
            total = container.contains(.total) ? try container.decode(Int64.self, forKey: .total) : nil
        }
    }

    init(_ row: UsageRow) {
        repo = row.repo
        tool = row.tool
        model = row.model
        sessions = row.sessions
        tokens = TokensJSON(
            input: row.input, output: row.output, cacheWrite: row.cacheWrite, cacheRead: row.cacheRead,
            reasoning: row.reasoning,
            // Saturating: a row stored before `UploadBounds` existed may hold any Int64.
            total: [row.output, row.cacheWrite, row.cacheRead].reduce(row.input) { Saturating.add($0, $1) })
        costUSD = row.costUSD
        unpricedTokens = row.unpricedTokens
        wastedCostUSD = row.wastedCostUSD
        aiLinesWritten = row.aiLinesWritten
        aiLinesCommitted = row.aiLinesCommitted
        aiLinesLanded = row.aiLinesLanded
        aiLinesSurviving = row.aiLinesSurviving
        aiLinesPending = row.aiLinesPending
        aiLinesChurned = row.aiLinesChurned
        humanLinesCommitted = row.humanLinesCommitted
        commits = row.commits
        aiAssistedCommits = row.aiAssistedCommits
        landedAIAssistedCommits = row.landedAIAssistedCommits
    }

    var usage: UsageRow {
        var row = UsageRow(repo: repo, tool: tool, model: model)
        row.sessions = sessions
        row.input = tokens.input
        row.output = tokens.output
        row.cacheWrite = tokens.cacheWrite
        row.cacheRead = tokens.cacheRead
        row.reasoning = tokens.reasoning
        row.costUSD = costUSD
        row.unpricedTokens = unpricedTokens
        row.wastedCostUSD = wastedCostUSD
        row.aiLinesWritten = aiLinesWritten
        row.aiLinesCommitted = aiLinesCommitted
        row.aiLinesLanded = aiLinesLanded
        row.aiLinesSurviving = aiLinesSurviving
        row.aiLinesPending = aiLinesPending
        row.aiLinesChurned = aiLinesChurned
        row.humanLinesCommitted = humanLinesCommitted
        row.commits = commits
        row.aiAssistedCommits = aiAssistedCommits
        row.landedAIAssistedCommits = landedAIAssistedCommits
        return row
    }
}

extension UsageRow {
    /// Every integer field under its wire name, for the "zero or more" check.
    var counts: [(String, Int64)] {
        [("sessions", sessions), ("tokens.input", input), ("tokens.output", output), ("tokens.cache_write", cacheWrite),
         ("tokens.cache_read", cacheRead), ("tokens.reasoning", reasoning), ("unpriced_tokens", unpricedTokens),
         ("ai_lines_written", aiLinesWritten), ("ai_lines_committed", aiLinesCommitted), ("ai_lines_landed", aiLinesLanded),
         ("ai_lines_surviving", aiLinesSurviving), ("ai_lines_pending", aiLinesPending), ("ai_lines_churned", aiLinesChurned),
         ("human_lines_committed", humanLinesCommitted), ("commits", commits), ("ai_assisted_commits", aiAssistedCommits),
         ("landed_ai_assisted_commits", landedAIAssistedCommits)]
    }
}

/// Calendar days as `YYYY-MM-DD` in UTC: uploads carry the developer's local day already, so
/// the server only does date arithmetic on labels and must not shift them by a time zone.
enum DayMath {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }()

    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    static func string(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Monday of the ISO week holding `day`.
    static func week(_ day: String) -> String {
        guard let date = date(day), let start = calendar.dateInterval(of: .weekOfYear, for: date)?.start else { return day }
        return string(start)
    }

    static func adding(_ days: Int, to day: String) -> String {
        guard let date = date(day), let moved = calendar.date(byAdding: .day, value: days, to: date) else { return day }
        return string(moved)
    }

    /// Days from `since` to `until`, both included.
    static func length(_ since: String, _ until: String) -> Int {
        guard let a = date(since), let b = date(until) else { return 0 }
        return (calendar.dateComponents([.day], from: a, to: b).day ?? -1) + 1
    }
}
