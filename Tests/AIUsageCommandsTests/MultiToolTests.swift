import Foundation
import Testing
import _AIUsageTestSupport

/// One repository worked on by five tools: each tool's lines are attributed to its own
/// session, and `report --by tool` shows them side by side.
@Suite struct MultiToolTests {
    @Test func fiveToolsInOneRepositoryAreEachAttributed() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let root = fixture.root
        let home = fixture.home
        let start = fixture.clock
        let iso = { (offset: Int) in TranscriptWriter.iso(start + offset) }
        try fixture.commit("base", ["README.md": "readme\n", ".gitignore": ".aider*\n"])

        // Claude Code writes claude.py.
        let transcripts = TranscriptWriter(home: home)
        try transcripts.claudeWrite(session: "cc-1", cwd: root, at: start + 100, file: root + "/claude.py", content: "from_claude = 1\n")
        // Codex adds codex.rs.
        try transcripts.codexStart(session: "019c0000-0000-7000-8000-00000000c0de", cwd: root, at: start + 110)
        try transcripts.codexAddFile(
            session: "019c0000-0000-7000-8000-00000000c0de", at: start + 120, file: "codex.rs", lines: ["fn from_codex() {}"])
        try transcripts.codexTokens(
            session: "019c0000-0000-7000-8000-00000000c0de", at: start + 130, input: 2000, cached: 1000, output: 100, reasoning: 10)
        // Gemini CLI writes gemini.txt (its project folder names the repository).
        let gemini = TemporaryDirectoryWriter(root: home)
        try gemini.write(".gemini/tmp/proj/.project_root", root + "\n")
        try gemini.write(
            ".gemini/tmp/proj/chats/session-2024-01-01T00-02-g1.jsonl",
            #"{"sessionId":"gem-1","projectHash":"proj","startTime":"\#(iso(140))","lastUpdated":"\#(iso(150))","kind":"main"}"# + "\n"
                + #"{"id":"m1","timestamp":"\#(iso(150))","type":"gemini","content":"","model":"gemini-2.5-pro","tokens":{"input":3000,"cached":1000,"output":200,"thoughts":50,"total":3250},"toolCalls":[{"id":"w1","name":"write_file","status":"success","args":{"file_path":"\#(root)/gemini.txt","content":"from gemini\n"}}]}"#
                + "\n")
        // Amp creates amp.swift, with a cost it recorded itself.
        let amp: [String: Any] = [
            "v": 3, "id": "T-amp-1", "created": (start + 160) * 1000,
            "env": ["initial": ["trees": [["uri": "file://" + root]], "tags": ["model:claude-sonnet-4-5"]]],
            "messages": [
                ["role": "user", "messageId": 0, "content": [["type": "text", "text": "go"]], "meta": ["sentAt": (start + 160) * 1000]],
                [
                    "role": "assistant", "messageId": 1,
                    "content": [
                        [
                            "type": "tool_use", "complete": true, "id": "a1", "name": "create_file",
                            "input": ["path": "amp.swift", "content": "let fromAmp = true\n"],
                        ]
                    ],
                    "usage": ["model": "claude-sonnet-4-5", "inputTokens": 100, "outputTokens": 20, "costUSD": 0.5],
                ],
                ["role": "user", "messageId": 2, "content": [["type": "tool_result", "toolUseID": "a1", "run": ["status": "done"]]]],
            ],
        ]
        try gemini.write(
            ".local/share/amp/threads/T-amp-1.json", String(decoding: try JSONSerialization.data(withJSONObject: amp), as: UTF8.self))
        // Aider edits aider.py; its history lives in the repository.
        try fixture.write(
            ".aider.chat.history.md",
            """
            # aider chat started at 2024-01-01 00:03:00

            > Main model: anthropic/claude-3-5-sonnet-20241022 with diff edit format

            #### add a line

            aider.py
            ```python
            <<<<<<< SEARCH
            =======
            from_aider = 1
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 50 received. Cost: $0.02 message, $0.02 session.
            > Applied edit to aider.py

            """)
        fixture.clock = start + 600
        let sha = try fixture.commit(
            "everything",
            [
                "claude.py": "from_claude = 1\n", "codex.rs": "fn from_codex() {}\n", "gemini.txt": "from gemini\n",
                "amp.swift": "let fromAmp = true\n", "aider.py": "from_aider = 1\nby_hand = 2\n",
            ])

