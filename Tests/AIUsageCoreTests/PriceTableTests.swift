import Foundation
import Testing
@testable import AIUsageCore

/// The bundled price table (genai-prices 0.2.3): models are priced by the dataset's own
/// rules only, per request, with long-context tiers, dated prices and 1-hour cache writes.
@Suite struct PriceTableTests {
    let table = PriceTable.bundled
    let million: Int64 = 1_000_000
    /// A day after every dated price change of the pinned release that the tests rely on.
    let november = day("2026-11-20")

    static func day(_ text: String, hour: Int = 12) -> Date {
        PriceDataParser.startOfDay(text)!.addingTimeInterval(TimeInterval(hour * 3600))
    }

    func cost(_ model: String, _ tokens: TokenCounts, at date: Date? = nil) -> Double? {
        table.cost(model: model, tokens: tokens, at: date ?? november)
    }

    func near(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) < 1e-9 * max(1, abs(expected))
    }

    @Test func theTableNamesTheDatasetItsVersionAndDate() {
        #expect(table.source == "genai-prices")
        #expect(table.version == "0.2.3")
        #expect(table.date == "2026-11-10")
        #expect(table.label == "genai-prices 0.2.3 (2026-11-10)")
        #expect(table.loadError == nil)
        #expect(table.dataset.providers.count > 40)
    }

    /// The bug of issue 11: claude-opus-4-8 was charged at claude-opus-4's $15/$75 because
    /// "claude-opus-4" is a prefix of its id.
    @Test func opus48GetsItsOwnPriceNeverOpus4s() throws {
        let tokens = TokenCounts(input: million, output: million)
        let price = try #require(table.price(for: "claude-opus-4-8"))
        #expect(price.model.id == "claude-opus-4-8")
        #expect(price.provider.id == "anthropic")
        #expect(near(cost("claude-opus-4-8", tokens), 5 + 25))
        #expect(near(cost("claude-opus-4", tokens), 15 + 75))
        #expect(table.price(for: "claude-opus-4")?.model.id == "claude-opus-4-0")
    }

    @Test func anIdTheProviderClaimsButDoesNotListIsUnpricedNotItsPrefixsPrice() {
        // "claude" makes it Anthropic's, but no Anthropic model's rule accepts it.
        #expect(table.lookup("claude-opus-4-9") == .unpriced(.noModel(provider: "Anthropic")))
        #expect(cost("claude-opus-4-9", TokenCounts(input: million)) == nil)
        #expect(table.lookup("gpt-4.9-turbo-max").price == nil)
    }

    @Test func datedIdsResolveByTheDatasetsRules() {
        #expect(table.price(for: "claude-sonnet-4-5-20250929")?.model.id == "claude-sonnet-4-5")
        #expect(table.price(for: "claude-opus-4-20250514")?.model.id == "claude-opus-4-0")
        #expect(table.price(for: "claude-3-sonnet-20240229")?.model.id == "claude-3-sonnet")
        #expect(table.price(for: "Claude-Haiku-4.5")?.model.id == "claude-haiku-4-5")
        // A compact date is retried in the dataset's dashed form.
        #expect(table.price(for: "gpt-5.2-20251211")?.model.id == "gpt-5.2")
        #expect(table.price(for: "gpt-5.2-20251341") == nil)
    }

    @Test func providerPrefixedIdsResolveInThatProvider() {
        #expect(table.price(for: "anthropic/claude-opus-4-8")?.model.id == "claude-opus-4-8")
        let codex = table.price(for: "openai/gpt-5-codex")
        #expect(codex?.provider.id == "openai")
        #expect(codex?.model.id == "gpt-5")
        #expect(table.price(for: "gpt-5-codex")?.model.id == "gpt-5")
        let gemini = table.price(for: "google/gemini-2.5-pro")
        #expect(gemini?.provider.id == "google")
        #expect(gemini?.model.id == "gemini-2.5-pro")
        // A provider's own name rule (`contains copilot`), and its own price list.
        let copilot = table.price(for: "copilot/claude-sonnet-4")
        #expect(copilot?.provider.id == "github-copilot")
        #expect(copilot?.model.id == "claude-sonnet-4")
        #expect(table.lookup("copilot/auto") == .unpriced(.noModel(provider: "GitHub Copilot")))
        // Azure serves OpenAI's models at OpenAI's prices (its fallback providers).
        #expect(table.price(for: "azure/gpt-5-mini")?.model.id == "gpt-5-mini")
        // A prefix that names no provider is part of the id.
        #expect(table.price(for: "local/my-local-llama") == nil)
    }

    @Test func modelsNoProviderClaimsAreUnpriced() {
        for model in ["qwen3-coder-plus", "my-local-llama", "coder-model", "", "<synthetic>"] {
            #expect(table.lookup(model) == .unpriced(.noProvider), "\(model)")
            #expect(cost(model, TokenCounts(input: 1000, output: 1000)) == nil, "\(model)")
        }
        #expect(
            UnpricedReason.noProvider.explanation(dataset: table.label)
                == "no provider in genai-prices 0.2.3 (2026-11-10) claims this model id")
    }

    /// Sonnet 4.5 doubles its input price once a request's prompt (input + cache read +
    /// cache write) is over 200k tokens, and then charges every token of the request at
    /// the higher rate.
    @Test func aTieredModelCrossesItsThresholdPerRequest() {
        let atThreshold = TokenCounts(input: 150_000, output: 2000, cacheRead: 50_000)
        #expect(near(cost("claude-sonnet-4-5-20250929", atThreshold), 0.45 + 0.03 + 0.015))
        var over = atThreshold
        over.cacheWrite = 1
        #expect(near(cost("claude-sonnet-4-5-20250929", over), 0.9 + 0.045 + 0.03 + 7.5e-6))
        // Gemini 2.5 Pro: the same cliff at 200k.
        #expect(near(cost("gemini-2.5-pro", TokenCounts(input: 100_000, output: 1000, cacheRead: 10_000)), 0.13625))
        #expect(near(cost("google/gemini-2.5-pro", TokenCounts(input: 250_000, output: 1000, cacheRead: 10_000)), 0.6425))
    }

    @Test func oneHourCacheWritesAreChargedAtTheirOwnRate() {
        let tokens = TokenCounts(cacheWrite: million, cacheWrite1h: 400_000)
        // Opus 4.8: 5-minute (default) writes $6.25, 1-hour writes $10 per million.
        #expect(near(cost("claude-opus-4-8", tokens), 0.6 * 6.25 + 0.4 * 10))
        #expect(near(cost("claude-opus-4-8", TokenCounts(cacheWrite: million)), 6.25))
        // Copilot's Sonnet 4 lists no 1-hour rate: the dataset charges such writes at the
        // model's cache-write rate, the most specific rate it lists for them.
        #expect(near(cost("copilot/claude-sonnet-4", tokens), 3.75))
        // More 1-hour tokens than cache writes (a bad record) cannot charge more than all.
        #expect(near(cost("claude-opus-4-8", TokenCounts(cacheWrite: 1000, cacheWrite1h: 5000)), 0.01))
    }

    @Test func pricesFollowTheirStartDates() {
        let tokens = TokenCounts(input: 300_000, output: 1000, cacheRead: 10_000)
        #expect(near(cost("gpt-5.6-sol", tokens, at: Self.day("2026-08-01")), 3.055))
        #expect(near(cost("gpt-5.6-sol", tokens, at: Self.day("2026-09-01")), 2.438))
        // Opus 4.6 dropped its long-context tier on 2026-03-13.
        let long = TokenCounts(input: 210_000, output: 1000)
        #expect(near(cost("claude-opus-4-6", long, at: Self.day("2026-01-10")), 2.1375))
        #expect(near(cost("claude-opus-4-6", long, at: Self.day("2026-05-10")), 1.075))
    }

    /// Totals genai-prices 0.2.3's own `calc_price` gives for the same requests (its
    /// `input_tokens` being our input + cache read + cache write).
    @Test func costsAgreeWithTheDatasetsOwnCalculator() {
        let cases: [(String, TokenCounts, Date, Double)] = [
            (
                "claude-opus-4-8", TokenCounts(input: 1000, output: 500, cacheWrite: 3000, cacheRead: 20_000, cacheWrite1h: 1000), november,
                0.05
            ),
            (
                "claude-haiku-4.5", TokenCounts(input: 7, output: 11, cacheWrite: 17, cacheRead: 13, reasoning: 3, cacheWrite1h: 5),
                november, 8.83e-05
            ),
            ("gpt-5.6-sol", TokenCounts(input: 1000, output: 1000, cacheWrite: 500, cacheRead: 10_000), Self.day("2026-09-01"), 0.0305),
            (
                "openai/gpt-5-codex", TokenCounts(input: 1000, output: 1000, cacheWrite: 500, cacheRead: 10_000, reasoning: 400), november,
                0.013125
            ),
            (
                "copilot/claude-sonnet-4", TokenCounts(input: 1000, output: 1000, cacheWrite: 1000, cacheRead: 1000, cacheWrite1h: 500),
                november, 0.02205
            ),
            ("vertex_ai/claude-opus-4-6@20251101", TokenCounts(input: 1000, output: 1000), november, 0.03),
            ("azure/gpt-5-mini", TokenCounts(input: 1000, output: 1000, cacheRead: 100), november, 0.0022525),
            ("deepseek-chat", TokenCounts(input: 1000, output: 1000), Self.day("2026-11-20", hour: 2), 0.00137),
            ("deepseek-chat", TokenCounts(input: 1000, output: 1000), Self.day("2026-11-20", hour: 20), 0.000685),
        ]
        for (model, tokens, date, expected) in cases {
            #expect(near(cost(model, tokens, at: date), expected), "\(model)")
        }
    }

    @Test func aFreeModelCostsNothingButAModelPricedOnlyInOtherUnitsIsUnpriced() throws {
        // Copilot's included models are listed with no price at all.
        #expect(cost("copilot/gpt-4o", TokenCounts(input: 1000, output: 1000)) == 0)
        let dataset = PriceDataset(providers: [
            PriceProvider(
                id: "p", name: "P", modelMatch: .startsWith("m-"),
                models: [
                    PricedModel(
                        id: "m-audio", match: .equals("m-audio"), periods: [PricePeriod(rates: PriceRates(otherUnits: ["audio_hours"]))])
                ])
        ])
        let other = PriceTable(source: "test", version: "1", date: "2026-01-01", dataset: dataset)
        #expect(other.lookup("m-audio") == .unpriced(.noTokenPrice(provider: "P", model: "m-audio", units: ["audio_hours"])))
        #expect(other.cost(model: "m-audio", tokens: TokenCounts(input: 5)) == nil)
    }

    @Test func theBundledDataIsParsedOnlyWhenAPriceIsAskedFor() {
        let loads = Counter()
        let lazy = PriceTable(source: "s", version: "v", date: "2026-01-01") {
            loads.increment()
            return PriceTable.bundled.dataset
        }
        #expect(lazy.label == "s v (2026-01-01)")
        #expect(loads.value == 0)
        #expect(lazy.price(for: "claude-opus-4-8") != nil)
        #expect(lazy.price(for: "claude-opus-4-7") != nil)
        #expect(loads.value == 1)
    }

    @Test func aLookupParsesOnlyTheProvidersItReaches() {
        let fresh = PriceTable(source: "s", version: "v", date: "2026-01-01", parts: BundledPriceData.providers)
        #expect(fresh.parsedProviderCount == 0)
        #expect(fresh.price(for: "claude-opus-4-8")?.model.id == "claude-opus-4-8")
        #expect(fresh.parsedProviderCount == 1)
        // Azure lists some models itself and falls back to OpenAI's for the rest.
        #expect(fresh.price(for: "azure/gpt-5.3-codex") != nil)
        #expect(fresh.parsedProviderCount <= 3)
    }

    /// Parsing a provider at a time must give what parsing the whole document gives.
    @Test func theProviderAtATimeTableAgreesWithTheWholeDocument() throws {
        let whole = PriceTable(
            source: "s", version: "v", date: "2026-01-01", dataset: try PriceDataParser.parse(BundledPriceData.document).dataset)
        let fresh = PriceTable(source: "s", version: "v", date: "2026-01-01", parts: BundledPriceData.providers)
        var ids = ["qwen3-coder-plus", "my-local-llama", "copilot/auto", "openrouter/qwen/qwen3-coder", "gpt-5.2-20251211"]
        for provider in whole.dataset.providers {
            for model in provider.models.prefix(5) { ids += [model.id, provider.id + "/" + model.id] }
        }
        for id in ids { #expect(fresh.lookup(id) == whole.lookup(id), "\(id)") }
        #expect(fresh.dataset == whole.dataset)
    }

    @Test func unreadableDataLeavesEveryModelUnpricedWithTheReason() {
        let broken = PriceTable(source: "s", version: "v", date: "2026-01-01") { throw PriceDataError("providers", "expected a list") }
        #expect(broken.lookup("claude-opus-4-8") == .unpriced(.unreadableData("providers: expected a list")))
        #expect(broken.loadError == "providers: expected a list")
        let badModels = PriceTable(
            source: "s", version: "v", date: "2026-01-01", parts: [(#"{"id":"a","model_match":{"contains":"a"}}"#, "[{]")])
        #expect(badModels.lookup("a-1") == .unpriced(.unreadableData("providers[0].models: not valid JSON")))
        #expect(badModels.lookup("b-1") == .unpriced(.noProvider))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}

@Suite struct TokenCountsTests {
    @Test func oneHourCacheWritesAreADetailNotAddedToTheTotal() throws {
        let a = TokenCounts(input: 1, output: 2, cacheWrite: 10, cacheRead: 3, reasoning: 1, cacheWrite1h: 4)
        let b = TokenCounts(input: 1, output: 1, cacheWrite: 5, cacheRead: 1, reasoning: 0, cacheWrite1h: 5)
        #expect(a.total == 16)
        #expect((a + b).cacheWrite1h == 9)
        #expect((a + b).total == a.total + b.total)
        #expect(a.fieldwiseMax(b).cacheWrite1h == 5)
        #expect(!TokenCounts(cacheWrite1h: 1).isZero)
        let encoded = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(TokenCounts.self, from: encoded) == a)
        // Counts written before the field existed decode with 0.
        let old = Data(#"{"input":1,"output":2,"cacheWrite":3,"cacheRead":4,"reasoning":0}"#.utf8)
        #expect(try JSONDecoder().decode(TokenCounts.self, from: old) == TokenCounts(input: 1, output: 2, cacheWrite: 3, cacheRead: 4))
    }
}

extension PriceTableTests {
    /// The usage fold prices 100,000 requests in a row with `sequentialPricer`, which
    /// keeps the last model's resolution (and, for a model with one period, its rates):
    /// it must give what `cost(model:tokens:at:)` gives for every request, whatever the
    /// order of models, dates and sizes — dated and time-of-day prices, long-context
    /// tiers, unpriced models.
    @Test func theSequentialPricerPricesEveryRequestAsTheTableDoes() {
        let models = [
            "claude-sonnet-4-5", "claude-sonnet-4-5", "deepseek-chat", "gpt-5", "deepseek-chat", "no-such-model-x",
            "claude-opus-4-8", "gemini-2.5-pro", "gemini-2.5-pro", "claude-sonnet-4-5",
        ]
        let pricer = table.sequentialPricer()
        var generator = SystemRandomNumberGenerator()
        for step in 0..<2_000 {
            let model = models[step % 7 == 0 ? Int.random(in: 0..<models.count, using: &generator) : step % models.count]
            let date = Self.day("2026-0\(Int.random(in: 1...9, using: &generator))-1\(Int.random(in: 0...9, using: &generator))")
                .addingTimeInterval(TimeInterval(Int.random(in: 0..<86_400, using: &generator)))
            let tokens = TokenCounts(
                input: Int64.random(in: 0...400_000, using: &generator), output: Int64.random(in: 0...20_000, using: &generator),
                cacheWrite: Int64.random(in: 0...50_000, using: &generator), cacheRead: Int64.random(in: 0...300_000, using: &generator))
            #expect(pricer(model, tokens, date) == table.cost(model: model, tokens: tokens, at: date), "\(model) at \(date)")
        }
    }
}
