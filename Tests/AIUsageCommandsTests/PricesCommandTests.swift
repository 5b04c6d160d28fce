import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageCore

/// `aiusage prices`, `prices update` and `prices reset`, and how unpriced models show in
/// the report, the sessions table and `doctor`, run as the built binary.
@Suite struct PricesCommandTests {
    let folder: TemporaryDirectory
    let store: TemporaryDirectory
    var environment: [String: String] { CLI.environment(home: folder.path, store: store.path) }

    init() throws {
        folder = try TemporaryDirectory()
        store = try TemporaryDirectory()
    }

    func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, in: folder.path, environment: environment)
    }

    /// An `aiusage.prices/1` document with one Anthropic model at made-up prices.
    func document(version: String, date: String, opusInput: Double = 1) -> String {
        #"{"schema":"aiusage.prices/1","dataset":"genai-prices","version":"\#(version)","date":"\#(date)","providers":["#
            + #"{"id":"anthropic","name":"Anthropic","model_match":{"contains":"claude"},"models":["#
            + #"{"id":"claude-opus-4-8","match":{"starts_with":"claude-opus-4-8"},"prices":{"input_mtok":\#(opusInput),"output_mtok":2}}]}]}"#
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = folder.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func showsTheTableAndWhatAModelCostsOrWhyItIsUnpriced() throws {
        let result = try run(["prices", "claude-opus-4-8", "claude-sonnet-4-5-20250929", "qwen3-coder-plus"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.hasPrefix("Price table: genai-prices 0.2.3, published 2026-11-10 (bundled with aiusage)\n"))
        #expect(out.contains("claude-opus-4-8 → Anthropic claude-opus-4-8 (Claude Opus 4.8)\n"))
        #expect(out.contains("  input $5 · output $25 · cache read $0.50 · cache write $6.25 · cache write 1h $10\n"))
        #expect(out.contains("claude-sonnet-4-5-20250929 → Anthropic claude-sonnet-4-5"))
        #expect(out.contains("  input $3, $6 over 200k prompt tokens\n  output $15, $22.50 over 200k prompt tokens\n"))
        #expect(out.contains("qwen3-coder-plus: unpriced — no provider in genai-prices 0.2.3 claims this model id.\n"))
        #expect(!out.contains("input $15"))
    }

    @Test func jsonSaysWhichDatedPricesAreInForce() throws {
        let result = try run(["prices", "gpt-5.6-sol", "my-local-llama", "--on", "2026-08-01", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "aiusage.price-lookup/1")
        let table = try #require(document["table"] as? [String: Any])
        #expect(table["source"] as? String == "genai-prices")
        #expect(table["version"] as? String == "0.2.3")
        #expect(table["date"] as? String == "2026-11-10")
        #expect(table["origin"] as? String == "bundled")
        let models = try #require(document["models"] as? [[String: Any]])
        #expect(models.count == 2)
        #expect(models[0]["dataset_model"] as? String == "gpt-5.6-sol")
        let periods = try #require(models[0]["periods"] as? [[String: Any]])
        #expect(periods.map { $0["in_force"] as? Bool } == [true, false])
        #expect(periods.map { $0["constraint"] as? String } == [nil, "from 2026-08-21"])
        let rates = try #require(periods[0]["usd_per_million_tokens"] as? [String: Any])
        let input = try #require(rates["input"] as? [String: Any])
        #expect(input["base"] as? Double == 5)
        #expect((input["tiers"] as? [[String: Any]])?.first?["over_prompt_tokens"] as? Int == 272_000)
        #expect(models[1]["priced"] as? Bool == false)
        #expect(models[1]["unpriced_reason"] as? String == "no provider in genai-prices 0.2.3 claims this model id")
        let bad = try run(["prices", "--on", "2026-13-01"])
        #expect(bad.status != 0)
        #expect(bad.stderr == "aiusage: --on takes a day written YYYY-MM-DD, not '2026-13-01'\n")
    }

    @Test func updateStoresANewerCopyThatIsUsedUntilReset() throws {
        let file = try write(document(version: "9.9.9", date: "2030-01-02"), "newer.json")
        let update = try run(["prices", "update", file])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.hasPrefix("Prices updated: genai-prices 9.9.9 (2030-01-02), 1 provider, 1 model."))
        #expect(FileManager.default.fileExists(atPath: store.path + "/prices.json"))
        let shown = try run(["prices", "claude-opus-4-8", "claude-opus-4-7"])
        #expect(
            shown.stdout.hasPrefix(
                "Price table: genai-prices 9.9.9, published 2030-01-02 (loaded by `aiusage prices update`, \(store.path)/prices.json)"))
        #expect(shown.stdout.contains("  input $1 · output $2\n"))
        #expect(
            shown.stdout.contains(
                "claude-opus-4-7: unpriced — Anthropic is its provider in genai-prices 9.9.9, but no model of Anthropic matches this id."))
        let reset = try run(["prices", "reset"])
        #expect(reset.status == 0)
        #expect(!FileManager.default.fileExists(atPath: store.path + "/prices.json"))
        #expect(try run(["prices"]).stdout.hasPrefix("Price table: genai-prices 0.2.3, published 2026-11-10 (bundled with aiusage)"))
    }

    @Test func anOlderCopyIsRefusedUnlessForced() throws {
        let file = try write(document(version: "0.1.0", date: "2025-01-01"), "older.json")
        let refused = try run(["prices", "update", file])
        #expect(refused.status != 0)
        #expect(
            refused.stderr
                == "aiusage: \(file) is genai-prices 0.1.0 (2025-01-01), older than the bundled genai-prices 0.2.3 (2026-11-10); pass --force to use it anyway\n"
        )
        #expect(!FileManager.default.fileExists(atPath: store.path + "/prices.json"))
        let forced = try run(["prices", "update", file, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try run(["prices"]).stdout.hasPrefix("Price table: genai-prices 0.1.0, published 2025-01-01 (loaded"))
    }

    @Test func aStoredCopyOlderThanTheBundledTableIsIgnoredWithANote() throws {
        // As after an upgrade of aiusage: the stored copy was not forced.
        try document(version: "0.1.0", date: "2025-01-01").write(toFile: store.path + "/prices.json", atomically: true, encoding: .utf8)
        let shown = try run(["prices"])
        #expect(
            shown.stdout.hasPrefix(
                "Price table: genai-prices 0.2.3, published 2026-11-10 (bundled with aiusage)\n  note: the stored prices (genai-prices 0.1.0 (2025-01-01)"
            ))
        try "{broken".write(toFile: store.path + "/prices.json", atomically: true, encoding: .utf8)
        let broken = try run(["prices", "--json"])
        let table = try #require(
            (try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])?["table"] as? [String: Any])
        #expect(table["origin"] as? String == "bundled")
        #expect((table["problem"] as? String)?.contains("cannot be used (not valid JSON)") == true)
    }

    @Test(arguments: [
        ("nonsense", "is not genai-prices price data: not valid JSON"),
        (#"{"schema":"other/1"}"#, #"is not genai-prices price data: schema: expected "aiusage.prices/1""#),
        (
            #"[{"id":"anthropic","models":[{"id":"m","match":{"near":"m"},"prices":{}}]}]"#,
            #"is not genai-prices price data: [0].models[0].match: unknown match rule "near""#
        ),
    ])
    func badFilesAreRefusedInOneLine(content: String, message: String) throws {
        let file = try write(content, "bad.json")
        let result = try run(["prices", "update", file])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("aiusage: \(file) \(message)"))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: store.path + "/prices.json"))
        let missing = try run(["prices", "update", folder.path + "/nowhere.json"])
        #expect(missing.stderr == "aiusage: \(folder.path)/nowhere.json does not exist or cannot be read\n")
    }

    /// The dataset's own data.json: no version inside, so it is named by its content,
    /// dated today, and refused when it lacks models the bundled table has.
    @Test func theDatasetsOwnDataJSONIsAcceptedWhenItIsComplete() throws {
        let bundled = try #require(try JSONSerialization.jsonObject(with: BundledPriceData.document) as? [String: Any])
        let providers = try #require(bundled["providers"] as? [[String: Any]])
        let full = try write(String(decoding: try JSONSerialization.data(withJSONObject: providers), as: UTF8.self), "data.json")
        let accepted = try run(["prices", "update", full])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.hasPrefix("Prices updated: genai-prices data.json sha256:"))
        #expect(try run(["prices", "claude-opus-4-8"]).stdout.contains("input $5 · output $25"))

        var partial = providers
        partial[0]["models"] = []  // no Anthropic models: older than what is bundled
        let old = try write(String(decoding: try JSONSerialization.data(withJSONObject: partial), as: UTF8.self), "old-data.json")
        let refused = try run(["prices", "update", old])
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains(
                "lacks 27 models the bundled genai-prices 0.2.3 (2026-11-10) lists (claude-2, claude-3-5-haiku-latest, claude-3-5-sonnet and 24 more), so it looks older; pass --force"
            ))
    }
}

