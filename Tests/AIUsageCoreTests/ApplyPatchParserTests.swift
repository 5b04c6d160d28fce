import Foundation
import Testing
@testable import AIUsageCore

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
        let patch = "*** Begin Patch\r\n*** Update File: old/name.txt\r\n*** Move to: new/name.txt\r\n@@\r\n-alpha\r\n+beta\r\n*** End of File\r\n*** Delete File: gone.txt\r\n*** Add File: b.txt\r\n+bee\r\n*** End Patch\r\n"
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
}
