import AIUsageCore
import AIUsageReaders
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What every reader must do with any bytes at all, checked by the fuzz targets
/// (`Fuzz/`) and by the invariant tests on the samples and on the regression inputs:
///
/// - never crash, and never throw on a file it can open;
/// - account for its lines: the read stops after the last newline (the rest waits for
///   the next run), and every complete line is read or skipped, none twice;
/// - **a record counts exactly or is skipped and counted**: every line that is not
///   valid JSON (`StrictJSON`: bad UTF-8, a control byte in a string, a cut record) is
///   counted as skipped, and the totals are exactly those of the file without those
///   lines — a malformed line never adds half of itself;
/// - no negative token count, no count whose total overflows, no empty dedup key;
/// - the same bytes give the same records (re-reads are idempotent);
/// - reading the file in two runs, cut at any byte (the first run seeing a prefix, as
///   when the tool is still writing), ends with the same totals per dedup key as one
///   read of the whole file, continued as the ingestor continues it (from the offset
///   for append-only files, from 0 with the state for rewritten ones).
///
/// Totals are compared as the store keeps them: the field-wise maximum per (tool,
/// dedup key), summed.
public enum ReaderInvariants {
    /// The checks, to leave some out (`AIUSAGE_FUZZ_SKIP=malformed,split` hunts for
    /// crashes past a known, not yet fixed fault).
    public struct Checks: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let events = Checks(rawValue: 1)
        public static let accounting = Checks(rawValue: 2)
        public static let determinism = Checks(rawValue: 4)
        public static let malformed = Checks(rawValue: 8)
        public static let split = Checks(rawValue: 16)
        public static let all: Checks = [.events, .accounting, .determinism, .malformed, .split]

