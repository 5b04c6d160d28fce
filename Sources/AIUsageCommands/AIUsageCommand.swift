import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageStore
import ArgumentParser
import Foundation

/// Entry point called by the `aiusage` executable.
public enum AIUsageEntryPoint {
    /// Runs the command line. Help and `--version` go to stdout as usual; any error is one
    /// line on stderr (`aiusage: ...`) and a non-zero exit, never a page of usage text.
    public static func main() {
        Trace.begin()
        // libgit2 may still be setting up on another thread (CommandContext starts it);
        // exiting under it crashes, so every way out waits for it.
        defer { GitRepository.finishPreparing() }
        do {
            var command = try AIUsageCommand.parseAsRoot()
            try command.run()
        } catch {
            GitRepository.finishPreparing()
            let code = AIUsageCommand.exitCode(for: error)
            if code == .success || error is CleanExit {
                if AIUsageCommand.message(for: error) == AIUsageCommand.configuration.version {
                    // The table in use, which may be one `aiusage prices update` stored.
                    print(VersionText.client(environment: ProcessInfo.processInfo.environment))
                    Foundation.exit(0)
                }
                AIUsageCommand.exit(withError: error)
            }
            FileHandle.standardError.write(Data("aiusage: \(line(for: error, arguments: Array(CommandLine.arguments.dropFirst())))\n".utf8))
            Foundation.exit(code == .success ? 1 : code.rawValue)
        }
    }

    /// The one line printed for `error`, without the `aiusage: ` in front.
    static func line(for error: Error, arguments: [String]) -> String {
        // A first word that names no command is the mistake, whatever the parser tripped on.
        if let suggestion = CommandSuggestion.message(arguments: arguments, commands: AIUsageCommand.commandNames) {
            return suggestion
        }
        let message = AIUsageCommand.message(for: error)
        return ErrorLine.fold(ErrorLine.sentence(error) ?? message)
    }
}

/// `aiusage`: measure whether AI coding tools produce useful work, not just activity.
public struct AIUsageCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aiusage",
        abstract: "Measure the useful output of AI coding tools: AI-written lines that land and survive, per dollar and per token.",
        discussion: """
            Reads the session records AI coding tools leave on this machine (Claude Code, Codex CLI, \
            Gemini CLI, OpenCode, Cursor, Copilot, Amp, Aider, Cline, Roo Code, Qwen Code), links them \
            to your commits with libgit2, and reports per-developer ratios. Nothing leaves this machine \
            unless you opt in to sharing aggregates with a team server (`aiusage share`).

            Start with:
              aiusage demo                 see a report built from a throwaway repository
              aiusage install              record commits as you make them (git hooks)
              aiusage report               ratios for the current repository
            """,
        version: VersionText.bundled(program: "aiusage"),
        subcommands: [
            Report.self, Scan.self, Commits.self, Sessions.self, Explain.self, Install.self, Uninstall.self,
            Doctor.self, Prices.self, Demo.self, Share.self, Upload.self, Hook.self,
        ]
    )

    public init() {}

    /// The subcommands a user may type (and `help`), for "did you mean".
    static var commandNames: [String] {
        configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName } + ["help"]
    }
}

/// What `--version` prints: the release and the price table costs come from.
public enum VersionText {
    /// `aiusage 0.1 (prices: genai-prices 0.2.3 (2026-11-10))`, with the bundled table.
    public static func bundled(program: String) -> String {
        "\(program) \(AIUsageVersion.number) (prices: \(PriceTable.bundled.label))"
    }

    /// The same with the table this store uses: a copy `aiusage prices update` stored,
    /// when there is a valid one, else the bundled table.
    static func client(environment: [String: String]) -> String {
        let effective = EffectivePrices.load(storeDirectory: StoreLocation.resolve(environment: environment).directory)
        let origin = effective.origin == .bundled ? "" : ", stored by `aiusage prices update`"
        return "aiusage \(AIUsageVersion.number) (prices: \(effective.table.label)\(origin))"
    }
}
