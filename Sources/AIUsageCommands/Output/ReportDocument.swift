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
        try container.encode(PricingJSON(source: pricingSource, date: pricingDate, recordedBy: recordedCostTools), forKey: .pricing)
        try container.encode(groupBy.rawValue, forKey: .groupBy)
        try container.encode(survivalDays, forKey: .survivalDays)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(repos, forKey: .repos)
        try container.encode(rows.map { ReportRowJSON($0) }, forKey: .rows)
        try container.encode(ReportRowJSON(totals), forKey: .totals)
    }
}

/// Where costs came from: the bundled table, and which tools recorded their own.
struct PricingJSON: Encodable {
    var source: String
    var date: String
    var recordedBy: [String]
    enum CodingKeys: String, CodingKey { case source, date, recordedBy = "recorded_by_tools" }
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