        let env = CLI.environment(home: home, store: store.path)
        let commits = try CLI.run(["commits", "--json"], in: root, environment: env)
        #expect(commits.status == 0, "\(commits.stderr)")
        let commitDocument = try #require(try JSONSerialization.jsonObject(with: Data(commits.stdout.utf8)) as? [String: Any])
        let commit = try #require((commitDocument["commits"] as? [[String: Any]])?.first { $0["sha"] as? String == sha })
        #expect(commit["ai_lines"] as? Int == 5)
        #expect(commit["human_lines"] as? Int == 1)  // by_hand
        let sessions = Set((commit["sessions"] as? [String]) ?? [])
        #expect(
            sessions.map { $0.split(separator: ":").first.map(String.init) ?? "" }.sorted() == [
                "aider", "amp", "claude-code", "codex", "gemini-cli",
            ])

        let (document, byTool) = try Self.reportByTool(in: root, environment: env)
        for tool in ["aider", "amp", "claude-code", "codex", "gemini-cli"] {
            #expect(byTool[tool]?["ai_lines_committed"] as? Int == 1, "\(tool)")
            #expect(byTool[tool]?["ai_lines_landed"] as? Int == 1, "\(tool)")
            #expect(byTool[tool]?["sessions"] as? Int == 1, "\(tool)")
        }
        // Gemini's input includes cached tokens: 3000 − 1000 uncached, 1000 cache read,
        // output 200 + 50 thoughts.
        let geminiTokens = try #require(byTool["gemini-cli"]?["tokens"] as? [String: Int])
        #expect(geminiTokens["input"] == 2000 && geminiTokens["cache_read"] == 1000 && geminiTokens["output"] == 250)
        // Amp and Aider recorded their own cost; the report says so.
        #expect(byTool["amp"]?["cost_usd"] as? Double == 0.5)
        #expect(byTool["aider"]?["cost_usd"] as? Double == 0.02)
        #expect(document["timezone"] as? String == "UTC")  // as asked, not Foundation's "GMT"
        let pricing = try #require(document["pricing"] as? [String: Any])
        #expect(pricing["recorded_by_tools"] as? [String] == ["aider", "amp"])
    }
}

extension MultiToolTests {
    /// `report --by tool --format json` over January 2024 in `root`: the document and its
    /// rows by tool.
    static func reportByTool(in root: String, environment: [String: String]) throws
        -> (document: [String: Any], rows: [String: [String: Any]])
    {
        let report = try CLI.run(
            ["report", "--by", "tool", "--format", "json", "--since", "2023-12-01", "--until", "2024-02-01", "--timezone", "UTC"], in: root,
            environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        var byTool: [String: [String: Any]] = [:]
        for row in try #require(document["rows"] as? [[String: Any]]) {
            if let tool = (row["key"] as? [String: String])?["tool"] { byTool[tool] = row }
        }
        return (document, byTool)
    }

    /// Factory Droid keeps a session's edits in `<id>.jsonl` and its token totals in
    /// `<id>.settings.json`: both count, in one session, in the repository it worked in.
    @Test func aDroidSessionsPatchLandsAndItsTokensCount() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let root = fixture.root
        let start = fixture.clock
        let iso = { (offset: Int) in TranscriptWriter.iso(start + offset) }
        try fixture.commit("base", ["README.md": "readme\n"])
        let files = TemporaryDirectoryWriter(root: fixture.home)
        let slug = ".factory/sessions/" + root.replacingOccurrences(of: "/", with: "-") + "/d-1"
        let patch = "*** Begin Patch\\n*** Add File: droid.py\\n+from_droid = 1\\n*** End Patch"
        try files.write(
            slug + ".jsonl",
            #"{"type":"session_start","id":"d-1","title":"t","cwd":"\#(root)"}"# + "\n"
                + #"{"type":"message","id":"m1","timestamp":"\#(iso(100))","message":{"role":"assistant","content":[{"type":"tool_use","id":"p1","name":"ApplyPatch","input":{"input":"\#(patch)"}}]}}"#
                + "\n")
        try files.write(
            slug + ".settings.json",
            #"{"model":"claude-sonnet-4-5-20250929","providerLockTimestamp":"\#(iso(90))","tokenUsage":{"inputTokens":1000,"outputTokens":200,"cacheCreationTokens":0,"cacheReadTokens":5000,"thinkingTokens":0}}"#
        )
        fixture.clock = start + 600
        try fixture.commit("droid", ["droid.py": "from_droid = 1\n"])

        let env = CLI.environment(home: fixture.home, store: store.path)
        let droid = try #require(try Self.reportByTool(in: root, environment: env).rows["droid"])
        #expect(droid["sessions"] as? Int == 1)
        #expect(droid["ai_lines_landed"] as? Int == 1)
        let tokens = try #require(droid["tokens"] as? [String: Int])
        #expect(tokens["input"] == 1000 && tokens["output"] == 200 && tokens["cache_read"] == 5000)
        #expect((droid["cost_usd"] as? Double ?? 0) > 0)  // a model the price table knows
    }
}

/// Writes files below a folder (the fake home) by relative path.
struct TemporaryDirectoryWriter {
    let root: String
    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
