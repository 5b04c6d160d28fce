import AIUsageCore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams the complete lines of a record file from a byte offset, in fixed-size chunks.
///
/// Memory stays bounded by the chunk size plus the longest line accepted, whatever the
/// file's size. Bytes after the last newline are not handed out: they are a record
/// still being written (or cut off), and the next run reads them again from
/// `consumedTo`.
///
/// Two rules hold here for every reader, so that no reader has to repeat them:
/// - In a JSON Lines file (`.jsonl`, `.json`, and their `.zst` forms), a line that
///   cannot be JSON text (not UTF-8, or a control byte JSON forbids, such as a NUL) is
///   skipped whole and counted in `malformedLines`: a damaged record is never read in
///   part (a NUL inside `output_tokens` must not become 0 tokens). Other text files
///   read line by line (Aider's Markdown history, where terminal output keeps its
///   escape bytes) are handed out as they are.
/// - A line longer than `maxLineBytes` is skipped and counted in `overlongLines`
///   without being buffered whole: the reader looks for its end with `memchr` and
///   goes on after it, so a 1 GB line costs no more memory than the limit.
///
/// A path ending in `.zst` is a zstd-compressed stream (Codex's idle rollouts): it is
/// decompressed on the fly (`ZstdStream`) into the same callback. Offsets are then
/// positions in the decompressed stream; such a file is never appended to, so its
/// readers start at 0.
public enum JSONLinesFile {
    /// The longest line handed out: a record beyond this is damage or abuse, not a
    /// transcript line (the largest real ones are a few megabytes of tool output).
    public static let defaultMaxLineBytes = 64 << 20

    public struct Outcome: Sendable, Equatable {
        /// Offset just past the last newline seen.
        public var consumedTo: Int64
        /// Bytes after the last newline.
        public var trailingBytes: Int
        /// Lines skipped because they cannot be JSON text (invalid UTF-8, or a raw
        /// control byte other than tab or CR).
        public var malformedLines = 0
        /// Lines skipped because they are longer than the limit.
        public var overlongLines = 0

