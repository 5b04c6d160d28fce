import Testing
@testable import AIUsageCore

@Suite struct LineIdentityTests {
    @Test func blankAndPunctuationLinesAreNotSignificant() {
        #expect(LineIdentity.significantHash("") == nil)
        #expect(LineIdentity.significantHash("   ") == nil)
        #expect(LineIdentity.significantHash("  });") == nil)
        #expect(LineIdentity.significantHash("}") == nil)
        #expect(LineIdentity.significantHash("x") != nil)
        #expect(LineIdentity.significantHash("  é ") != nil)
        #expect(LineIdentity.significantHash("// 1") != nil)
    }

    @Test func hashIgnoresSurroundingWhiteSpaceOnly() {
        #expect(LineIdentity.significantHash("  let a = 1\t") == LineIdentity.significantHash("let a = 1"))
        #expect(LineIdentity.significantHash("let a = 1\r") == LineIdentity.significantHash("let a = 1"))
        #expect(LineIdentity.significantHash("let a = 1") != LineIdentity.significantHash("let a =  1"))
    }

    @Test func byteAndStringHashingAgree() {
        let line = "   return value + 1  "
        let fromBytes = Array(line.utf8).withUnsafeBufferPointer { LineIdentity.significantHash(bytes: $0) }
        #expect(fromBytes == LineIdentity.significantHash(line))
    }

    @Test func addedLinesIsMultisetDifference() {
        let added = AddedLines.between(old: "a\nb\n}\n", new: "a\nb\nb\nc\n}\n}\n")
        #expect(added == [LineIdentity.significantHash("b")!, LineIdentity.significantHash("c")!])
    }

    /// PRODUCT.md as refined by issue 11 §3: a line whose only change is its white space
    /// was written by the edit (git shows it as added); its identity stays the trimmed text.
    @Test func aReindentedLineWasWrittenByTheEdit() {
        let added = AddedLines.between(old: "if x:\n    run()\n", new: "if x:\n        run()\n")
        #expect(added == [LineIdentity.significantHash("run()")!])
    }

    @Test func trailingWhiteSpaceCountsButALineEndingDoesNot() {
        #expect(AddedLines.between(old: "keep = 1\r\n", new: "keep = 1\n").isEmpty)
        #expect(AddedLines.between(old: "keep = 1\n", new: "keep = 1  \n") == [LineIdentity.significantHash("keep = 1")!])
    }

    @Test func aMovedLineIsNotWrittenAgain() {
        let added = AddedLines.between(old: "first()\nsecond()\n", new: "second()\nfirst()\n")
        #expect(added.isEmpty)
    }

    @Test func editLinesOfDiffSidesUseTheSameRule() {
        let removed = LineIdentity.editLines(ofText: "  a = 1\nb = 2\n")
        let added = LineIdentity.editLines(ofText: "a = 1\nb = 2\n}\n")
        #expect(AddedLines.added(added, minus: removed) == [LineIdentity.significantHash("a = 1")!])
    }
}

@Suite struct LineSplittingTests {
    @Test func crlfTextIsSplitIntoLines() {
        let hashes = LineIdentity.significantHashes(ofText: "alpha\r\nbeta\r\n}\r\n")
        #expect(hashes == [LineIdentity.significantHash("alpha")!, LineIdentity.significantHash("beta")!])
    }
}
