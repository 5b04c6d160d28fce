import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing
import _AIUsageTestSupport

/// The `aiusage-server` administration commands as a script would run them.
@Suite struct ServerCLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `.build/debug/aiusage-server` (or `AIUSAGE_SERVER_TEST_BINARY`), built by `swift test`.
    static var binary: String {
        ProcessInfo.processInfo.environment["AIUSAGE_SERVER_TEST_BINARY"] ?? CLI.packageRoot + "/.build/debug/aiusage-server"
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"].merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func adminCommandsPrintOnlyWhatScriptsNeed() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-cli")
        let data = ["--data-dir", directory.path]
        #expect(try run(["team", "create", "web"] + data).status == 0)
        let issued = try run(["token", "issue", "--team", "web", "--developer", "dev@example.com", "--role", "member"] + data)
        #expect(issued.status == 0)
        let token = issued.stdout.trimmingCharacters(in: .newlines)
        #expect(issued.stdout == token + "\n")
        #expect(token.hasPrefix("aiu_") && token.count == 68 && token.dropFirst(4).allSatisfy(\.isHexDigit))

        // The environment names the same data folder as the flag.
        let listed = try run(["token", "list", "--team", "web"], environment: ["AIUSAGE_SERVER_DATA_DIR": directory.path])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(String(token.prefix(12))) && !listed.stdout.contains(token))
        #expect(try run(["token", "revoke", String(token.prefix(12))] + data).status == 0)
        #expect(try run(["token", "list", "--team", "web"] + data).stdout.contains("\t-\n") == false)

        // Nothing listens on port 1: one line naming the server (never the password), non-zero exit.
        let postgres = try run(["serve", "--database", "postgres://aiusage:secret@127.0.0.1:1/aiusage"] + data)
        #expect(postgres.status != 0)
        #expect(
            postgres.stderr.contains("Cannot connect to PostgreSQL (database \"aiusage\" at 127.0.0.1:1 as aiusage): connection refused."))
        #expect(postgres.stderr.split(separator: "\n").count == 1 && !postgres.stderr.contains("secret"))
        let badURL = try run(["token", "list", "--team", "web", "--database", "postgres://u@h/d?sslmode=maybe"])
        #expect(badURL.status != 0 && badURL.stderr.contains("Unsupported sslmode \"maybe\""))
        let unknown = try run(["token", "issue", "--team", "nope", "--developer", "a@example.com", "--role", "viewer"] + data)
        #expect(unknown.status != 0 && unknown.stdout.isEmpty)
    }

    /// The same commands on PostgreSQL (flag and environment), then `serve` on it, which must
    /// answer and exit promptly on SIGTERM (the pool is shut down, nothing hangs).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary) && TestPostgres.shouldRun, TestPostgres.skipped))
    func adminCommandsAndServeOnPostgres() async throws {
        try await TestPostgres.withDatabases { databases in
            let url = try await databases.makeDatabase().url
            let database = ["--database", url]
            #expect(try run(["team", "create", "web"] + database).stdout == "created team web\n")
            let duplicate = try run(["team", "create", "web"] + database)
            #expect(duplicate.status != 0 && duplicate.stderr.contains("Team \"web\" already exists."))
            let issued = try run(
                ["token", "issue", "--team", "web", "--developer", "dev@example.com", "--role", "member"],
                environment: ["AIUSAGE_SERVER_DATABASE": url])
            #expect(issued.status == 0)
            let token = issued.stdout.trimmingCharacters(in: .newlines)
            #expect(token.hasPrefix("aiu_") && token.count == 68)
            #expect(try run(["token", "list", "--team", "web"] + database).stdout.contains(String(token.prefix(12))))
            #expect(try run(["token", "revoke", String(token.prefix(12))] + database).status == 0)
            #expect(try run(["token", "list", "--team", "web"] + database).stdout.contains("\t-\n") == false)

            let port = Int.random(in: 20_000..<60_000)
            let serve = Process()
            serve.executableURL = URL(fileURLWithPath: Self.binary)
            serve.arguments = ["serve", "--port", String(port)] + database
            serve.standardOutput = FileHandle.nullDevice
            serve.standardError = FileHandle.nullDevice
            try serve.run()
            defer { if serve.isRunning { serve.terminate() } }
            var healthy = false
            for _ in 0..<100 where !healthy {
                let answer = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v1/health")!)
                healthy = (answer?.1 as? HTTPURLResponse)?.statusCode == 200
                if !healthy { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(healthy)
            let stopping = Date()
            serve.terminate()
            serve.waitUntilExit()
            #expect(Date().timeIntervalSince(stopping) < 10)
            #expect(serve.terminationReason == .exit && serve.terminationStatus == 0)
        }
    }
}
