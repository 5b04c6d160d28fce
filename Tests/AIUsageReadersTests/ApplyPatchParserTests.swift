import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore

@Suite struct ApplyPatchParserTests {
    private func hashes(_ lines: String...) -> [LineHash] {
        lines.compactMap { LineIdentity.significantHash($0) }
    }

    @Test func addFileCountsEverySignificantPlusLine() {
        let patch = """
            *** Begin Patch
            *** Add File: src/new.swift
            +import Foundation
            +
            +func hello() {
            +    print("hi")
            +}
            *** End Patch
            """
        let changes = ApplyPatchParser.parse(patch)
        #expect(changes.count == 1)
        #expect(changes.first?.kind == .add)
        #expect(changes.first?.path == "src/new.swift")
        // Blank line and lone "}" are not significant.
        #expect(changes.first?.addedLines == hashes("import Foundation", "func hello() {", "print(\"hi\")"))
    }

    /// Added lines are decided on the exact text (PRODUCT.md, "Added lines"): a line
    /// only re-indented was written; a line removed and written back unchanged was not,
    /// even when it moved to another hunk of the same file.
    @Test func reindentedLinesAreAddedAndMovedLinesAreNot() {
        let patch = """
            *** Begin Patch
            *** Update File: a.py
            @@ def f():
            -    x = 1
            -    keep = True
            +        x = 1
            @@ def g():
            +    keep = True
            +    new = 2
            *** Update File: b.py
            @@
            +    keep = True
            *** End Patch
            """
        let changes = ApplyPatchParser.parse(patch)
        #expect(changes.map(\.addedLines) == [hashes("x = 1", "new = 2"), hashes("keep = True")])
    }

    @Test func updateSubtractsRemovedLinesOfTheSameHunk() {
        let patch = """
            *** Begin Patch
            *** Update File: a.py
            @@ def f():
            -    x = 1
            +    x = 2
            +    y = 3
                 return x
            @@ def g():
            -    call(a)
            +    call(a)
            +    call(b)
            *** End Patch
            """
        let changes = ApplyPatchParser.parse(patch)
        #expect(changes.count == 1)
        #expect(changes.first?.kind == .update)
        // Second hunk rewrites `call(a)` identically: only `call(b)` is new there.
        #expect(changes.first?.addedLines == hashes("x = 2", "y = 3", "call(b)"))
    }

    @Test func moveDeleteAndSeveralFilesKeepPatchOrder() throws {
        let patch =
            "*** Begin Patch\r\n*** Update File: old/name.txt\r\n*** Move to: new/name.txt\r\n@@\r\n-alpha\r\n+beta\r\n*** End of File\r\n*** Delete File: gone.txt\r\n*** Add File: b.txt\r\n+bee\r\n*** End Patch\r\n"
        let changes = ApplyPatchParser.parse(patch)
        #expect(changes.map(\.kind) == [.update, .delete, .add])
        try #require(changes.count == 3)
        #expect(changes[0].path == "old/name.txt")
        #expect(changes[0].movedTo == "new/name.txt")
        #expect(changes[0].destinationPath == "new/name.txt")
        #expect(changes[0].addedLines == hashes("beta"))
        #expect(changes[1].path == "gone.txt")
        #expect(changes[1].addedLines.isEmpty)
        #expect(changes[2].addedLines == hashes("bee"))
    }

    @Test func extractsPatchesFromHeredocs() {
        let command = """
            cd repo && apply_patch <<'EOF'
            *** Begin Patch
            *** Add File: x.txt
            +one
            *** End Patch
            EOF
            echo done
            """
        let patches = ApplyPatchParser.extractPatches(from: command)
        #expect(patches.count == 1)
        #expect(patches.first?.hasPrefix("*** Begin Patch") == true)
        #expect(patches.first?.hasSuffix("*** End Patch") == true)
        #expect(ApplyPatchParser.parse(patches[0]).first?.addedLines == hashes("one"))
        // Missing end marker: the patch runs to the end of the text.
        #expect(ApplyPatchParser.extractPatches(from: "*** Begin Patch\n*** Add File: y\n+two").count == 1)
        #expect(ApplyPatchParser.extractPatches(from: "no patch here").isEmpty)
    }

    @Test func garbageNeverCrashes() {
        #expect(ApplyPatchParser.parse("").isEmpty)
        #expect(ApplyPatchParser.parse("+orphan line\n-other\n@@").isEmpty)
        #expect(ApplyPatchParser.parse("*** Update File:\n+x").isEmpty)
    }

    // MARK: Byte-level parsing

    /// `parse(bytes:)` on the UTF-8 of `text`.
    private func parseBytes(_ text: String) -> [ApplyPatchParser.FileChange] {
        Array(text.utf8).withUnsafeBufferPointer { ApplyPatchParser.parse(bytes: $0) }
    }

