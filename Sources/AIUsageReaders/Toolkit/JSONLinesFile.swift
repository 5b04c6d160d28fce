import AIUsageCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the complete lines of a file from a byte offset, in fixed-size chunks.
///
/// Memory stays bounded by the chunk size plus the longest line, whatever the file's
/// size. Bytes after the last newline are not handed out: they are a record still
/// being written (or cut off), and the next run reads them again from `consumedTo`.
public enum JSONLinesFile {
    public struct Outcome: Sendable, Equatable {
        /// Offset just past the last newline seen.
        public var consumedTo: Int64
        /// Bytes after the last newline.
        public var trailingBytes: Int
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

    /// Calls `body` with each complete line (without its newline) and the offset just
    /// past it. Empty lines are skipped.
    public static func forEachLine(
        path: String, from offset: Int64, chunkSize: Int = 1 << 18,
        _ body: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void
    ) throws -> Outcome {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure.cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw Failure.cannotRead(path: path, errno: errno)
        }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0  // bytes of `buffer` holding data
        var bufferStartOffset = offset  // file offset of buffer[0]
        var consumedTo = offset
        while true {
            if filled == buffer.count {
                // A line longer than the buffer: grow it.
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let got = buffer.withUnsafeMutableBytes { raw -> Int in
                Glibc_read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure.cannotRead(path: path, errno: errno)
            }
            if got == 0 { break }
            filled += got
            // Hand out every complete line in the buffer.
            var lineStart = 0
            try buffer.withUnsafeBufferPointer { all in
                var index = 0
                while index < filled {
                    guard let newline = memchrIndex(all, from: index, to: filled) else { break }
                    if newline > lineStart {
                        let line = UnsafeBufferPointer(rebasing: all[lineStart..<newline])
                        try body(line, bufferStartOffset + Int64(newline + 1))
                    }
                    lineStart = newline + 1
                    index = lineStart
                }
            }
            if lineStart > 0 {
                consumedTo = bufferStartOffset + Int64(lineStart)
                let rest = filled - lineStart
                if rest > 0 {
                    buffer.withUnsafeMutableBytes { raw in
                        _ = memmove(raw.baseAddress!, raw.baseAddress! + lineStart, rest)
                    }
                }
                filled = rest
                bufferStartOffset = consumedTo
            }
        }
        return Outcome(consumedTo: consumedTo, trailingBytes: filled)
    }

    @inline(__always)
    static func memchrIndex(_ all: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = all.baseAddress, from < to else { return nil }
        guard let hit = memchr(base + from, 0x0A, to - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
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
