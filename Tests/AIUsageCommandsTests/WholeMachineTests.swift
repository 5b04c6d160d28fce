import Foundation
import Testing
import _AIUsageTestSupport

/// Issue 11 §1: every session on the machine counts. Sessions outside any repository,
/// in a folder that is gone, or in a repository aiusage never saw keep their tokens and
/// cost in every report; repositories are discovered from where sessions worked.
@Suite struct WholeMachineTests {
    struct World {
        let fixture: GitFixture
        let store: TemporaryDirectory
        let scratch: String
        let other: String
        var environment: [String: String] { CLI.environment(home: fixture.home, store: store.path) }
    }

    /// A repository aiusage has never been run in, a plain folder, a folder that is
    /// gone, and a second repository elsewhere; one session in each.
    static func world() throws -> World {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let base = GitFixture.resolved(fixture.directory.path)
        let scratch = base + "/scratch"
        let gone = base + "/gone"
        let other = base + "/other-repo"
        for folder in [scratch, gone, other] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try fixture.git("init", "-q", "-b", "main", in: other)
        try fixture.configureIdentity(in: other, email: "other@example.com")
        try fixture.commit("base", ["README.md": "readme\n"])
        try fixture.commit("base", ["README.md": "other\n"], in: other)
        let t = TranscriptWriter(home: fixture.home)
        try t.claudeWrite(
            session: "in-repo", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "alpha = 1\n", input: 1000,
            output: 100)
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "alpha = 1\n"])
        try t.claudeUsage(session: "in-scratch", cwd: scratch, at: fixture.clock, input: 2000, output: 200)
        try t.claudeUsage(session: "in-gone", cwd: gone, at: fixture.clock + 1, input: 4000, output: 400)
        try t.claudeWrite(
            session: "in-other", cwd: other, at: fixture.clock + 2, file: other + "/b.py", content: "beta = 2\n", input: 8000, output: 800)
        fixture.clock += 120
        try fixture.commit("b", ["b.py": "beta = 2\n"], in: other)
        try t.codexStart(session: "019c0000-0000-7000-8000-00000000aaaa", cwd: scratch, at: fixture.clock)
        try t.codexTokens(
            session: "019c0000-0000-7000-8000-00000000aaaa", at: fixture.clock + 5, input: 16_000, cached: 6000, output: 1600,
            reasoning: 100)
        try FileManager.default.removeItem(atPath: gone)
        return World(fixture: fixture, store: store, scratch: scratch, other: other)
    }

    static func json(_ result: CLI.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func outsideARepositoryTheReportCoversEverySession() throws {
        let w = try Self.world()
        // Run from the plain folder: no repository here, none registered yet.
        let report = try Self.json(try CLI.run(["report", "--format", "json", "--by", "repo"], in: w.scratch, environment: w.environment))
        let totals = try #require(report["totals"] as? [String: Any])
        let tokens = try #require(totals["tokens"] as? [String: Int])
        // Claude: 1000+2000+4000+8000 input, 100+200+400+800 output; Codex: 16000 input of
        // which 6000 cached, 1600 output.
        #expect(tokens["input"] == 15_000 + 10_000)
        #expect(tokens["cache_read"] == 6000)
        #expect(tokens["output"] == 1500 + 1600)
        #expect(totals["sessions"] as? Int == 5)
        let rows = try #require(report["rows"] as? [[String: Any]])
        let byRepo = Dictionary(uniqueKeysWithValues: rows.map { (($0["key"] as? [String: String])?["repo"] ?? "", $0) })
        #expect(Set(byRepo.keys) == ["(no repository)", "repo", "other-repo"])
        #expect((byRepo["(no repository)"]?["tokens"] as? [String: Int])?["input"] == 2000 + 4000 + 10_000)
        #expect(byRepo["(no repository)"]?["sessions"] as? Int == 3)
        // The repository found from a session's folder was linked like any other.
        #expect(byRepo["other-repo"]?["ai_lines_landed"] as? Int == 1)
        #expect(byRepo["repo"]?["ai_lines_landed"] as? Int == 1)
        // Sessions that landed nothing are waste, wherever they ran.
        let waste = try #require((totals["ratios"] as? [String: Any])?["waste_share"] as? Double)
        #expect(waste > 0.5)
    }

    @Test func allReposCoversTheMachineFromInsideARepositoryAndTheReportThereStaysScoped() throws {
        let w = try Self.world()
        let machine = try Self.json(
            try CLI.run(["report", "--all-repos", "--format", "json"], in: w.fixture.root, environment: w.environment))
        #expect(((machine["totals"] as? [String: Any])?["sessions"] as? Int) == 5)
        let here = try Self.json(try CLI.run(["report", "--format", "json"], in: w.fixture.root, environment: w.environment))
        #expect(((here["totals"] as? [String: Any])?["sessions"] as? Int) == 1)
        #expect((here["repos"] as? [String]) == ["repo"])
        let sessions = try Self.json(try CLI.run(["sessions", "--all-repos", "--json"], in: w.fixture.root, environment: w.environment))
        let list = try #require(sessions["sessions"] as? [[String: Any]])
        #expect(list.count == 5)
        #expect(list.filter { $0["repo"] is NSNull }.count == 3)
        let commits = try Self.json(try CLI.run(["commits", "--all-repos", "--json"], in: w.fixture.root, environment: w.environment))
        #expect(Set((commits["commits"] as? [[String: Any]] ?? []).compactMap { $0["repo"] as? String }) == ["repo", "other-repo"])
    }

    @Test func theFirstRunSaysWhatItFoundAndDoctorCountsSessionsInNoRepository() throws {
        let w = try Self.world()
        let first = try CLI.run(["report"], in: w.scratch, environment: w.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("found 2 repositories"), "\(first.stderr)")
        let doctor = try Self.json(try CLI.run(["doctor", "--json"], in: w.scratch, environment: w.environment))
        #expect(doctor["schema"] as? String == "aiusage.doctor/1")
        #expect(doctor["sessions_without_repository"] as? Int == 3)
        #expect((doctor["tools_not_read"] as? [Any])?.isEmpty == true)
    }

    /// Sessions of a tool aiusage cannot read are named, with where they are, instead of
    /// a report that is silently short.
    @Test func doctorNamesToolsWhoseSessionsItCannotRead() throws {
        let w = try Self.world()
        let files = TemporaryDirectoryWriter(root: w.fixture.home)
        try files.write(".pi/agent/sessions/--w--/2026-03-31T10-00-00-000Z_abc.jsonl", "{}\n")
        try files.write(".pi/agent/sessions/--w--/2026-03-31T11-00-00-000Z_def.jsonl", "{}\n")
        let doctor = try Self.json(try CLI.run(["doctor", "--json"], in: w.scratch, environment: w.environment))
        let notRead = try #require(doctor["tools_not_read"] as? [[String: Any]])
        #expect(notRead.map { $0["tool"] as? String } == ["pi"])
        #expect(notRead.first?["files"] as? Int == 2)
        #expect(notRead.first?["folder"] as? String == w.fixture.home + "/.pi/agent/sessions")
        #expect((doctor["problems"] as? [String] ?? []).contains { $0.hasPrefix("pi: 2 files in ") && $0.hasSuffix("in no report") })
        let text = try CLI.run(["doctor"], in: w.scratch, environment: w.environment)
        #expect(text.stdout.contains("pi: 2 files found, not read"), "\(text.stdout)")
    }
}
