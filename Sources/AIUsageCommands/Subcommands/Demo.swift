import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage demo`: the real pipeline (ingest, linking, analysis, report) run on a
    /// throwaway repository and made-up session records, so a new user sees what the
    /// report says before installing anything.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a throwaway repository and transcripts, and show a real report from them.",
            discussion: """
                Everything happens in a new temporary folder: a fake home with Claude Code and Codex CLI \
                session records, a git repository with merged, squash-merged and abandoned branches, and \
                a private store. Your own transcripts, repositories and aiusage data are not read or written.

                Examples:
                  aiusage demo
                  aiusage demo --keep
                  aiusage demo --format json
                """)

        @Flag(help: "Keep the temporary folder and print how to explore it.")
        var keep = false

        @Option(help: "Output format: table or json.")
        var format: DemoFormat = .table

        func run() throws {
            let world = try DemoWorld.build()
            defer { if !keep { world.remove() } }
            let context = try CommandContext(environment: world.environment(inheriting: ProcessInfo.processInfo.environment))
            print(try Self.output(world: world, context: context, format: format, kept: keep), terminator: "")
        }

        /// Runs `aiusage report` and `aiusage commits` on the demo world, through the same
        /// code those commands use, and wraps them in the demo's intro and closing lines.
        static func output(world: DemoWorld, context: CommandContext, format: DemoFormat, kept: Bool, now: Date = Date()) throws -> String {
            let options = ReportOptions(format: format == .json ? .json : .table)
            switch format {
            case .json:
                let report = try Report.document(context: context, repoPath: world.repo, options: options, now: now)
                let commits = try Commits.views(
                    context: context, repoPath: world.repo, allRepos: false, noScan: true, survivalDays: options.survivalDays,
                    quiet: true, now: now)
                let document = DemoDocument(folder: world.folder, repo: world.repo, kept: kept, report: report, commits: CommitsDocument(commits: commits))
                return try JSONOutput.render(document) + "\n"
            case .table:
                let report = try Report.output(context: context, repoPath: world.repo, options: options, now: now)
                let commits = try Commits.output(
                    context: context, repoPath: world.repo, allRepos: false, noScan: true, survivalDays: options.survivalDays,
                    json: false, now: now)
                var out = """
                    aiusage demo
                    This is a throwaway repository in \(world.repo), with made-up Claude Code and Codex \
                    sessions in a fake home beside it; nothing of yours was read, and your own aiusage data was not touched.
                    What happened there (times are relative to today):
                      60 days ago  Claude Code wrote VAT handling; Ada changed two lines by hand, then committed on main.
                      56 days ago  Codex wrote a CSV export on a branch; Ben added a test and merged it (merge commit).
                      50 days ago  Ben rewrote part of the VAT code: some AI lines were gone within 21 days (churn).
                      46 days ago  Claude Code wrote volume discounts on a branch; squash-merged into main.
                      38 days ago  Claude Code tried a PDF renderer on a branch that was never merged (its cost is waste).
                      33 days ago  A commit with a Co-Authored-By: Claude trailer but no AI-written line.
                      6 and 2 days ago  Small AI changes landed; their 30 days have not passed (pending).

                    == aiusage report ==

                    """
                out += report
                out += "\n== aiusage commits ==\n\n"
                out += commits
                out += "\n"
                if kept {
                    out += """
                        The demo folder was kept. Explore it with:
                          cd \(shellQuoted(world.repo)) && AIUSAGE_HOME=\(shellQuoted(world.store)) HOME=\(shellQuoted(world.home)) aiusage report
                        (try `aiusage commits`, `aiusage sessions` or `aiusage report --by tool` there too; remove \(shellQuoted(world.folder)) when done.)

                        """
                } else {
                    out += "The demo folder has been removed (run with --keep to explore it).\n"
                }
                out += "To measure your own work: run `aiusage install` in a repository (or `aiusage install --global`), then `aiusage report`.\n"
                return out
            }
        }
    }
}

enum DemoFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `aiusage demo --format json`, schema `aiusage.demo/1`: the demo's folders and the
/// same documents `aiusage report --format json` and `aiusage commits --json` print.
struct DemoDocument: Encodable {
    var folder: String
    var repo: String
    var kept: Bool
    var report: ReportDocument
    var commits: CommitsDocument

    enum Keys: String, CodingKey { case schema, folder, repo, kept, report, commits }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.demo/1", forKey: .schema)
        try container.encode(folder, forKey: .folder)
        try container.encode(repo, forKey: .repo)
        try container.encode(kept, forKey: .kept)
        try container.encode(report, forKey: .report)
        try container.encode(commits, forKey: .commits)
    }
}

/// Single-quotes a path for a shell command line when it needs it.
private func shellQuoted(_ text: String) -> String {
    let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/._-+:@%"))
    if text.unicodeScalars.allSatisfy(safe.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
