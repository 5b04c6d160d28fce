import Foundation
import Testing
import _AIUsageTestSupport

/// What a user sees: clear one-line errors, and the JSON contracts the README documents.
@Suite struct CommandLineTests {
    @Test(arguments: [
        (["report", "--since", "yesterdayish"], "cannot read the date"),
        (["report", "--by", "mood"], "mood"),
        (["report", "--timezone", "Mars/Olympus"], "unknown time zone"),
        (["report", "--survival-days", "0"], "--survival-days"),
        (["explain", "no-such-rev"], "unknown revision"),
        (["frobnicate"], "unknown command 'frobnicate'"),
    ])
    func badInputGetsAClearErrorAndANonZeroExit(arguments: [String], message: String) throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.commit("base", ["a.txt": "a\n"])
        let result = try CLI.run(arguments, in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("aiusage: "))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// Issue 11: outside a repository `report` covers every session on the machine;
    /// commands about one repository's commits still say where they must run.
    @Test func outsideARepositoryReportCoversTheMachineAndExplainSaysWhy() throws {
        let folder = try TemporaryDirectory()
        let store = try TemporaryDirectory()
        let environment = CLI.environment(home: folder.path, store: store.path)
        let report = try CLI.run(["report", "--format", "json"], in: folder.path, environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("\"aiusage.report/1\""))
        let explain = try CLI.run(["explain", "HEAD"], in: folder.path, environment: environment)
        #expect(explain.status != 0)
        #expect(explain.stderr.contains("not a git repository"))
    }

    @Test func reportJSONFollowsSchemaReport1() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeWrite(session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\n")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "a = 1\n"])
        let result = try CLI.run(
            ["report", "--format", "json", "--since", "2023-12-01", "--until", "2024-02-01", "--timezone", "UTC"], in: fixture.root,
            environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "aiusage.report/1")
        for key in ["generated_at", "window", "pricing", "group_by", "rows", "totals"] { #expect(document[key] != nil, "\(key)") }
        #expect(Set((document["window"] as? [String: Any])?.keys.map { $0 } ?? []) == ["since", "until"])
        #expect(
            Set((document["pricing"] as? [String: Any])?.keys.map { $0 } ?? []) == [
                "source", "version", "date", "recorded_by_tools", "unpriced_models",
            ])
        let rows = try #require(document["rows"] as? [[String: Any]])
        let row = try #require(rows.first)
        let expected: Set<String> = [
            "key", "sessions", "tokens", "cost_usd", "unpriced_tokens", "ai_lines_written", "ai_lines_committed",
            "ai_lines_landed", "ai_lines_surviving", "ai_lines_pending", "ai_lines_churned", "human_lines_committed",
            "commits", "ai_assisted_commits", "landed_ai_assisted_commits", "ratios",
        ]
        #expect(Set(row.keys) == expected)
        #expect(row["key"] as? [String: String] == ["developer": "dev@example.com"])
        #expect(
            Set((row["tokens"] as? [String: Any])?.keys.map { $0 } ?? []) == [
                "input", "output", "cache_write", "cache_read", "reasoning", "total",
            ])
        let ratios = try #require(row["ratios"] as? [String: Any])
        #expect(
            Set(ratios.keys) == [
                "yield", "survival", "cost_per_landed_line_usd", "landed_lines_per_million_tokens", "waste_share",
                "landed_ai_commits_per_week",
            ])
        #expect(ratios["yield"] as? Double == 1)
        #expect(row["ai_lines_landed"] as? Int == 1)
        // 1000 input + 200 output tokens of Sonnet: $0.003 + $0.003.
        #expect(abs((row["cost_usd"] as? Double ?? 0) - 0.006) < 1e-9)
    }

    /// Piped, tables are 100 columns wide; `COLUMNS` sets another width.
    @Test func reportTableFitsTheWidthWithoutColourWhenPiped() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeWrite(session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\n")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "a = 1\n"])
        for grouping in ["developer", "tool", "model", "session", "day", "week", "month", "repo"] {
            for columns in [nil, "80", "60"] {
                let extra = columns.map { ["COLUMNS": $0] } ?? [:]
                let result = try CLI.run(
                    ["report", "--by", grouping, "--since", "2023-01-01"], in: fixture.root,
                    environment: CLI.environment(home: fixture.home, store: store.path, extra: extra))
                #expect(result.status == 0, "\(result.stderr)")
                #expect(!result.stdout.contains("\u{1B}["))
                #expect(result.stdout.contains("PENDING"))
                for line in result.stdout.split(separator: "\n") { #expect(line.count <= Int(columns ?? "100") ?? 100, "\(line)") }
            }
        }
    }

    @Test func csvHasAHeaderAndATotalLine() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        try fixture.commit("a", ["a.py": "a = 1\n"])
        let result = try CLI.run(
            ["report", "--format", "csv"], in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("group,key,sessions,input,output") == true)
        #expect(lines.last?.hasPrefix("total,") == true)
    }
}

@Suite struct ExplainAndDoctorTests {
    @Test func explainNamesTheLinesAndTheSession() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeWrite(
            session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "one = 1\ntwo = 2\n")
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "# header by hand\none = 1\n\ntwo = 2\n"])
        let result = try CLI.run(
            ["explain", "HEAD", "--json"], in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "aiusage.explain/1")
        let file = try #require((document["files"] as? [[String: Any]])?.first)
        #expect(file["path"] as? String == "a.py")
        #expect(file["ai_line_numbers"] as? [String: [Int]] == ["claude-code:s1": [2, 4]])
        #expect(file["human_line_numbers"] as? [Int] == [1])
        let table = try CLI.run(
            ["explain", "HEAD", "--no-scan"], in: fixture.root, environment: CLI.environment(home: fixture.home, store: store.path))
        #expect(table.stdout.contains("AI, session claude-code:s1: lines 2, 4"))
    }

    @Test func doctorSaysWhereItLookedAndWhatIsInstalled() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let transcripts = TranscriptWriter(home: fixture.home)
        try transcripts.claudeUsage(session: "s1", cwd: fixture.root, at: fixture.clock, input: 1, output: 1)
        let env = CLI.environment(home: fixture.home, store: store.path)
        _ = try CLI.run(["scan"], in: fixture.root, environment: env)
        let before = try CLI.run(["doctor"], in: fixture.root, environment: env)
        #expect(before.status == 0)
        #expect(before.stdout.contains("claude-code: 1 record files found"))
        #expect(before.stdout.contains(fixture.home + "/.codex/sessions"))
        #expect(before.stdout.contains("not installed (run `aiusage install`)"))
        // Every supported tool is listed, found or not.
        for tool in [
            "claude-code", "codex", "gemini-cli", "opencode", "cursor", "copilot", "amp", "aider", "cline", "roo-code", "qwen-code",
        ] {
            #expect(before.stdout.contains("  \(tool): "), "\(tool)")
        }
        _ = try CLI.run(["install"], in: fixture.root, environment: env)
        let after = try CLI.run(["doctor"], in: fixture.root, environment: env)
        #expect(after.stdout.contains("installed in " + fixture.root + "/.git/hooks"))
    }
}
