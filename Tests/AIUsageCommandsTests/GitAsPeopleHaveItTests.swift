import Foundation
import Testing
import _AIUsageTestSupport

/// Issue 11 §5: partial clones, orphan branches and bare repositories, as people have
/// them. Nothing here may make a report fail, and what is left out is counted.
@Suite struct GitAsPeopleHaveItTests {
    static func json(_ result: CLI.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// A blob-less partial clone: old commits' blobs are not on disk. The report works,
    /// the commits git cannot read are left out and `doctor` counts them.
    @Test func aPartialCloneReportsAndCountsWhatItCannotRead() throws {
        let origin = try GitFixture()
        let transcripts = TranscriptWriter(home: origin.home)
        try origin.commit("base", ["README.md": "readme\n"])
        let sessionStart = origin.clock
        for index in 0..<4 {
            try origin.commit("change \(index)", ["f\(index).txt": "content \(index)\n"])
        }
        try origin.git("config", "uploadpack.allowFilter", "true")
        try origin.git("config", "uploadpack.allowAnySHA1InWant", "true")
        let clone = GitFixture.resolved(origin.directory.path) + "/partial"
        try origin.git("clone", "-q", "--filter=blob:none", "--no-checkout", "file://" + origin.root, clone, in: origin.directory.path)
        try origin.configureIdentity(in: clone)
        try origin.git("config", "remote.origin.promisor", "false", in: clone)
        try transcripts.claudeUsage(session: "p1", cwd: clone, at: sessionStart - 60, input: 100, output: 10)
        let store = try TemporaryDirectory()
        let env = CLI.environment(home: origin.home, store: store.path)
        let report = try CLI.run(["report", "--format", "json"], in: clone, environment: env)
        #expect(report.status == 0, "\(report.stderr)")
        let doctor = try Self.json(try CLI.run(["doctor", "--json"], in: clone, environment: env))
        let repos = try #require(doctor["repositories"] as? [[String: Any]])
        let unreadable = repos.compactMap { $0["unreadable_commits"] as? Int }.reduce(0, +)
        #expect(unreadable > 0)
    }

    /// An orphan branch (gh-pages) shares no history with main: its commits are nobody's
    /// work on the product, left out of commits and human lines, and named by `doctor`.
    @Test func anOrphanBranchIsLeftOutAndNamed() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try fixture.commit("base", ["README.md": "readme\n"])
        try transcripts.claudeWrite(
            session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "alpha = 1\n")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "alpha = 1\n"])
        try fixture.git("checkout", "-q", "--orphan", "gh-pages")
        try fixture.git("rm", "-rqf", ".")
        let generated = (0..<500).map { "<p>generated line \($0)</p>" }.joined(separator: "\n") + "\n"
        let pages = try fixture.commit("site", ["index.html": generated])
        try fixture.git("checkout", "-q", "main")
        let env = CLI.environment(home: fixture.home, store: store.path)
        let commits = try Self.json(try CLI.run(["commits", "--json"], in: fixture.root, environment: env))
        let shas = (commits["commits"] as? [[String: Any]] ?? []).compactMap { $0["sha"] as? String }
        #expect(!shas.contains(pages))
        let report = try Self.json(try CLI.run(["report", "--format", "json"], in: fixture.root, environment: env))
        #expect(((report["totals"] as? [String: Any])?["human_lines_committed"] as? Int) == 1)
        let doctor = try Self.json(try CLI.run(["doctor", "--json"], in: fixture.root, environment: env))
        let repos = try #require(doctor["repositories"] as? [[String: Any]])
        #expect(repos.first?["orphan_refs"] as? [String] == ["refs/heads/gh-pages"])
    }

    /// A bare repository has no work tree: `install`, `report` and `scan` refuse it with one line.
    @Test func aBareRepositoryIsRefusedWithOneLine() throws {
        let fixture = try GitFixture()
        try fixture.commit("base", ["README.md": "readme\n"])
        let bare = GitFixture.resolved(fixture.directory.path) + "/bare.git"
        try fixture.git("clone", "-q", "--bare", fixture.root, bare, in: fixture.directory.path)
        let store = try TemporaryDirectory()
        let env = CLI.environment(home: fixture.home, store: store.path)
        for command in [["install"], ["report"], ["scan"]] {
            let result = try CLI.run(command, in: bare, environment: env)
            #expect(result.status != 0, "\(command)")
            #expect(result.stderr.contains("bare repository"), "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(command): \(result.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: bare + "/hooks/post-commit"))
    }
}
