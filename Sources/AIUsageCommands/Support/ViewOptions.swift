import ArgumentParser

/// Options shared by the commands that look at attributed data.
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to look at.", valueName: "path"))
    var repoPath: String?

    @Flag(name: .customLong("all-repos"), help: "Cover every repository aiusage has seen, not just the current one.")
    var allRepos = false

    @Flag(name: .customLong("no-scan"), help: "Do not read new session records or commits first; show what is stored.")
    var noScan = false

    @Option(name: .customLong("survival-days"), help: "Days after landing at which survival is measured.")
    var survivalDays = 30

    func validate() throws {
        guard survivalDays > 0 else { throw ValidationError("--survival-days must be a positive number of days") }
    }
}
