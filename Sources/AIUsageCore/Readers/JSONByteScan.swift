import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level peeks into a JSON line, so a reader can tell a record's type from its
/// first hundred bytes and skip the multi-kilobyte lines it has no use for without
/// paying for a full JSON decode.
///
/// These are heuristics for *routing* only: anything a reader keeps is still decoded
/// with `JSONDecoder`, so a false positive costs time, never correctness.
enum JSONByteScan {
    /// Range of the raw (still escaped) string value of the first `"key"` at or after
    /// `from`, accepting white space around the colon. Nil when the key is absent or its
    /// value is not a string.
    ///
    /// A key can only be matched where the bytes are `"key"`; inside a JSON string the
    /// quotes would be escaped (`\"key\"`), so string contents cannot fake a key.
    static func stringValue(ofKey key: StaticString, in line: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Range<Int>? {
        guard let base = line.baseAddress else { return nil }
        let keyCount = key.utf8CodeUnitCount
        var position = from
        let count = line.count
        while position + keyCount + 2 < count {
            guard let hit = memchr(base + position, 0x22, count - position) else { return nil }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let keyStart = quote + 1
            let keyEnd = keyStart + keyCount
            guard keyEnd < count else { return nil }
            if line[keyEnd] == 0x22, memcmp(base + keyStart, key.utf8Start, keyCount) == 0 {
                var index = keyEnd + 1
                while index < count, isSpace(line[index]) { index += 1 }
                if index < count, line[index] == 0x3A {  // ':'
                    index += 1
                    while index < count, isSpace(line[index]) { index += 1 }
                    guard index < count, line[index] == 0x22 else { return nil }
                    let valueStart = index + 1
                    var end = valueStart
                    while end < count {
                        let byte = line[end]
                        if byte == 0x5C { end += 2; continue }  // skip the escaped byte
                        if byte == 0x22 { return valueStart..<end }
                        end += 1
                    }
                    return nil
                }
            }
            position = keyStart
        }
        return nil
    }

    /// Whether the bytes in `range` equal `text`.
    @inline(__always)
    static func equals(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard let base = line.baseAddress, range.count == text.utf8CodeUnitCount, range.upperBound <= line.count else {
            return false
        }
        return memcmp(base + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Whether `needle` (dynamic bytes, e.g. a call id) occurs in `line`.
    static func contains(_ line: UnsafeBufferPointer<UInt8>, bytes needle: [UInt8]) -> Bool {
        guard let base = line.baseAddress, let first = needle.first, line.count >= needle.count else { return false }
        return needle.withUnsafeBufferPointer { needleBuffer -> Bool in
            guard let needleBase = needleBuffer.baseAddress else { return false }
            var position = 0
            let last = line.count - needle.count
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return false }
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, needleBase, needle.count) == 0 { return true }
                position = index + 1
            }
            return false
        }
    }

    /// Whether the line, after leading white space, starts with `{` — the cheapest
    /// sign that it can be a JSON record at all.
    static func looksLikeObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in line {
            if isSpace(byte) { continue }
            return byte == 0x7B
        }
        return false
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
