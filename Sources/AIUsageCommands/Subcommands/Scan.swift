import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage scan`: backfill from history and the transcripts still on disk.
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scan",
            abstract: "Read new AI session records and link this repository's commits (a backfill on first use).",
            discussion: """
                The hook does this on every commit; run it by hand on a repository where the hook was never installed.

                Examples:
                  aiusage scan
                  aiusage scan --all-repos
                """)

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to scan.", valueName: "path"))
        var repoPath: String?

        @Flag(name: .customLong("all-repos"), help: "Scan every repository aiusage has seen.")
        var allRepos = false

        @Flag(name: .shortAndLong, help: "Print nothing but errors.")
        var quiet = false

        func run() throws {
            let context = try CommandContext()
            let coverage = try context.coverage(allRepos: allRepos, repoPath: repoPath)
            let summary = try context.update(coverage, quiet: quiet)
            if !quiet {
                let stats = try context.store.statistics()
                let sessions = stats.sessionsByTool.values.reduce(0, +)
                let linked = summary.syncs.count
                print(
                    "Scanned \(linked) repositor\(linked == 1 ? "y" : "ies") in \(String(format: "%.1f", summary.seconds)) s: \(sessions) sessions, \(stats.commits) commits stored."
                )
            }
        }
    }
}
