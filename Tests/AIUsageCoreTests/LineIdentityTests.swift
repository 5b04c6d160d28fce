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
}

@Suite struct LineSplittingTests {
    @Test func crlfTextIsSplitIntoLines() {
        let hashes = LineIdentity.significantHashes(ofText: "alpha\r\nbeta\r\n}\r\n")
        #expect(hashes == [LineIdentity.significantHash("alpha")!, LineIdentity.significantHash("beta")!])
    }
}
