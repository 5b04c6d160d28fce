import ArgumentParser

/// Entry point called by the `aiusage` executable.
public enum AIUsageEntryPoint {
    public static func main() {
        AIUsageCommand.main()
    }
}

/// `aiusage`: measure whether AI coding tools produce useful work, not just activity.
public struct AIUsageCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aiusage",
        abstract: "Measure the useful output of AI coding tools: AI-written lines that land and survive, per dollar and per token.",
        discussion: """
            Reads the session records Claude Code and Codex CLI leave on this machine, links them to \
            your commits with libgit2, and reports per-developer ratios. Nothing leaves this machine.

            Start with:
              aiusage demo                 see a report built from a throwaway repository
              aiusage install              record commits as you make them (git hooks)
              aiusage report               ratios for the current repository
            """,
        subcommands: [
            Report.self, Scan.self, Commits.self, Sessions.self, Explain.self, Install.self, Uninstall.self,
            Doctor.self, Demo.self, Hook.self,
        ]
    )

    public init() {}
}
