import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// A comparable summary of everything `ClaudeCodeLineInterpreter` reads from a record.
private func summary(_ record: ClaudeRecord) -> [String] {
    var out = [
        "type=\(record.type ?? "nil")", "session=\(record.sessionId ?? "nil")", "cwd=\(record.cwd ?? "nil")",
        "time=\(record.timestamp ?? "nil")", "uuid=\(record.uuid ?? "nil")", "request=\(record.requestId ?? "nil")",
    ]
    if let message = record.message {
        out.append("message id=\(message.id ?? "nil") model=\(message.model ?? "nil")")
        if let usage = message.usage { out.append("usage=\(usage.tokens)") }
        for block in message.content ?? [] {
            out.append(
                "block type=\(block.type ?? "nil") id=\(block.id ?? "nil") name=\(block.name ?? "nil") "
                    + "result=\(block.toolUseID ?? "nil") error=\(block.isError)")
            if let input = block.editInput {
                out.append(
                    "input path=\(input.filePath ?? "nil") old=\(input.oldString ?? "nil") "
                        + "new=\(input.newString ?? "nil") content=\(input.content ?? "nil")")
                for pair in input.edits ?? [] { out.append("pair old=\(pair.oldString ?? "nil") new=\(pair.newString ?? "nil")") }
                if input.edits == nil { out.append("edits=nil") }
            }
        }
        if message.content == nil { out.append("content=nil") }
    } else {
        out.append("message=nil")
    }
    if let result = record.toolUseResult {
        out.append(
            "result path=\(result.filePath ?? "nil") type=\(result.type ?? "nil") "
                + "added=\(result.addedLines.map { $0.map(\.description) }?.description ?? "nil")")
    } else {
        out.append("result=nil")
    }
    return out
}

private func fast(_ line: String) -> ClaudeRecord? {
    var bytes = Array(line.utf8)
    var scratch: [UInt8] = []
    return bytes.withUnsafeMutableBufferPointer { ClaudeEditScan.record(UnsafeBufferPointer($0), scratch: &scratch) }
}

private func decoded(_ line: String) -> ClaudeRecord? {
    try? JSONDecoder().decode(ClaudeRecord.self, from: Data(line.utf8))
}

