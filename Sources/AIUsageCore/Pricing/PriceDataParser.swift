import Foundation

/// A price data file that cannot be used, with where and why.
public struct PriceDataError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ path: String, _ problem: String) {
        description = path.isEmpty ? problem : "\(path): \(problem)"
    }
}

/// The contents of a price data file: the dataset and, for aiusage's own form, which
/// release of it this is.
public struct PriceDocument: Sendable {
    /// `aiusage.prices/1` documents name the dataset, its version and its release date;
    /// the dataset's plain `data.json` (a bare provider array) does not.
    public var datasetName: String?
    public var version: String?
    public var date: String?
    /// `"pinned": true`: stored with `aiusage prices update --force`, to be used even
    /// when older than the bundled table.
    public var pinned = false
    public var dataset: PriceDataset
}

/// Reads genai-prices data: either its own `data.json` (an array of providers), or the
/// `aiusage.prices/1` document that `scripts/generate-prices.py` writes around that array.
///
/// Fields aiusage does not use are ignored, so newer releases that add some still load;
/// the fields it uses are checked, so a file of another shape is refused with the place
/// where it differs. Parsing works on `Data` only: reading files is the commands' job.
public enum PriceDataParser {
    public static let schema = "aiusage.prices/1"
    public static let datasetName = "genai-prices"
    /// Generous for the dataset (under 1 MB today) and a bound for anything else.
    public static let maximumBytes = 64 << 20
    static let maximumRuleDepth = 32

