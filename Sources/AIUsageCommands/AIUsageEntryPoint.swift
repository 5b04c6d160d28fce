import ArgumentParser

/// Entry point called by the `aiusage` executable.
public enum AIUsageEntryPoint {
    public static func main() {
        AIUsageCommand.main()
    }
}

public struct AIUsageCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "aiusage", abstract: "Measure the useful output of AI coding tools.")
    public init() {}
}
