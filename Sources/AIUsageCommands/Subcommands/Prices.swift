import AIUsageCore
import AIUsageStore
import ArgumentParser
import Crypto
import Foundation

extension AIUsageCommand {
    /// `aiusage prices`: which price table is in use and what a model costs by it.
    struct Prices: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prices",
            abstract: "Show the price table (dataset, version, date) and the price a model gets; load a newer copy of it.",
            discussion: """
                Costs come from a release of the genai-prices dataset bundled with aiusage. A model \
                is priced only when the dataset's own matching rules recognise its id; a model they do \
                not is reported as unpriced (its tokens are counted, its cost is left out), never as $0. \
                aiusage opens no connection: to use a newer release, download it yourself and load it \
                with `aiusage prices update FILE`.

                Examples:
                  aiusage prices
                  aiusage prices claude-opus-4-8 openai/gpt-5-codex qwen3-coder-plus
                  aiusage prices gpt-5.6-sol --on 2026-08-01 --json
                  aiusage prices update ~/Downloads/data.json
                  aiusage prices reset
                """,
            subcommands: [Show.self, Update.self, Reset.self],
            defaultSubcommand: Show.self)
    }
}

extension AIUsageCommand.Prices {
    /// `aiusage prices [MODEL...]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show the price table in use and the prices of the models named.")

        @Argument(help: ArgumentHelp("Model ids as tools record them (claude-opus-4-8, openai/gpt-5-codex, ...).", valueName: "model"))
        var models: [String] = []

        @Option(help: ArgumentHelp("Show the prices in force on this day (YYYY-MM-DD, UTC). Default: today.", valueName: "day"))
        var on: String?

        @Flag(help: "Print JSON (schema aiusage.price-lookup/1).")
        var json = false

        func validate() throws {
            if let on, !PriceDataParser.isDay(on) { throw ValidationError("--on takes a day written YYYY-MM-DD, not '\(on)'") }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let directory = StoreLocation.resolve(environment: environment).directory
            print(
                try Self.output(prices: EffectivePrices.load(storeDirectory: directory), models: models, on: on, json: json), terminator: ""
            )
        }

