import Foundation

/// A USD price per million tokens that may depend on the size of the request's prompt.
///
/// The dataset's tiers are "cliffs": once a request's prompt (input + cache read + cache
/// write of that one request) is *larger than* a tier's start, every token of this kind
/// in the request is charged at that tier's price, not just the part above it.
public struct TieredRate: Sendable, Hashable {
    public struct Tier: Sendable, Hashable {
        /// Prompt size in tokens that must be exceeded for `price` to apply.
        public var start: Int64
        public var price: Double
        public init(start: Int64, price: Double) {
            self.start = start
            self.price = price
        }
    }

    public var base: Double
    /// Sorted by `start`.
    public var tiers: [Tier]

    public init(base: Double, tiers: [Tier] = []) {
        self.base = base
        self.tiers = tiers.sorted { $0.start < $1.start }
    }

    /// The price per million tokens for a request whose prompt is `promptTokens` long.
    public func price(promptTokens: Int64) -> Double {
        tiers.last { promptTokens > $0.start }?.price ?? base
    }
}

/// The prices of one model for one period, in the dataset's units.
///
/// Only the units aiusage can count are charged; `otherUnits` names the rest (web
/// searches, audio, images, ...), which are shown but never charged since no tool's
/// record says how many there were.
public struct PriceRates: Sendable, Hashable {
    public var input: TieredRate?
    public var output: TieredRate?
    public var cacheRead: TieredRate?
    public var cacheWrite: TieredRate?
    public var cacheWrite5m: TieredRate?
    public var cacheWrite1h: TieredRate?
    public var outputReasoning: TieredRate?
    /// USD per thousand requests.
    public var requestsPerThousand: Double?
    /// The dataset's price keys this table does not charge (e.g. `web_searches_kcount`), sorted.
    public var otherUnits: [String]

    public init(
        input: TieredRate? = nil, output: TieredRate? = nil, cacheRead: TieredRate? = nil, cacheWrite: TieredRate? = nil,
        cacheWrite5m: TieredRate? = nil, cacheWrite1h: TieredRate? = nil, outputReasoning: TieredRate? = nil,
        requestsPerThousand: Double? = nil, otherUnits: [String] = []
    ) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.outputReasoning = outputReasoning
        self.requestsPerThousand = requestsPerThousand
        self.otherUnits = otherUnits
    }

    /// Whether what records count can be priced: some token rate or a per-request price
    /// is listed, or the dataset lists the model with no price at all (a free model, such
    /// as Copilot's included ones). A model priced only per image, per search or per
    /// second is unpriced here.
    public var pricesRecordedUsage: Bool {
        let tokenRates = [input, output, cacheRead, cacheWrite, cacheWrite5m, cacheWrite1h, outputReasoning]
        if tokenRates.contains(where: { $0 != nil }) || requestsPerThousand != nil { return true }
        return otherUnits.isEmpty
    }

    /// Whether any rate changes with the prompt size.
    public var isTiered: Bool {
        [input, output, cacheRead, cacheWrite, cacheWrite5m, cacheWrite1h, outputReasoning].contains { !($0?.tiers.isEmpty ?? true) }
    }

    /// Cost in USD of one request's `tokens`, or nil when these rates do not price what records count.
    ///
    /// This is the dataset's own arithmetic: each token is charged at the most specific
    /// listed rate that covers it. Input here is the whole prompt (uncached + cache read +
    /// cache write); a cache read is charged at `cacheRead` when listed, else at `input`;
    /// a cache write at `cacheWrite1h` when it was written for an hour and that rate is
    /// listed, else at `cacheWrite`, else at `input`; reasoning at `outputReasoning` when
    /// listed, else as output. Cache writes whose TTL the record does not tell are charged
    /// at `cacheWrite`, the provider's default (5-minute) rate.
    public func cost(of tokens: TokenCounts) -> Double? {
        guard pricesRecordedUsage else { return nil }
        let uncached = max(tokens.input, 0)
        let cacheReadCount = max(tokens.cacheRead, 0)
        let cacheWriteCount = max(tokens.cacheWrite, 0)
        let oneHour = min(max(tokens.cacheWrite1h, 0), cacheWriteCount)
        let outputCount = max(tokens.output, 0)
        let reasoningCount = min(max(tokens.reasoning, 0), outputCount)
        let (prompt, overflow) = uncached.addingReportingOverflow(cacheReadCount)
        let (promptTokens, overflow2) = prompt.addingReportingOverflow(cacheWriteCount)
        let promptSize: Int64 = overflow || overflow2 ? .max : promptTokens

        // Leaf counts: what is left for each listed rate once the more specific listed rates
        // have taken their part (genai-prices' `compute_leaf_values`).
        let oneHourLeaf = cacheWrite1h != nil ? oneHour : 0
        let fiveMinuteLeaf: Int64 = 0  // no record splits out 5-minute writes; they stay in cacheWrite
        let cacheWriteLeaf = cacheWrite != nil ? cacheWriteCount - oneHourLeaf - fiveMinuteLeaf : 0
        let cacheReadLeaf = cacheRead != nil ? cacheReadCount : 0
        let reasoningLeaf = outputReasoning != nil ? reasoningCount : 0
        let inputLeaf =
            Double(uncached) + Double(cacheReadCount) + Double(cacheWriteCount)
            - Double(cacheReadLeaf) - Double(cacheWriteLeaf) - Double(oneHourLeaf) - Double(fiveMinuteLeaf)
        let outputLeaf = outputCount - reasoningLeaf

        func charge(_ rate: TieredRate?, _ count: Double) -> Double {
            guard let rate, count > 0 else { return 0 }
            return rate.price(promptTokens: promptSize) * count / 1_000_000
        }
        var total = charge(input, inputLeaf) + charge(output, Double(outputLeaf))
        total += charge(cacheRead, Double(cacheReadLeaf)) + charge(cacheWrite, Double(cacheWriteLeaf))
        total += charge(cacheWrite5m, Double(fiveMinuteLeaf)) + charge(cacheWrite1h, Double(oneHourLeaf))
        total += charge(outputReasoning, Double(reasoningLeaf))
        if let requestsPerThousand { total += requestsPerThousand / 1000 }
        return total
    }
}
