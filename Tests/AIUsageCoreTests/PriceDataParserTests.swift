import Foundation
import Testing
@testable import AIUsageCore

/// Reading genai-prices data: its own `data.json` (a provider array) and aiusage's
/// `aiusage.prices/1` document around it; anything else is refused with where and why.
@Suite struct PriceDataParserTests {
    static let provider = #"""
        {"id":"acme","name":"Acme","api_pattern":"https://acme","description":"ignored","extractors":[{"root":"usage"}],
         "model_match":{"starts_with":"acme-"},"provider_match":{"contains":"ACME"},"models":[
          {"id":"acme-2","match":{"or":[{"equals":"Acme-2"},{"regex":"^acme-2-\\d{4}$"}]},"context_window":1000,
           "price_variants":[{"when":{"processing":"batch"},"prices":{"input_mtok":1}}],
           "prices":[{"prices":{"input_mtok":{"base":2,"tiers":[{"start":1000,"price":4}]},"output_mtok":8,"web_searches_kcount":10}},
                     {"constraint":{"start_date":"2026-06-01"},"prices":{"input_mtok":1,"output_mtok":4,"cache_write_1h_mtok":3}}]},
          {"id":"acme-night","match":{"equals":"acme-night"},
           "prices":[{"prices":{"input_mtok":2}},{"constraint":{"start_time":"22:00:00Z","end_time":"06:00:00Z"},"prices":{"input_mtok":1}}]}
        ]}
        """#

    func document(_ providers: String) -> Data {
        Data(
            #"{"schema":"aiusage.prices/1","dataset":"genai-prices","version":"9.9.9","date":"2030-01-02","providers":["#.utf8
                + Data(providers.utf8) + Data("]}".utf8))
    }

    @Test func readsTheDatasetsOwnArrayAndIgnoresFieldsItDoesNotUse() throws {
        let parsed = try PriceDataParser.parse(Data("[\(Self.provider)]".utf8))
        #expect(parsed.version == nil && parsed.date == nil && parsed.datasetName == nil)
        let provider = try #require(parsed.dataset.providers.first)
        #expect(provider.id == "acme")
        #expect(provider.providerMatch == .contains("acme"))
        let model = try #require(provider.models.first)
        #expect(model.periods.count == 2)
        #expect(model.periods[0].rates.input == TieredRate(base: 2, tiers: [.init(start: 1000, price: 4)]))
        #expect(model.periods[0].rates.otherUnits == ["web_searches_kcount"])
        #expect(model.periods[1].constraint?.summary == "from 2026-06-01")
        #expect(model.periods[1].rates.cacheWrite1h == TieredRate(base: 3))
    }

    @Test func readsTheAiusageDocumentWithItsVersionAndDate() throws {
        let parsed = try PriceDataParser.parse(document(Self.provider))
        #expect(parsed.datasetName == "genai-prices")
        #expect(parsed.version == "9.9.9")
        #expect(parsed.date == "2030-01-02")
        let table = try PriceTable(document: document(Self.provider))
        #expect(table.label == "genai-prices 9.9.9 (2030-01-02)")
        // Rules: case-insensitive texts, regex searched in the lower-cased id, provider names.
        #expect(table.price(for: "ACME-2")?.model.id == "acme-2")
        #expect(table.price(for: "acme-2-2026")?.model.id == "acme-2")
        #expect(table.price(for: "acme-20")?.model.id == nil)
        #expect(table.price(for: "my-acme-cloud/acme-2")?.provider.id == "acme")
        // Tier, then the later dated price.
        let before = PriceDataParser.startOfDay("2026-05-01")!
        let after = PriceDataParser.startOfDay("2026-06-01")!
        #expect(close(table.cost(model: "acme-2", tokens: TokenCounts(input: 1000, output: 1000), at: before), 0.002 + 0.008))
        #expect(close(table.cost(model: "acme-2", tokens: TokenCounts(input: 1001), at: before), 4 * 1001 / 1e6))
        #expect(close(table.cost(model: "acme-2", tokens: TokenCounts(input: 1000), at: after), 0.001))
        // Off-peak hours wrap past midnight (UTC).
        #expect(table.cost(model: "acme-night", tokens: TokenCounts(input: million), at: after.addingTimeInterval(23 * 3600)) == 1)
        #expect(table.cost(model: "acme-night", tokens: TokenCounts(input: million), at: after.addingTimeInterval(3 * 3600)) == 1)
        #expect(table.cost(model: "acme-night", tokens: TokenCounts(input: million), at: after.addingTimeInterval(12 * 3600)) == 2)
    }

    let million: Int64 = 1_000_000

    func close(_ value: Double?, _ expected: Double) -> Bool { value.map { abs($0 - expected) < 1e-12 } ?? false }

    @Test(arguments: [
        (#"{"a":1}"#, "schema: expected \"aiusage.prices/1\""),
        ("[]", "lists no providers"),
        ("nonsense", "not valid JSON"),
        (#"[{"id":"x"}]"#, "[0].models: expected a list"),
        (#"[{"id":"x","models":[{"id":"m","match":{"prefix":"m"},"prices":{}}]}]"#, "[0].models[0].match: unknown match rule \"prefix\""),
        (
            #"[{"id":"x","models":[{"id":"m","match":{"regex":"(["},"prices":{}}]}]"#,
            "[0].models[0].match.regex: the pattern does not compile"
        ),
        (
            #"[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":-1}}]}]"#,
            "[0].models[0].prices.input_mtok: expected a price"
        ),
        (
            #"[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":true}}]}]"#,
            "[0].models[0].prices.input_mtok: expected a price"
        ),
        (
            #"[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":{"base":1,"tiers":[{"start":1.5,"price":2}]}}}]}]"#,
            "tiers[0].start: expected a whole number"
        ),
        (
            #"[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":[{"constraint":{"start_date":"2026-02-30"},"prices":{}}]}]}]"#,
            "constraint.start_date: expected YYYY-MM-DD"
        ),
        (#"[{"id":"x","models":[]},{"id":"x","models":[]}]"#, "provider x listed twice"),
        (#"[{"id":"x","models":[]}]"#, "no provider lists a model"),
    ])
    func refusesOtherShapesSayingWhere(input: String, message: String) {
        #expect {
            try PriceDataParser.parse(Data(input.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func refusesDeeplyNestedRulesWithoutOverflowingTheStack() {
        let nested = String(repeating: #"{"or":["#, count: 200) + #"{"equals":"m"}"# + String(repeating: "]}", count: 200)
        let input = #"[{"id":"x","models":[{"id":"m","match":"# + nested + #","prices":{}}]}]"#
        #expect(throws: PriceDataError.self) { try PriceDataParser.parse(Data(input.utf8)) }
    }

    @Test func aBareArrayCannotBeATableWithoutAVersion() {
        #expect(throws: PriceDataError.self) { try PriceTable(document: Data("[\(Self.provider)]".utf8)) }
    }

    @Test func theBundledDataParsesAndKeepsTheDatasetsOrder() throws {
        let parsed = try PriceDataParser.parse(BundledPriceData.document)
        #expect(parsed.version == BundledPriceData.version)
        #expect(parsed.date == BundledPriceData.date)
        #expect(parsed.dataset.providers.first?.id == "anthropic")
        #expect(Set(["anthropic", "openai", "google"]).isSubset(of: Set(parsed.dataset.providers.map(\.id))))
    }
}

@Suite struct MatchRuleTests {
    @Test func clausesAreTheDatasetsAndCompareWithoutCase() throws {
        #expect(MatchRule.equals("GPT-5").matches("gpt-5"))
        #expect(!MatchRule.equals("gpt-5").matches("gpt-5-mini"))
        #expect(MatchRule.startsWith("claude-").matches("Claude-Opus"))
        #expect(MatchRule.endsWith("-latest").matches("x-LATEST"))
        #expect(MatchRule.contains("claude").matches("us.anthropic.claude-x"))
        #expect(MatchRule.regex(try PriceRegex(#"^o[134]"#)).matches("o3-mini"))
        #expect(!MatchRule.regex(try PriceRegex(#"^o[134]"#)).matches("go3"))
        // `re.search`: anywhere, and look-ahead works.
        #expect(MatchRule.regex(try PriceRegex(#"^(?!.*-tts)gemini"#)).matches("gemini-2.5-pro"))
        #expect(!MatchRule.regex(try PriceRegex(#"^(?!.*-tts)gemini"#)).matches("gemini-2.5-pro-tts"))
        #expect(MatchRule.or([.equals("a"), .equals("b")]).matches("b"))
        #expect(!MatchRule.and([.startsWith("a"), .endsWith("z")]).matches("ab"))
        #expect(MatchRule.or([.startsWith("a"), .contains("x")]).summary == #"(starts_with "a" or contains "x")"#)
    }

    @Test func compactDatesAreExpandedOnlyWhenTheyAreRealDays() {
        #expect(PriceDataset.expandingCompactDates("gpt-5.2-20251211") == "gpt-5.2-2025-12-11")
        #expect(PriceDataset.expandingCompactDates("m-20240229:1") == "m-2024-02-29:1")
        #expect(PriceDataset.expandingCompactDates("m-20230229") == "m-20230229")
        #expect(PriceDataset.expandingCompactDates("m-202512110") == "m-202512110")
        #expect(PriceDataset.expandingCompactDates("m-19991211") == "m-19991211")
    }
}
