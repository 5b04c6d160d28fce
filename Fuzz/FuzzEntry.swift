import Foundation

/// The body every fuzz target shares: hand the input to each reader of the family and
/// stop the run (so libFuzzer saves the input) when an invariant does not hold.
public enum FuzzEntry {
    /// One scratch home per process, reused by every input (files are rewritten).
    nonisolated(unsafe) static var scratch: ReaderInvariants.Scratch?
    static let checks = ReaderInvariants.Checks.all(skipping: ProcessInfo.processInfo.environment["AIUSAGE_FUZZ_SKIP"])

    public static func run(_ family: ReaderFamily, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let scratch = Self.scratch ?? ReaderInvariants.Scratch(prefix: "aiusage-fuzz-\(family.rawValue)")
        Self.scratch = scratch
        let violations = ReaderInvariants.violations(of: input, family: family, scratch: scratch, checks: checks)
        guard violations.isEmpty else {
            FileHandle.standardError.write(
                Data(
                    ("==aiusage-fuzz== invariant broken (\(family.rawValue)):\n"
                        + violations.map { "  " + $0 }.joined(separator: "\n") + "\n").utf8))
            abort()
        }
        return 0
    }
}
