import AIUsageCore
import AIUsageServer
import ArgumentParser

/// `aiusage-server`: the team server and its administration, one executable so that
/// administration always uses the same storage configuration as `serve`.
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aiusage-server",
        abstract: "The aiusage team server: stores per-day aggregates developers chose to share.",
        discussion: """
            Start a server for a team:
              aiusage-server team create web
              aiusage-server token issue --team web --developer dev@example.com --role member
              aiusage-server serve
            Configuration comes from flags, then AIUSAGE_SERVER_DATA_DIR, AIUSAGE_SERVER_DATABASE,
            AIUSAGE_SERVER_HOST, AIUSAGE_SERVER_PORT, AIUSAGE_SERVER_MIN_GROUP_SIZE,
            AIUSAGE_SERVER_PUBLIC_URL, then defaults.
            """,
        // The release the upload document's `client` names, and the price table of this build.
        version: "aiusage-server \(AIUsageVersion.number) (prices: \(PriceTable.bundled.label))",
        subcommands: [Serve.self, TeamCommand.self, TokenCommand.self, CopyCommand.self])
}

/// Where the data lives; shared by `serve` and every administration command.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder of the embedded SQLite database (default ~/.local/share/aiusage-server).")
    var dataDirectory: String?

    @Option(help: "Database URL: sqlite:///path/file.sqlite or postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var database: String?

    func configuration(host: String? = nil, port: Int? = nil, minGroupSize: Int? = nil, publicURL: String? = nil) throws
        -> ServerConfiguration
    {
        try ServerConfiguration.resolve(
            host: host, port: port, dataDirectory: dataDirectory, database: database, minGroupSize: minGroupSize,
            publicURL: publicURL)
    }

    /// Runs `body` with the administration operations over the configured store, then closes
    /// the store whether `body` succeeded or not.
    func withAdmin<T>(_ body: (TeamAdmin) async throws -> T) async throws -> T {
        let store = try await configuration().openStore()
        do {
            let result = try await body(TeamAdmin(store: store))
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
