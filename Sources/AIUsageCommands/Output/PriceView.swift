import AIUsageCore
import Foundation

/// One model id as `aiusage prices` shows it: what it resolved to, or why it is unpriced.
struct PriceView {
    var model: String
    var lookup: PriceLookup
    /// The instant whose prices are "in force".
    var at: Date

    /// The table's header and one block per model, for people.
    static func render(prices: EffectivePrices, views: [PriceView], day: String) -> String {
        let table = prices.table
        var out: [String] = []
        let origin: String
        switch prices.origin {
        case .bundled: origin = "bundled with aiusage"
        case .updated(let path): origin = "loaded by `aiusage prices update`, \(path)"
        }
        out.append("Price table: \(table.source) \(table.version), published \(table.date) (\(origin))")
        if let problem = prices.problem { out.append("  note: \(problem)") }
        if let error = table.loadError { out.append("  error: the price data could not be read (\(error)); every model is unpriced") }
        let dataset = table.dataset
        let modelCount = dataset.providers.reduce(0) { $0 + $1.models.count }
        out.append(
            "  \(count(dataset.providers.count, "provider")), \(count(modelCount, "model")), matched by the dataset's own rules. USD per million tokens."
        )
        if views.isEmpty {
            out.append("")
            out.append("`aiusage prices MODEL` shows the price a model gets; `aiusage prices update FILE` loads a newer copy.")
        }
        for view in views {
            out.append("")
            out.append(contentsOf: view.lines(table: table, day: day))
        }
        return out.joined(separator: "\n") + "\n"
    }

    func lines(table: PriceTable, day: String) -> [String] {
        switch lookup {
        case .unpriced(let reason):
            return [
                "\(model): unpriced — \(reason.explanation(dataset: "\(table.source) \(table.version)")).",
                "  Its tokens are counted; reports leave its cost out and say so (never $0).",
            ]
        case .priced(let price):
            var out = [
                "\(model) → \(price.provider.name) \(price.model.id)" + (price.model.name.map { " (\($0))" } ?? "")
                    + (price.model.deprecated ? ", deprecated" : "")
            ]
            out.append("  matched by \(price.model.match.summary)")
            let current = price.model.rates(at: at)
            let periods = price.model.periods
            let inForceIndex = price.model.periodIndex(at: at)
            // An unconstrained period before dated ones is "before" the first of them.
            let starts = periods.compactMap { period -> String? in
                if case .startDate(let day, _) = period.constraint { return day }
                return nil
            }
            let standing = starts.count == periods.count - 1 ? starts.min().map { "before \($0)" } : nil
            for (index, period) in periods.enumerated() {
                var indent = "  "
                if periods.count > 1 {
                    let label = period.constraint?.summary ?? standing ?? "otherwise"
                    out.append("  " + label + (index == inForceIndex ? " (in force on \(day))" : "") + ":")
                    indent = "    "
                }
                out.append(contentsOf: Self.describe(period.rates).map { indent + $0 })
            }
            if !current.otherUnits.isEmpty {
                out.append("  also listed, never charged (records do not count them): \(current.otherUnits.joined(separator: ", "))")
            }
            if current.cacheWrite1h == nil, current.cacheWrite != nil {
                out.append("  no 1-hour cache write rate: such writes are charged at the cache write rate")
            }
            return out
        }
    }

    /// "input $5 · output $25 · ..." on one line, or one line per rate when some rates
    /// have long-context tiers: "input $3, $6 over 200k prompt tokens".
    static func describe(_ rates: PriceRates) -> [String] {
        var parts: [String] = []
        func add(_ name: String, _ rate: TieredRate?) {
            guard let rate else { return }
            let tiers = rate.tiers.map { "\(money($0.price)) over \(tokens($0.start)) prompt tokens" }
            parts.append(([name + " " + money(rate.base)] + tiers).joined(separator: ", "))
        }
        add("input", rates.input)
        add("output", rates.output)
        add("reasoning", rates.outputReasoning)
        add("cache read", rates.cacheRead)
        add("cache write", rates.cacheWrite)
        add("cache write 5m", rates.cacheWrite5m)
        add("cache write 1h", rates.cacheWrite1h)
        if let requests = rates.requestsPerThousand { parts.append("\(money(requests)) per thousand requests") }
        if parts.isEmpty { return [rates.otherUnits.isEmpty ? "free (listed without a price)" : "no price per token"] }
        return rates.isTiered ? parts : [parts.joined(separator: " · ")]
    }

    /// 200000 → "200k", 1000000 → "1M", 128500 → "128500": tier starts are exact.
    static func tokens(_ count: Int64) -> String {
        if count >= 1_000_000, count % 1_000_000 == 0 { return "\(count / 1_000_000)M" }
        if count >= 1000, count % 1000 == 0 { return "\(count / 1000)k" }
        return "\(count)"
    }

