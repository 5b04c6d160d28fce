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
        let transcript = try dir.write(
            storage + "/GitHub.copilot-chat/transcripts/test-session-abc.jsonl",
            try String(
                contentsOfFile: sample("gitai-copilot_vscode_workspace_GitHub.copilot-chat_transcripts_test-session-abc.jsonl"),
                encoding: .utf8))
        let env = ReaderEnvironment(home: dir.path + "/home")
        #expect(CopilotCLIReader().discoverFiles(in: env) == [transcript])
        let inPlace = try CollectedRead.read(CopilotCLIReader(), transcript)
        #expect(inPlace.observations.allSatisfy { $0.cwd == "/Users/test/my project" })
    }

    @Test func cliIncrementalAndFailedEdits() throws {
        let dir = try TemporaryDirectory()
        let log = "copilot/session-state/s1/events.jsonl"
        let start =
            #"{"type":"session.start","data":{"sessionId":"s1","selectedModel":"gpt-5","context":{"cwd":"/r"}},"id":"e1","timestamp":"2026-01-01T00:00:00Z"}"#
            + "\n"
        let edit = { (id: String, path: String) in
            #"{"type":"tool.execution_start","data":{"toolCallId":"\#(id)","toolName":"edit","arguments":{"path":"\#(path)","old_str":"a()","new_str":"a()\nb()"}},"id":"x\#(id)","timestamp":"2026-01-01T00:00:01Z"}"#
                + "\n"
        }
        let fail =
            #"{"type":"tool.execution_complete","data":{"toolCallId":"c2","success":false},"id":"f2","timestamp":"2026-01-01T00:00:02Z"}"#
            + "\n"
        let path = try dir.write(
            log, start + edit("c1", "x.swift") + edit("c2", "y.swift") + fail + "not json\n" + #"{"type":"brand.new","data":{}}"# + "\n")
        let first = try CollectedRead.read(CopilotCLIReader(), path)
        #expect(first.edits.map(\.dedupKey) == ["c1"])
        #expect(first.edits.first?.addedLines == significantHashes("b()"))
        #expect(first.edits.first?.absolutePath == "/r/x.swift")
        #expect(first.progress.linesSkipped == 1 && first.progress.linesRead == 6)
        let again = try CollectedRead.read(CopilotCLIReader(), path, from: first.progress.offset, state: first.progress.state)
        #expect(again.edits.isEmpty && again.usage.isEmpty && again.observations.isEmpty)
        try dir.append(
            log, Data((#"{"type":"assistant.message","data":{"outputTokens":7},"id":"m1","timestamp":"2026-01-01T00:00:03Z"}"# + "\n").utf8)
        )
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
        #expect(
            CopilotCLIReader().discoverFiles(in: ReaderEnvironment(home: home))
                == [home + "/.copilot/session-state/a/events.jsonl", home + "/.copilot/session-state/old.jsonl"])
        #expect(
            CopilotCLIReader().discoverFiles(in: ReaderEnvironment(home: home, variables: ["COPILOT_HOME": dir.path + "/custom"]))
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
        #expect(
            read.edits.map(\.addedLines) == [
                significantHashes("id,setup,punchline", "5,Why did 7sadfh32u23gdaWF cross the road?,To debug the chicken's code.")
            ])
        let again = try CollectedRead.read(
            CopilotChatReader(), sample("gitai-copilot_session_multiline.jsonl"), from: 0, state: read.progress.state)
        #expect(again.usage == read.usage && again.edits == read.edits)
    }

    @Test func chatDiscoveryAndMalformedInput() throws {
        let dir = try TemporaryDirectory()
        let storage = "home/.config/Code - Insiders/User/workspaceStorage/h1"
        try dir.write(storage + "/workspace.json", #"{"folder":"file:///w"}"#)
        let good = try dir.write(
            storage + "/chatSessions/s.jsonl",
            """
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

/// The formats Copilot writes today (issue 11): per-request `session.usage_record`
/// (real CLI 1.0.94 samples), several shutdown segments with `modelMetrics`, the
/// model `copilot/auto` resolved to, format drift and deep nesting.
@Suite struct CopilotCurrentFormatTests {
    @Test func cliUsageRecordsOfTheRealSamplesCountedOnce() throws {
        // Real CLI 1.0.94 events.jsonl (m8a-io/modelog fixtures): one usage record, whose
        // inputTokens 25721 = 4 uncached + 25717 written to the cache; output 60.
        let single = try DriftRead.read(CopilotCLIReader(), sample("modelog-copilot-cli-single-turn-session.jsonl"))
        #expect(single.usage.count == 1)
        let request = try #require(single.usage["e8a4dab4-dec8-475f-8075-ad4f64589673:msg_011CfrcG2rgXkzDB9QRrbYAQ"])
        #expect(request.tokens == TokenCounts(input: 4, output: 60, cacheWrite: 25717, cacheRead: 0))
        #expect(request.model == "claude-sonnet-5.5")
        // Its shutdown (data emptied in the sample) adds nothing; every event type is known.
        #expect(single.drift.isEmpty)

        // Three requests of one interaction: input 4 + 2 + 2, cache read 0 + 23455 + 23586,
        // cache write 23455 + 131 + 92, output 95 + 55 + 63.
        let tools = try DriftRead.read(CopilotCLIReader(), sample("modelog-copilot-cli-tool-call-session.jsonl"))
        #expect(tools.usage.count == 3)
        #expect(tools.merged.totals == TokenCounts(input: 8, output: 213, cacheWrite: 23678, cacheRead: 47041))
        #expect(tools.usage.values.allSatisfy { $0.sessionID == "cce01242-49ae-4b62-9e09-c4175542c20e" })
        #expect(tools.drift.isEmpty)  // create and bash are known tools
        // Re-reading gives the same keys.
        let again = try DriftRead.read(CopilotCLIReader(), sample("modelog-copilot-cli-tool-call-session.jsonl"))
        #expect(Set(again.usage.keys) == Set(tools.usage.keys))
    }

    /// Records written from the public format: github/copilot-sdk
    /// `nodejs/src/generated/session-events.ts` (`ShutdownData.modelMetrics`:
    /// `{requests, usage: {inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens}}`,
    /// `AssistantUsageData` for a request's usage).
    @Test func resumedLogSumsShutdownSegmentsAndPrefersModelMetrics() throws {
        let dir = try TemporaryDirectory()
        func event(_ type: String, _ id: String, _ data: String) -> String {
            #"{"type":"\#(type)","data":\#(data),"id":"\#(id)","timestamp":"2026-06-01T10:00:00Z"}"# + "\n"
        }
        let log =
            event("session.start", "e1", #"{"sessionId":"s9","selectedModel":"gpt-5","context":{"cwd":"/r"}}"#)
            + event("assistant.message", "m1", #"{"model":"gpt-5","outputTokens":40}"#)
            // Run 1: per-model totals (authoritative) and a session-wide tokenDetails that
            // would put everything on one model.
            + event(
                "session.shutdown", "sd1",
                #"""
                {"shutdownType":"routine","currentModel":"gpt-5",
                 "modelMetrics":{"gpt-5":{"requests":{"count":2},"usage":{"inputTokens":1000,"outputTokens":100,"cacheReadTokens":600,"cacheWriteTokens":0}},
                                 "claude-sonnet-4.5":{"requests":{"count":1},"usage":{"inputTokens":500,"outputTokens":50,"cacheReadTokens":0,"cacheWriteTokens":200}}},
                 "tokenDetails":{"input":{"tokenCount":700},"output":{"tokenCount":150},"cache_read":{"tokenCount":600},"cache_write":{"tokenCount":200}}}
                """#.replacingOccurrences(of: "\n", with: ""))
            + event("session.resume", "e2", #"{"context":{"cwd":"/r"}}"#)
            // Run 2: no modelMetrics usage: the session-wide details count.
            + event(
                "session.shutdown", "sd2",
                #"{"shutdownType":"routine","currentModel":"gpt-5","modelMetrics":{"gpt-5":{"requests":{"count":1}}},"tokenDetails":{"input":{"tokenCount":30},"output":{"tokenCount":5},"cache_read":{"tokenCount":0},"cache_write":{"tokenCount":0}}}"#
            )
        let path = try dir.write("copilot/session-state/s9/events.jsonl", log)
        let read = try DriftRead.read(CopilotCLIReader(), path)
        // Run 1, gpt-5: input 1000 − 600 cached = 400, output 100 − 40 already counted = 60.
        let gpt = try #require(read.usage["s9:sd1:gpt-5"])
        #expect(gpt.tokens == TokenCounts(input: 400, output: 60, cacheRead: 600))
        // Run 1, Claude: input 500 − 200 written = 300, output 50.
        let claude = try #require(read.usage["s9:sd1:claude-sonnet-4.5"])
        #expect(claude.tokens == TokenCounts(input: 300, output: 50, cacheWrite: 200))
        #expect(claude.model == "claude-sonnet-4.5")
        // Run 2 counts too (its own key), from tokenDetails.
        #expect(read.usage["s9:sd2"]?.tokens == TokenCounts(input: 30, output: 5))
        // Message 40 + run 1 (400 + 60 + 600, 300 + 50 + 200) + run 2 (35).
        #expect(read.merged.totals.total == 40 + 1060 + 550 + 35)
        #expect(read.drift.isEmpty)
    }

    @Test func usageRecordsMakeTheShutdownTotalsNotCountAgain() throws {
        let dir = try TemporaryDirectory()
        let usage =
            #"{"model":"claude-sonnet-4.5","inputTokens":1200,"outputTokens":80,"cacheReadTokens":1000,"cacheWriteTokens":150,"reasoningTokens":20,"cacheTtlSeconds":3600,"apiCallId":"msg_1"}"#
        let log =
            #"{"type":"session.start","data":{"sessionId":"s3"},"id":"e1","timestamp":"2026-06-01T10:00:00Z"}"# + "\n"
            + #"{"type":"session.usage_record","data":{"usage":\#(usage)},"id":"u1","timestamp":"2026-06-01T10:00:01Z"}"# + "\n"
            + #"{"type":"assistant.message","data":{"apiCallId":"msg_1","outputTokens":80},"id":"m1","timestamp":"2026-06-01T10:00:02Z"}"#
            + "\n"
            + #"{"type":"session.shutdown","data":{"modelMetrics":{"claude-sonnet-4.5":{"requests":{"count":1},"usage":{"inputTokens":1200,"outputTokens":80,"cacheReadTokens":1000,"cacheWriteTokens":150}}}},"id":"sd","timestamp":"2026-06-01T10:00:03Z"}"#
            + "\n"
            + #"{"type":"session.brand_new_event","data":{},"id":"x","timestamp":"2026-06-01T10:00:04Z"}"# + "\n"
            + #"{"type":"tool.execution_start","data":{"toolCallId":"t1","toolName":"frobnicate","arguments":{}},"id":"t","timestamp":"2026-06-01T10:00:05Z"}"#
            + "\n"
        let read = try DriftRead.read(CopilotCLIReader(), try dir.write("s3.jsonl", log))
        #expect(read.usage.count == 1)
        let request = try #require(read.usage["s3:msg_1"])
        // Uncached input 1200 − 1000 − 150 = 50; the cache was written with a 1-hour TTL.
        #expect(request.tokens == TokenCounts(input: 50, output: 80, cacheWrite: 150, cacheRead: 1000, reasoning: 20, cacheWrite1h: 150))
        #expect(read.count(.recordType, "session.brand_new_event") == 1)
        #expect(read.count(.toolName, "frobnicate") == 1)
    }

    /// `result.metadata.resolvedModel` of a VS Code chat request, as read by
    /// git-ai-project/git-ai `src/streams/model_extraction.rs` (`CopilotRequestModel`).
    @Test func chatAutoModelResolves() throws {
        let dir = try TemporaryDirectory()
        let session = #"""
            {"sessionId":"auto-1","creationDate":1760000000000,"inputState":{"selectedModel":{"identifier":"copilot/auto"}},
             "requests":[{"requestId":"r1","timestamp":1760000001000,"modelId":"copilot/auto",
                          "result":{"usage":{"promptTokens":900,"completionTokens":100},"metadata":{"resolvedModel":"claude-sonnet-4.5"}}}]}
            """#
        let path = try dir.write("ws/abc/chatSessions/auto-1.json", session)
        let read = try DriftRead.read(CopilotChatReader(), path)
        #expect(read.usage["auto-1:r1"]?.model == "claude-sonnet-4.5")
        #expect(read.usage["auto-1:r1"]?.tokens == TokenCounts(input: 900, output: 100))
    }

    @Test func chatSessionWithADeepValueInAFieldNotRead() throws {
        let dir = try TemporaryDirectory()
        let session =
            #"{"sessionId":"deep-1","creationDate":1760000000000,"requests":[{"requestId":"r1","timestamp":1760000001000,"modelId":"copilot/gpt-4o","response":"#
            + deeplyNested(100_000) + #","result":{"usage":{"promptTokens":10,"completionTokens":5}}}]}"#
        let read = try DriftRead.read(CopilotChatReader(), try dir.write("ws/abc/chatSessions/deep-1.json", session))
        #expect(read.usage["deep-1:r1"]?.tokens == TokenCounts(input: 10, output: 5))
        #expect(read.drift.isEmpty)
        // A document that is not JSON at all is counted, not silently dropped.
        let broken = try DriftRead.read(CopilotChatReader(), try dir.write("ws/abc/chatSessions/cut.json", #"{"sessionId":"cut","requ"#))
        #expect(broken.count(.shape, "chat-session-not-object") == 1)
    }

    @Test func reindentedLineIsWritten() throws {
        // replace_string_in_file that only re-indents a line wrote that line (issue 11 §3).
        let edits = CopilotEditTools.edits(
            tool: "replace_string_in_file",
            arguments: ["filePath": "/r/a.ts", "oldString": "if (x) {\n  run()\n}", "newString": "if (x) {\n    run()\n}"])
        #expect(edits.map(\.added) == [significantHashes("run()")])
    }
}

@Suite struct CopilotStateMigrationTests {
    @Test func stateOfTheEarlierReaderKeepsItsCountedOutput() throws {
        // State written before the per-model split: 15 output tokens already counted.
        let old = Data(#"{"sessionID":"s1","model":"gpt-5","outputSinceShutdown":15}"#.utf8)
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "s1.jsonl",
            #"{"type":"session.shutdown","data":{"tokenDetails":{"input":{"tokenCount":100},"output":{"tokenCount":15}}},"id":"sd","timestamp":"2026-01-01T00:00:00Z"}"#
                + "\n")
        let read = try DriftRead.read(CopilotCLIReader(), path, state: old)
        #expect(read.usage["s1:sd"]?.tokens == TokenCounts(input: 100, output: 0))
    }
}
