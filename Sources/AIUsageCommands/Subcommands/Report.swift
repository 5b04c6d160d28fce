import AIUsageCore
import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage report`: the per-developer ratios of PRODUCT.md.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show useful-output ratios per developer (or per day, tool, model, ...).",
            discussion: """
                Reads new session records and commits first (a backfill on first use), then reports.
                Rows are ordered by their key; no view ranks people by tokens or spend.

                Examples:
                  aiusage report
                  aiusage report --since 30d --by week
                  aiusage report --all-repos --by tool --format json
                  aiusage report --since 2026-10-01 --until 2026-11-01 --timezone Europe/Paris --format csv
                """)

        @OptionGroup var scope: ScopeOptions

        @Option(help: ArgumentHelp("Start of the window: YYYY-MM-DD, ISO 8601, or a duration such as 30d.", valueName: "when"))
        var since: String?

        @Option(help: ArgumentHelp("End of the window (exclusive): same forms as --since. Default: now.", valueName: "when"))
        var until: String?

        @Option(name: .customLong("by"), help: "Group rows by: \(ReportGrouping.allCases.map(\.rawValue).joined(separator: ", ")).")
        var grouping: ReportGrouping = .developer

        @Option(help: "Output format: table, json or csv.")
        var format: ReportFormat = .table

        @Option(help: ArgumentHelp("Time zone for dates and day/week/month groups (IANA name). Default: this machine's.", valueName: "zone"))
        var timezone: String?

        func validate() throws {
            let zone = try TimeWindow.timeZone(timezone)
            let now = Date()
            if let since { _ = try TimeWindow.parse(since, timeZone: zone, now: now) }
            if let until { _ = try TimeWindow.parse(until, timeZone: zone, now: now) }
        }

        func run() throws {
            let options = ReportOptions(
                allRepos: scope.allRepos, noScan: scope.noScan, survivalDays: scope.survivalDays, since: since,
                until: until, grouping: grouping, format: format, timezone: timezone)
            print(try Self.output(context: try CommandContext(), repoPath: scope.repoPath, options: options), terminator: "")
        }

        /// The report exactly as `aiusage report` prints it (with its final newline), for
        /// `context`'s store and environment; `aiusage demo` calls this too.
        static func output(context: CommandContext, repoPath: String?, options: ReportOptions, now: Date = Date()) throws -> String {
            let document = try document(context: context, repoPath: repoPath, options: options, now: now)
            switch options.format {
            case .table: return ReportTable.render(document, colour: Terminal.colourAllowed(context.environment))
            case .json: return try JSONOutput.render(document) + "\n"
            case .csv: return ReportCSV.render(document)
            }
        }

        /// Scans (unless `noScan`), analyses and builds the report document.
        static func document(context: CommandContext, repoPath: String?, options: ReportOptions, now: Date = Date()) throws -> ReportDocument {
            let zone = try TimeWindow.timeZone(options.timezone)
            let end = try options.until.map { try TimeWindow.parse($0, timeZone: zone, now: now) } ?? now
            let since = try options.since.map { try TimeWindow.parse($0, timeZone: zone, now: now) }
            if let since, since > end { throw ValidationError("--since is after --until") }
            // Only what the grouping needs: usage stays apart by quarter hour for time groupings only.
            let byTime = [.day, .week, .month].contains(options.grouping)
            let (analysis, repositoryScope) = try context.analysis(
                repoPath: repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
                quiet: options.format != .table, window: AnalysisWindow(since: since, until: end, byTime: byTime, commitList: false), now: now)
            let start = since ?? min(analysis.earliestActivity ?? end, end)
            let windowEnd = end.addingTimeInterval(start == end ? 1 : 0)
            let builder = ReportBuilder(grouping: options.grouping, calendar: ReportCalendar(timeZone: zone), windowStart: start, windowEnd: windowEnd)
            let (rows, totals) = builder.build(
                usage: analysis.usageFacts, edits: analysis.editFacts, commits: analysis.commitFacts,
                sessionsWithLandedLines: analysis.sessionsWithLandedLines)
            return ReportDocument(
                generatedAt: now, since: start, until: end, pricingSource: context.prices.source,
                pricingDate: context.prices.date, pricingVersion: context.prices.version,
                unpricedModels: UnpricedModel.list(analysis.usageFacts, from: start, to: windowEnd),
                recordedCostTools: analysis.toolsWithRecordedCost.map(\.rawValue).sorted(),
                groupBy: options.grouping, survivalDays: options.survivalDays,
                timezone: zone.identifier, repos: repositoryScope.repos.map(\.record.name), rows: rows, totals: totals)
        }
    }
}

/// The settings of one `aiusage report` run, apart from the repository and the store.
struct ReportOptions {
    var allRepos = false
    var noScan = false
    var survivalDays = 30
    var since: String?
    var until: String?
    var grouping: ReportGrouping = .developer
    var format: ReportFormat = .table
    var timezone: String?
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

extension ReportGrouping: ExpressibleByArgument {}