/// The fast path agrees with `JSONDecoder` on `line`, and returns its record.
@discardableResult
private func expectSame(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> ClaudeRecord? {
    let slow = decoded(line)
    let quick = fast(line)
    #expect(slow != nil, "JSONDecoder refused the line", sourceLocation: sourceLocation)
    #expect(quick != nil, "the fast path refused the line", sourceLocation: sourceLocation)
    if let slow, let quick { #expect(summary(quick) == summary(slow), sourceLocation: sourceLocation) }
    return quick
}

private func hashes(_ lines: String...) -> [LineHash] { lines.compactMap { LineIdentity.significantHash($0) } }

@Suite struct ClaudeEditScanTests {
    private let head = #""type":"assistant","sessionId":"s1","cwd":"/repo","timestamp":"2026-01-01T10:00:00Z","requestId":"r1""#
    private let usage = #""usage":{"input_tokens":3,"output_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":10}"#

    private func call(_ name: String, _ input: String) -> String {
        #"{\#(head),"message":{"id":"msg_1","model":"claude-x","content":[{"type":"tool_use","id":"toolu_1","name":"\#(name)","input":\#(input)}],\#(usage)}}"#
    }

    private func result(_ toolUseResult: String, isError: Bool = false) -> String {
        let error = isError ? #","is_error":true"# : ""
        return
            #"{"type":"user","sessionId":"s1","cwd":"/repo","timestamp":"2026-01-01T10:00:01Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"\#(error),"content":"ok"}]},"toolUseResult":\#(toolUseResult)}"#
    }

    @Test func escapesDecodeLikeJSONDecoder() throws {
        let line = call(
            "Edit",
            #"{"file_path":"C:\\repo\\a \"b\".swift","old_string":"x","new_string":"let s = \"tab\there\"\nlet p = \"a\\\\b\" \/\/ sl\/ash\nlet e = \"\u00e9\u4e2d\" // caf\u00E9\n\b\f"}"#
        )
        let record = try #require(expectSame(line))
        let input = try #require(record.message?.content?.first?.editInput)
        #expect(input.filePath == #"C:\repo\a "b".swift"#)
        #expect(input.newString == "let s = \"tab\there\"\nlet p = \"a\\\\b\" // sl/ash\nlet e = \"é中\" // café\n\u{8}\u{c}")
    }

    @Test func surrogatePairsGiveTheSameHashes() throws {
        let line = result(
            #"{"type":"update","filePath":"/repo/a.swift","structuredPatch":[{"lines":["+let smile = \"\ud83d\ude00\"","+let plain = 1"," context"]}]}"#
        )
        let record = try #require(expectSame(line))
        #expect(record.toolUseResult?.addedLines == hashes("let smile = \"😀\"", "let plain = 1"))
        // A lone surrogate is left to JSONDecoder.
        #expect(fast(result(#"{"type":"create","filePath":"/a","content":"x = \"\ud800\""}"#)) == nil)
        #expect(fast(result(#"{"type":"create","filePath":"/a","content":"x = \"\udc00\ud83d\""}"#)) == nil)
    }

    @Test func crlfInsideStringsSplitsLines() throws {
        let record = try #require(
            expectSame(result(#"{"type":"create","filePath":"/repo/w.txt","content":"a = 1\r\nb = 2\r\n}\r\n\r\nc = 3"}"#)))
        #expect(record.toolUseResult?.addedLines == hashes("a = 1", "b = 2", "c = 3"))
        let write = try #require(expectSame(call("Write", #"{"file_path":"/repo/w.txt","content":"a = 1\r\nb = 2\r\n"}"#)))
        #expect(write.message?.content?.first?.editInput?.content == "a = 1\r\nb = 2\r\n")
    }

    @Test func structuredPatchPlusLinesMinusRemovedOnes() throws {
        // A line removed and written back is not new; one written back re-indented is
        // (PRODUCT.md, "Added lines": decided on the exact text).
        let line = result(
            #"{"filePath":"/repo/a.swift","oldString":"old","newString":"new","originalFile":"huge\nfile\n","structuredPatch":[{"oldStart":1,"oldLines":3,"newStart":1,"newLines":4,"lines":[" keep","-    moved()","+moved()","+added(\"q\")","+\t\tadded2()","-gone","-same()"]},{"oldStart":9,"lines":["+}","+tail \\ end","+same()"]}],"userModified":false,"replaceAll":false}"#
        )
        let record = try #require(expectSame(line))
        #expect(record.toolUseResult?.addedLines == hashes("moved()", "added(\"q\")", "added2()", "tail \\ end"))
        #expect(record.toolUseResult?.filePath == "/repo/a.swift")
    }

    @Test func resultWithoutPatchFallsBackLikeTheDecoder() throws {
        expectSame(result(#"{"filePath":"/repo/a","oldString":"a\nb","newString":"a\nb\nc = 1"}"#))
        expectSame(result(#"{"type":"update","filePath":"/repo/a","content":"a\nb\nc = 1","originalFile":"a\nb"}"#))
        expectSame(result(#"{"type":"update","filePath":"/repo/a","content":"a\nb\nc = 1","originalFile":null}"#))
        // Shapes JSONDecoder decodes leniently: a non-object hunk drops the patch, a
        // non-string line drops the hunk's lines.
        expectSame(result(#"{"type":"update","filePath":"/a","structuredPatch":[1],"newString":"x = 1"}"#))
        expectSame(result(#"{"type":"update","filePath":"/a","structuredPatch":[{"lines":["+a = 1",null]},{"lines":["+b = 2"]}]}"#))
        expectSame(result(#"{"type":"create","filePath":7,"content":["not text"],"structuredPatch":"x"}"#))
    }

    @Test func multiEditPairsDecode() throws {
        let line = call(
            "MultiEdit",
            #"{"file_path":"/repo/c.swift","edits":[{"old_string":"a","new_string":"alpha()\n\"q\""},{"new_string":"beta()\r\ngamma()","old_string":"b","replace_all":true}]}"#
        )
        let record = try #require(expectSame(line))
        let input = try #require(record.message?.content?.first?.editInput)
        #expect(ClaudeCodeLineInterpreter.addedLines(tool: "MultiEdit", input) == hashes("alpha()", "\"q\"", "beta()", "gamma()"))
        // One edit that is not an object: `[ClaudeStringPair]` does not decode at all.
        expectSame(call("MultiEdit", #"{"file_path":"/repo/c.swift","edits":[{"old_string":"a","new_string":"b"},"x"]}"#))
    }

    @Test func failedCallIsReadLikeTheDecoder() throws {
        let record = try #require(expectSame(result(#""Error: String to replace not found in file.""#, isError: true)))
        #expect(record.toolUseResult == nil)
        #expect(record.message?.content?.first?.isError == true)
        #expect(record.message?.content?.first?.toolUseID == "toolu_1")
    }

    @Test func oddShapesMatchTheDecoder() throws {
        // Blocks that are not objects are dropped; a string content is no blocks.
        expectSame(
            #"{"type":"user","message":{"content":["text",{"type":"tool_result","tool_use_id":"t","is_error":"yes"},3]},"toolUseResult":{"type":"create","filePath":"/a","content":"x = 1"}}"#
        )
        expectSame(#"{"type":"user","message":{"content":"typed prompt"},"toolUseResult":{"filePath":"/a","structuredPatch":[]}}"#)
        expectSame(
            #" { "type" : "assistant" , "message" : { "usage" : { "output_tokens" : -4 , "input_tokens" : null }, "content" : [ { "name" : "Write" , "input" : { "content" : "a = 1" , "file_path" : "/w" } , "type" : "tool_use" } ] } } "#
        )
        expectSame(#"{"message":[],"toolUseResult":[],"cwd":null,"sessionId":12.5e3}"#)
    }

    @Test func shapesLeftToTheDecoder() {
        // Invalid escapes, raw control characters, bad literals: JSONDecoder refuses them.
        #expect(fast(call("Write", #"{"file_path":"/w","content":"a\x"}"#)) == nil)
        #expect(fast(call("Write", "{\"file_path\":\"/w\",\"content\":\"a\tb\"}")) == nil)
        #expect(fast(call("Write", #"{"file_path":"/w","content":"a","flag":tru}"#)) == nil)
        #expect(fast(call("Write", #"{"file_path":"/w","content":"a","n":01}"#)) == nil)
        // Duplicate keys of interest and escaped keys are not judged here.
        #expect(fast(call("Write", #"{"file_path":"/w","file_path":"/v"}"#)) == nil)
        #expect(fast(call("Write", #"{"file_p\u0061th":"/w"}"#)) == nil)
        // Usage is decoded by `ClaudeUsage` itself, so odd numbers agree with the decoder.
        expectSame(#"{"type":"assistant","message":{"usage":{"output_tokens":1.5,"input_tokens":2}}}"#)
        #expect(fast(#"{"type":"assistant"} x"#) == nil)
    }

    @Test func samplesDecodeLikeJSONDecoder() throws {
        let folder = Samples.root.appendingPathComponent("claude-code").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jsonl") }
        var compared = 0
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let line = String(line)
                guard let slow = decoded(line), let quick = fast(line) else { continue }
                #expect(summary(quick) == summary(slow), "\(file)")
                compared += 1
            }
        }
        #expect(compared > 100)
    }

    @Test func plainTextDetectsEscapesAndControlCharacters() {
        for text in ["", "abc", "0123456789abcdef", "caf\u{e9} and more text here", "long line with no escapes at all ok"] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer {
                #expect(ClaudeEditScan.plainText($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0..<$0.count) != nil)
            }
        }
        for text in ["0123456789\\n", "\\", "abcdefgh\u{1}", "\u{1f}abcdefghijk", "ab\u{e9}cdefg\\hijklmnop"] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { #expect(ClaudeEditScan.plainText($0.baseAddress!, 0..<$0.count) == nil) }
        }
    }
}
