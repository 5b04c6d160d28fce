import Foundation
import Testing
import _AIUsageTestSupport

/// `aiusage install` keeps existing hooks running (and their exit status), honours
/// core.hooksPath, and `uninstall` restores exactly what was there.
@Suite(.serialized) struct InstallTests {
    func env(_ fixture: GitFixture, _ store: TemporaryDirectory) -> [String: String] {
        CLI.environment(home: fixture.home, store: store.path)
    }

    @Test func installChainsAnExistingHookAndUninstallRestoresIt() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let hooks = fixture.root + "/.git/hooks"
        let original = "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/original-ran\"\nexit 3\n"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        try Data(original.utf8).write(to: URL(fileURLWithPath: hooks + "/post-commit"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/post-commit")

        let first = try CLI.run(["install"], in: fixture.root, environment: env(fixture, store))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: hooks + "/post-rewrite"))
        // Idempotent: a second install keeps the chained original, does not chain itself.
        let again = try CLI.run(["install"], in: fixture.root, environment: env(fixture, store))
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: hooks + "/post-commit.aiusage-chained", encoding: .utf8) == original)

        // The original hook still runs, and its exit status is what git sees.
        try fixture.write("a.txt", "a\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-q", "-m", "x")
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/.git/original-ran"))
        let direct = Process()
        direct.executableURL = URL(fileURLWithPath: hooks + "/post-commit")
        direct.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        direct.environment = env(fixture, store).merging(["AIUSAGE_BIN_DISABLED": "1"]) { _, new in new }
        try direct.run()
        direct.waitUntilExit()
        #expect(direct.terminationStatus == 3)

        let removed = try CLI.run(["uninstall"], in: fixture.root, environment: env(fixture, store))
        #expect(removed.status == 0)
        #expect(try String(contentsOfFile: hooks + "/post-commit", encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: hooks + "/post-commit.aiusage-chained"))
        #expect(!FileManager.default.fileExists(atPath: hooks + "/post-rewrite"))
    }

    @Test func installHonoursCoreHooksPath() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.git("config", "core.hooksPath", ".githooks")
        let result = try CLI.run(["install"], in: fixture.root, environment: env(fixture, store))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: fixture.root + "/.githooks/post-commit"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/.git/hooks/post-commit"))
    }

    @Test func globalInstallChainsToEachRepositorysOwnHooksAndUninstallRestoresConfig() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.git("config", "--global", "core.hooksPath", "/some/earlier/hooks")
        let result = try CLI.run(["install", "--global"], in: fixture.root, environment: env(fixture, store))
        #expect(result.status == 0, "\(result.stderr)")
        let directory = fixture.home + "/.config/aiusage/hooks"
        #expect(try fixture.git("config", "--global", "core.hooksPath") == directory)
        // A repository's own pre-commit keeps blocking commits.
        let own = fixture.root + "/.git/hooks/pre-commit"
        try Data("#!/bin/sh\nexit 1\n".utf8).write(to: URL(fileURLWithPath: own))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: own)
        try fixture.write("b.txt", "b\n")
        try fixture.git("add", "-A")
        #expect(throws: GitFixture.Failure.self) { try fixture.git("commit", "-q", "-m", "blocked") }

        let removed = try CLI.run(["uninstall", "--global"], in: fixture.root, environment: env(fixture, store))
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try fixture.git("config", "--global", "core.hooksPath") == "/some/earlier/hooks")
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}
