import Foundation

/// When a set of a model's prices applies (the dataset's price constraints).
public enum PriceConstraint: Sendable, Hashable {
    /// From the start of this UTC day on; `day` is as written (YYYY-MM-DD).
    case startDate(day: String, from: Date)
    /// Every day between two UTC times of day, in seconds after midnight; when `end` is
    /// before `start` the interval wraps past midnight (off-peak prices).
    case timeOfDay(start: Int, end: Int)

    public func isActive(at date: Date) -> Bool {
        switch self {
        case .startDate(_, let from): return date >= from
        case .timeOfDay(let start, let end):
            let seconds = Int(date.timeIntervalSince1970.rounded(.down)) % 86_400
            let time = seconds < 0 ? seconds + 86_400 : seconds
            return end < start ? (time >= start || time < end) : (start <= time && time < end)
        }
    }

    /// "from 2026-03-13", "00:30–16:30 UTC".
    public var summary: String {
        switch self {
        case .startDate(let day, _): return "from \(day)"
        case .timeOfDay(let start, let end):
            func clock(_ seconds: Int) -> String { String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60) }
            return "\(clock(start))–\(clock(end)) UTC"
        }
    }
}

/// One of a model's price sets and the constraint under which it applies (none: always).
public struct PricePeriod: Sendable, Hashable {
    public var constraint: PriceConstraint?
    public var rates: PriceRates

    public init(constraint: PriceConstraint? = nil, rates: PriceRates) {
        self.constraint = constraint
        self.rates = rates
    }
}

/// A model as the dataset lists it: its id, the rule that recognises it, its prices.
public struct PricedModel: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var deprecated: Bool
    public var match: MatchRule
    /// In the dataset's order; later periods take precedence when active.
    public var periods: [PricePeriod]

    public init(id: String, name: String? = nil, deprecated: Bool = false, match: MatchRule, periods: [PricePeriod]) {
        self.id = id
        self.name = name
        self.deprecated = deprecated
        self.match = match
        self.periods = periods
    }

    /// The prices in force at `date`: the last period whose constraint holds, or the first
    /// when none does (the dataset's rule).
    public func rates(at date: Date) -> PriceRates {
        periods.isEmpty ? PriceRates() : periods[periodIndex(at: date)].rates
    }

    /// The index in `periods` of the prices in force at `date`.
    public func periodIndex(at date: Date) -> Int {
        periods.lastIndex { $0.constraint?.isActive(at: date) ?? true } ?? 0
    }
}

/// A provider of the dataset: how ids are recognised as its own, and its models.
public struct PriceProvider: Sendable, Hashable {
    public var id: String
    public var name: String
    public var pricingURLs: [String]
    /// Claims a bare model id for this provider (`contains "claude"`).
    public var modelMatch: MatchRule?
    /// Recognises a provider name (`anthropic/...`, `vertex_ai/...`).
    public var providerMatch: MatchRule?
    /// Providers whose models this one also serves at their prices (Azure → OpenAI).
    public var fallbackProviders: [String]
    public var models: [PricedModel]

    public init(
        id: String, name: String, pricingURLs: [String] = [], modelMatch: MatchRule? = nil, providerMatch: MatchRule? = nil,
        fallbackProviders: [String] = [], models: [PricedModel]
    ) {
        self.id = id
        self.name = name
        self.pricingURLs = pricingURLs
        self.modelMatch = modelMatch
        self.providerMatch = providerMatch
        self.fallbackProviders = fallbackProviders
        self.models = models
    }
}

/// Why a model has no price. Its tokens are still counted and reported; its cost is
/// left out, never taken as $0.
public enum UnpricedReason: Sendable, Hashable {
    /// No provider of the dataset claims the id.
    case noProvider
    /// The provider that claims the id lists no model whose rule accepts it.
    case noModel(provider: String)
    /// The model is listed, but priced only in units no record counts (images, seconds, ...).
    case noTokenPrice(provider: String, model: String, units: [String])
    /// The price data itself could not be read.
    case unreadableData(String)

    /// A sentence for people: "no provider in genai-prices 0.2.3 claims this model id".
    public func explanation(dataset: String) -> String {
        switch self {
        case .noProvider: return "no provider in \(dataset) claims this model id"
        case .noModel(let provider): return "\(provider) is its provider in \(dataset), but no model of \(provider) matches this id"
        case .noTokenPrice(let provider, let model, let units):
            let listed = units.isEmpty ? "" : " (only \(units.joined(separator: ", ")))"
            return "\(dataset) lists \(provider) \(model) without a price per token\(listed)"
        case .unreadableData(let message): return "the price data could not be read: \(message)"
        }
    }
}

/// The price a model id gets: which provider and model of the dataset it resolved to.
public struct ModelPrice: Sendable, Hashable {
    public var provider: PriceProvider.Summary
    public var model: PricedModel

    /// Cost in USD of one request's `tokens` made at `date`, or nil when the prices in
    /// force then do not price tokens.
    public func cost(of tokens: TokenCounts, at date: Date = Date()) -> Double? {
        model.rates(at: date).cost(of: tokens)
    }
}

extension PriceProvider {
    /// A provider without its models, carried by a resolved price.
    public struct Summary: Sendable, Hashable {
        public var id: String
        public var name: String
        public var pricingURLs: [String]
    }

    var summary: Summary { Summary(id: id, name: name, pricingURLs: pricingURLs) }
}

/// What a model id resolves to.
public enum PriceLookup: Sendable, Hashable {
    case priced(ModelPrice)
    case unpriced(UnpricedReason)

