/// One row of an upload: one developer's day in one repository with one tool and model.
///
/// The same type is what `aiusage upload` builds and encodes, what the server decodes,
/// stores and hands back from `GET /api/v1/me`, so a row survives the round trip unchanged.
/// Its JSON is written and read field by field from `UsageField`, `DollarField` and
/// `TextField`, where every wire name is defined once.
public struct UsageRow: Sendable, Equatable {
    public var repo: String
    public var tool: String
    public var model: String
    public var sessions: Int64 = 0
    public var input: Int64 = 0
    public var output: Int64 = 0
    public var cacheWrite: Int64 = 0
    public var cacheRead: Int64 = 0
    public var reasoning: Int64 = 0
    public var costUSD: Double = 0
    public var unpricedTokens: Int64 = 0
    public var wastedCostUSD: Double = 0
    public var aiLinesWritten: Int64 = 0
    public var aiLinesCommitted: Int64 = 0
    public var aiLinesLanded: Int64 = 0
    public var aiLinesSurviving: Int64 = 0
    public var aiLinesPending: Int64 = 0
    public var aiLinesChurned: Int64 = 0
    public var humanLinesCommitted: Int64 = 0
    public var commits: Int64 = 0
    public var aiAssistedCommits: Int64 = 0
    public var landedAIAssistedCommits: Int64 = 0

    public init(repo: String, tool: String, model: String) {
        self.repo = repo
        self.tool = tool
        self.model = model
    }

    /// input + output + cache writes + cache reads, as `aiusage report` counts tokens;
    /// written as `tokens.total` for readers, never read back (the server recomputes it).
    /// Saturating: a row stored before `UploadBounds` existed may hold any `Int64`.
    public var totalTokens: Int64 { [output, cacheWrite, cacheRead].reduce(input) { Saturating.add($0, $1) } }

    /// Every integer field with its wire name, in the contract's order.
    public var counts: [(field: UsageField, value: Int64)] { UsageField.allCases.map { ($0, self[keyPath: $0.keyPath]) } }
}

extension UsageRow: Codable {
    /// A JSON key given by its text: the names come from the field enums.
    struct Key: CodingKey {
        let stringValue: String
        init(_ text: String) { stringValue = text }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
        static let tokens = Key("tokens"), total = Key("total")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let tokens = try container.nestedContainer(keyedBy: Key.self, forKey: .tokens)
        self.init(repo: "", tool: "", model: "")
        for field in TextField.allCases { self[keyPath: field.keyPath] = try container.decode(String.self, forKey: Key(field.rawValue)) }
        for field in UsageField.allCases {
            self[keyPath: field.keyPath] =
                try field.tokenKey.map { try tokens.decode(Int64.self, forKey: Key($0)) }
                ?? container.decode(Int64.self, forKey: Key(field.rawValue))
        }
        for field in DollarField.allCases { self[keyPath: field.keyPath] = try container.decode(Double.self, forKey: Key(field.rawValue)) }
        // Ignored, but an integer when present: `null` is not one.
        if tokens.contains(.total) { _ = try tokens.decode(Int64.self, forKey: .total) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var tokens = container.nestedContainer(keyedBy: Key.self, forKey: .tokens)
        for field in TextField.allCases { try container.encode(self[keyPath: field.keyPath], forKey: Key(field.rawValue)) }
        for field in UsageField.allCases {
            if let key = field.tokenKey {
                try tokens.encode(self[keyPath: field.keyPath], forKey: Key(key))
            } else {
                try container.encode(self[keyPath: field.keyPath], forKey: Key(field.rawValue))
            }
        }
        try tokens.encode(totalTokens, forKey: .total)
        for field in DollarField.allCases { try container.encode(self[keyPath: field.keyPath], forKey: Key(field.rawValue)) }
    }
}

/// One day of one developer's upload: on the server, the day replaces whatever was stored
/// for it (no rows clears it).
public struct UploadDay: Sendable, Equatable, Codable {
    public var day: String
    public var rows: [UsageRow]

    public init(day: String, rows: [UsageRow]) {
        self.day = day
        self.rows = rows
    }
}
