import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private let planThread = Samples.path("amp", "gitai-T-019ca1ce-3ae2-7686-a41e-ccc078837f8a.json")
private let editThread = Samples.path("amp", "gitai-T-019ca1f6-7f21-77b5-a308-65416ebbdf48.json")

/// A thread document in Amp's shape, with the given messages.
private func thread(_ id: String = "T-test", messages: [[String: Any]]) -> String {
    let document: [String: Any] = [
        "v": 3, "id": id, "created": 1_772_241_173_221,
        "env": ["initial": ["trees": [["uri": "file:///work/my%20repo", "repository": ["sha": "abc"]]], "tags": ["model:m1"]]],
        "messages": messages,
    ]
    let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

private func assistant(_ id: Int, tools: [[String: Any]] = [], usage: [String: Any]? = nil) -> [String: Any] {
    var message: [String: Any] = [
        "role": "assistant", "messageId": id,
        "content": tools.map { ["type": "tool_use", "complete": true, "id": $0["id"]!, "name": $0["name"]!, "input": $0["input"]!] },
    ]
    if let usage { message["usage"] = usage }
    return message
}

private func results(_ id: Int, _ runs: [(String, [String: Any])]) -> [String: Any] {
    ["role": "user", "messageId": id, "content": runs.map { ["type": "tool_result", "toolUseID": $0.0, "run": $0.1] }]
}

@Suite struct AmpReaderTests {
    @Test func planThreadTokensByHand() throws {
        let read = try CollectedRead.read(AmpReader(), planThread)
        // messages 1, 3, 5 carry usage:
        //   input       3 + 1 + 1             = 5
        //   output      239 + 71 + 245        = 555
        //   cache write 1619 + 2648 + 2959    = 7226
        //   cache read  13248 + 13248 + 13248 = 39744
        #expect(read.tokens == TokenCounts(input: 5, output: 555, cacheWrite: 7226, cacheRead: 39744))
        #expect(read.usage.map(\.dedupKey) == (1...5).filter { $0 % 2 == 1 }.map { "T-019ca1ce-3ae2-7686-a41e-ccc078837f8a:\($0)" })
        #expect(read.usage.allSatisfy { $0.model == "claude-opus-4-6" && $0.recordedCostUSD == nil })
        #expect(read.edits.isEmpty)  // a plan: Read tools only
        #expect(read.sessions == ["T-019ca1ce-3ae2-7686-a41e-ccc078837f8a"])
        #expect(Set(read.observations.compactMap(\.cwd)) == ["/Users/svarlamov/projects/testing-git-amp"])
        #expect(read.progress.linesRead == 6 && read.progress.linesSkipped == 0)
        #expect(read.usage.first?.timestamp == Timestamps.parse("2026-02-28T01:13:27.454Z"))
    }

    @Test func editThreadTokensAndAppliedDiff() throws {
        let read = try CollectedRead.read(AmpReader(), editThread)
        //   input       3 + 1 + 1          = 5
        //   output      70 + 170 + 30      = 270
        //   cache write 1601 + 427 + 15683 = 17711
        //   cache read  13248 + 14849 + 0  = 28097
        #expect(read.tokens == TokenCounts(input: 5, output: 270, cacheWrite: 17711, cacheRead: 28097))
        #expect(read.edits.count == 1)
        let edit = try #require(read.edits.first)
        #expect(edit.dedupKey == "toolu_vrtx_01TJD3myjs6gdrDRVn6ZbNME")
        #expect(edit.filePath == "/Users/svarlamov/projects/testing-git-amp/jokes.csv")
        #expect(edit.cwd == "/Users/svarlamov/projects/testing-git-amp")
        // The result's diff adds exactly one row (the old_str row is context).
        #expect(edit.addedLines == significantHashes("14,Why do programmers hate nature?,It has too many bugs and no documentation."))
    }

    @Test func rereadGivesSameKeys() throws {
        let first = try CollectedRead.read(AmpReader(), editThread)
        let second = try CollectedRead.read(AmpReader(), editThread, from: 0, state: first.progress.state)
        #expect(first.usage == second.usage)
        #expect(first.edits == second.edits)
        #expect(AmpReader().fileKind == .rewritten)
    }

    @Test func editsFromInputsAndOutcomes() throws {
        let dir = try TemporaryDirectory()
        let text = thread(messages: [
            ["role": "user", "messageId": 0, "content": [["type": "text", "text": "hi"]], "meta": ["sentAt": 1_772_241_201_792]],
            assistant(
                1,
                tools: [
                    ["id": "c1", "name": "create_file", "input": ["path": "new.swift", "content": "let a = 1\n}\nlet b = 2\n"]],
                    [
                        "id": "c2", "name": "edit_file",
                        "input": ["path": "/abs/x.swift", "old_str": "keep()\nold()", "new_str": "keep()\nnew()"],
                    ],
                    ["id": "c3", "name": "edit_file", "input": ["path": "y.swift", "old_str": "", "new_str": "rejected()"]],
                    ["id": "c4", "name": "edit_file", "input": ["path": "z.swift", "old_str": "", "new_str": "pending()"]],
                    ["id": "c5", "name": "Read", "input": ["path": "r.swift"]],
                ], usage: ["model": "m2", "inputTokens": 10, "outputTokens": 5, "cacheReadInputTokens": 7, "costUSD": 0.25]),
            results(
                2,
                [
                    ("c1", ["status": "done", "result": ["ok": true]]),
                    ("c2", ["status": "done"]),
                    ("c3", ["status": "rejected-by-user"]),
                ]),
        ])
        let path = try dir.write("T-test.json", text)
        let read = try CollectedRead.read(AmpReader(), path)
        #expect(read.edits.map(\.dedupKey) == ["c1", "c2"])
        #expect(read.edits[0].addedLines == significantHashes("let a = 1", "let b = 2"))
        #expect(read.edits[0].absolutePath == "/work/my repo/new.swift")
        #expect(read.edits[1].addedLines == significantHashes("new()"))
        #expect(read.usage.count == 1)
        #expect(read.usage[0].tokens == TokenCounts(input: 10, output: 5, cacheRead: 7))
        #expect(read.usage[0].recordedCostUSD == 0.25)
        #expect(read.usage[0].model == "m2")
        #expect(read.observations.contains { $0.model == "m1" })  // from env.initial.tags
    }

    @Test func malformedAndEmptyFiles() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("T-empty.json", "")
        let cut = try dir.write("T-cut.json", String(thread(messages: [assistant(1, usage: ["inputTokens": 1])]).dropLast(10)))
        let odd = try dir.write(
            "T-odd.json",
            thread(messages: [
                ["role": "assistant", "messageId": 1, "content": "not an array", "usage": ["inputTokens": "x", "outputTokens": 4]],
                ["unknown": true], ["role": "info", "messageId": 2, "content": [["type": "summary"]]],
            ]).replacingOccurrences(of: "{\"unknown\":true}", with: "42"))

        let readEmpty = try CollectedRead.read(AmpReader(), empty)
        #expect(readEmpty.usage.isEmpty && readEmpty.progress.linesSkipped == 0)
        let readCut = try CollectedRead.read(AmpReader(), cut)
        #expect(readCut.usage.isEmpty && readCut.progress.linesSkipped == 1)
        let readOdd = try CollectedRead.read(AmpReader(), odd)
        #expect(readOdd.usage.map(\.tokens) == [TokenCounts(output: 4)])
        #expect(readOdd.progress.linesSkipped == 1 && readOdd.progress.linesRead == 2)
        #expect(throws: (any Error).self) { try CollectedRead.read(AmpReader(), dir.path + "/T-missing.json") }
    }

    @Test func discoveryHonoursDataDirectory() throws {
        let dir = try TemporaryDirectory()
        let home = dir.path + "/home"
        try dir.write("home/.local/share/amp/threads/T-1.json", "{}")
        try dir.write("home/.local/share/amp/threads/notes.json", "{}")
        try dir.write("xdg/amp/threads/T-2.json", "{}")
        try dir.write("custom/threads/T-3.json", "{}")
        let reader = AmpReader()
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: home)) == [home + "/.local/share/amp/threads/T-1.json"])
        #expect(
            reader.discoverFiles(in: ReaderEnvironment(home: home, variables: ["XDG_DATA_HOME": dir.path + "/xdg"]))
                == [dir.path + "/xdg/amp/threads/T-2.json"])
        let custom = ReaderEnvironment(home: home, variables: ["AMP_DATA_DIR": dir.path + "/custom", "XDG_DATA_HOME": dir.path + "/xdg"])
        #expect(reader.discoverFiles(in: custom) == [dir.path + "/custom/threads/T-3.json"])
        #expect(reader.searchRoots(in: ReaderEnvironment(home: "/h", variables: ["AMP_DATA_DIR": "~/amp/"])) == ["/h/amp/threads"])
    }

    @Test func unifiedDiffCountsHunkLinesOnly() {
        let diff =
            "```diff\nIndex: f\n--- f\toriginal\n+++ f\tmodified\n@@ -1,3 +1,3 @@\n keep\n--- sql comment\n+-- sql comment two\n+new line\n-old line\n```"
        // Hunk declares 3 old and 3 new lines; "--- sql comment" is a removed line, not a header.
        #expect(UnifiedDiffAddedLines.addedLines(in: diff) == significantHashes("-- sql comment two", "new line"))
        #expect(UnifiedDiffAddedLines.addedLines(in: "no hunk here") == nil)
    }
}

