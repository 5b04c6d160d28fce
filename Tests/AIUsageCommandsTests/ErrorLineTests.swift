import AIUsageCore
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageCommands

/// Issue 9: every error is one line on stderr and a non-zero exit, with what was given
/// and what is allowed; `--version` on both executables.
@Suite struct ErrorLineTests {
    /// One line on stderr starting `aiusage: `, nothing on stdout, a non-zero status.
    static func expectOneLineError(_ result: CLI.Result, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0, sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("aiusage: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("aiusage: aiusage:"), sourceLocation: sourceLocation)
    }

    static let storeCommands: [[String]] = [
        ["report"], ["report", "--json"], ["scan"], ["doctor"], ["commits"], ["sessions"], ["explain", "HEAD"], ["upload", "--dry-run"],
    ]

    /// `AIUSAGE_HOME` pointing at a file: before, a Foundation error dump on stdout, exit 0.
    @Test(arguments: storeCommands)
    func aStoreFolderThatIsAFileIsOneLineAndAFailure(arguments: [String]) throws {
        let fixture = try GitFixture()
        try fixture.commit("base", ["a.txt": "a\n"])
        let file = fixture.directory.path + "/not-a-folder"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let result = try CLI.run(arguments, in: fixture.root, environment: CLI.environment(home: fixture.home, store: file))
        Self.expectOneLineError(result, containing: "\(file) is a file, not a folder")
    }

    /// A store folder whose database cannot be opened (here a folder where the file goes;
    /// a read-only folder fails the same way for a user other than root).
    @Test(arguments: storeCommands)
    func aStoreThatCannotBeOpenedIsOneLineAndAFailure(arguments: [String]) throws {
        let fixture = try GitFixture()
        try fixture.commit("base", ["a.txt": "a\n"])
        let store = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: store.path + "/aiusage.sqlite", withIntermediateDirectories: true)
        let result = try CLI.run(arguments, in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        Self.expectOneLineError(result, containing: "cannot open the aiusage store at \(store.path)/aiusage.sqlite")
    }

    @Test func versionNamesTheReleaseAndThePriceTable() throws {
        let folder = try TemporaryDirectory()
        let result = try CLI.run(
            ["--version"], in: folder.path, environment: CLI.environment(home: folder.path, store: folder.path + "/store"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "aiusage \(AIUsageVersion.number) (prices: genai-prices \(Self.bundledLabel))\n")
        // The upload document names the same release.
        #expect(UploadBuilder.client == "aiusage \(AIUsageVersion.number)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CLI.packageRoot + "/.build/debug/aiusage-server")))
    func serverVersionNamesTheSameRelease() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.packageRoot + "/.build/debug/aiusage-server")
        process.arguments = ["--version"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(
            String(decoding: data, as: UTF8.self) == "aiusage-server \(AIUsageVersion.number) (prices: genai-prices \(Self.bundledLabel))\n"
        )
    }

    /// `0.2.3 (2026-11-10)` of the bundled table, read from the generated file's header
    /// rather than from the code under test.
    static var bundledLabel: String {
        let text =
            (try? String(contentsOfFile: CLI.packageRoot + "/Sources/AIUsageCore/Pricing/BundledPriceData.swift", encoding: .utf8)) ?? ""
        func value(_ name: String) -> String {
            guard let range = text.range(of: "static let \(name) = \"") else { return "?" }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
        return "\(value("version")) (\(value("date")))"
    }

    @Test(arguments: [
        (["reprot"], "unknown command 'reprot': did you mean 'report'?"),
        (["sesions", "--json"], "did you mean 'sessions'?"),
        (["comits"], "did you mean 'commits'?"),
        (["frobnicate"], "unknown command 'frobnicate' (commands: report, scan, commits, sessions"),
        (["report", "--sinc", "30d"], "Did you mean '--since'?"),
        (["report", "--since", "2999-12-01"], "--since 2999-12-01 (2999-12-01 00:00 UTC) is in the future"),
        (["report", "--since", "2026-12-01", "--until", "2026-11-01"], "is after --until 2026-11-01"),
        (["commits", "--since", "2999-12-01"], "is in the future"),
        (["sessions", "--until", "soon"], "cannot read the date 'soon'"),
        (["report", "--survival-days", "-3"], "--survival-days must be a positive number of days, not -3"),
        (["commits", "--survival-days", "0"], "not 0"),
        (["report", "--format", "xml"], "'xml'"),
        (["report", "--json", "--format", "csv"], "--json and --format csv ask for two formats"),
        (
            ["sessions", "--outcome", "wasted"],
            "unknown outcome 'wasted' in --outcome: use landed, pending, unmerged, discarded, reverted, no-edits"
        ),
    ])
    func badInputSaysWhatWasGivenAndWhatIsAllowed(arguments: [String], message: String) throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.commit("base", ["a.txt": "a\n"])
        let result = try CLI.run(arguments, in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        Self.expectOneLineError(result, containing: message)
    }

    @Test func suggestionsAreForCommandsOnly() {
        let commands = AIUsageCommand.commandNames
        #expect(CommandSuggestion.message(arguments: ["reprot"], commands: commands)?.contains("did you mean 'report'") == true)
        #expect(CommandSuggestion.message(arguments: ["doc"], commands: commands)?.contains("did you mean 'doctor'") == true)
        #expect(CommandSuggestion.message(arguments: ["report", "x"], commands: commands) == nil)
        #expect(CommandSuggestion.message(arguments: ["--verbose"], commands: commands) == nil)
        #expect(CommandSuggestion.message(arguments: ["zzzzzz"], commands: commands)?.contains("did you mean") == false)
        #expect(!commands.contains("hook"))
    }

    /// The share helper's own errors already start with `aiusage: `; the line says it once.
    @Test func anErrorFromTheShareHelperIsSaidOnce() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.commit("base", ["a.txt": "a\n"])
        let helper = fixture.directory.path + "/aiusage-share"
        try "#!/bin/sh\necho 'aiusage: cannot reach http://127.0.0.1:9: Connection refused' >&2\nexit 1\n".write(
            toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        let result = try CLI.run(
            ["share", "enable", "--server", "http://127.0.0.1:9", "--token", "t", "--yes"], in: fixture.root,
            environment: CLI.environment(home: fixture.home, store: store.path, extra: ["AIUSAGE_SHARE_BIN": helper]))
        Self.expectOneLineError(result, containing: "cannot reach http://127.0.0.1:9")
        #expect(ErrorLine.fold("aiusage: aiusage: x\n- a\n- b") == "x a, b")
    }
}
