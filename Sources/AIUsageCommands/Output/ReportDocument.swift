import AIUsageCore
import Foundation

/// `aiusage report --format json`, schema `aiusage.report/1`: a stable contract, pinned
/// by tests and documented in the README. Add fields; never rename or remove one.
struct ReportDocument: Encodable {
    var schema = "aiusage.report/1"
    var generatedAt: Date
    var since: Date
    var until: Date
    var pricingSource: String
    var pricingDate: String
    /// The price dataset's release (`0.2.3`).
    var pricingVersion: String = ""
    /// Models of the window that the price table does not price, with their tokens.
    var unpricedModels: [UnpricedModel] = []
    /// Tools whose own recorded cost was used instead of the price table.
    var recordedCostTools: [String] = []
    var groupBy: ReportGrouping
    var survivalDays: Int
    var timezone: String
    var repos: [String]
    var rows: [ReportRow]
    var totals: ReportRow

    enum CodingKeys: String, CodingKey {
        case schema, generatedAt = "generated_at", window, pricing, groupBy = "group_by", survivalDays = "survival_days"
        case timezone, repos, rows, totals
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(Format.iso(generatedAt), forKey: .generatedAt)
        try container.encode(["since": Format.iso(since), "until": Format.iso(until)], forKey: .window)
        try container.encode(
            PricingJSON(
                source: pricingSource, version: pricingVersion, date: pricingDate, recordedBy: recordedCostTools, unpriced: unpricedModels),
            forKey: .pricing)
        try container.encode(groupBy.rawValue, forKey: .groupBy)
        try container.encode(survivalDays, forKey: .survivalDays)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(repos, forKey: .repos)
        try container.encode(rows.map { ReportRowJSON($0, unpricedCostAsNull: true) }, forKey: .rows)
        try container.encode(ReportRowJSON(totals, unpricedCostAsNull: true), forKey: .totals)
    }
}

/// Where costs came from: the price table (dataset, version, date), which tools recorded
/// their own, and which models had no price.
struct PricingJSON: Encodable {
    var source: String
    var version: String
    var date: String
    var recordedBy: [String]
    var unpriced: [UnpricedModel]
    enum CodingKeys: String, CodingKey { case source, version, date, recordedBy = "recorded_by_tools", unpriced = "unpriced_models" }
}

/// A model the price table does not price, and its tokens in the view (counted, not costed).
struct UnpricedModel: Encodable, Equatable {
    var model: String
    var tokens: Int64

    /// The models of `facts` in `[start, end)` whose cost is unknown, by model id.
    static func list(_ facts: [UsageFact], from start: Date, to end: Date) -> [UnpricedModel] {
        var tokens: [String: Int64] = [:]
        for fact in facts where fact.unpricedTokens > 0 && fact.timestamp >= start && fact.timestamp < end {
            tokens[fact.model, default: 0] += fact.unpricedTokens
        }
        return tokens.map { UnpricedModel(model: $0.key, tokens: $0.value) }.sorted { $0.model < $1.model }
    }

    /// "qwen3-coder-plus (1.2M tokens), my-local-llama (300 tokens)".
    static func sentence(_ models: [UnpricedModel]) -> String {
        models.map { "\($0.model.isEmpty ? "(no model id)" : $0.model) (\(Format.compact($0.tokens)) tokens)" }.joined(separator: ", ")
    }
}

enum JSONOutput {
    /// Dollars rounded to a millionth, so totals do not print binary noise.
    static func usd(_ value: Double) -> Double { ReportRowJSON.rounded(value) }

    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
