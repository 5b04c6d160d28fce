import ArgumentParser
import Foundation

/// Entry point called by the `aiusage` executable.
public enum AIUsageEntryPoint {
    /// Runs the command line. Help goes to stdout as usual; any error is one line on
    /// stderr (`aiusage: ...`) and a non-zero exit, never a page of usage text.
    public static func main() {
        do {
            var command = try AIUsageCommand.parseAsRoot()
            try command.run()
        } catch {
            let code = AIUsageCommand.exitCode(for: error)
            if code == .success || error is CleanExit {
                AIUsageCommand.exit(withError: error)
            }
            // ArgumentParser lists choices on lines of their own ("- developer"): fold
            // them into the one line.
            let lines = AIUsageCommand.message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let head = lines.first ?? "\(error)"
            let rest = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
            let message = rest.isEmpty ? head : head + " " + rest.joined(separator: ", ")
            FileHandle.standardError.write(Data("aiusage: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
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
        subcommands: [
            Report.self, Scan.self, Commits.self, Sessions.self, Explain.self, Install.self, Uninstall.self,
            Doctor.self, Prices.self, Demo.self, Share.self, Upload.self, Hook.self,
        ]
    )

    public init() {}
}