    /// "1 model", "2330 models".
    static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    /// $5, $0.50, $0.075, $0.0375.
    static func money(_ value: Double) -> String {
        if value == value.rounded() { return String(format: "$%.0f", value) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
        return "$" + text
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Midday UTC of a YYYY-MM-DD day, so a time-of-day price does not decide it.
    static func noon(of day: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: day + " 12:00")
    }
}

/// `aiusage prices --json`, schema `aiusage.price-lookup/1`. Add fields; never rename or remove one.
struct PriceLookupDocument: Encodable {
    var prices: EffectivePrices
    var day: String
    var models: [PriceView]

    enum Keys: String, CodingKey { case schema, table, day, models }
    enum TableKeys: String, CodingKey { case source, version, date, origin, path, problem, providers, models }
    enum ModelKeys: String, CodingKey {
        case model, priced, unpricedReason = "unpriced_reason", provider, providerName = "provider_name"
        case datasetModel = "dataset_model", name, deprecated, match, periods
    }
    enum PeriodKeys: String, CodingKey {
        case constraint, inForce = "in_force", perMillionTokens = "usd_per_million_tokens"
        case perThousandRequests = "usd_per_thousand_requests", notCharged = "not_charged"
    }

    func encode(to encoder: Encoder) throws {
        let table = prices.table
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.price-lookup/1", forKey: .schema)
        var header = container.nestedContainer(keyedBy: TableKeys.self, forKey: .table)
        try header.encode(table.source, forKey: .source)
        try header.encode(table.version, forKey: .version)
        try header.encode(table.date, forKey: .date)
        switch prices.origin {
        case .bundled:
            try header.encode("bundled", forKey: .origin)
            try header.encodeNil(forKey: .path)
        case .updated(let path):
            try header.encode("updated", forKey: .origin)
            try header.encode(path, forKey: .path)
        }
        try header.encode(prices.problem ?? table.loadError, forKey: .problem)
        try header.encode(table.dataset.providers.count, forKey: .providers)
        try header.encode(table.dataset.providers.reduce(0) { $0 + $1.models.count }, forKey: .models)
        try container.encode(day, forKey: .day)
        var list = container.nestedUnkeyedContainer(forKey: .models)
        for view in models {
            var item = list.nestedContainer(keyedBy: ModelKeys.self)
            try item.encode(view.model, forKey: .model)
            switch view.lookup {
            case .unpriced(let reason):
                try item.encode(false, forKey: .priced)
                try item.encode(reason.explanation(dataset: "\(table.source) \(table.version)"), forKey: .unpricedReason)
            case .priced(let price):
                try item.encode(true, forKey: .priced)
                try item.encodeNil(forKey: .unpricedReason)
                try item.encode(price.provider.id, forKey: .provider)
                try item.encode(price.provider.name, forKey: .providerName)
                try item.encode(price.model.id, forKey: .datasetModel)
                try item.encode(price.model.name, forKey: .name)
                try item.encode(price.model.deprecated, forKey: .deprecated)
                try item.encode(price.model.match.summary, forKey: .match)
                let inForceIndex = price.model.periodIndex(at: view.at)
                var periods = item.nestedUnkeyedContainer(forKey: .periods)
                for (index, period) in price.model.periods.enumerated() {
                    var entry = periods.nestedContainer(keyedBy: PeriodKeys.self)
                    try entry.encode(period.constraint?.summary, forKey: .constraint)
                    try entry.encode(index == inForceIndex, forKey: .inForce)
                    try entry.encode(RatesJSON(period.rates), forKey: .perMillionTokens)
                    try entry.encode(period.rates.requestsPerThousand, forKey: .perThousandRequests)
                    try entry.encode(period.rates.otherUnits, forKey: .notCharged)
                }
            }
        }
    }
}

/// Per-million-token rates; a tier says the prompt size it applies above.
private struct RatesJSON: Encodable {
    var rates: PriceRates
    init(_ rates: PriceRates) { self.rates = rates }

    enum Keys: String, CodingKey {
        case input, output, outputReasoning = "output_reasoning", cacheRead = "cache_read", cacheWrite = "cache_write"
        case cacheWrite5m = "cache_write_5m", cacheWrite1h = "cache_write_1h"
    }

    struct RateJSON: Encodable {
        var rate: TieredRate
        enum Keys: String, CodingKey { case base, tiers }
        enum TierKeys: String, CodingKey { case overPromptTokens = "over_prompt_tokens", price }
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(rate.base, forKey: .base)
            var tiers = container.nestedUnkeyedContainer(forKey: .tiers)
            for tier in rate.tiers {
                var entry = tiers.nestedContainer(keyedBy: TierKeys.self)
                try entry.encode(tier.start, forKey: .overPromptTokens)
                try entry.encode(tier.price, forKey: .price)
            }
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        func put(_ rate: TieredRate?, _ key: Keys) throws {
            if let rate { try container.encode(RateJSON(rate: rate), forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try put(rates.input, .input)
        try put(rates.output, .output)
        try put(rates.outputReasoning, .outputReasoning)
        try put(rates.cacheRead, .cacheRead)
        try put(rates.cacheWrite, .cacheWrite)
        try put(rates.cacheWrite5m, .cacheWrite5m)
        try put(rates.cacheWrite1h, .cacheWrite1h)
    }
}