    public var price: ModelPrice? {
        if case .priced(let price) = self { return price }
        return nil
    }
}

/// A parsed price dataset: providers in the dataset's order, which matters — a bare model
/// id belongs to the first provider whose `modelMatch` accepts it.
public struct PriceDataset: Sendable, Hashable {
    public var providers: [PriceProvider]

    public init(providers: [PriceProvider]) {
        self.providers = providers
    }

    /// The provider named `name`: by id first, then by the providers' own name rules
    /// (genai-prices' `find_provider_by_id`).
    public func provider(named name: String) -> PriceProvider? {
        Self.providerIndex(named: name, in: providers).map { providers[$0] }
    }

    /// Resolves a model id as recorded by a tool, by the dataset's rules only.
    ///
    /// The id is lower-cased. An id written `provider/model` (OpenCode, Copilot, LiteLLM
    /// style) is looked up in that provider when the part before the first `/` names one;
    /// otherwise the first provider whose model rule accepts the whole id is used. Within
    /// the provider the first model whose rule accepts the id wins, then the provider's
    /// fallback providers are tried (one step), and last the id is retried with a compact
    /// date suffix (`-20251211`) rewritten as `-2025-12-11`. There is no other fallback:
    /// an id no rule accepts is unpriced.
    public func resolve(_ modelID: String) -> PriceLookup {
        Self.resolve(modelID, providers: providers) { providers[$0].models }
    }

    /// `resolve` over provider headers whose models `models(index)` gives, so that the
    /// bundled data needs to parse only the providers a lookup reaches.
    static func resolve(
        _ modelID: String, providers: [PriceProvider], models: (Int) -> [PricedModel]
    ) -> PriceLookup {
        let reference = modelID.lowercased()
        var index: Int?
        var modelReference = reference
        if let slash = reference.firstIndex(of: "/") {
            let prefix = String(reference[..<slash])
            if !prefix.isEmpty, let named = providerIndex(named: prefix, in: providers) {
                index = named
                modelReference = String(reference[reference.index(after: slash)...])
            }
        }
        if index == nil {
            index = providers.firstIndex { $0.modelMatch?.matchesLowercased(reference) ?? false }
        }
        guard let index else { return .unpriced(.noProvider) }
        let provider = providers[index]
        func match(_ reference: String) -> PricedModel? {
            if let model = models(index).first(where: { $0.match.matchesLowercased(reference) }) { return model }
            for fallback in provider.fallbackProviders {
                if let other = providers.firstIndex(where: { $0.id == fallback }),
                    let model = models(other).first(where: { $0.match.matchesLowercased(reference) })
                {
                    return model
                }
            }
            return nil
        }
        var found = match(modelReference)
        if found == nil {
            let normalized = expandingCompactDates(modelReference)
            if normalized != modelReference { found = match(normalized) }
        }
        guard let model = found else { return .unpriced(.noModel(provider: provider.name)) }
        if !model.periods.contains(where: { $0.rates.pricesRecordedUsage }) {
            let units = Set(model.periods.flatMap(\.rates.otherUnits))
            return .unpriced(.noTokenPrice(provider: provider.name, model: model.id, units: units.sorted()))
        }
        return .priced(ModelPrice(provider: provider.summary, model: model))
    }

    static func providerIndex(named name: String, in providers: [PriceProvider]) -> Int? {
        let normalized = name.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        return providers.firstIndex { $0.id == normalized }
            ?? providers.firstIndex { $0.providerMatch?.matchesLowercased(normalized) ?? false }
    }

    /// `gpt-5.2-20251211` → `gpt-5.2-2025-12-11`: LiteLLM and OpenRouter write dates
    /// compactly where the dataset's rules expect dashes. Only real calendar dates are
    /// rewritten, and only where followed by `-`, `:` or the end.
    static func expandingCompactDates(_ reference: String) -> String {
        let bytes = Array(reference.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        var index = 0
        func digit(_ i: Int) -> Int? {
            i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 ? Int(bytes[i] - 48) : nil
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "-"), index + 8 < bytes.count,
                let y0 = digit(index + 1), let y1 = digit(index + 2), let y2 = digit(index + 3), let y3 = digit(index + 4),
                let m0 = digit(index + 5), let m1 = digit(index + 6), let d0 = digit(index + 7), let d1 = digit(index + 8),
                y0 == 2, y1 == 0
            {
                let end = index + 9
                let followed = end == bytes.count || bytes[end] == UInt8(ascii: "-") || bytes[end] == UInt8(ascii: ":")
                let year = 2000 + y2 * 10 + y3
                let month = m0 * 10 + m1
                let day = d0 * 10 + d1
                if followed, (1...12).contains(month), (1...Self.days(inMonth: month, year: year)).contains(day) {
                    out.append(contentsOf: Array(String(format: "-%04d-%02d-%02d", year, month, day).utf8))
                    index = end
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension MatchRule {
    /// `matches` for an id already lower-cased, against rules whose texts the parser
    /// lower-cased: the same answer without lower-casing thousands of times per lookup.
    func matchesLowercased(_ text: String) -> Bool {
        switch self {
        case .equals(let value): return text == value
        case .startsWith(let value): return text.hasPrefix(value)
        case .endsWith(let value): return text.hasSuffix(value)
        case .contains(let value): return value.isEmpty || text.contains(value)
        case .regex(let regex): return regex.search(text)
        case .or(let rules): return rules.contains { $0.matchesLowercased(text) }
        case .and(let rules): return rules.allSatisfy { $0.matchesLowercased(text) }
        }
    }
}
