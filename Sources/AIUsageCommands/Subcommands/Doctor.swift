import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage doctor`: where records were found, what is ingested, what could not be
    /// read or was not recognised, what is installed.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check which AI tools' records were found and read, what was not understood, and which hooks are installed.",
            discussion: """
                Lists, per tool, the record types and tool names seen and not recognised (with counts and the newest \
                file), every record file that could not be read, models without a price, sessions in no repository, \
                and commits git could not read. `--json` prints the same as aiusage.doctor/1 (docs/doctor.md); \
                `--format csv` one line per tool with its counts.

                Examples:
                  aiusage doctor
                  aiusage doctor --verbose
                  aiusage doctor --json | jq '.tools[] | select(.not_recognised != [])'
                """)

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to check.", valueName: "path"))
        var repoPath: String?

        @Flag(name: .shortAndLong, help: "List every place looked in and everything not recognised.")
        var verbose = false

        @OptionGroup var output: FormatOptions

        func run() throws {
            let context = try CommandContext()
            let document = try DoctorDocument.build(context: context, repoPath: repoPath)
            switch output.resolved {
            case .json: print(try JSONOutput.render(document))
            case .csv: print(document.csv, terminator: "")
            case .table: print(document.text(verbose: verbose, width: Terminal.width(context.environment)), terminator: "")
            }
        }
    }
}
