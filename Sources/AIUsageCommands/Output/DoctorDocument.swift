import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageReaders
import AIUsageStore
import Foundation

/// What `aiusage doctor` finds, as one value printed as text or as JSON
/// (`aiusage.doctor/1`, documented in docs/doctor.md).
///
/// Its job is to make silence impossible: every record file found and not read, every
/// record type or tool name a reader did not recognise, every model without a price,
/// every session placed in no repository and every commit git could not read is
/// counted here, with where to look.
struct DoctorDocument: Encodable {
    struct Store: Encodable {
        var path: String
        var sizeBytes: Int64?
        var repositories: Int
        var commits: Int
        var lastIngest: String?
        enum CodingKeys: String, CodingKey {
            case path, sizeBytes = "size_bytes", repositories, commits, lastIngest = "last_ingest"
        }
    }

    struct Place: Encodable {
        var path: String
        var exists: Bool
    }

    struct Ingested: Encodable {
        var files: Int
        var bytes: Int64
        var records: Int
        var malformedRecords: Int
        enum CodingKeys: String, CodingKey { case files, bytes, records, malformedRecords = "malformed_records" }
    }

    struct Unrecognised: Encodable {
        var kind: String
        var name: String
        var count: Int
        var newestFile: String
        var seenAt: String
        enum CodingKeys: String, CodingKey { case kind, name, count, newestFile = "newest_file", seenAt = "seen_at" }
    }

    struct UnreadableFile: Encodable {
        var path: String
        var error: String
        var at: String
    }

    struct Tool: Encodable {
        var tool: String
        var recordFilesFound: Int
        var searchRoots: [Place]
        /// Entries under the search roots skipped because their names are not UTF-8.
        var namesNotUTF8: Int
        var ingested: Ingested?
        var filesNotIngestedYet: Int
        var sessions: Int
        var billedRequests: Int
        var edits: Int
        var notRecognised: [Unrecognised]
        var unreadableFiles: [UnreadableFile]
        enum CodingKeys: String, CodingKey {
            case tool, recordFilesFound = "record_files_found", searchRoots = "search_roots", namesNotUTF8 = "names_not_utf8"
            case ingested, filesNotIngestedYet = "files_not_ingested_yet", sessions, billedRequests = "billed_requests", edits
            case notRecognised = "not_recognised", unreadableFiles = "unreadable_files"
        }
    }

    /// A tool aiusage cannot read whose session folder holds files.
    struct ToolNotRead: Encodable {
        var tool: String
        var folder: String
        var files: Int
        var why: String
    }

    struct UnpricedModel: Encodable {
        var model: String
        var tokens: Int64
        var requests: Int
    }

    struct Repository: Encodable {
        var name: String
        var roots: [String]
        var defaultBranch: String?
        var sessions: Int
        var commits: Int
        var unreadableCommits: Int
        var orphanRefs: [String]
        var historyIncomplete: Bool
        enum CodingKeys: String, CodingKey {
            case name, roots, defaultBranch = "default_branch", sessions, commits, unreadableCommits = "unreadable_commits"
            case orphanRefs = "orphan_refs", historyIncomplete = "history_incomplete"
        }
    }

    struct Hooks: Encodable {
        var global: Bool
        var globalDirectory: String
        var repository: String?
        var installedIn: String?
        var missing: [String]
        enum CodingKeys: String, CodingKey {
            case global, globalDirectory = "global_directory", repository, installedIn = "installed_in", missing
        }
    }

    var schema = "aiusage.doctor/1"
    var store: Store
    var tools: [Tool]
    var toolsNotRead: [ToolNotRead]
    var sessionsWithoutRepository: Int
    var unpricedModels: [UnpricedModel]
    var pricing: [String: String]
    var repositories: [Repository]
    var hooks: Hooks
    var recentHookErrors: [String]
    var problems: [String]

    enum CodingKeys: String, CodingKey {
        case schema, store, tools, toolsNotRead = "tools_not_read", sessionsWithoutRepository = "sessions_without_repository"
        case unpricedModels = "unpriced_models"
        case pricing, repositories, hooks, recentHookErrors = "recent_hook_errors", problems
    }
}