/// Tokens on a model without a price: counted, never shown as $0.
@Suite struct UnpricedDisplayTests {
    @Test func reportSessionsAndDoctorNameUnpricedModels() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeWrite(
            session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\n", model: "my-local-llama")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "a = 1\n"])
        let environment = CLI.environment(home: fixture.home, store: store.path)
        let window = ["--since", "2023-12-01", "--until", "2024-02-01", "--timezone", "UTC"]

        let table = try CLI.run(["report"] + window, in: fixture.root, environment: environment)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("prices: genai-prices 0.2.3 (2026-11-10)"))
        #expect(!table.stdout.contains("$0.00"))
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("dev@example.com") && $0.contains(" unpriced ") })
        #expect(table.stdout.contains("Unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):\n  my-local-llama"))
        // Not a terminal and no COLUMNS: wrapped to 100 columns.
        for line in table.stdout.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }

        let json = try CLI.run(["report", "--format", "json"] + window, in: fixture.root, environment: environment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let pricing = try #require(document["pricing"] as? [String: Any])
        #expect(pricing["version"] as? String == "0.2.3")
        #expect((pricing["unpriced_models"] as? [[String: Any]])?.first?["model"] as? String == "my-local-llama")
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["cost_usd"] is NSNull)
        #expect(totals["unpriced_tokens"] as? Int == 1200)

        let csv = try CLI.run(["report", "--format", "csv"] + window, in: fixture.root, environment: environment)
        #expect(csv.stdout.split(separator: "\n").last?.hasPrefix("total,,1,1000,200,0,0,0,1200,,1200,") == true)

        let sessions = try CLI.run(["sessions", "--no-scan"], in: fixture.root, environment: environment)
        #expect(sessions.stdout.contains("unpriced"))
        #expect(!sessions.stdout.contains("$0.00"))
        #expect(sessions.stdout.contains("Unpriced models: my-local-llama."))
        let sessionsJSON = try CLI.run(["sessions", "--no-scan", "--json"], in: fixture.root, environment: environment)
        let session = try #require(
            ((try JSONSerialization.jsonObject(with: Data(sessionsJSON.stdout.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]])?
                .first)
        #expect(session["cost_usd"] is NSNull)
        #expect(session["unpriced_tokens"] as? Int == 1200)

        let doctor = try CLI.run(["doctor"], in: fixture.root, environment: environment)
        #expect(
            doctor.stdout.contains(
                "Prices: genai-prices 0.2.3 (2026-11-10), bundled with aiusage\n  unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):\n    my-local-llama: 1.2k tokens in 1 request"
            ))
    }

    @Test func aPartlyPricedRowShowsItsPricedCostAsALowerBound() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeWrite(session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\n")
        try transcripts.claudeUsage(
            session: "s1", cwd: fixture.root, at: fixture.clock + 10, input: 500, output: 100, model: "my-local-llama")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "a = 1\n"])
        let result = try CLI.run(
            ["report", "--since", "2023-12-01", "--until", "2024-02-01", "--timezone", "UTC"], in: fixture.root,
            environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(result.status == 0, "\(result.stderr)")
        // 1000 input + 200 output tokens of Sonnet 4.5 are priced ($0.006); the rest is not.
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("dev@example.com") && $0.contains(" $0.01+ ") })
        #expect(result.stdout.contains("COST $x+: at least $x; tokens on unpriced models are counted, not costed."))
    }
}
