import Foundation
import Testing
import _AIUsageTestSupport

/// Issue 11's acceptance: `report --all-repos --format json` on a corpus whose session
/// folders are not repositories holds exactly the tokens the records say, and with
/// `--by tool` every tool whose records are on disk is a row with its sessions.
///
/// Records are written here from each tool's public format (the sources are named by
/// the reader tests), with token counts chosen so the truth is plain; OpenCode's and
/// Cursor's come from the real samples in `../shared/samples`, copied into the fake home
/// at test time. Aider keeps its history inside a repository, so its one session is the
/// only one in a repository.
@Suite struct EveryToolOnTheMachineTests {
    struct Truth {
        var input = 0
        var output = 0
        var cacheWrite = 0
        var cacheRead = 0
    }

    @Test func everyToolCountsWhereverItsSessionsRan() throws {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory()
        let home = fixture.home
        let writer = TemporaryDirectoryWriter(root: home)
        let base = GitFixture.resolved(fixture.directory.path)
        let scratch = base + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let t = TranscriptWriter(home: home)
        let at = fixture.clock
        let iso = { (offset: Int) in TranscriptWriter.iso(at + offset) }
        var truth: [String: Truth] = [:]

        // Claude Code.
        try t.claudeUsage(session: "c1", cwd: scratch, at: at, input: 1000, output: 100, cacheWrite: 10, cacheRead: 5000)
        truth["claude-code"] = Truth(input: 1000, output: 100, cacheWrite: 10, cacheRead: 5000)
        // Codex CLI: input includes cached input.
        try t.codexStart(session: "019c0000-0000-7000-8000-0000000000e1", cwd: scratch, at: at + 10)
        try t.codexTokens(
            session: "019c0000-0000-7000-8000-0000000000e1", at: at + 20, input: 2000, cached: 500, output: 300, reasoning: 30)
        truth["codex"] = Truth(input: 1500, output: 300, cacheRead: 500)
        // Gemini CLI (JSONL session; the project folder names the working directory).
        try writer.write(".gemini/tmp/proj/.project_root", scratch + "\n")
        try writer.write(
            ".gemini/tmp/proj/chats/session-2024-01-01T00-02-g1.jsonl",
            #"{"sessionId":"gem-1","projectHash":"proj","startTime":"\#(iso(30))","lastUpdated":"\#(iso(31))","kind":"main"}"# + "\n"
                + #"{"id":"m1","timestamp":"\#(iso(31))","type":"gemini","content":"","model":"gemini-2.5-pro","tokens":{"input":3000,"cached":0,"output":200,"thoughts":0,"total":3200}}"#
                + "\n")
        truth["gemini-cli"] = Truth(input: 3000, output: 200)
        // GitHub Copilot CLI 1.0.9x: one per-request usage record.
        let usage = #"{"model":"claude-sonnet-4.5","inputTokens":400,"outputTokens":40,"apiCallId":"msg_1"}"#
        try writer.write(
            ".copilot/session-state/cp-1/events.jsonl",
            #"{"type":"session.start","data":{"sessionId":"cp-1"},"id":"e1","timestamp":"\#(iso(40))"}"# + "\n"
                + #"{"type":"session.usage_record","data":{"usage":\#(usage)},"id":"u1","timestamp":"\#(iso(41))"}"# + "\n")
        truth["copilot"] = Truth(input: 400, output: 40)
        // Amp: a thread in a plain folder.
        let amp: [String: Any] = [
            "v": 220, "id": "T-amp-1", "created": (at + 50) * 1000,
            "env": ["initial": ["trees": [["uri": "file://" + scratch]], "tags": ["model:claude-sonnet-4-5"]]],
            "messages": [
                ["role": "user", "messageId": 0, "content": [["type": "text", "text": "go"]], "meta": ["sentAt": (at + 50) * 1000]],
                [
                    "role": "assistant", "messageId": 1, "content": [["type": "text", "text": "done"]],
                    "usage": ["model": "claude-sonnet-4-5", "inputTokens": 100, "outputTokens": 20],
                ],
            ],
        ]
        try writer.write(
            ".local/share/amp/threads/T-amp-1.json", String(decoding: try JSONSerialization.data(withJSONObject: amp), as: UTF8.self))
        truth["amp"] = Truth(input: 100, output: 20)
        // Qwen Code.
        try writer.write(
            ".qwen/projects/p/chats/q1.jsonl",
            #"{"uuid":"q-u1","parentUuid":null,"sessionId":"qw-1","timestamp":"\#(iso(60))","type":"assistant","cwd":"\#(scratch)","version":"0.5.0","model":"qwen3-coder-plus","message":{"role":"model","parts":[{"text":"hi"}]},"usageMetadata":{"promptTokenCount":700,"candidatesTokenCount":70,"totalTokenCount":770}}"#
                + "\n")
        truth["qwen-code"] = Truth(input: 700, output: 70)
        // OpenCode (a real sample database: one request of 10 input and 20 output tokens,
        // in a folder that does not exist here).
        let opencode = home + "/.local/share/opencode"
        try FileManager.default.createDirectory(atPath: opencode, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Samples.path("opencode", "gitai-opencode-sqlite_opencode.db"), toPath: opencode + "/opencode.db")
        truth["opencode"] = Truth(input: 10, output: 20)
        // Cursor: a real agent transcript (no token counts are recorded in them).
        let cursor = home + "/.cursor/projects/Users-me-scratch/agent-transcripts"
        try FileManager.default.createDirectory(atPath: cursor, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Samples.path("cursor", "gitai-cursor-session-simple.jsonl"),
            toPath: cursor + "/0b0c0d0e-0000-4000-8000-000000000001.jsonl")
        truth["cursor"] = Truth()
        // Aider keeps its history in the repository it works in.
        try fixture.commit("base", ["README.md": "readme\n", ".gitignore": ".aider*\n"])
        try fixture.write(
            ".aider.chat.history.md",
            """
            # aider chat started at 2024-01-01 00:03:00

            #### say hello

            Hello.

            > Tokens: 1.5k sent, 150 received. Cost: $0.01 message, $0.01 session.

            """)
        truth["aider"] = Truth(input: 1500, output: 150)

        let env = CLI.environment(home: home, store: store.path)
        // Registers the repository (Aider's history is found in known repositories).
        #expect(try CLI.run(["scan"], in: fixture.root, environment: env).status == 0)
        let result = try CLI.run(["report", "--all-repos", "--format", "json", "--by", "tool"], in: scratch, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        var byTool: [String: [String: Any]] = [:]
        for row in rows { byTool[(row["key"] as? [String: String])?["tool"] ?? ""] = row }
        var sum = Truth()
        for (tool, expected) in truth.sorted(by: { $0.key < $1.key }) {
            let row = try #require(byTool[tool], "no row for \(tool): \(byTool.keys.sorted())")
            #expect((row["sessions"] as? Int ?? 0) >= 1, "\(tool)")
            let tokens = row["tokens"] as? [String: Int] ?? [:]
            #expect(tokens["input"] == expected.input, "\(tool) input \(tokens)")
            #expect(tokens["output"] == expected.output, "\(tool) output \(tokens)")
            #expect(tokens["cache_write"] == expected.cacheWrite, "\(tool) cache_write \(tokens)")
            #expect(tokens["cache_read"] == expected.cacheRead, "\(tool) cache_read \(tokens)")
            sum.input += expected.input
            sum.output += expected.output
            sum.cacheWrite += expected.cacheWrite
            sum.cacheRead += expected.cacheRead
        }
        let totals = try #require((report["totals"] as? [String: Any])?["tokens"] as? [String: Int])
        #expect(totals["input"] == sum.input)
        #expect(totals["output"] == sum.output)
        #expect(totals["cache_write"] == sum.cacheWrite)
        #expect(totals["cache_read"] == sum.cacheRead)
    }
}
