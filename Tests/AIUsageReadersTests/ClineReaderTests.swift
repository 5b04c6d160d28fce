import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

// No real Cline / Roo Code task files exist under a usable licence (samples README):
// these fixtures are written from the public format (Cline's ClineMessage and
// api_req_started JSON, Anthropic-style api_conversation_history with XML tool calls).

private func read(_ reader: ClineReader, _ path: String) throws -> (ReadBatch, ReadProgress) {
    var all = ReadBatch()
    let progress = try reader.read(path: path, from: 0, state: nil) { batch in
        all.observations += batch.observations
        all.usage += batch.usage
        all.edits += batch.edits
    }
    return (all, progress)
}

/// JSON string literal of `text` (for embedding requests inside api_req_started text).
private func quoted(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self)
        .dropFirst().dropLast().description
}

private func apiReq(_ ts: Int64, _ info: String) -> String {
    #"{"ts":\#(ts),"type":"say","say":"api_req_started","text":\#(quoted(info))}"#
}

private let taskRoot = "home/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1718000000000"

private let uiMessages = """
    [
    {"ts":1718000000000,"type":"say","say":"task","text":"Add a greeting"},
    \(apiReq(1718000001000, #"{"request":"<task>\nAdd a greeting\n</task>\n<environment_details>\n# Current Working Directory (/home/dev/proj) Files\nsrc/\n</environment_details>","tokensIn":12,"tokensOut":345,"cacheWrites":6789,"cacheReads":0,"cost":0.0312}"#)),
    {"ts":1718000002000,"type":"say","say":"text","text":"I'll create the file.","partial":false},
    \(apiReq(1718000003000, #"{"request":"[write_to_file for 'src/hello.py'] Result: ...","tokensIn":3,"tokensOut":120,"cacheWrites":200,"cacheReads":6789,"cost":0.0051}"#)),
    \(apiReq(1718000004000, #"{"request":"still streaming"}"#)),
    {"ts":1718000005000,"type":"say","say":"api_req_started","text":"{broken"},
    {"ts":1718000006000,"type":"ask","ask":"completion_result","text":""},
    42
    ]
    """

