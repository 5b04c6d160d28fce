import ArgumentParser

extension AIUsageCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build a throwaway repository and transcripts, and show a real report from them.")
        func run() throws {}
    }
}
