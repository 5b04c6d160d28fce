import AIUsageCore
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageReaders

/// A whole-file document followed by more bytes (an old tail left by a shorter rewrite)
/// reads as the document, and the tail is counted where `aiusage doctor` shows it.
@Suite struct JSONDocumentTests {
    @Test func theLeadingValueIsCutOnlyWhenSomethingFollowsIt() {
        func cut(_ text: String) -> (String, Int) {
            let document = JSONDocument(Data(text.utf8))
            return (String(decoding: document.bytes, as: UTF8.self), document.trailingBytes)
        }
        #expect(cut(#" [1,{"a":"]}"}]  "# + "\n") == (#" [1,{"a":"]}"}]  "# + "\n", 0))  // one document, white space after
        #expect(cut(#"[1,{"a":"]}"}]  }"# + "\n]") == (#"[1,{"a":"]}"}]"#, 5))  // a bracket inside a string does not end it
        #expect(cut(#"{"a":1}{"a":2}"#) == (#"{"a":1}"#, 7))
        #expect(cut(deeplyNested(600) + "x") == (deeplyNested(600), 1))  // deeper than the walk: the brackets say
        // Nothing complete leads: left whole for the parser to refuse.
        #expect(cut(#"[1,{"a":2"#).1 == 0)
        #expect(cut(#"[1,] x"#).1 == 0)
        #expect(cut(#"1 2"#).1 == 0)
        #expect(cut("").1 == 0)
    }

    @Test func aThreadWithAnOldTailKeepsItsRequestsAndCountsTheTail() throws {
        let dir = try TemporaryDirectory()
        let usage = #"{"model":"claude-sonnet-4","inputTokens":5,"outputTokens":7,"timestamp":"2026-02-28T01:00:00.000Z"}"#
        let thread =
            #"{"v":3,"id":"T-tail","created":1772241173221,"messages":[{"role":"assistant","messageId":1,"usage":"#
            + usage + "}]}"
        let whole = try DriftRead.read(AmpReader(), try dir.write(".local/share/amp/threads/T-tail.json", thread))
        let tailed = try DriftRead.read(AmpReader(), try dir.write(".local/share/amp/threads/T-tail.json", thread + "\n  }]}\n"))
        #expect(tailed.usage == whole.usage && tailed.usage.count == 1)
        #expect(whole.count(.shape, "thread-trailing-bytes") == 0)
        #expect(tailed.count(.shape, "thread-trailing-bytes") == 1)
        #expect(tailed.progress.linesSkipped == whole.progress.linesSkipped + 1)
    }
}
