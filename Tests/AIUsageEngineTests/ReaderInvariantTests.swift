import Foundation
import Testing
import _AIUsageTestSupport

/// The fuzz targets' invariants (`ReaderInvariants`) in the normal suite: on every
/// sample of every reader family, and on every regression input the fuzzing found
/// (`Fuzz/Regressions/<family>/`, small inputs written for the fault, never copies of
/// sample records). Each check runs in a child process (an exit test), so an input
/// that crashes a reader fails its own test instead of ending the whole run.
@Suite struct ReaderInvariantTests {
    static let regressions = CLI.packageRoot + "/Fuzz/Regressions"

    @Test(arguments: ReaderFamily.allCases)
    func samplesKeepTheReaderInvariants(_ family: ReaderFamily) async throws {
        let files = family.sampleFiles(in: Samples.root.path)
        try #require(family == .cline || !files.isEmpty, "no samples of \(family.rawValue) in \(Samples.root.path)")
        try await expectInvariants(family: family, files: files)
    }

    @Test(arguments: ReaderFamily.allCases)
    func regressionInputsKeepTheReaderInvariants(_ family: ReaderFamily) async throws {
        let folder = Self.regressions + "/" + family.rawValue
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            try await expectInvariants(family: family, files: [folder + "/" + name])
        }
    }

    /// Runs the checks on `files` in a child process: the violations are recorded there
    /// (and reported here by the exit test); a reader that crashes kills only the child.
    func expectInvariants(family: ReaderFamily, files: [String]) async throws {
        let names = files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        await #expect(processExitsWith: .success, "\(family.rawValue): \(names)") { [family, files] in
            let scratch = ReaderInvariants.Scratch()
            for file in files {
                let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                for violation in ReaderInvariants.violations(of: input, family: family, scratch: scratch) {
                    Issue.record("\(family.rawValue)/\((file as NSString).lastPathComponent): \(violation)")
                }
            }
        }
    }

    /// The oracle itself: what RFC 8259 calls malformed, and what it does not.
    @Test func strictJSONTellsMalformedLinesApart() {
        let valid = [
            #"{"a":[1,-2.5e3,true,false,null],"b":{"c":"\u00e9\n\"x\""}}"#, "[]", "0", #""é""#, " {\"a\" : 1 }\r",
        ]
        for text in valid { #expect(StrictJSON.check(Array(text.utf8)) == .valid, "\(text)") }
        let malformed: [[UInt8]] = [
            Array(#"{"a":"x\#u{01}y"}"#.utf8), Array("{\"a\":\"x\u{0}\"}".utf8), [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],
            Array(#"{"a":1,}"#.utf8), Array(#"{"a":01}"#.utf8), Array(#"{"a":"\x"}"#.utf8), Array(#"{"a":1}{"#.utf8),
            Array(#"{"a":tru}"#.utf8), Array(#"{"a":1"#.utf8), Array(#"{"a":-}"#.utf8), Array(#"{"a":1.}"#.utf8), [],
        ]
        for bytes in malformed { #expect(StrictJSON.check(bytes) == .malformed, "\(bytes)") }
        #expect(StrictJSON.check(Array(repeating: 0x5B, count: 300) + Array(repeating: 0x5D, count: 300)) == .tooDeep)
    }
}