        /// What `aiusage prices` prints, with its final newline.
        static func output(prices: EffectivePrices, models: [String], on: String?, json: Bool, now: Date = Date()) throws -> String {
            let day = on ?? PriceView.day(now)
            let date = on.flatMap { PriceView.noon(of: $0) } ?? now
            let views = models.map { PriceView(model: $0, lookup: prices.table.lookup($0), at: date) }
            if json { return try JSONOutput.render(PriceLookupDocument(prices: prices, day: day, models: views)) + "\n" }
            return PriceView.render(prices: prices, views: views, day: day)
        }
    }

    /// `aiusage prices update FILE`.
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Use a newer copy of the genai-prices dataset from now on (a file you downloaded).",
            discussion: """
                FILE is the dataset's own data.json (its provider list), or a document written by \
                scripts/generate-prices.py --json. It must parse as genai-prices data and must not be \
                older than the bundled table, unless --force. It is stored as prices.json in the store \
                folder ($AIUSAGE_HOME, default ~/.local/share/aiusage) and used by every report until \
                `aiusage prices reset`.
                """)

        @Argument(help: ArgumentHelp("The price data file.", valueName: "file"))
        var file: String

        @Flag(help: "Store the file even if it looks older than the bundled table, and keep using it after aiusage upgrades.")
        var force = false

        func run() throws {
            let directory = StoreLocation.resolve(environment: ProcessInfo.processInfo.environment).directory
            print(try Self.update(file: file, force: force, storeDirectory: directory), terminator: "")
        }

        /// Checks and stores `file`; returns what to print. Throws a sentence on bad input.
        static func update(file: String, force: Bool, storeDirectory: String, now: Date = Date()) throws -> String {
            let data: Data
            do {
                data = try PriceFile.read(file)
            } catch {
                throw ValidationError("\(error)")
            }
            let document: PriceDocument
            do {
                document = try PriceDataParser.parse(data)
            } catch {
                throw ValidationError("\(file) is not genai-prices price data: \(error)")
            }
            let bundled = PriceTable.bundled
            let version: String
            let date: String
            if let documentVersion = document.version, let documentDate = document.date {
                version = documentVersion
                date = documentDate
                let table = PriceTable(source: PriceDataParser.datasetName, version: version, date: date, dataset: document.dataset)
                if !force, PriceVersions.isOlder(table, than: bundled) {
                    throw ValidationError(
                        "\(file) is \(table.label), older than the bundled \(bundled.label); pass --force to use it anyway")
                }
            } else {
                // The dataset's bare data.json says neither version nor date: it is named by
                // its content and dated by the day it is imported, and judged older when it
                // lacks models the bundled table lists for the main providers.
                version = "data.json sha256:" + SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
                date = PriceView.day(now)
                if !force {
                    let missing = Self.missingModels(in: document.dataset, comparedTo: bundled.dataset)
                    if !missing.isEmpty {
                        let shown = missing.prefix(3).joined(separator: ", ") + (missing.count > 3 ? " and \(missing.count - 3) more" : "")
                        throw ValidationError(
                            "\(file) lacks \(missing.count) models the bundled \(bundled.label) lists (\(shown)), so it looks older; pass --force to use it anyway"
                        )
                    }
                }
            }
            let stored = try Self.storedDocument(data: data, version: version, date: date, pinned: force)
            let path = EffectivePrices.path(in: storeDirectory)
            do {
                try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
                try stored.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ValidationError("cannot write \(path): \(error.localizedDescription)")
            }
            let check = try StoredPrices.read(path)
            let models = check.table.dataset.providers.reduce(0) { $0 + $1.models.count }
            return """
                Prices updated: \(check.table.label), \(PriceView.count(check.table.dataset.providers.count, "provider")), \(PriceView.count(models, "model"))\(force ? " (kept even if older than the bundled table)" : "").
                Stored in \(path); reports use it from now on. `aiusage prices reset` returns to the bundled \(bundled.label).

                """
        }

        /// Ids of the bundled table's Anthropic, OpenAI and Google models that `dataset` lacks.
        static func missingModels(in dataset: PriceDataset, comparedTo bundled: PriceDataset) -> [String] {
            var missing: [String] = []
            for provider in bundled.providers where ["anthropic", "openai", "google"].contains(provider.id) {
                let present = Set(dataset.providers.first { $0.id == provider.id }?.models.map(\.id) ?? [])
                missing += provider.models.map(\.id).filter { !present.contains($0) }
            }
            return missing
        }

        /// The `aiusage.prices/1` document stored: the metadata, then the providers as given
        /// (`data` has parsed already, as a bare provider list or a document holding one).
        static func storedDocument(data: Data, version: String, date: String, pinned: Bool) throws -> Data {
            let root = try JSONSerialization.jsonObject(with: data)
            let rawProviders = (root as? [Any]) ?? ((root as? [String: Any])?["providers"] as? [Any]) ?? []
            var header: [String: Any] = [
                "schema": PriceDataParser.schema, "dataset": PriceDataParser.datasetName, "version": version, "date": date,
            ]
            if pinned { header["pinned"] = true }
            let headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
            let providers = try JSONSerialization.data(withJSONObject: rawProviders, options: [.sortedKeys, .withoutEscapingSlashes])
            return headerData.dropLast() + Data(#","providers":"#.utf8) + providers + Data("}\n".utf8)
        }
    }

    /// `aiusage prices reset`.
    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "Forget the copy stored by `aiusage prices update`; use the bundled table again.")

        func run() throws {
            let directory = StoreLocation.resolve(environment: ProcessInfo.processInfo.environment).directory
            print(try Self.reset(storeDirectory: directory), terminator: "")
        }

        static func reset(storeDirectory: String) throws -> String {
            let path = EffectivePrices.path(in: storeDirectory)
            guard FileManager.default.fileExists(atPath: path) else {
                return "No stored prices; the bundled \(PriceTable.bundled.label) is in use.\n"
            }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw ValidationError("cannot remove \(path): \(error.localizedDescription)")
            }
            return "Removed \(path); the bundled \(PriceTable.bundled.label) is in use again.\n"
        }
    }
}
