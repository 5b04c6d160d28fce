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
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration(host: host, port: port, minGroupSize: minGroupSize)
            let app = try await buildApplication(configuration: configuration)
            try await app.runService()
        }
    }
}
