import Foundation

/// The dated, offline price table every report names (PRODUCT.md): a release of the
/// genai-prices dataset, bundled at build time or loaded by `aiusage prices update`.
///
/// A model is priced only when the dataset's own rules recognise its id (see
/// `PriceDataset.resolve`); there is no fallback to a shorter or older id. A model
/// without a price keeps its tokens and is reported as unpriced: `cost` is nil, never 0.
///
/// The bundled data is parsed the first time a price is asked for, not when the program
/// starts: `aiusage` runs on every commit through its hooks, and most of those runs
/// never price anything. `source`, `version` and `date` need no parsing.
public struct PriceTable: Sendable {
    /// The dataset's name: `genai-prices`.
    public let source: String
    /// The dataset's release (`0.2.3`), or how an imported copy is identified.
    public let version: String
    /// The day that release was published (YYYY-MM-DD).
    public let date: String
    private let storage: PriceTableStorage

    /// The table generated from the pinned dataset release (`scripts/generate-prices.py`).
    /// A lookup parses the providers' headers and then only the models of the providers
    /// it reaches (Anthropic's for a Claude id), not the whole dataset.
    public static let bundled = PriceTable(
        source: BundledPriceData.dataset, version: BundledPriceData.version, date: BundledPriceData.date,
        storage: PriceTableStorage(parts: BundledPriceData.providers))

    /// A table over an already parsed dataset.
    public init(source: String, version: String, date: String, dataset: PriceDataset) {
        self.init(source: source, version: version, date: date, storage: PriceTableStorage(parsed: dataset))
    }

    /// Parses an `aiusage.prices/1` document now, so that a bad file is refused at once.
    public init(document data: Data) throws {
        let document = try PriceDataParser.parse(data)
        guard let name = document.datasetName, let version = document.version, let date = document.date else {
            throw PriceDataError("", "a bare data.json carries no version or date; import it with `aiusage prices update`")
        }
        self.init(source: name, version: version, date: date, dataset: document.dataset)
    }

    /// A table whose dataset `load` produces the first time a price is asked for.
    init(source: String, version: String, date: String, load: @escaping @Sendable () throws -> PriceDataset) {
        self.init(source: source, version: version, date: date, storage: PriceTableStorage(load: load))
    }

    /// A table over JSON texts laid out as the bundled data is, parsed a provider at a time.
    init(source: String, version: String, date: String, parts: [(header: String, models: String)]) {
        self.init(source: source, version: version, date: date, storage: PriceTableStorage(parts: parts))
    }

    /// How many providers' models have been parsed so far.
    var parsedProviderCount: Int { storage.parsedProviderCount }

    private init(source: String, version: String, date: String, storage: PriceTableStorage) {
        self.source = source
        self.version = version
        self.date = date
        self.storage = storage
    }

    /// "genai-prices 0.2.3 (2026-11-10)": what reports print.
    public var label: String { "\(source) \(version) (\(date))" }

    /// The parsed dataset (parsed now if it was not yet).
    public var dataset: PriceDataset { storage.dataset() }

    /// The bundled data could not be parsed (a build defect the tests guard against);
    /// every model is then unpriced with this message rather than the program stopping.
    public var loadError: String? { storage.loadError() }

    /// What `model` resolves to: its price, or why it has none.
    public func lookup(_ model: String) -> PriceLookup { storage.lookup(model) }

    /// The price of `model`, or nil when the dataset's rules give it none.
    public func price(for model: String) -> ModelPrice? { lookup(model).price }

    /// Cost in USD of one request's `tokens` on `model` at the prices in force now, or nil
    /// when the model is unpriced.
    public func cost(model: String, tokens: TokenCounts) -> Double? {
        cost(model: model, tokens: tokens, at: Date())
    }

    /// Cost in USD of one request's `tokens` on `model` made at `date` (the dataset dates
    /// some price changes), or nil when the model is unpriced. Pass one request at a time:
    /// long-context tiers depend on that request's prompt size.
    public func cost(model: String, tokens: TokenCounts, at date: Date) -> Double? {
        price(for: model)?.cost(of: tokens, at: date)
    }

