import AIUsageCore
import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage report`: the per-developer ratios of PRODUCT.md.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
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

        @OptionGroup var window: WindowOptions

        @Option(name: .customLong("by"), help: "Group rows by: \(ReportGrouping.allCases.map(\.rawValue).joined(separator: ", ")).")
        var grouping: ReportGrouping = .developer

        @OptionGroup var output: FormatOptions

        func run() throws {
            let options = ReportOptions(
                allRepos: scope.allRepos, noScan: scope.noScan, survivalDays: scope.survivalDays, since: window.since,
                until: window.until, grouping: grouping, format: output.resolved, timezone: window.timezone)
            let text = try Self.output(context: try CommandContext(), repoPath: scope.repoPath, options: options)
            Trace.phase("print") { print(text, terminator: "") }
        }

        /// The report exactly as `aiusage report` prints it (with its final newline), for
        /// `context`'s store and environment; `aiusage demo` calls this too.
        static func output(context: CommandContext, repoPath: String?, options: ReportOptions, now: Date = Date()) throws -> String {
            let document = try document(context: context, repoPath: repoPath, options: options, now: now)
            return try Trace.phase("render") { try render(document, options: options, context: context) }
        }

        private static func render(_ document: ReportDocument, options: ReportOptions, context: CommandContext) throws -> String {
            switch options.format {
            case .table:
                return ReportTable.render(
                    document, colour: Terminal.colourAllowed(context.environment), width: Terminal.width(context.environment))
            case .json: return try JSONOutput.render(document) + "\n"
            case .csv: return ReportCSV.render(document)
            }
        }

        /// Scans (unless `noScan`), analyses and builds the report document.
        static func document(context: CommandContext, repoPath: String?, options: ReportOptions, now: Date = Date()) throws
            -> ReportDocument
        {
            let window = try ResolvedWindow(since: options.since, until: options.until, timezone: options.timezone, now: now)
            let zone = window.timeZone
            let end = window.until
            let since = window.since
            // Only what the grouping needs: usage stays apart by quarter hour for time groupings only.
            let byTime = [.day, .week, .month].contains(options.grouping)
            let (analysis, repositoryScope) = try context.analysis(
                repoPath: repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
                quiet: options.format != .table,
                window: AnalysisWindow(since: since, until: end, byTime: byTime, commitList: false, sessionList: false),
                now: now)
            let start = since ?? min(analysis.earliestActivity ?? end, end)
            let windowEnd = end.addingTimeInterval(start == end ? 1 : 0)
            let builder = ReportBuilder(
                grouping: options.grouping, calendar: ReportCalendar(timeZone: zone), windowStart: start, windowEnd: windowEnd)
            let (rows, totals) = builder.build(
                usage: analysis.usageFacts, edits: analysis.editFacts, commits: analysis.commitFacts,
                sessionsWithLandedLines: analysis.sessionsWithLandedLines)
            return ReportDocument(
                generatedAt: now, since: start, until: end, pricingSource: context.prices.source,
                pricingDate: context.prices.date, pricingVersion: context.prices.version,
                unpricedModels: UnpricedModel.list(analysis.usageFacts, from: start, to: windowEnd),
                recordedCostTools: analysis.toolsWithRecordedCost.map(\.rawValue).sorted(),
                groupBy: options.grouping, survivalDays: options.survivalDays,
                timezone: TimeWindow.name(zone), repos: repositoryScope.repos.map(\.record.name), rows: rows, totals: totals)
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
    var format: OutputFormat = .table
    var timezone: String?
}

extension ReportGrouping: ExpressibleByArgument {}