        /// Every line this toolkit skipped; readers add it to `ReadProgress.linesSkipped`.
        public var skippedLines: Int { malformedLines + overlongLines }
    }

    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case cannotRead(path: String, errno: Int32)
        public var description: String {
            switch self {
            case .cannotOpen(let path, let code): "cannot open \(path): \(String(cString: strerror(code)))"
            case .cannotRead(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Whether `path` names a zstd-compressed record file.
    public static func isCompressed(_ path: String) -> Bool { path.hasSuffix(".zst") }

    /// Whether the lines of `path` must be JSON text: a JSON Lines or JSON file, plain
    /// or compressed.
    public static func holdsJSON(_ path: String) -> Bool {
        let name = isCompressed(path) ? path.dropLast(4) : Substring(path)
        return name.hasSuffix(".jsonl") || name.hasSuffix(".json")
    }

    /// Calls `body` with each complete line (without its newline) and the offset just
    /// past it. Empty lines are skipped silently; malformed and over-long ones are
    /// skipped and counted (see the type's summary).
    public static func forEachLine(
        path: String, from offset: Int64, chunkSize: Int = 1 << 18, maxLineBytes: Int = defaultMaxLineBytes,
        _ body: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void
    ) throws -> Outcome {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure.cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        var scanner = LineScanner(
            start: max(0, offset), chunkSize: max(1, chunkSize), maxLineBytes: max(1, maxLineBytes),
            checksJSONText: holdsJSON(path))
        if isCompressed(path) {
            let stream = try ZstdStream(fd: fd, path: path)
            scanner.discard = max(0, offset)  // a stream cannot seek: skip decompressed bytes
            try scanner.run(body) { try stream.read(into: $0, count: $1) }
        } else {
            if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
                throw Failure.cannotRead(path: path, errno: errno)
            }
            try scanner.run(body) { pointer, count in
                while true {
                    let got = systemRead(fd, pointer, count)
                    if got >= 0 { return got }
                    if errno != EINTR { throw Failure.cannotRead(path: path, errno: errno) }
                }
            }
        }
        return scanner.outcome
    }

    @inline(__always)
    static func memchrIndex(_ all: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = all.baseAddress, from < to else { return nil }
        guard let hit = memchr(base + from, 0x0A, to - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}

/// The line splitting behind `JSONLinesFile.forEachLine`, over any byte source (a file
/// descriptor, or a zstd stream).
private struct LineScanner {
    let chunkSize: Int
    let maxLineBytes: Int
    /// Lines must be JSON text (UTF-8, no control byte but tab and CR).
    let checksJSONText: Bool
    var buffer: [UInt8]
    /// Bytes of `buffer` holding data.
    var filled = 0
    /// Stream offset of `buffer[0]`.
    var bufferStart: Int64
    /// Offset just past the last newline.
    var consumedTo: Int64
    /// Inside a line longer than the limit: its bytes are dropped until its newline.
    var skipping = false
    /// Bytes at the start of the source to drop before anything (a stream's offset).
    var discard: Int64 = 0
    var malformed = 0
    var overlong = 0

    init(start: Int64, chunkSize: Int, maxLineBytes: Int, checksJSONText: Bool) {
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
        self.checksJSONText = checksJSONText
        buffer = [UInt8](repeating: 0, count: chunkSize)
        bufferStart = start
        consumedTo = start
    }

    var outcome: JSONLinesFile.Outcome {
        JSONLinesFile.Outcome(
            consumedTo: consumedTo, trailingBytes: Int(bufferStart + Int64(filled) - consumedTo),
            malformedLines: malformed, overlongLines: overlong)
    }

    mutating func run(
        _ body: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void,
        read: (UnsafeMutableRawPointer, Int) throws -> Int
    ) throws {
        // Where the newline search resumes: bytes before it were searched already.
        var searchFrom = 0
        while true {
            if filled == buffer.count {
                // A line longer than the buffer (and not yet than the limit): grow it.
                let grown = min(buffer.count * 2, maxLineBytes + 1)
                buffer.append(contentsOf: repeatElement(0, count: max(grown - buffer.count, chunkSize)))
            }
            let start = filled
            var got = try buffer.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                return try read(base + start, raw.count - start)
            }
            if got == 0 { break }
            if discard > 0 {
                let dropped = Int(min(Int64(got), discard))
                discard -= Int64(dropped)
                got -= dropped
                if got > 0 { moveDown(from: filled + dropped, count: got, to: filled) }
                if got == 0 { continue }
            }
            if skipping {
                // Only the newline that ends the over-long line matters.
                let count = got
                let newline = buffer.withUnsafeBufferPointer { JSONLinesFile.memchrIndex($0, from: 0, to: count) }
                guard let newline else {
                    bufferStart += Int64(got)
                    continue
                }
                overlong += 1
                skipping = false
                consumedTo = bufferStart + Int64(newline + 1)
                bufferStart = consumedTo
                filled = got - (newline + 1)
                if filled > 0 { moveDown(from: newline + 1, count: filled, to: 0) }
                searchFrom = 0
            } else {
                filled += got
            }
            // Hand out every complete line in the buffer.
            var lineStart = 0
            var tooLong = 0
            var damaged = 0
            let (end, base, limit, checks) = (filled, bufferStart, maxLineBytes, checksJSONText)
            try buffer.withUnsafeBufferPointer { all in
                var index = searchFrom
                while let newline = JSONLinesFile.memchrIndex(all, from: index, to: end) {
                    let length = newline - lineStart
                    if length > limit {
                        tooLong += 1
                    } else if length > 0 {
                        let line = UnsafeBufferPointer(rebasing: all[lineStart..<newline])
                        if !checks || UTF8Check.isJSONLine(line) {
                            try body(line, base + Int64(newline + 1))
                        } else {
                            damaged += 1
                        }
                    }
                    lineStart = newline + 1
                    index = lineStart
                }
            }
            overlong += tooLong
            malformed += damaged
            if lineStart > 0 {
                consumedTo = bufferStart + Int64(lineStart)
                filled -= lineStart
                if filled > 0 { moveDown(from: lineStart, count: filled, to: 0) }
                bufferStart = consumedTo
            }
            searchFrom = filled
            if filled > maxLineBytes {
                // The unfinished line is already too long: drop it and look for its end.
                skipping = true
                bufferStart += Int64(filled)
                filled = 0
                searchFrom = 0
            }
        }
    }

    private mutating func moveDown(from: Int, count: Int, to: Int) {
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            _ = memmove(base + to, base + from, count)
        }
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.read(fd, pointer, count)
    #else
        return Darwin.read(fd, pointer, count)
    #endif
}

/// Cheap byte-level checks that let readers skip lines before paying for JSON decoding.
public enum ByteSearch {
    /// Whether `needle` occurs in `haystack`.
    @inline(__always)
    public static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard let base = haystack.baseAddress, count > 0, haystack.count >= count else { return false }
        // memchr for the first byte, memcmp for the rest (memmem is a GNU extension
        // that Swift's Glibc module does not expose).
        let first = Int32(needle.utf8Start.pointee)
        var position = 0
        let last = haystack.count - count
        while position <= last {
            guard let hit = memchr(base + position, first, last - position + 1) else { return false }
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + index, needle.utf8Start, count) == 0 { return true }
            position = index + 1
        }
        return false
    }
}