    public static func parse(_ data: Data) throws -> PriceDocument {
        guard data.count <= maximumBytes else { throw PriceDataError("", "larger than \(maximumBytes >> 20) MB: not a price data file") }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PriceDataError("", "not valid JSON")
        }
        if let providers = root as? [Any] {
            return PriceDocument(datasetName: nil, version: nil, date: nil, dataset: try dataset(providers, path: ""))
        }
        guard let object = root as? [String: Any] else {
            throw PriceDataError("", "expected a list of providers or an \(schema) document")
        }
        guard object["schema"] as? String == schema else {
            throw PriceDataError("schema", "expected \"\(schema)\"")
        }
        guard let name = object["dataset"] as? String, name == datasetName else {
            throw PriceDataError("dataset", "expected \"\(datasetName)\"")
        }
        guard let version = object["version"] as? String, !version.isEmpty, version.count <= 100 else {
            throw PriceDataError("version", "missing")
        }
        guard let date = object["date"] as? String, isDay(date) else {
            throw PriceDataError("date", "expected a day written YYYY-MM-DD")
        }
        guard let providers = object["providers"] as? [Any] else { throw PriceDataError("providers", "expected a list") }
        return PriceDocument(
            datasetName: name, version: version, date: date, pinned: object["pinned"] as? Bool ?? false,
            dataset: try dataset(providers, path: "providers"))
    }

    /// Whether `text` is a real calendar day written YYYY-MM-DD.
    public static func isDay(_ text: String) -> Bool { startOfDay(text) != nil }

    static func dataset(_ list: [Any], path: String) throws -> PriceDataset {
        guard !list.isEmpty else { throw PriceDataError(path, "lists no providers") }
        var providers: [PriceProvider] = []
        var seen = Set<String>()
        for (index, item) in list.enumerated() {
            let provider = try self.provider(item, path: "\(path)[\(index)]")
            guard seen.insert(provider.id).inserted else {
                throw PriceDataError("\(path)[\(index)].id", "provider \(provider.id) listed twice")
            }
            providers.append(provider)
        }
        guard providers.contains(where: { !$0.models.isEmpty }) else { throw PriceDataError(path, "no provider lists a model") }
        return PriceDataset(providers: providers)
    }

    static func provider(_ item: Any, path: String) throws -> PriceProvider {
        var provider = try header(item, path: path)
        guard let models = (item as? [String: Any])?["models"] as? [Any] else { throw PriceDataError("\(path).models", "expected a list") }
        provider.models = try self.models(models, path: "\(path).models")
        return provider
    }

    /// A provider's own fields, without its models.
    static func header(_ item: Any, path: String) throws -> PriceProvider {
        guard let object = item as? [String: Any] else { throw PriceDataError(path, "expected a provider object") }
        let id = try string(object["id"], "\(path).id")
        let name = try object["name"].map { try string($0, "\(path).name") } ?? id
        let urls = try object["pricing_urls"].map { try strings($0, "\(path).pricing_urls") } ?? []
        let modelMatch = try optionalRule(object["model_match"], "\(path).model_match")
        let providerMatch = try optionalRule(object["provider_match"], "\(path).provider_match")
        let fallbacks = try object["fallback_model_providers"].map { try strings($0, "\(path).fallback_model_providers") } ?? []
        return PriceProvider(
            id: id.lowercased(), name: name, pricingURLs: urls, modelMatch: modelMatch, providerMatch: providerMatch,
            fallbackProviders: fallbacks.map { $0.lowercased() }, models: [])
    }

    static func models(_ list: [Any], path: String) throws -> [PricedModel] {
        try list.enumerated().map { try model($1, path: "\(path)[\($0)]") }
    }

    /// One provider of the bundled data, whose fields and models are kept as separate
    /// JSON texts so that only the providers a lookup needs are parsed.
    static func header(json: String, path: String) throws -> PriceProvider {
        try header(try object(json, path: path), path: path)
    }

    static func models(json: String, path: String) throws -> [PricedModel] {
        guard let list = try object(json, path: path) as? [Any] else { throw PriceDataError(path, "expected a list") }
        return try models(list, path: path)
    }

    private static func object(_ json: String, path: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw PriceDataError(path, "not valid JSON")
        }
    }

    static func model(_ item: Any, path: String) throws -> PricedModel {
        guard let object = item as? [String: Any] else { throw PriceDataError(path, "expected a model object") }
        let id = try string(object["id"], "\(path).id")
        let name = try object["name"].map { try string($0, "\(path).name") }
        let deprecated = (object["deprecated"] as? Bool) ?? false
        guard let matchValue = object["match"] else { throw PriceDataError("\(path).match", "missing") }
        let match = try rule(matchValue, "\(path).match", depth: 0)
        guard let prices = object["prices"] else { throw PriceDataError("\(path).prices", "missing") }
        var periods: [PricePeriod] = []
        if let list = prices as? [Any] {
            guard !list.isEmpty else { throw PriceDataError("\(path).prices", "an empty list of prices") }
            for (index, entry) in list.enumerated() {
                let entryPath = "\(path).prices[\(index)]"
                guard let conditional = entry as? [String: Any] else { throw PriceDataError(entryPath, "expected {constraint, prices}") }
                let constraint = try conditional["constraint"].flatMap {
                    $0 is NSNull ? nil : try self.constraint($0, "\(entryPath).constraint")
                }
                guard let rates = conditional["prices"] else { throw PriceDataError("\(entryPath).prices", "missing") }
                periods.append(PricePeriod(constraint: constraint, rates: try self.rates(rates, "\(entryPath).prices")))
            }
        } else {
            periods = [PricePeriod(rates: try rates(prices, "\(path).prices"))]
        }
        return PricedModel(id: id, name: name, deprecated: deprecated, match: match, periods: periods)
    }

    static func rates(_ value: Any, _ path: String) throws -> PriceRates {
        guard let object = value as? [String: Any] else { throw PriceDataError(path, "expected an object of prices") }
        var rates = PriceRates()
        var other: [String] = []
        for (key, item) in object.sorted(by: { $0.key < $1.key }) {
            if item is NSNull { continue }
            let keyPath = "\(path).\(key)"
            switch key {
            case "input_mtok": rates.input = try rate(item, keyPath)
            case "output_mtok": rates.output = try rate(item, keyPath)
            case "cache_read_mtok": rates.cacheRead = try rate(item, keyPath)
            case "cache_write_mtok": rates.cacheWrite = try rate(item, keyPath)
            case "cache_write_5m_mtok": rates.cacheWrite5m = try rate(item, keyPath)
            case "cache_write_1h_mtok": rates.cacheWrite1h = try rate(item, keyPath)
            case "output_reasoning_mtok": rates.outputReasoning = try rate(item, keyPath)
            case "requests_kcount": rates.requestsPerThousand = try price(item, keyPath)
            default:
                _ = try rate(item, keyPath)
                other.append(key)
            }
        }
        rates.otherUnits = other
        return rates
    }

    static func rate(_ value: Any, _ path: String) throws -> TieredRate {
        if let object = value as? [String: Any] {
            let base = try price(object["base"] as Any, "\(path).base")
            guard let list = object["tiers"] as? [Any] else { throw PriceDataError("\(path).tiers", "expected a list") }
            var tiers: [TieredRate.Tier] = []
            for (index, entry) in list.enumerated() {
                guard let tier = entry as? [String: Any] else { throw PriceDataError("\(path).tiers[\(index)]", "expected {start, price}") }
                guard let start = tier["start"] as? NSNumber, !isBoolean(start), let exact = Int64(exactly: start.doubleValue), exact >= 0
                else {
                    throw PriceDataError("\(path).tiers[\(index)].start", "expected a whole number of tokens")
                }
                tiers.append(.init(start: exact, price: try price(tier["price"] as Any, "\(path).tiers[\(index)].price")))
            }
            return TieredRate(base: base, tiers: tiers)
        }
        return TieredRate(base: try price(value, path))
    }

    static func price(_ value: Any, _ path: String) throws -> Double {
        guard let number = value as? NSNumber, !isBoolean(number), number.doubleValue.isFinite, number.doubleValue >= 0 else {
            throw PriceDataError(path, "expected a price: a number of dollars, not negative")
        }
        return number.doubleValue
    }

    static func constraint(_ value: Any, _ path: String) throws -> PriceConstraint {
        guard let object = value as? [String: Any] else { throw PriceDataError(path, "expected a constraint object") }
        if let day = object["start_date"] {
            guard let text = day as? String, let from = startOfDay(text) else {
                throw PriceDataError("\(path).start_date", "expected YYYY-MM-DD")
            }
            return .startDate(day: text, from: from)
        }
        if let start = object["start_time"], let end = object["end_time"] {
            guard let startSeconds = secondsOfDay(start), let endSeconds = secondsOfDay(end) else {
                throw PriceDataError(path, "expected start_time and end_time written HH:MM[:SS] in UTC")
            }
            return .timeOfDay(start: startSeconds, end: endSeconds)
        }
        throw PriceDataError(path, "unknown constraint (expected start_date, or start_time and end_time)")
    }

    static func optionalRule(_ value: Any?, _ path: String) throws -> MatchRule? {
        guard let value, !(value is NSNull) else { return nil }
        return try rule(value, path, depth: 0)
    }

    /// A match clause; texts are lower-cased here once (every text clause compares
    /// case-insensitively), regex patterns are kept as written.
    static func rule(_ value: Any, _ path: String, depth: Int) throws -> MatchRule {
        guard depth < maximumRuleDepth else { throw PriceDataError(path, "match rules nested too deeply") }
        guard let object = value as? [String: Any], object.count == 1, let (key, argument) = object.first.map({ ($0.key, $0.value) }) else {
            throw PriceDataError(path, "expected one of equals, starts_with, ends_with, contains, regex, or, and")
        }
        let argumentPath = "\(path).\(key)"
        switch key {
        case "equals": return .equals(try string(argument, argumentPath).lowercased())
        case "starts_with": return .startsWith(try string(argument, argumentPath).lowercased())
        case "ends_with": return .endsWith(try string(argument, argumentPath).lowercased())
        case "contains": return .contains(try string(argument, argumentPath).lowercased())
        case "regex":
            let pattern = try string(argument, argumentPath)
            do {
                return .regex(try PriceRegex(pattern))
            } catch {
                throw PriceDataError(argumentPath, "the pattern does not compile")
            }
        case "or", "and":
            guard let list = argument as? [Any], !list.isEmpty else { throw PriceDataError(argumentPath, "expected a list of rules") }
            let rules = try list.enumerated().map { try rule($1, "\(argumentPath)[\($0)]", depth: depth + 1) }
            return key == "or" ? .or(rules) : .and(rules)
        default:
            throw PriceDataError(path, "unknown match rule \"\(key)\"")
        }
    }

    static func string(_ value: Any?, _ path: String) throws -> String {
        guard let text = value as? String, !text.isEmpty else { throw PriceDataError(path, "expected a text") }
        return text
    }

    static func strings(_ value: Any, _ path: String) throws -> [String] {
        guard let list = value as? [Any] else { throw PriceDataError(path, "expected a list of texts") }
        return try list.enumerated().map { try string($1, "\(path)[\($0)]") }
    }

    /// JSON `true` arrives as an NSNumber too (of type `c`); a price is never a boolean.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    static func startOfDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    static func secondsOfDay(_ value: Any) -> Int? {
        guard var text = value as? String else { return nil }
        if text.hasSuffix("Z") { text.removeLast() } else if text.hasSuffix("+00:00") { text.removeLast(6) }
        let texts = text.split(separator: ":", omittingEmptySubsequences: false)
        let parts = texts.compactMap { Int($0) }
        guard (2...3).contains(parts.count), parts.count == texts.count else { return nil }
        let hour = parts[0], minute = parts[1], second = parts.count == 3 ? parts[2] : 0
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return hour * 3600 + minute * 60 + second
    }
}
