import Foundation
import Testing

@testable import AIUsageReaders

/// Codex `item_completed` FileChange lines are read by walking their bytes
/// (`CodexLineParser.fastFileChange`), with `JSONDecoder` for any other shape. Where the
/// walk answers it must read exactly what the decoder reads; where it cannot be sure, it
/// must leave the line to the decoder.
@Suite struct CodexFileChangeWalkTests {
    private struct Read: Equatable {
        var timestamp: String?
        var id: String?
        var status: String?
        var changes: [String: [String?]]?

        init(_ timestamp: String?, _ item: CodexFileChangeItem) {
            self.timestamp = timestamp
            id = item.id
            status = item.status
            changes = item.changes?.mapValues { [$0.type, $0.content, $0.unifiedDiff, $0.movePath] }
        }
    }

    private func line(item: String, timestamp: String = #""2026-11-02T10:00:00.000Z""#) -> String {
        #"{"timestamp":\#(timestamp),"type":"event_msg","payload":{"type":"item_completed","thread_id":"t","item":\#(item)}}"#
    }

    private func both(_ text: String) -> (walked: Read?, decoded: Read?) {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { mutable in
            let buffer = UnsafeBufferPointer(mutable)
            guard let payload = JSONWalk.member(buffer, "payload"), let item = JSONWalk.memberStart(buffer, of: payload.lowerBound, "item")
            else { return (nil, nil) }
            let walked = CodexLineParser.fastFileChange(buffer, item: item).map { Read($0.timestamp, $0.item) }
            let decoded = (try? JSONDecoder().decode(CodexEnvelope<CodexFileChangeItem.Completed>.self, from: Data(text.utf8)))
                .flatMap { envelope in envelope.payload?.item.map { Read(envelope.timestamp, $0) } }
            return (walked, decoded)
        }
    }

    @Test func readsWhatTheDecoderReads() {
        let items = [
            #"{"type":"FileChange","id":"fc_1","status":"completed","changes":{"/w/a.swift":{"type":"add","content":"let a = 1\nlet b = 2\n"}}}"#,
            #"{"type":"FileChange","id":"fc_2","status":"completed","changes":{"/w/b.py":{"type":"update","unified_diff":"@@ -1 +1 @@\n-x\n+y\n","move_path":"/w/c.py"},"/w/d.md":{"type":"delete"}}}"#,
            // Escapes of every kind, a surrogate pair, a path with an escaped slash.
            #"{"type":"FileChange","id":"fc_3","changes":{"\/w\/e\u0301.txt":{"type":"add","content":"tab\tquote\" back\\ \u00e9 \ud83d\ude00 \/ \b\f\r\n"}}}"#,
            // Null and absent fields, no changes at all, empty changes.
            #"{"type":"FileChange","id":null,"status":null,"changes":{"/w/f":{"type":"add","content":null,"move_path":null}}}"#,
            #"{"type":"FileChange","id":"fc_5","status":"in_progress"}"#,
            #"{"type":"FileChange","id":"fc_6","changes":{}}"#,
            #"{"type":"FileChange","id":"fc_7","changes":null}"#,
            // Keys in another order, white space, unknown fields.
            #"{ "changes" : { "/w/g" : { "content" : "x\n" , "extra" : [1, {"a": 2}], "type" : "add" } } , "status" : "completed" , "id" : "fc_8" , "type" : "FileChange" }"#,
            #"{"type":"FileChange","id":"fc_9","status":"completed","changes":{"/w/h":{"type":"add","content":"one\n"},"/w/i":{"type":"add","content":"two\n"}}}"#,
        ]
        for item in items {
            let (walked, decoded) = both(line(item: item))
            #expect(walked != nil, "the walk reads \(item)")
            #expect(walked == decoded, "\(item)")
        }
        // The record's timestamp: absent or null.
        for timestamp in ["null"] {
            let (walked, decoded) = both(line(item: items[0], timestamp: timestamp))
            #expect(walked != nil)
            #expect(walked == decoded)
        }
        let (walked, decoded) = both(#"{"type":"event_msg","payload":{"type":"item_completed","item":\#(items[0])}}"#)
        #expect(walked != nil && walked == decoded)
    }

    /// Shapes the walk leaves to the decoder (which may read them otherwise: a number for
    /// a string is nil to it, a change that is not an object drops them all, a lone
    /// surrogate makes it fail).
    @Test func leavesOddShapesToTheDecoder() {
        let items = [
            #"{"type":"FileChange","id":7,"changes":{"/w/a":{"type":"add","content":"x"}}}"#,
            #"{"type":"FileChange","id":"a","status":true}"#,
            #"{"type":"FileChange","id":"a","changes":{"/w/a":{"type":"add","content":["x"]}}}"#,
            #"{"type":"FileChange","id":"a","changes":{"/w/a":"add"}}"#,
            #"{"type":"FileChange","id":"a","changes":[]}"#,
            #"{"type":"FileChange","id":"a","changes":{"/w/a":{"type":"add","content":"\ud800 lone"}}}"#,
            #"{"type":"FileChange","id":"a","changes":{"/w/a":{"type":"add","content":"1"},"/w/a":{"type":"add","content":"2"}}}"#,
        ]
        for item in items {
            #expect(both(line(item: item)).walked == nil, "\(item)")
        }
        #expect(both(line(item: #"{"type":"FileChange","id":"a"}"#, timestamp: "12")).walked == nil)
    }

    /// `JSONWalk.memberStart` finds where a value starts as `member` does, first
    /// occurrence, any key order, without walking the value itself.
    @Test func memberStartAgreesWithMember() {
        let lines = [
            #"{"a":1,"item":{"type":"X","big":"…"},"item":{"type":"Y"}}"#,
            #"{ "item" : [1, 2] , "a" : {"item": 3} }"#,
            #"{"a":{"item":1},"b":"item"}"#,
            #"{}"#,
        ]
        for text in lines {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { line in
                #expect(JSONWalk.memberStart(line, of: 0, "item") == JSONWalk.member(line, of: 0, "item")?.lowerBound, "\(text)")
            }
        }
        // The value after the key is not looked at: a start is found even before a cut.
        Array(#"{"a":1,"item":{"type":"X","cut"#.utf8).withUnsafeBufferPointer { line in
            #expect(JSONWalk.memberStart(line, of: 0, "item") == 14)
            #expect(JSONWalk.member(line, of: 0, "item") == nil)
        }
    }
}
