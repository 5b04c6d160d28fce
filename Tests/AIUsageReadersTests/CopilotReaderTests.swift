import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private func sample(_ name: String) -> String { Samples.path("copilot", name) }

@Suite struct CopilotReaderTests {
    @Test func cliSessionContextModelAndCreate() throws {
        let read = try CollectedRead.read(CopilotCLIReader(), sample("gitai-copilot_cli_session_events.jsonl"))
        #expect(read.sessions == ["301561f1-558a-43e9-a144-82d3ca12ab62"])
        #expect(Set(read.observations.compactMap(\.cwd)) == ["/Users/test/project"])
        #expect(read.observations.contains { $0.model == "gpt-4.1" })
        #expect(read.edits.count == 1)
        let edit = try #require(read.edits.first)
        #expect(edit.dedupKey == "tool-1" && edit.filePath == "/Users/test/project/hello.py")
        #expect(edit.addedLines == significantHashes("print('hello world')"))
        #expect(read.usage.isEmpty)  // this log records no tokens at all
        #expect(read.progress.linesSkipped == 0)
    }

    @Test func cliUsageFromMessagesAndShutdownByHand() throws {
        let read = try CollectedRead.read(CopilotCLIReader(), sample("agentsessions-copilot-cli-small.jsonl"))
        // assistant.message outputTokens 12 + 3 = 15 (two output-only events);
        // session.shutdown tokenDetails: input 100, output 15 (already counted: 15 − 15 = 0),
        // cache_read 5, cache_write 0 → one more event. Total: 100 in, 15 out, 5 cache read.
        #expect(read.tokens == TokenCounts(input: 100, output: 15, cacheRead: 5))
        #expect(read.usage.count == 3)
        #expect(read.usage.allSatisfy { $0.model == "gpt-5-mini" && $0.recordedCostUSD == nil })
        #expect(read.sessions == ["copilot_stage0_small"])
    }