extension DoctorDocument {
    /// Looks at everything: the store, every reader's places, the repositories, hooks.
    static func build(context: CommandContext, repoPath: String?) throws -> DoctorDocument {
        let store = context.store
        let stats = try store.statistics()
        let drift = try store.formatDrift()
        let errors = try store.fileErrors()
        let environment = context.engine.readerEnvironment
        var problems: [String] = []

        var tools: [Tool] = []
        var toolKinds: [ToolKind] = []
        for reader in context.engine.readers where !toolKinds.contains(reader.tool) { toolKinds.append(reader.tool) }
        for tool in toolKinds {
            let readers = context.engine.readers.filter { $0.tool == tool }
            var roots: [String] = []
            for root in readers.flatMap({ $0.searchRoots(in: environment) }) where !roots.contains(root) { roots.append(root) }
            let places = roots.map { Place(path: $0, exists: FileManager.default.fileExists(atPath: $0)) }
            let files = Set(readers.flatMap { $0.discoverFiles(in: environment) })
            let unreadableNames = places.filter(\.exists).reduce(0) {
                $0 + RecordFileWalker.files(under: $1.path) { _ in false }.skippedNames
            }
            let ingested = stats.filesByTool[tool]
            tools.append(
                Tool(
                    tool: tool.rawValue, recordFilesFound: files.count, searchRoots: places, namesNotUTF8: unreadableNames,
                    ingested: ingested.map { Ingested(files: $0.files, bytes: $0.bytes, records: $0.lines, malformedRecords: $0.skipped) },
                    filesNotIngestedYet: max(0, files.count - (ingested?.files ?? 0)), sessions: stats.sessionsByTool[tool] ?? 0,
                    billedRequests: stats.usageByTool[tool] ?? 0, edits: stats.editsByTool[tool] ?? 0,
                    notRecognised: drift.filter { $0.tool == tool }.map {
                        Unrecognised(
                            kind: $0.kind, name: $0.name, count: $0.count, newestFile: $0.newestFile, seenAt: Format.iso($0.seenAt))
                    },
                    unreadableFiles: errors.filter { $0.tool == tool }.map {
                        UnreadableFile(path: $0.path, error: $0.message, at: Format.iso($0.at))
                    }))
            if !errors.filter({ $0.tool == tool }).isEmpty {
                problems.append(
                    "\(tool.rawValue): \(errors.filter { $0.tool == tool }.count) record files could not be read (listed above)")
            }
        }

        var toolsNotRead: [ToolNotRead] = []
        for tool in AIUsageReaders.ToolNotRead.all {
            let files = tool.fileCount(in: environment)
            guard files > 0 else { continue }
            toolsNotRead.append(ToolNotRead(tool: tool.name, folder: tool.folder(in: environment), files: files, why: tool.why))
            problems.append(
                "\(tool.name): \(files) file\(files == 1 ? "" : "s") in \(tool.folder(in: environment)), which aiusage cannot read (\(tool.why)): that tool's sessions are in no report"
            )
        }

        let effective = EffectivePrices.load(storeDirectory: store.location.directory)
        if let problem = effective.problem { problems.append(problem) }
        let prices = context.engine.prices
        try context.engine.foldUsage()
        let unpriced = try store.unpricedModels().map { UnpricedModel(model: $0.model, tokens: $0.tokens, requests: $0.requests) }
        if !unpriced.isEmpty {
            problems.append(
                "\(unpriced.count) model\(unpriced.count == 1 ? "" : "s") without a price (\(unpriced.map(\.model).prefix(5).joined(separator: ", "))): their tokens are reported as unpriced, never as $0"
            )
        }

        var repositories: [Repository] = []
        for diagnostics in try store.repoDiagnostics() {
            let unreadable = try store.unreadableCommitCount(repo: diagnostics.repo.id)
            repositories.append(
                Repository(
                    name: diagnostics.repo.name, roots: diagnostics.repo.roots, defaultBranch: diagnostics.repo.defaultBranch,
                    sessions: diagnostics.sessions, commits: diagnostics.commits, unreadableCommits: unreadable,
                    orphanRefs: diagnostics.state.orphanRefs, historyIncomplete: diagnostics.state.historyIncomplete))
            if unreadable > 0 {
                problems.append(
                    "\(diagnostics.repo.name): \(unreadable) commits could not be read by git (a partial or shallow clone) and were left out"
                )
            }
        }

        let installer = try? HookInstaller(environment: context.environment)
        if installer == nil { problems.append("the hook script was not found: reinstall with ./install.sh") }
        let globalDirectory = HookInstaller.globalDirectory(environment: context.environment)
        var hooks = Hooks(
            global: GitGlobalConfig.string("core.hooksPath") == globalDirectory, globalDirectory: globalDirectory, repository: nil,
            installedIn: nil, missing: [])
        if let git = try? GitRepository(discoveringFrom: repoPath ?? FileManager.default.currentDirectoryPath) {
            let directory = (try? git.hooksDirectory()) ?? "?"
            let installed = installer?.installedNames(in: directory) ?? []
            hooks.repository = git.workTreeRoot ?? git.gitDirectory
            hooks.installedIn = installed.isEmpty ? nil : directory
            hooks.missing = HookInstaller.hookNames.filter { !installed.contains($0) }
            if git.configString("user.email") == nil {
                problems.append("user.email is not set: sessions that link to no commit cannot be placed")
            }
            do {
                if try git.defaultBranch(configured: git.configString("aiusage.defaultbranch")) == nil {
                    problems.append("no default branch found: set one with `git config aiusage.defaultBranch main`")
                }
            } catch {
                problems.append("\(error)")
            }
        }
        var hookErrors: [String] = []
        if let log = try? String(contentsOfFile: store.location.logPath, encoding: .utf8), !log.isEmpty {
            hookErrors = log.split(separator: "\n").suffix(3).map(String.init)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: store.location.databasePath))?[.size] as? Int64
        return DoctorDocument(
            store: Store(
                path: store.location.databasePath, sizeBytes: size, repositories: stats.repos, commits: stats.commits,
                lastIngest: stats.lastIngest.map(Format.iso)),
            tools: tools, toolsNotRead: toolsNotRead, sessionsWithoutRepository: try store.unplacedSessionCount(),
            unpricedModels: unpriced,
            pricing: [
                "source": prices.source, "date": prices.date, "version": prices.version, "label": prices.label,
                "origin": effective.origin == .bundled ? "bundled with aiusage" : "stored by `aiusage prices update`",
            ], repositories: repositories, hooks: hooks, recentHookErrors: hookErrors,
            problems: problems)
    }

    /// `--format csv`: one line per tool with what was found, read and not understood.
    var csv: String {
        CSV.render(
            header: [
                "tool", "record_files_found", "files_ingested", "bytes_ingested", "records", "malformed_records", "files_not_ingested_yet",
                "sessions", "billed_requests", "edits", "not_recognised", "unreadable_files",
            ],
            records: tools.map { tool in
                [
                    tool.tool, "\(tool.recordFilesFound)", "\(tool.ingested?.files ?? 0)", "\(tool.ingested?.bytes ?? 0)",
                    "\(tool.ingested?.records ?? 0)", "\(tool.ingested?.malformedRecords ?? 0)", "\(tool.filesNotIngestedYet)",
                    "\(tool.sessions)", "\(tool.billedRequests)", "\(tool.edits)", "\(tool.notRecognised.reduce(0) { $0 + $1.count })",
                    "\(tool.unreadableFiles.count)",
                ]
            })
    }

    /// The text `aiusage doctor` prints, sentences wrapped to `width`.
    func text(verbose: Bool, width: Int = 100) -> String {
        var out = "Store: \(store.path)\n"
        out +=
            "  " + (store.sizeBytes.map { "size \(Format.bytes($0)), " } ?? "")
            + "\(store.repositories) \(store.repositories == 1 ? "repository" : "repositories"), "
            + "\(store.commits) \(store.commits == 1 ? "commit" : "commits") attributed"
            + (store.lastIngest.map { ", last ingest \($0)" } ?? ", never ingested") + "\n"
        out += "\nAI tools:\n"
        for tool in tools {
            out += "  \(tool.tool): \(tool.recordFilesFound == 0 ? "no records found" : "\(tool.recordFilesFound) record files found")\n"
            let existing = tool.searchRoots.filter(\.exists)
            let missing = tool.searchRoots.filter { !$0.exists }
            for root in existing { out += "    ✓ \(root.path)\n" }
            if tool.namesNotUTF8 > 0 { out += "    ! \(tool.namesNotUTF8) files or folders skipped: their names are not UTF-8\n" }
            let shown = verbose ? missing : Array(missing.prefix(existing.isEmpty ? 2 : 0))
            for root in shown { out += "    · \(root.path)\n" }
            if shown.count < missing.count { out += "    · and \(missing.count - shown.count) more places (--verbose lists them)\n" }
            if let ingested = tool.ingested {
                out +=
                    "    ingested: \(ingested.files) files, \(Format.bytes(ingested.bytes)), \(ingested.records) records"
                    + (ingested.malformedRecords > 0 ? ", \(ingested.malformedRecords) skipped as malformed" : "") + "\n"
                out += "    \(tool.sessions) sessions, \(tool.billedRequests) billed requests, \(tool.edits) edits\n"
            }
            if tool.filesNotIngestedYet > 0 { out += "    \(tool.filesNotIngestedYet) files not ingested yet: run `aiusage scan`\n" }
            if !tool.notRecognised.isEmpty {
                out += "    not recognised (counted, not read; the tool's format may have changed):\n"
                for item in tool.notRecognised.prefix(verbose ? .max : 8) {
                    out += "      \(item.kind) \(item.name): \(item.count)×, newest in \(item.newestFile)\n"
                }
                if !verbose && tool.notRecognised.count > 8 {
                    out += "      and \(tool.notRecognised.count - 8) more (--verbose lists them)\n"
                }
            }
            for file in tool.unreadableFiles.prefix(verbose ? .max : 5) { out += "    ✗ could not read \(file.path): \(file.error)\n" }
        }
        for tool in toolsNotRead {
            out += "  \(tool.tool): \(tool.files) files found, not read (\(tool.why))\n    ✗ \(tool.folder)\n"
        }
        if sessionsWithoutRepository > 0 {
            out +=
                "\n"
                + Text.paragraph(
                    "\(sessionsWithoutRepository) sessions worked in no repository (or in a folder that is gone): their tokens and cost count under (no repository), as waste.",
                    width: width) + "\n"
        }
        out += "\nPrices: \(pricing["label"] ?? "?"), \(pricing["origin"] ?? "")\n"
        if unpricedModels.isEmpty {
            out += "  every model in the store has a price\n"
        } else {
            out += "  unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):\n"
            for model in unpricedModels {
                out +=
                    "    \(model.model.isEmpty ? "(no model id)" : model.model): \(Format.compact(model.tokens)) tokens in \(PriceView.count(model.requests, "request"))\n"
            }
        }
        if !repositories.isEmpty {
            out += "\nRepositories:\n"
            for repo in repositories {
                out +=
                    "  \(repo.name) (\(repo.roots.first ?? "?")): \(repo.sessions) sessions, \(repo.commits) commits"
                    + (repo.defaultBranch.map { ", default branch \($0)" } ?? ", no default branch") + "\n"
                if repo.unreadableCommits > 0 {
                    out += "    ! \(repo.unreadableCommits) commits git could not read (partial or shallow clone): left out\n"
                }
                if !repo.orphanRefs.isEmpty {
                    out +=
                        "    · \(repo.orphanRefs.count) refs share no history with the default branch and are left out: \(repo.orphanRefs.prefix(3).joined(separator: ", "))\(repo.orphanRefs.count > 3 ? ", ..." : "")\n"
                }
                if repo.historyIncomplete {
                    out += "    ! the history stops at a missing commit (shallow clone): older commits are not linked\n"
                }
            }
        }
        out += "\nHooks:\n"
        out += "  global: " + (hooks.global ? "installed (core.hooksPath = \(hooks.globalDirectory))" : "not installed") + "\n"
        if let repository = hooks.repository {
            let state =
                hooks.missing.isEmpty
                ? "installed in \(hooks.installedIn ?? "?")"
                : hooks.installedIn == nil ? "not installed (run `aiusage install`)" : "missing \(hooks.missing.joined(separator: ", "))"
            out += "  this repository (\(repository)): \(state)\n"
        } else {
            out += "  (not inside a git repository)\n"
        }
        if !recentHookErrors.isEmpty {
            out += "\nRecent hook errors:\n" + recentHookErrors.map { "  \($0)\n" }.joined()
        }
        out +=
            problems.isEmpty
            ? "\nNo problems found.\n"
            : "\nProblems:\n" + problems.map { Text.paragraph($0, width: width, indent: "  - ") + "\n" }.joined()
        return out
    }
}
