import AIUsageCore
import AIUsageEngine
import AIUsageStore
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage sessions`: the AI sessions of the view, with what their spend bought.
    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sessions",
            abstract: "List AI sessions with their cost, AI lines written, committed, landed and surviving, and their outcome.",
            discussion: """
                Each session's outcome says what its spend bought: landed (some AI line reached the default \
                branch), pending (committed on a branch still open), unmerged (its commits are only on branches \
                that did not land; the branch is named), discarded (lines written, none committed), reverted \
                (landed, then removed within 21 days), no edits.

                --outcome lists those sessions costliest first, for one developer only: your own user.email \
                (the repository's, else the global one) unless --developer names another. Sessions are never \
                ranked across developers. --since/--until keep the sessions active in the window.

                Examples:
                  aiusage sessions
                  aiusage sessions --outcome discarded,unmerged --since 30d
                  aiusage sessions 3f2a9c1e                 one session: its commits, branches and outcome
                  aiusage sessions --all-repos --json
                """)

        @Argument(help: ArgumentHelp("Show one session: its id's first characters (or tool:id).", valueName: "session"))
        var id: String?

        @OptionGroup var scope: ScopeOptions

        @OptionGroup var window: WindowOptions

        @Option(
            help: ArgumentHelp(
                "Only sessions with these outcomes, costliest first: \(SessionFilter.outcomeNames) (comma-separated).",
                valueName: "outcomes"))
        var outcome: String?

        @Option(help: ArgumentHelp("Only this developer's sessions. With --outcome, default: your user.email.", valueName: "email"))
        var developer: String?

        @OptionGroup var output: FormatOptions

        func validate() throws {
            if let outcome { _ = try SessionFilter.outcomes(outcome) }
            if id != nil, outcome != nil || developer != nil || window.since != nil || window.until != nil {
                throw ValidationError(
                    "a session id shows that one session: --outcome, --developer, --since and --until select from a list, give them without an id"
                )
            }
        }

        func run() throws {
            let context = try CommandContext()
            let filter = SessionFilter(
                outcomes: try outcome.map(SessionFilter.outcomes), developer: developer?.lowercased(), since: window.since,
                until: window.until, timezone: window.timezone)
            let options = ListingOptions(scope: scope, window: window, format: output.resolved)
            if let id {
                print(try Self.detail(id: id, context: context, options: options), terminator: "")
            } else {
                print(try Self.output(context: context, options: options, filter: filter), terminator: "")
            }
        }

        /// What `aiusage sessions` prints for a list, with its final newline.
        static func output(context: CommandContext, options: ListingOptions, filter: SessionFilter = SessionFilter(), now: Date = Date())
            throws
            -> String
        {
            let window = try ResolvedWindow(since: filter.since, until: filter.until, timezone: filter.timezone, now: now)
            let (analysis, scope) = try context.analysis(
                repoPath: options.repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
                quiet: options.format != .table, window: AnalysisWindow(byTime: false), now: now)
            var developer = filter.developer
            if filter.outcomes != nil, developer == nil {
                // A person's own view: spend is never ranked across developers.
                let own = scope.wholeMachine ? scope.globalEmail : scope.repos.first?.record.userEmail ?? scope.globalEmail
                guard let own else {
                    throw CommandError(
                        "--outcome lists one developer's sessions, costliest first: set git's user.email, or pass --developer EMAIL")
                }
                developer = own.lowercased()
            }
            var sessions = analysis.sessions.filter { session in
                window.overlaps(start: session.start, end: session.end)
                    && (developer.map { session.developer.lowercased() == $0 } ?? true)
                    && (filter.outcomes.map { $0.contains(session.outcome) } ?? true)
            }
            if filter.outcomes != nil {
                sessions.sort {
                    ($0.costUSD, $0.tokens.total, $1.start, $1.id) > ($1.costUSD, $1.tokens.total, $0.start, $0.id)
                }
            }
            switch options.format {
            case .json: return try JSONOutput.render(SessionsDocument(sessions: sessions)) + "\n"
            case .csv: return SessionsDocument(sessions: sessions).csv
            case .table:
                let idLength = SessionLookup.uniquePrefixLength(try context.store.sessionSummaries().map(\.key.id))
                return SessionsTable.render(
                    sessions, filter: filter, developer: developer, window: window, idLength: idLength,
                    prices: context.prices, width: Terminal.width(context.environment))
            }
        }

        /// One session, found by the first characters of its id among every stored session.
        static func detail(id: String, context: CommandContext, options: ListingOptions, now: Date = Date()) throws -> String {
            if !options.noScan {
                try context.update(
                    context.coverage(allRepos: options.allRepos, repoPath: options.repoPath), quiet: options.format != .table)
            }
            let summaries = try context.store.sessionSummaries()
            let key = try SessionLookup.resolve(id, among: summaries.map(\.key))
            // Analysed in the repository it worked in (the whole machine when it worked in none).
            let repoID = summaries.first { $0.key == key }?.repoID
            let root = try context.store.repos().first { $0.id == repoID }?.roots.first { FileManager.default.fileExists(atPath: $0) }
            let (analysis, _) = try context.analysis(
                repoPath: root, allRepos: root == nil, noScan: true, survivalDays: options.survivalDays, quiet: true,
                window: AnalysisWindow(byTime: false), now: now)
            guard let session = analysis.sessions.first(where: { $0.tool == key.tool && $0.id == key.id }) else {
                throw CommandError(
                    "session \(key.tool.rawValue):\(key.id) is stored but its repository is gone; `aiusage doctor` says more")
            }
            switch options.format {
            case .json: return try JSONOutput.render(SessionsDocument(sessions: [session])) + "\n"
            case .csv: return SessionsDocument(sessions: [session]).csv
            case .table:
                let window = try options.window(now: now)
                return SessionsTable.detail(
                    session, commits: analysis.commits.filter { session.commits.contains($0.sha) && $0.repo == session.repo },
                    survivalDays: options.survivalDays, timeZone: window.timeZone, width: Terminal.width(context.environment))
            }
        }
    }
}

/// What a session listing keeps: outcomes, one developer, a window.
struct SessionFilter {
    var outcomes: Set<SessionOutcome>?
    var developer: String?
    var since: String?
    var until: String?
    var timezone: String?

    static let outcomeNames = SessionOutcome.allCases.map(\.rawValue).joined(separator: ", ")

    /// `discarded,unmerged` → the outcomes; `no edits` and `no_edits` name `no-edits`.
    static func outcomes(_ text: String) throws -> Set<SessionOutcome> {
        var result: Set<SessionOutcome> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "-")
                .replacingOccurrences(of: "_", with: "-")
            guard let outcome = SessionOutcome(rawValue: name) else {
                throw ValidationError("unknown outcome '\(part.trimmingCharacters(in: .whitespaces))' in --outcome: use \(outcomeNames)")
            }
            result.insert(outcome)
        }
        guard !result.isEmpty else { throw ValidationError("--outcome is empty: use one or more of \(outcomeNames)") }
        return result
    }
}