        /// `all` less the comma-separated names in `skip`.
        public static func all(skipping skip: String?) -> Checks {
            var checks = Checks.all
            let names: [String: Checks] = [
                "events": .events, "accounting": .accounting, "determinism": .determinism, "malformed": .malformed, "split": .split,
            ]
            for name in (skip ?? "").split(separator: ",") {
                if let check = names[name.trimmingCharacters(in: .whitespaces)] { checks.remove(check) }
            }
            return checks
        }
    }

    /// Files the checks write, below one scratch home folder.
    public final class Scratch: @unchecked Sendable {
        public let home: String
        private var made: Set<String> = []

        public init(prefix: String = "aiusage-invariants") {
            let base = ProcessInfo.processInfo.environment["AIUSAGE_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
            home = (base as NSString).appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))")
            try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: home) }

        func path(_ relative: String) -> String {
            let path = home + "/" + relative
            let folder = (path as NSString).deletingLastPathComponent
            if made.insert(folder).inserted {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            return path
        }
    }

    /// Every violation of the invariants by the readers of `family` on `input`, as
    /// sentences naming the reader; empty when all hold.
    public static func violations(
        of input: [UInt8], family: ReaderFamily, scratch: Scratch, checks: Checks = .all
    ) -> [String] {
        family.cases.flatMap { violations(of: input, case: $0, scratch: scratch, checks: checks) }
    }

    public static func violations(
        of input: [UInt8], case readerCase: ReaderCase, scratch: Scratch, checks: Checks = .all
    ) -> [String] {
        var found: [String] = []
        func fail(_ text: String) { found.append("\(readerCase.name): \(text)") }
        let path = scratch.path(readerCase.relativePath)
        let reader = readerCase.reader
        do {
            try write(input, to: path)
            let whole = try Observed.read(reader, path: path, from: 0, state: nil)
            let lines = LineSplit(input)
            if checks.contains(.events) { checkEvents(whole, fail) }
            if checks.contains(.accounting) {
                checkAccounting(whole, lines: lines, readerCase: readerCase, size: input.count, fail)
            }

            // Determinism: the same bytes, the same records.
            if checks.contains(.determinism) {
                let again = try Observed.read(reader, path: path, from: 0, state: nil)
                if again.folded != whole.folded || again.progress.linesRead != whole.progress.linesRead
                    || again.progress.linesSkipped != whole.progress.linesSkipped || again.edits != whole.edits
                {
                    fail("a second read of the same bytes gave other records")
                }
            }

            // Malformed lines: skipped, counted, and without any effect on the totals.
            if checks.contains(.malformed), readerCase.format == .jsonLines {
                let malformed = lines.complete.indices.filter { StrictJSON.check(lines.complete[$0]) == .malformed }
                if !malformed.isEmpty {
                    if whole.progress.linesSkipped < malformed.count {
                        fail(
                            "\(malformed.count) malformed line(s) (first: line \(lines.numbers[malformed[0]])) but only "
                                + "\(whole.progress.linesSkipped) counted as skipped")
                    }
                    let cleaned = lines.without(Set(malformed))
                    try write(cleaned, to: path)
                    let clean = try Observed.read(reader, path: path, from: 0, state: nil)
                    if clean.totals != whole.totals {
                        fail(
                            "malformed lines changed the totals: \(describe(whole.totals)) with them, "
                                + "\(describe(clean.totals)) without them (first malformed: line \(lines.numbers[malformed[0]]))")
                    }
                }
            }

            // Two runs, cut at one byte: the same totals per key as one read.
            if checks.contains(.split), !input.isEmpty {
                let cut = Int(fnv(input) % UInt64(input.count + 1))
                try write(Array(input[..<cut]), to: path)
                let first = try Observed.read(reader, path: path, from: 0, state: nil)
                try append(Array(input[cut...]), to: path)
                let resume = reader.fileKind == .appendOnly ? first.progress.offset : 0
                let second = try Observed.read(reader, path: path, from: resume, state: first.progress.state)
                var merged = first.folded
                for (key, tokens) in second.folded { merged[key] = merged[key].map { $0.fieldwiseMax(tokens) } ?? tokens }
                if merged != whole.folded {
                    fail("read in two runs cut at byte \(cut), the totals differ: " + difference(merged, whole.folded))
                }
                if reader.fileKind == .appendOnly, readerCase.stopsAtLastNewline {
                    if first.progress.offset > Int64(cut) {
                        fail("the first run of a cut file ended at \(first.progress.offset), past its size \(cut)")
                    }
                    if second.progress.offset != whole.progress.offset {
                        fail("read in two runs, it ended at \(second.progress.offset) instead of \(whole.progress.offset)")
                    }
                }
            }
        } catch {
            fail("threw on a readable file: \(error)")
        }
        return found
    }

    // MARK: - Checks

    static func checkEvents(_ observed: Observed, _ fail: (String) -> Void) {
        for event in observed.usage {
            let t = event.tokens
            if t.input < 0 || t.output < 0 || t.cacheWrite < 0 || t.cacheRead < 0 || t.reasoning < 0 || t.cacheWrite1h < 0 {
                fail("negative token count \(describe(t)) under key \(event.dedupKey.debugDescription)")
            }
            var total: Int64 = 0
            for part in [t.input, t.output, t.cacheWrite, t.cacheRead] {
                let (sum, overflow) = total.addingReportingOverflow(part)
                if overflow {
                    fail("token counts whose total overflows: \(describe(t))")
                    break
                }
                total = sum
            }
            if event.dedupKey.isEmpty { fail("a usage event without a dedup key") }
        }
        for edit in observed.edits where edit.dedupKey.isEmpty { fail("an edit without a dedup key") }
    }

    static func checkAccounting(
        _ observed: Observed, lines: LineSplit, readerCase: ReaderCase, size: Int, _ fail: (String) -> Void
    ) {
        let progress = observed.progress
        if progress.linesRead < 0 || progress.linesSkipped < 0 || progress.trailingBytes < 0 {
            fail("negative line counts: read \(progress.linesRead), skipped \(progress.linesSkipped)")
        }
        if progress.offset < 0 || progress.offset > Int64(size) {
            fail("offset \(progress.offset) outside the file (\(size) bytes)")
        }
        guard readerCase.format != .document else { return }
        if readerCase.stopsAtLastNewline {
            if progress.offset != Int64(lines.consumed) {
                fail("stopped at \(progress.offset), not after the last newline (\(lines.consumed))")
            }
            if progress.trailingBytes != size - lines.consumed {
                fail("reported \(progress.trailingBytes) trailing bytes, not \(size - lines.consumed)")
            }
        }
        let count = lines.complete.count
        if progress.linesSkipped > count || progress.linesRead > count {
            fail("counted \(progress.linesRead) read and \(progress.linesSkipped) skipped of \(count) lines")
        }
        if progress.linesRead + progress.linesSkipped < count {
            fail("\(count) lines, but only \(progress.linesRead) read and \(progress.linesSkipped) skipped")
        }
    }

    // MARK: - Reading

    /// What one read handed out.
    struct Observed {
        var progress: ReadProgress
        var usage: [UsageEvent] = []
        var edits: [EditEvent] = []

        /// Usage as the store keeps it: field-wise maximum per (tool, dedup key).
        var folded: [String: TokenCounts] {
            var result: [String: TokenCounts] = [:]
            for event in usage {
                let key = event.tool.rawValue + " " + event.dedupKey
                result[key] = result[key].map { $0.fieldwiseMax(event.tokens) } ?? event.tokens
            }
            return result
        }

        /// The folded usage summed (wrapping: a sum that overflows is reported apart).
        var totals: TokenCounts { ReaderInvariants.sum(folded.values) }

        static func read(_ reader: any SessionReader, path: String, from offset: Int64, state: Data?) throws -> Observed {
            var usage: [UsageEvent] = []
            var edits: [EditEvent] = []
            let progress = try reader.read(path: path, from: offset, state: state) { batch in
                usage += batch.usage
                edits += batch.edits
            }
            return Observed(progress: progress, usage: usage, edits: edits)
        }
    }

    static func sum<S: Sequence>(_ counts: S) -> TokenCounts where S.Element == TokenCounts {
        var total = TokenCounts()
        for t in counts {
            total.input = total.input &+ t.input
            total.output = total.output &+ t.output
            total.cacheWrite = total.cacheWrite &+ t.cacheWrite
            total.cacheRead = total.cacheRead &+ t.cacheRead
            total.reasoning = total.reasoning &+ t.reasoning
            total.cacheWrite1h = total.cacheWrite1h &+ t.cacheWrite1h
        }
        return total
    }

    /// A file's complete lines (non-empty, without their newline), and where the last
    /// newline ends.
    struct LineSplit {
        var complete: [[UInt8]] = []
        /// 1-based line numbers of `complete` in the file.
        var numbers: [Int] = []
        var consumed = 0
        var trailing: [UInt8] = []

        init(_ bytes: [UInt8]) {
            var start = 0
            var number = 0
            for index in bytes.indices where bytes[index] == 0x0A {
                number += 1
                if index > start {
                    complete.append(Array(bytes[start..<index]))
                    numbers.append(number)
                }
                start = index + 1
            }
            consumed = start
            trailing = Array(bytes[start...])
        }

        /// The file with the complete lines at `indices` removed (the rest as it was).
        func without(_ indices: Set<Int>) -> [UInt8] {
            var result: [UInt8] = []
            for (index, line) in complete.enumerated() where !indices.contains(index) {
                result += line
                result.append(0x0A)
            }
            return result + trailing
        }
    }

    // MARK: - Files

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        try writeAll(fd, bytes)
    }

    static func append(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        try writeAll(fd, bytes)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let wrote = Glibc_write(fd, raw.baseAddress! + done, raw.count - done)
                if wrote < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileWriteUnknown)
                }
                done += wrote
            }
        }
    }

    // MARK: - Text

    static func fnv(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func describe(_ t: TokenCounts) -> String {
        "input \(t.input), output \(t.output), cache write \(t.cacheWrite), cache read \(t.cacheRead), reasoning \(t.reasoning)"
    }

    static func difference(_ got: [String: TokenCounts], _ expected: [String: TokenCounts]) -> String {
        var parts: [String] = []
        for key in Set(got.keys).union(expected.keys).sorted() where got[key] != expected[key] {
            let left = got[key].map(describe) ?? "nothing"
            let right = expected[key].map(describe) ?? "nothing"
            parts.append("key \(key.debugDescription): \(left) instead of \(right)")
            if parts.count == 3 { break }
        }
        return parts.joined(separator: "; ")
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, pointer, count)
    #else
        return Darwin.write(fd, pointer, count)
    #endif
}