    @Test func crlfAndStrayCarriageReturnsSplitLikeCharacters() throws {
        // "\r\n" ends a line and one more trailing "\r" is dropped (as the Character split
        // did: "\r\r\n" is "\r" + "\r\n"); a lone "\r" does not end a line.
        let patch =
            "*** Begin Patch\r\n*** Add File: a.txt \r\r\n+one\r\r\n+two\r+still two\r\n*** Update File: b\r\r\r\n@@\r\n-x\r\n+x\r\n+y\r\n*** End Patch\r"
        let changes = parseBytes(patch)
        try #require(changes.count == 2)
        #expect(changes[0].path == "a.txt")
        #expect(changes[0].addedLines == hashes("one", "two\r+still two"))
        #expect(changes[1].path == "b\r")  // only two CRs go; `.whitespaces` never trimmed CR
        #expect(changes[1].addedLines == hashes("y"))
        #expect(ApplyPatchParser.parse(patch) == changes)
        // A final line without "\n" loses one "\r" only.
        #expect(parseBytes("*** Begin Patch\n*** Add File: c\r\r").first?.path == "c\r")
    }

    @Test func nonASCIILinesAndPaths() throws {
        let patch = """
            *** Begin Patch
            *** Add File:\u{00A0}dossier/ünïcödé.txt\u{3000}
            +let été = "日本語"
            +\u{3000}全角
            +😀
            *** Update File:\tsrc/a.swift\t
            @@
            -été
            +été
            +naïve
            *** End Patch
            """
        let changes = parseBytes(patch)
        try #require(changes.count == 2)
        // Non-ASCII white space around a path is trimmed as `CharacterSet.whitespaces` does.
        #expect(changes[0].path == "dossier/ünïcödé.txt")
        #expect(changes[0].addedLines == hashes("let été = \"日本語\"", "\u{3000}全角"))  // an emoji alone is not significant
        #expect(changes[1].path == "src/a.swift")
        #expect(changes[1].addedLines == hashes("naïve"))
    }

    @Test func patchRangesFindEveryBlockInHeredocForms() {
        let command =
            "apply_patch <<'EOF'\r\n*** Begin Patch\r\n*** Add File: a\r\n+1\r\n*** End Patch\r\nEOF\n"
            + "apply_patch <<\"EOF\"\n*** Begin Patch\n*** Delete File: b\n*** End Patch\nEOF\n"
            + "apply_patch <<EOF\n*** Begin Patch\n*** Add File: c\n+3\n"  // unterminated: runs to the end
        let patches = ApplyPatchParser.extractPatches(from: command)
        #expect(patches.count == 3)
        #expect(patches.allSatisfy { $0.hasPrefix("*** Begin Patch") })
        #expect(patches[0].hasSuffix("*** End Patch") && patches[1].hasSuffix("*** End Patch"))
        #expect(patches[2].hasSuffix("+3\n"))
        #expect(patches.flatMap { ApplyPatchParser.parse($0) }.map(\.path) == ["a", "b", "c"])
        let ranges = Array(command.utf8).withUnsafeBufferPointer { ApplyPatchParser.patchRanges(in: $0) }
        #expect(ranges.map(\.count) == patches.map(\.utf8.count))
        #expect(Array("*** Begin Patc".utf8).withUnsafeBufferPointer { ApplyPatchParser.patchRanges(in: $0) }.isEmpty)
    }

    @Test func jsonStringsUnescapeToBytes() {
        func unescape(_ literal: String) -> [UInt8]? {
            Array(literal.utf8).withUnsafeBufferPointer { JSONWalk.unescapedBytes($0, 0..<$0.count) }
        }
        #expect(unescape(#""a\n\t\"q\"\\\/b""#) == Array("a\n\t\"q\"\\/b".utf8))
        #expect(unescape(#""caf\u00e9 \ud83d\ude00 \u65e5\r\b\f""#) == Array("café 😀 日\r\u{08}\u{0C}".utf8))
        #expect(unescape(#""raw é 😀""#) == Array("raw é 😀".utf8))
        #expect(unescape(#""""#) == [])
        // Whatever JSONDecoder could read differently is declined (the caller decodes).
        #expect(unescape(#""bad \q escape""#) == nil)
        #expect(unescape(#""lone \ud800 surrogate""#) == nil)
        #expect(unescape(#""lone \udc00 low""#) == nil)
        #expect(unescape(#""short \u12""#) == nil)
        #expect(unescape("\"raw\ttab\"") == nil)
        #expect(unescape("\"trailing \\\"") == nil)
        var invalid = Array("\"bad ".utf8)
        invalid += [0xC3, 0x28, 0x22]
        #expect(invalid.withUnsafeBufferPointer { JSONWalk.unescapedBytes($0, 0..<$0.count) } == nil)
    }

    @Test func skipStringCountsBackslashesBeforeQuotes() {
        func end(_ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { JSONWalk.skipString($0, 0) } }
        #expect(end(#""abc",1"#) == 5)
        #expect(end(#""a\"b",1"#) == 6)
        #expect(end(#""a\\",1"#) == 5)
        #expect(end(#""a\\\"",1"#) == 7)
        #expect(end(#""unterminated\""#) == nil)
        let long = "\"" + String(repeating: "x\\\"", count: 500) + "\",\"k\""
        #expect(end(long) == 1 + 1500 + 1)
    }
}