private let history = #"""
    [
    {"role":"user","content":[{"type":"text","text":"<task>\nAdd a greeting\n</task>"},{"type":"text","text":"<environment_details>\n# Current Working Directory (/home/dev/proj) Files\nsrc/\n</environment_details>"}]},
    {"role":"assistant","content":[{"type":"text","text":"<thinking>new file</thinking>\n<write_to_file>\n<path>src/hello.py</path>\n<content>\ndef hello():\n    print(\"hi\")\n</content>\n</write_to_file>"}]},
    {"role":"user","content":[{"type":"text","text":"[write_to_file for 'src/hello.py'] Result:"},{"type":"text","text":"The content was successfully saved to src/hello.py."}]},
    {"role":"assistant","content":[{"type":"text","text":"<replace_in_file>\n<path>src/hello.py</path>\n<diff>\n------- SEARCH\n    print(\"hi\")\n=======\n    print(\"hi\")\n    print(\"bye\")\n+++++++ REPLACE\n</diff>\n</replace_in_file>"}]},
    {"role":"user","content":[{"type":"text","text":"[replace_in_file for 'src/hello.py'] Result:"},{"type":"text","text":"Done."}]},
    {"role":"assistant","content":[{"type":"text","text":"<write_to_file>\n<path>src/rejected.py</path>\n<content>\nnot_wanted = 1\n</content>\n</write_to_file>"}]},
    {"role":"user","content":[{"type":"text","text":"[write_to_file for 'src/rejected.py'] Result:"},{"type":"text","text":"The user denied this operation."}]},
    {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"write_to_file","input":{"path":"/abs/other.txt","content":"alpha\nbeta"}},{"type":"tool_use","id":"toolu_02","name":"write_to_file","input":{"path":"nope.txt","content":"x1"}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"ok"},{"type":"tool_result","tool_use_id":"toolu_02","content":[{"type":"text","text":"The user denied this operation."}]}]},
    "junk"
    ]
    """#

@Suite struct ClineReaderTests {
    @Test func uiMessagesGiveTokensAndCostPerRequest() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write(taskRoot + "/ui_messages.json", uiMessages)
        try folder.write(
            taskRoot + "/task_metadata.json",
            #"{"files_in_context":[],"model_usage":[{"ts":1718000000500,"model_id":"claude-sonnet-4-20250514","model_provider_id":"anthropic","mode":"act"}]}"#
        )
        let (batch, progress) = try read(ClineReader(), path)
        // Two complete requests; the streaming one (no counts) is left for the rewrite.
        // 1: in 12, out 345, cacheWrite 6789, cacheRead 0    → total 7146, $0.0312
        // 2: in 3,  out 120, cacheWrite 200,  cacheRead 6789 → total 7112, $0.0051
        #expect(batch.usage.map(\.tokens.total) == [7146, 7112])
        #expect(
            batch.usage.map(\.tokens) == [
                TokenCounts(input: 12, output: 345, cacheWrite: 6789, cacheRead: 0),
                TokenCounts(input: 3, output: 120, cacheWrite: 200, cacheRead: 6789),
            ])
        #expect(batch.usage.map(\.recordedCostUSD) == [0.0312, 0.0051])
        #expect(batch.usage.map(\.dedupKey) == ["1718000000000:1718000001000", "1718000000000:1718000003000"])
        #expect(batch.usage.allSatisfy { $0.model == "claude-sonnet-4-20250514" && $0.tool == .cline })
        #expect(batch.observations.map(\.cwd) == ["/home/dev/proj"])
        #expect(batch.observations.first?.sessionID == "1718000000000")
        // The broken api_req_started text and the bare number are skipped and counted.
        #expect(progress.linesSkipped == 2)
        // Re-reading the rewritten file gives the same keys.
        #expect(try read(ClineReader(), path).0.usage.map(\.dedupKey) == batch.usage.map(\.dedupKey))
    }

    @Test func conversationHistoryGivesEditsNotDenied() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write(taskRoot + "/api_conversation_history.json", history)
        let (batch, progress) = try read(ClineReader(), path)
        #expect(progress.linesSkipped == 1)
        #expect(batch.edits.map(\.filePath) == ["src/hello.py", "src/hello.py", "/abs/other.txt"])
        #expect(batch.edits.allSatisfy { $0.cwd == "/home/dev/proj" })
        #expect(batch.edits[0].absolutePath == "/home/dev/proj/src/hello.py")
        // write_to_file: `def hello():`, `print("hi")` → 2 lines.
        #expect(batch.edits[0].addedLines == LineIdentity.significantHashes(ofText: "def hello():\n    print(\"hi\")"))
        // replace_in_file: SEARCH `print("hi")` → REPLACE adds only `print("bye")`.
        #expect(batch.edits[1].addedLines == LineIdentity.significantHashes(ofText: "print(\"bye\")"))
        #expect(batch.edits[2].dedupKey == "toolu_01:0")
        #expect(batch.edits[2].addedLines.count == 2)
        // Task id is the creation time in ms.
        #expect(batch.edits[0].timestamp == Date(timeIntervalSince1970: 1_718_000_000))
        // Content keys are stable across re-reads.
        #expect(try read(ClineReader(), path).0.edits.map(\.dedupKey) == batch.edits.map(\.dedupKey))
        #expect(Set(batch.edits.map(\.dedupKey)).count == 3)
    }

    @Test func rooCodeApplyDiffAndHistoryItem() throws {
        let folder = try TemporaryDirectory()
        let task =
            "home/Library/Application Support/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks/0b7f3c9e-1111-2222-3333-444455556666"
        try folder.write(
            task + "/history_item.json", #"{"id":"0b7f3c9e-1111-2222-3333-444455556666","ts":1750000000000,"workspace":"/Users/dev/app"}"#)
        let path = try folder.write(
            task + "/api_conversation_history.json",
            #"""
            [{"role":"user","content":"<task>fix</task>"},
             {"role":"assistant","content":[{"type":"text","text":"<apply_diff>\n<path>lib/a.ts</path>\n<diff>\n<<<<<<< SEARCH\n:start_line:3\n-------\nconst x = 1;\n=======\nconst x = 2;\nconst y = 3;\n>>>>>>> REPLACE\n</diff>\n</apply_diff>"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"call_9","name":"search_and_replace","input":{"path":"lib/b.ts","search":"foo()","replace":"foo()\nbar()"}}]}]
            """#)
        let roo = ClineReader(tool: .rooCode)
        let (batch, _) = try read(roo, path)
        #expect(batch.edits.map(\.tool) == [.rooCode, .rooCode])
        #expect(batch.edits.map(\.cwd) == ["/Users/dev/app", "/Users/dev/app"])
        #expect(batch.edits[0].addedLines == LineIdentity.significantHashes(ofText: "const x = 2;\nconst y = 3;"))
        #expect(batch.edits[1].addedLines == LineIdentity.significantHashes(ofText: "bar()"))
        #expect(batch.edits[0].timestamp == Date(timeIntervalSince1970: 1_750_000_000))
        let environment = ReaderEnvironment(home: folder.path + "/home")
        #expect(roo.discoverFiles(in: environment) == [folder.path + "/" + task + "/api_conversation_history.json"])
    }

    @Test func discoveryCoversEditorsAndCLI() throws {
        let folder = try TemporaryDirectory()
        try folder.write("home/.config/Cursor/User/globalStorage/saoudrizwan.claude-dev/tasks/1/ui_messages.json", "[]")
        try folder.write("home/.config/VSCodium/User/globalStorage/saoudrizwan.claude-dev/tasks/2/api_conversation_history.json", "[]")
        try folder.write("home/.cline/data/tasks/3/ui_messages.json", "[]")
        try folder.write("home/.cline/data/tasks/3/task_metadata.json", "{}")
        try folder.write("xdg/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/4/ui_messages.json", "[]")
        let home = folder.path + "/home"
        let found = ClineReader().discoverFiles(in: ReaderEnvironment(home: home))
        #expect(found.count == 3)
        #expect(found.contains(home + "/.cline/data/tasks/3/ui_messages.json"))
        let xdg = ClineReader().discoverFiles(in: ReaderEnvironment(home: home, variables: ["XDG_CONFIG_HOME": folder.path + "/xdg"]))
        #expect(xdg.contains(folder.path + "/xdg/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/4/ui_messages.json"))
        #expect(ClineReader(tool: .rooCode).discoverFiles(in: ReaderEnvironment(home: home)).isEmpty)
    }

    @Test func malformedAndEmptyFiles() throws {
        let folder = try TemporaryDirectory()
        let empty = try folder.write("t/1/ui_messages.json", "")
        #expect(try read(ClineReader(), empty).0.isEmpty)
        let bad = try folder.write("t/2/ui_messages.json", "[{\"ts\":1,")
        let (b, p) = try read(ClineReader(), bad)
        #expect(b.isEmpty && p.linesSkipped == 1)
        let object = try folder.write("t/3/api_conversation_history.json", "{}")
        #expect(try read(ClineReader(), object).1.linesSkipped == 1)
        #expect(throws: (any Error).self) { try read(ClineReader(), folder.path + "/t/none/ui_messages.json") }
    }

    @Test func searchReplaceParserVariants() {
        let cline = "------- SEARCH\na = 1\n=======\na = 2\n+++++++ REPLACE\n------- SEARCH\nb = 1\n=======\nb = 1\nc = 1\n+++++++ REPLACE"
        #expect(ClineReader.searchReplaceAddedLines(cline) == LineIdentity.significantHashes(ofText: "a = 2\nc = 1"))
        let truncated = "<<<<<<< SEARCH\nold\n=======\nnew"
        #expect(ClineReader.searchReplaceAddedLines(truncated) == LineIdentity.significantHashes(ofText: "new"))
    }
}

/// Issue 11: deep nesting, format drift, the exact-text added-lines rule, and the
/// records newer Cline writes (`subagent_usage`, `apply_patch`), written from
/// cline/cline `src/shared/ExtensionMessage.ts` (`ClineSay`, `ClineSubagentUsageInfo`).
@Suite struct ClineCurrentFormatTests {
    @Test func deepValueInAFieldNotReadKeepsTheTask() throws {
        let dir = try TemporaryDirectory()
        let messages =
            "[" + apiReq(1718000001000, #"{"tokensIn":12,"tokensOut":34,"cacheWrites":0,"cacheReads":0,"cost":0.01}"#)
            + #",{"ts":1718000002000,"type":"say","say":"text","text":"ok","extra":"# + deeplyNested(100_000) + "}]"
        let path = try dir.write(taskRoot + "/ui_messages.json", messages)
        let read = try DriftRead.read(ClineReader(), path)
        #expect(read.merged.totals == TokenCounts(input: 12, output: 34))
        #expect(read.drift.isEmpty)
    }

    @Test func subagentUsageUnknownSaysAndToolsAreCounted() throws {
        let dir = try TemporaryDirectory()
        let messages =
            "["
            + #"{"ts":1718000001000,"type":"say","say":"subagent_usage","text":"{\"source\":\"subagents\",\"tokensIn\":100,\"tokensOut\":20,\"cacheWrites\":5,\"cacheReads\":50,\"cost\":0.02}"},"#
            + #"{"ts":1718000002000,"type":"say","say":"telepathy","text":""},"#
            + #"{"ts":1718000003000,"type":"ask","ask":"followup","text":"?"}"#
            + "]"
        let read = try DriftRead.read(ClineReader(), try dir.write(taskRoot + "/ui_messages.json", messages))
        #expect(read.merged.totals == TokenCounts(input: 100, output: 20, cacheWrite: 5, cacheRead: 50))
        #expect(read.count(.recordType, "say:telepathy") == 1)
        #expect(read.drift.count == 1)

        let history = #"[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"teleport","input":{}},{"type":"hologram"}]}]"#
        let historyRead = try DriftRead.read(ClineReader(), try dir.write(taskRoot + "/api_conversation_history.json", history))
        #expect(historyRead.count(.toolName, "teleport") == 1)
        #expect(historyRead.count(.recordType, "block:hologram") == 1)
        let broken = try DriftRead.read(ClineReader(), try dir.write(taskRoot + "/x/ui_messages.json", #"{"not":"an array"}"#))
        #expect(broken.count(.shape, "ui_messages.json-not-array") == 1)
    }

    @Test func applyPatchAndReindentedReplace() throws {
        let dir = try TemporaryDirectory()
        let patch = "*** Begin Patch\\n*** Add File: src/new.py\\n+def f():\\n+    return 1\\n*** End Patch"
        let diff = "------- SEARCH\\nif x:\\n  run()\\n=======\\nif x:\\n    run()\\n+++++++ REPLACE"
        let history =
            #"[{"role":"assistant","content":["#
            + #"{"type":"tool_use","id":"p1","name":"apply_patch","input":{"input":"\#(patch)"}},"#
            + #"{"type":"tool_use","id":"r1","name":"replace_in_file","input":{"path":"src/a.py","diff":"\#(diff)"}}]}]"#
        let read = try DriftRead.read(ClineReader(), try dir.write(taskRoot + "/api_conversation_history.json", history))
        #expect(read.edits["p1:0"]?.filePath == "src/new.py")
        #expect(read.edits["p1:0"]?.addedLines == significantHashes("def f():", "return 1"))
        // A SEARCH/REPLACE that only re-indents a line wrote it.
        #expect(read.edits["r1:0"]?.addedLines == significantHashes("run()"))
    }
}