/// Issue 11: the exact-text added-lines rule, format drift, deep nesting.
@Suite struct AmpCurrentFormatTests {
    private let dir = try! TemporaryDirectory()

    private func write(_ text: String, _ name: String = "T-test") throws -> String {
        try dir.write("threads/\(name).json", text)
    }

    @Test func reindentedLineInTheAppliedDiffIsWritten() throws {
        // Amp's edit_file result diff (shape of the real gitai-T-019ca1f6 thread).
        let diff = "```diff\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n if x:\n-  run()\n+    run()\n```"
        let text = thread(messages: [
            assistant(
                1, tools: [["id": "tu1", "name": "edit_file", "input": ["path": "/w/a.py", "old_str": "  run()", "new_str": "    run()"]]]),
            results(2, [("tu1", ["status": "done", "result": ["diff": diff]])]),
        ])
        let path = try write(text)
        let read = try DriftRead.read(AmpReader(), path)
        #expect(read.edits["tu1"]?.addedLines == significantHashes("run()"))
    }

    @Test func deepValueInAToolResultKeepsTheThread() throws {
        let usage = #"{"model":"claude-sonnet-4","inputTokens":5,"outputTokens":7,"cacheCreationInputTokens":0,"cacheReadInputTokens":0}"#
        let text =
            #"{"v":3,"id":"T-deep","created":1772241173221,"messages":["#
            + #"{"role":"assistant","messageId":1,"usage":\#(usage),"content":[{"type":"tool_use","id":"r1","name":"Read","input":{"path":"/a"}}]},"#
            + #"{"role":"user","messageId":2,"content":[{"type":"tool_result","toolUseID":"r1","run":{"status":"done","result":"#
            + deeplyNested(100_000) + "}}]}]}"
        let path = try write(text)
        let read = try DriftRead.read(AmpReader(), path)
        #expect(read.usage["T-deep:1"]?.tokens == TokenCounts(input: 5, output: 7))
        #expect(read.drift.isEmpty)
    }

    @Test func unknownRolesBlocksAndToolsAreCounted() throws {
        let text = thread(messages: [
            ["role": "oracle", "messageId": 1, "content": [Any]()],
            [
                "role": "assistant", "messageId": 2,
                "content": [
                    ["type": "hologram"] as [String: Any],
                    ["type": "tool_use", "id": "x", "name": "teleport", "input": [String: Any]()],
                ] as [Any],
            ],
        ])
        let path = try write(text)
        let read = try DriftRead.read(AmpReader(), path)
        #expect(read.count(.recordType, "role:oracle") == 1)
        #expect(read.count(.recordType, "block:hologram") == 1)
        #expect(read.count(.toolName, "teleport") == 1)
        // A thread file that is no JSON object is counted, not silently dropped.
        let cut = try write(#"{"v":3,"id":"T-cut","mess"#, "T-cut")
        #expect(try DriftRead.read(AmpReader(), cut).count(.shape, "thread-not-json-object") == 1)
    }

    @Test func realThreadsShowNoDrift() throws {
        for path in [planThread, editThread] {
            #expect(try DriftRead.read(AmpReader(), path).drift.isEmpty)
        }
    }
}
