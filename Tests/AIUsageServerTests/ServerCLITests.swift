import Foundation
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
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
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

        let postgres = try run(["serve", "--database", "postgres://localhost/aiusage"] + data)
        #expect(postgres.status != 0)
        #expect(postgres.stderr.contains("PostgreSQL support is not built yet"))
        #expect(postgres.stderr.split(separator: "\n").count == 1)
        let unknown = try run(["token", "issue", "--team", "nope", "--developer", "a@example.com", "--role", "viewer"] + data)
        #expect(unknown.status != 0 && unknown.stdout.isEmpty)
    }
}
