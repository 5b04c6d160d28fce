import AIUsageServer
import ArgumentParser
import Hummingbird

extension ServerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the HTTP server until interrupted.")

        @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
        @Option(help: "Port to listen on (default 8080).") var port: Int?
        @Option(help: "Show team figures only when at least this many developers contributed (default 5).")
        var minGroupSize: Int?
        @Option(
            help: ArgumentHelp(
                "The address people use, e.g. https://aiusage.example.com behind a TLS proxy; https makes the dashboard's cookies Secure.",
                valueName: "url"))
        var publicURL: String?
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration(host: host, port: port, minGroupSize: minGroupSize, publicURL: publicURL)
            // The store is opened here rather than inside `buildApplication` so that it is closed
            // after the server has drained (a PostgreSQL pool must be shut down for a clean exit).
            let store = try await configuration.openStore()
            do {
                try await buildApplication(store: store, configuration: configuration).runService()
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }
}