    @Test func vscodeTranscriptApplyPatchAndWorkspaceFolder() throws {
        let read = try CollectedRead.read(CopilotCLIReader(), sample("gitai-copilot_vscode_event_stream.jsonl"))
        #expect(read.edits.map(\.dedupKey) == ["call_pJQS2mHbPpjpO9Ooa6rJifeP"])
        #expect(read.edits.first?.filePath == "/Users/test/project/src/main.ts")
        #expect(read.edits.first?.addedLines == significantHashes("// Entry point"))

        // Laid out as VS Code does, the transcript takes its folder from workspace.json.
        let dir = try TemporaryDirectory()
        let storage = "home/.config/Code/User/workspaceStorage/abc"
        try dir.write(storage + "/workspace.json", #"{"folder":"file:///Users/test/my%20project"}"#)
        let transcript = try dir.write(storage + "/GitHub.copilot-chat/transcripts/test-session-abc.jsonl",
            try String(contentsOfFile: sample("gitai-copilot_vscode_workspace_GitHub.copilot-chat_transcripts_test-session-abc.jsonl"), encoding: .utf8))
        let env = ReaderEnvironment(home: dir.path + "/home")
        #expect(CopilotCLIReader().discoverFiles(in: env) == [transcript])
        let inPlace = try CollectedRead.read(CopilotCLIReader(), transcript)
        #expect(inPlace.observations.allSatisfy { $0.cwd == "/Users/test/my project" })
    }

    @Test func cliIncrementalAndFailedEdits() throws {
        let dir = try TemporaryDirectory()
        let log = "copilot/session-state/s1/events.jsonl"
        let start = #"{"type":"session.start","data":{"sessionId":"s1","selectedModel":"gpt-5","context":{"cwd":"/r"}},"id":"e1","timestamp":"2026-01-01T00:00:00Z"}"# + "\n"
        let edit = { (id: String, path: String) in
            #"{"type":"tool.execution_start","data":{"toolCallId":"\#(id)","toolName":"edit","arguments":{"path":"\#(path)","old_str":"a()","new_str":"a()\nb()"}},"id":"x\#(id)","timestamp":"2026-01-01T00:00:01Z"}"# + "\n"
        }
        let fail = #"{"type":"tool.execution_complete","data":{"toolCallId":"c2","success":false},"id":"f2","timestamp":"2026-01-01T00:00:02Z"}"# + "\n"
        let path = try dir.write(log, start + edit("c1", "x.swift") + edit("c2", "y.swift") + fail + "not json\n" + #"{"type":"brand.new","data":{}}"# + "\n")
        let first = try CollectedRead.read(CopilotCLIReader(), path)
        #expect(first.edits.map(\.dedupKey) == ["c1"])
        #expect(first.edits.first?.addedLines == significantHashes("b()"))
        #expect(first.edits.first?.absolutePath == "/r/x.swift")
        #expect(first.progress.linesSkipped == 1 && first.progress.linesRead == 6)
        let again = try CollectedRead.read(CopilotCLIReader(), path, from: first.progress.offset, state: first.progress.state)
        #expect(again.edits.isEmpty && again.usage.isEmpty && again.observations.isEmpty)
        try dir.append(log, Data((#"{"type":"assistant.message","data":{"outputTokens":7},"id":"m1","timestamp":"2026-01-01T00:00:03Z"}"# + "\n").utf8))
        let more = try CollectedRead.read(CopilotCLIReader(), path, from: first.progress.offset, state: first.progress.state)
        #expect(more.usage.map(\.tokens) == [TokenCounts(output: 7)])
        #expect(more.usage.first?.sessionID == "s1" && more.usage.first?.model == "gpt-5")
        let empty = try dir.write("empty.jsonl", "")
        #expect(try CollectedRead.read(CopilotCLIReader(), empty).progress.linesRead == 0)
    }

    @Test func cliDiscoveryHonoursCopilotHome() throws {
        let dir = try TemporaryDirectory()
        try dir.write("home/.copilot/session-state/a/events.jsonl", "")
        try dir.write("home/.copilot/session-state/old.jsonl", "")
        try dir.write("custom/session-state/b/events.jsonl", "")
        let home = dir.path + "/home"
        #expect(CopilotCLIReader().discoverFiles(in: ReaderEnvironment(home: home))
            == [home + "/.copilot/session-state/a/events.jsonl", home + "/.copilot/session-state/old.jsonl"])
        #expect(CopilotCLIReader().discoverFiles(in: ReaderEnvironment(home: home, variables: ["COPILOT_HOME": dir.path + "/custom"]))
            == [dir.path + "/custom/session-state/b/events.jsonl"])
    }

    @Test func chatSessionJSONAndItsMutationLogAgree() throws {
        let json = try CollectedRead.read(CopilotChatReader(), sample("gitai-copilot_session_simple.json"))
        let log = try CollectedRead.read(CopilotChatReader(), sample("gitai-copilot_session_simple.jsonl"))
        #expect(json.sessions == ["331fed7f-cfd6-409c-8502-06a56322b636"])
        #expect(json.edits == log.edits)
        #expect(json.edits.map(\.dedupKey) == ["toolu_vrtx_01UAL9wRmnDUwNjStDn4qhne__vscode-1759845028970"])
        #expect(json.edits.first?.filePath == "/Users/svarlamov/projects/testing-git/index.ts")
        // oldString ended with 'Bonjour World', newString with 'hello world': one line added.
        #expect(json.edits.first?.addedLines == significantHashes("console.log('hello world');"))
        #expect(json.usage.isEmpty)  // this version of VS Code recorded no token counts
        #expect(json.observations.contains { $0.model == "claude-sonnet-4" })
        #expect(CopilotChatReader().fileKind == .rewritten)
    }

    @Test func chatMutationLogUsageByHand() throws {
        let read = try CollectedRead.read(CopilotChatReader(), sample("gitai-copilot_session_multiline.jsonl"))
        // Two requests with result.usage: prompt 9723 + 9948 = 19671, completion 33 + 40 = 73.
        #expect(read.tokens == TokenCounts(input: 19_671, output: 73))
        #expect(read.usage.allSatisfy { $0.model == "gpt-4o" })
        // insert_edit_into_file: every line of `code` except the "...existing code..." marker.
        #expect(read.edits.map(\.addedLines) == [significantHashes("id,setup,punchline", "5,Why did 7sadfh32u23gdaWF cross the road?,To debug the chicken's code.")])
        let again = try CollectedRead.read(CopilotChatReader(), sample("gitai-copilot_session_multiline.jsonl"), from: 0, state: read.progress.state)
        #expect(again.usage == read.usage && again.edits == read.edits)
    }

    @Test func chatDiscoveryAndMalformedInput() throws {
        let dir = try TemporaryDirectory()
        let storage = "home/.config/Code - Insiders/User/workspaceStorage/h1"
        try dir.write(storage + "/workspace.json", #"{"folder":"file:///w"}"#)
        let good = try dir.write(storage + "/chatSessions/s.jsonl", """
            {"kind":0,"v":{"sessionId":"s","requests":[]}}
            garbage
            {"kind":2,"k":["requests"],"v":[{"requestId":"r1","timestamp":1770580260000,"modelId":"copilot/gpt-4o","result":{"usage":{"promptTokens":5,"completionTokens":2}}}]}
            {"kind":1,"k":["requests",0,"result","usage","completionTokens"],"v":3}
            {"kind":9,"k":[]}

            """)
        try dir.write(storage + "/other/x.json", "{}")
        let cut = try dir.write(storage + "/chatSessions/cut.json", #"{"sessionId":"c","requ"#)
        let env = ReaderEnvironment(home: dir.path + "/home")
        #expect(CopilotChatReader().discoverFiles(in: env) == [cut, good])
        let read = try CollectedRead.read(CopilotChatReader(), good)
        #expect(read.usage.map(\.tokens) == [TokenCounts(input: 5, output: 3)])
        #expect(read.observations.allSatisfy { $0.cwd == "/w" })
        #expect(read.progress.linesSkipped == 1)
        let broken = try CollectedRead.read(CopilotChatReader(), cut)
        #expect(broken.usage.isEmpty && broken.progress.linesSkipped == 1)
    }
}
