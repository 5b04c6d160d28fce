import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage demo`: the real pipeline (ingest, linking, analysis, report) run on a
    /// throwaway repository and made-up session records, so a new user sees what the
    /// report says before installing anything.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Build a throwaway repository and transcripts, and show a real report from them.",
            discussion: """
                Everything happens in a new temporary folder: a fake home with Claude Code and Codex CLI \
                session records, a git repository with merged, squash-merged and abandoned branches, and \
                a private store. Your own transcripts, repositories and aiusage data are not read or written.

                Examples:
                  aiusage demo
                  aiusage demo --keep
                  aiusage demo --json
                """)

        @Flag(help: "Keep the temporary folder and print how to explore it.")
        var keep = false

        @Option(help: "Output format: table or json.")
        var format: DemoFormat?

        @Flag(help: "Same as --format json.")
        var json = false

        func validate() throws {
            if json, let format, format != .json {
                throw ValidationError("--json and --format \(format.rawValue) ask for two formats: pass one")
            }
        }

        func run() throws {
            let world = try DemoWorld.build()
            defer { if !keep { world.remove() } }
            let context = try CommandContext(environment: world.environment(inheriting: ProcessInfo.processInfo.environment))
            print(try Self.output(world: world, context: context, format: json ? .json : format ?? .table, kept: keep), terminator: "")
        }

        /// What happened in the demo repository, oldest first: (when, what).
        static let story: [(String, String)] = [
            ("60 days ago", "Claude Code wrote VAT handling; Ada changed two lines by hand, then committed on main."),
            ("56 days ago", "Codex wrote a CSV export on a branch; Ben added a test and merged it (merge commit)."),
            ("50 days ago", "Ben rewrote part of the VAT code: some AI lines were gone within 21 days (churn)."),
            ("46 days ago", "Claude Code wrote volume discounts on a branch; squash-merged into main."),
            ("38 days ago", "Claude Code tried a PDF renderer on a branch that was never merged (its cost is waste)."),
            ("33 days ago", "A commit with a Co-Authored-By: Claude trailer but no AI-written line."),
            ("6 and 2 days ago", "Small AI changes landed; their 30 days have not passed (pending)."),
        ]

        /// Runs `aiusage report`, `aiusage commits` and `aiusage sessions` on the demo world,
        /// through the same code those commands use, and wraps them in the demo's intro and
        /// closing lines.
        static func output(
            world: DemoWorld, context: CommandContext, format: DemoFormat, kept: Bool, now: Date = Date(), timeZone: String? = nil
        ) throws -> String {
            var options = ReportOptions(format: format == .json ? .json : .table)
            options.timezone = timeZone
            var listing = ListingOptions(repoPath: world.repo, noScan: true, survivalDays: options.survivalDays, timezone: timeZone)
            switch format {
            case .json:
                listing.format = .json
                let report = try Report.document(context: context, repoPath: world.repo, options: options, now: now)
                let commits = try Commits.views(context: context, options: listing, now: now)
                let sessions = try context.analysis(
                    repoPath: world.repo, allRepos: false, noScan: true, survivalDays: options.survivalDays, quiet: true,
                    window: AnalysisWindow(byTime: false), now: now
                ).analysis.sessions
                let document = DemoDocument(
                    folder: world.folder, repo: world.repo, kept: kept, report: report, commits: CommitsDocument(commits: commits),
                    sessions: SessionsDocument(sessions: sessions))
                return try JSONOutput.render(document) + "\n"
            case .table:
                let width = Terminal.width(context.environment)
                let report = try Report.output(context: context, repoPath: world.repo, options: options, now: now)
                let commits = try Commits.output(context: context, options: listing, now: now)
                let sessions = try Sessions.output(context: context, options: listing, now: now)
                var out = "aiusage demo\n"
                out +=
                    Text.paragraph(
                        "This is a throwaway repository in \(world.repo), with made-up Claude Code and Codex sessions in a fake home "
                            + "beside it; nothing of yours was read, and your own aiusage data was not touched.", width: width) + "\n"
                out += "What happened there (times are relative to today):\n"
                let whenWidth = story.map(\.0.count).max() ?? 0
                for (when, what) in story {
                    out += Text.paragraph(what, width: width, indent: "  " + Format.pad(when, whenWidth) + "  ") + "\n"
                }
                out += "\n== aiusage report ==\n\n" + report
                out += "\n== aiusage commits ==\n\n" + commits
                out += "\n== aiusage sessions ==\n\n" + sessions + "\n"
                if kept {
                    out += "The demo folder was kept. Explore it with:\n"
                    out +=
                        "  cd \(shellQuoted(world.repo)) && AIUSAGE_HOME=\(shellQuoted(world.store)) HOME=\(shellQuoted(world.home)) aiusage report\n"
                    out +=
                        Text.paragraph(
                            "(try `aiusage commits`, `aiusage sessions --outcome unmerged,discarded` or `aiusage report --by tool` there too; "
                                + "remove \(shellQuoted(world.folder)) when done.)", width: width) + "\n\n"
                } else {
                    out += "The demo folder has been removed (run with --keep to explore it).\n"
                }
                out +=
                    Text.paragraph(
                        "To measure your own work: run `aiusage install` in a repository (or `aiusage install --global`), then `aiusage report`.",
                        width: width) + "\n"
                return out
            }
        }
    }
}

enum DemoFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `aiusage demo --format json`, schema `aiusage.demo/1`: the demo's folders and the
/// same documents `aiusage report --format json`, `aiusage commits --json` and `aiusage
/// sessions --json` print.
struct DemoDocument: Encodable {
    var folder: String
    var repo: String
    var kept: Bool
    var report: ReportDocument
    var commits: CommitsDocument
    var sessions: SessionsDocument

    enum Keys: String, CodingKey { case schema, folder, repo, kept, report, commits, sessions }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.demo/1", forKey: .schema)
        try container.encode(folder, forKey: .folder)
        try container.encode(repo, forKey: .repo)
        try container.encode(kept, forKey: .kept)
        try container.encode(report, forKey: .report)
        try container.encode(commits, forKey: .commits)
        try container.encode(sessions, forKey: .sessions)
    }
}

/// Single-quotes a path for a shell command line when it needs it.
private func shellQuoted(_ text: String) -> String {
    let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/._-+:@%"))
    if text.unicodeScalars.allSatisfy(safe.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
