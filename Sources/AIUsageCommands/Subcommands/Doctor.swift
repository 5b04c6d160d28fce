import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageStore
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage doctor`: where records were found, what is ingested, what is installed.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check which AI tools' records were found, how much is ingested, and which hooks are installed.",
            discussion: """
                Examples:
                  aiusage doctor
                  AIUSAGE_HOME=/tmp/aiusage aiusage doctor
                """)

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to check.", valueName: "path"))
        var repoPath: String?

        @Flag(name: .shortAndLong, help: "List every place looked in, not just those that exist.")
        var verbose = false

        func run() throws {
            let context = try CommandContext()
            var problems: [String] = []
            let stats = try context.store.statistics()
            print("Store: \(context.store.location.databasePath)")
            if let attributes = try? FileManager.default.attributesOfItem(atPath: context.store.location.databasePath),
                let size = attributes[.size] as? Int64 {
                print("  size \(Format.bytes(size)), \(stats.repos) repositories, \(stats.commits) commits attributed"
                    + (stats.lastIngest.map { ", last ingest \(Format.iso($0))" } ?? ", never ingested"))
            }
            print("\nAI tools:")
            // A tool may have several readers (CLI and editor records): one entry per tool.
            var tools: [ToolKind] = []
            for reader in SessionReaders.all where !tools.contains(reader.tool) { tools.append(reader.tool) }
            for tool in tools {
                let readers = SessionReaders.all.filter { $0.tool == tool }
                let environment = context.ingestor.environment
                var roots: [String] = []
                for root in readers.flatMap({ $0.searchRoots(in: environment) }) where !roots.contains(root) { roots.append(root) }
                let files = readers.flatMap { $0.discoverFiles(in: environment) }
                let ingested = stats.filesByTool[tool]
                print("  \(tool.rawValue): \(files.isEmpty ? "no records found" : "\(files.count) record files found")")
                // Folders that exist, then (all with --verbose, else a few) where nothing was.
                let existing = roots.filter { FileManager.default.fileExists(atPath: $0) }
                let missing = roots.filter { !existing.contains($0) }
                for root in existing { print("    ✓ \(root)") }
                // Names that are not UTF-8 cannot be read as paths: skipped, and counted here.
                let unreadable = existing.reduce(0) { $0 + RecordFileWalker.files(under: $1) { _ in false }.skippedNames }
                if unreadable > 0 { print("    ! \(unreadable) files or folders skipped: their names are not UTF-8") }
                let shown = verbose ? missing : Array(missing.prefix(existing.isEmpty ? 2 : 0))
                for root in shown { print("    · \(root)") }
                if shown.count < missing.count {
                    print("    · and \(missing.count - shown.count) more places (--verbose lists them)")
                }
                if let ingested {
                    print("    ingested: \(ingested.files) files, \(Format.bytes(ingested.bytes)), \(ingested.lines) records"
                        + (ingested.skipped > 0 ? ", \(ingested.skipped) skipped as malformed" : ""))
                    print("    \(stats.sessionsByTool[tool] ?? 0) sessions, \(stats.usageByTool[tool] ?? 0) billed requests, \(stats.editsByTool[tool] ?? 0) edits")
                    if ingested.files < files.count { print("    \(files.count - ingested.files) files not ingested yet: run `aiusage scan`") }
                }
            }
            let prices = EffectivePrices.load(storeDirectory: context.store.location.directory)
            if let problem = prices.problem { problems.append(problem) }
            print("")
            print(Self.pricesSection(prices: prices, usage: (try? context.store.usage()) ?? []))
            print("\nHooks:")
            let installer = try? HookInstaller(environment: context.environment)
            if installer == nil { problems.append("the hook script was not found: reinstall with ./install.sh") }
            let globalDirectory = HookInstaller.globalDirectory(environment: context.environment)
            let globalPath = GitGlobalConfig.string("core.hooksPath")
            if globalPath == globalDirectory {
                print("  global: installed (core.hooksPath = \(globalDirectory))")
            } else {
                print("  global: not installed")
            }
            if let git = try? GitRepository(discoveringFrom: repoPath ?? FileManager.default.currentDirectoryPath) {
                let directory = (try? git.hooksDirectory()) ?? "?"
                let installed = installer?.installedNames(in: directory) ?? []
                let missing = HookInstaller.hookNames.filter { !installed.contains($0) }
                print("  this repository (\(git.workTreeRoot ?? git.gitDirectory)): "
                    + (missing.isEmpty ? "installed in \(directory)" : installed.isEmpty ? "not installed (run `aiusage install`)" : "missing \(missing.joined(separator: ", "))"))
                if git.configString("user.email") == nil { problems.append("user.email is not set: sessions that link to no commit cannot be placed") }
                do {
                    if let branch = try git.defaultBranch(configured: git.configString("aiusage.defaultbranch")) {
                        print("  default branch: \(branch.name)")
                    } else {
                        problems.append("no default branch found: set one with `git config aiusage.defaultBranch main`")
                    }
                } catch {
                    problems.append("\(error)")
                }
            } else {
                print("  (not inside a git repository)")
            }
            if let log = try? String(contentsOfFile: context.store.location.logPath, encoding: .utf8), !log.isEmpty {
                let lines = log.split(separator: "\n").suffix(3)
                print("\nRecent hook errors (\(context.store.location.logPath)):")
                for line in lines { print("  \(line)") }
            }
            print(problems.isEmpty ? "\nNo problems found." : "\nProblems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }

        /// The price table in use and the models of the store it does not price.
        static func pricesSection(prices: EffectivePrices, usage: [UsageRecord]) -> String {
            let table = prices.table
            var lines = ["Prices: \(table.label)" + (prices.origin == .bundled ? ", bundled with aiusage" : ", stored by `aiusage prices update`")]
            var unpriced: [String: (tokens: Int64, requests: Int)] = [:]
            for record in usage where record.recordedCostUSD == nil {
                if let known = unpriced[record.model] {
                    unpriced[record.model] = (known.tokens + record.tokens.total, known.requests + 1)
                } else if table.price(for: record.model) == nil {
                    unpriced[record.model] = (record.tokens.total, 1)
                }
            }
            if unpriced.isEmpty {
                lines.append(usage.isEmpty ? "  no model requests ingested yet" : "  every model in the store has a price")
            } else {
                lines.append("  unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):")
                for (model, counts) in unpriced.sorted(by: { $0.key < $1.key }) {
                    lines.append("    \(model.isEmpty ? "(no model id)" : model): \(Format.compact(counts.tokens)) tokens in \(PriceView.count(counts.requests, "request"))")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