    /// `cost(model:tokens:at:)` for requests priced one after another (a fold over a
    /// table of them), remembering the last model's resolution: 100,000 requests of a
    /// handful of models then take the table's lock and lookup only when the model
    /// changes (per request, they were most of a first report's usage fold). For one
    /// thread: the closure is not to be shared.
    public func sequentialPricer() -> (_ model: String, _ tokens: TokenCounts, _ date: Date) -> Double? {
        var lastModel: String?
        var lastPrice: ModelPrice?
        // The rates of a model with one period are the same at every date.
        var fixedRates: PriceRates?
        return { model, tokens, date in
            if model != lastModel {
                lastModel = model
                lastPrice = self.price(for: model)
                fixedRates = lastPrice.flatMap { $0.model.periods.count <= 1 ? $0.model.rates(at: date) : nil }
            }
            if let fixedRates { return fixedRates.cost(of: tokens) }
            return lastPrice?.cost(of: tokens, at: date)
        }
    }
}

/// Parses on first use and remembers each id's resolution: the engine asks once per
/// request, for a handful of distinct ids.
final class PriceTableStorage: @unchecked Sendable {
    // Every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private var load: (@Sendable () throws -> PriceDataset)?
    private var parsed: PriceDataset?
    /// The bundled data, provider by provider: headers, and models parsed when reached.
    private var parts: [(header: String, models: String)]?
    private var headers: [PriceProvider]?
    private var models: [Int: [PricedModel]] = [:]
    private var failure: String?
    private var resolved: [String: PriceLookup] = [:]
    private static let cacheLimit = 4096

    init(load: @escaping @Sendable () throws -> PriceDataset) {
        self.load = load
    }

    init(parsed: PriceDataset) {
        self.parsed = parsed
    }

    init(parts: [(header: String, models: String)]) {
        self.parts = parts
    }

    /// How many providers' models have been parsed (for tests of the laziness).
    var parsedProviderCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return parsed != nil ? (parsed?.providers.count ?? 0) : models.count
    }

    func dataset() -> PriceDataset {
        lock.lock()
        defer { lock.unlock() }
        return loadLocked()
    }

    func loadError() -> String? {
        lock.lock()
        defer { lock.unlock() }
        _ = loadLocked()
        return failure
    }

    func lookup(_ model: String) -> PriceLookup {
        lock.lock()
        defer { lock.unlock() }
        if let known = resolved[model] { return known }
        let result: PriceLookup
        if parsed == nil, parts != nil {
            result = lookupInPartsLocked(model)
        } else {
            let dataset = loadLocked()
            result = failure.map { .unpriced(.unreadableData($0)) } ?? dataset.resolve(model)
        }
        if resolved.count >= Self.cacheLimit { resolved.removeAll(keepingCapacity: true) }
        resolved[model] = result
        return result
    }

    private func lookupInPartsLocked(_ model: String) -> PriceLookup {
        guard let headers = headersLocked() else { return .unpriced(.unreadableData(failure ?? "")) }
        var broken: String?
        let result = PriceDataset.resolve(model, providers: headers) { index in
            do {
                return try modelsLocked(index)
            } catch {
                broken = "\(error)"
                return []
            }
        }
        return broken.map { .unpriced(.unreadableData($0)) } ?? result
    }

    private func headersLocked() -> [PriceProvider]? {
        if let headers { return headers }
        guard let parts, failure == nil else { return nil }
        do {
            headers = try parts.enumerated().map { try PriceDataParser.header(json: $1.header, path: "providers[\($0)]") }
        } catch {
            failure = "\(error)"
        }
        return headers
    }

    private func modelsLocked(_ index: Int) throws -> [PricedModel] {
        if let known = models[index] { return known }
        guard let parts else { return [] }
        let list = try PriceDataParser.models(json: parts[index].models, path: "providers[\(index)].models")
        models[index] = list
        return list
    }

    private func loadLocked() -> PriceDataset {
        if let parsed { return parsed }
        var dataset = PriceDataset(providers: [])
        do {
            if parts != nil {
                guard var providers = headersLocked() else { throw PriceDataError("", failure ?? "unreadable") }
                for index in providers.indices { providers[index].models = try modelsLocked(index) }
                dataset = PriceDataset(providers: providers)
            } else if let load {
                dataset = try load()
            }
        } catch {
            failure = failure ?? "\(error)"
        }
        load = nil
        parsed = dataset
        return dataset
    }
}
