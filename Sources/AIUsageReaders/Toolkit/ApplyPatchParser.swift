import AIUsageCore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses Codex's `apply_patch` format into per-file line hashes.
///
/// The format (codex-rs `apply-patch`):
/// ```
/// *** Begin Patch
/// *** Add File: path            (every following line starts with '+')
/// *** Update File: path
/// *** Move to: new/path         (optional, right after Update File)
/// @@ optional context
///  context line / -removed line / +added line
/// *** End of File               (optional marker)
/// *** Delete File: path
/// *** End Patch
/// ```
/// Parsing is lenient — a patch the model wrote badly still yields whatever file
/// sections can be recognised — because the reader must never fail on odd input.
/// Only line hashes come out, never code text (PRODUCT.md, "Privacy").
enum ApplyPatchParser {
    struct FileChange: Sendable, Equatable {
        enum Kind: Sendable, Equatable { case add, update, delete }
        var kind: Kind
        /// The path as written in the patch header.
        var path: String
        /// `*** Move to:` destination, when the update also renames the file.
        var movedTo: String?
        /// Significant lines the change added: the file's `+` lines minus its `-` lines,
        /// compared on their exact text (multiset, `AddedLines.added`). A line removed and
        /// written back identically — in the same hunk or moved to another — is not
        /// AI-written; a line only re-indented is (PRODUCT.md, "Added lines").
        var addedLines: [LineHash]

        /// Where the added lines end up: the move destination, else the path.
        var destinationPath: String { movedTo ?? path }
    }

    static let beginMarker = "*** Begin Patch"
    static let endMarker = "*** End Patch"

    /// Every `*** Begin Patch` … `*** End Patch` block inside `text` (a heredoc in a
    /// shell command, an `apply_patch` argument, or the bare patch). A block whose end
    /// marker is missing runs to the end of the text.
    static func extractPatches(from text: String) -> [Substring] {
        var copy = text
        let ranges = copy.withUTF8 { patchRanges(in: $0) }
        let utf8 = text.utf8
        return ranges.map { range in
            // The markers are ASCII, so these offsets fall on scalar boundaries.
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let upper = utf8.index(lower, offsetBy: range.count)
            return Substring(text.utf8[lower..<upper])
        }
    }

    /// Byte ranges of every `*** Begin Patch` … `*** End Patch` block in `bytes` (see
    /// `extractPatches(from:)`), found with `memchr` + `memcmp`.
    static func patchRanges(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var searchStart = 0
        while let begin = find("*** Begin Patch", in: bytes, from: searchStart) {
            let beginEnd = begin + beginMarkerCount
            if let end = find("*** End Patch", in: bytes, from: beginEnd) {
                result.append(begin..<(end + endMarkerCount))
                searchStart = end + endMarkerCount
            } else {
                result.append(begin..<bytes.count)
                break
            }
        }
        return result
    }

    private static let beginMarkerCount = 15  // "*** Begin Patch"
    private static let endMarkerCount = 13  // "*** End Patch"

    /// First index of `needle` in `bytes` at or after `from`.
    static func find(_ needle: StaticString, in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard let base = bytes.baseAddress, count > 0, bytes.count - from >= count else { return nil }
        let first = Int32(needle.utf8Start.pointee)
        var position = from
        let last = bytes.count - count
        while position <= last {
            guard let hit = memchr(base + position, first, last - position + 1) else { return nil }
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + index, needle.utf8Start, count) == 0 { return index }
            position = index + 1
        }
        return nil
    }

    /// The file changes of one patch, in the order the patch lists them.
    static func parse(_ patch: String) -> [FileChange] {
        var copy = patch
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// The file changes of one patch, in the order the patch lists them.
    static func parse(_ patch: Substring) -> [FileChange] {
        var copy = patch
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// The file changes of one patch given as UTF-8 bytes, in the order the patch lists
    /// them. Lines are split at `\n` with `memchr`; a line's trailing `\r` (CRLF) is
    /// dropped — and one more, as the `Character` split this replaces did for `\r\r\n`;
    /// `+`/`-` lines are hashed straight from the bytes.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [FileChange] {
        var parser = ByteParser()
        guard let base = bytes.baseAddress else { return [] }
        let count = bytes.count
        var start = 0
        while true {
            let end: Int
            let terminated: Bool
            if start < count, let hit = memchr(base + start, 0x0A, count - start) {
                end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                terminated = true
            } else {
                end = count
                terminated = false
            }
            var lineEnd = end
            if lineEnd > start, base[lineEnd - 1] == 0x0D {
                lineEnd -= 1
                if terminated, lineEnd > start, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            }
            parser.line(UnsafeBufferPointer(start: base + start, count: lineEnd - start))
            guard terminated else { break }
            start = end + 1
        }
        parser.closeFile()
        return parser.changes
    }

    /// The state of one `parse(bytes:)`.
    private struct ByteParser {
        var changes: [FileChange] = []
        var current: FileChange?
        /// The current file's `+` and `-` lines, as exact lines with their identities.
        var fileAdded: [EditLine] = []
        var fileRemoved: [EditLine] = []

        mutating func closeFile() {
            if var file = current {
                file.addedLines = AddedLines.added(fileAdded, minus: fileRemoved)
                changes.append(file)
            }
            current = nil
            fileAdded.removeAll(keepingCapacity: true)
            fileRemoved.removeAll(keepingCapacity: true)
        }

        mutating func line(_ line: UnsafeBufferPointer<UInt8>) {
            if hasPrefix(line, "***") {
                if let path = header(line, "*** Add File:") {
                    closeFile()
                    current = FileChange(kind: .add, path: path, movedTo: nil, addedLines: [])
                } else if let path = header(line, "*** Update File:") {
                    closeFile()
                    current = FileChange(kind: .update, path: path, movedTo: nil, addedLines: [])
                } else if let path = header(line, "*** Delete File:") {
                    closeFile()
                    current = FileChange(kind: .delete, path: path, movedTo: nil, addedLines: [])
                } else if let path = header(line, "*** Move to:") {
                    if current?.kind == .update { current?.movedTo = path }
                } else if hasPrefix(line, "*** End Patch") {
                    closeFile()
                }
                // "*** Begin Patch", "*** End of File" and unknown markers: nothing to do.
                return
            }
            guard let kind = current?.kind else { return }
            let first = line.first
            switch kind {
            case .add:
                // Add File bodies are all '+' lines; be lenient with a missing '+'.
                let body = first == 0x2B ? UnsafeBufferPointer(rebasing: line.dropFirst()) : line
                fileAdded.append(LineIdentity.editLine(bytes: body))
            case .update:
                if first == 0x2B {  // '+'
                    fileAdded.append(LineIdentity.editLine(bytes: UnsafeBufferPointer(rebasing: line.dropFirst())))
                } else if first == 0x2D {  // '-'
                    fileRemoved.append(LineIdentity.editLine(bytes: UnsafeBufferPointer(rebasing: line.dropFirst())))
                }
            // '@@' headers and context lines (' ' or empty) add nothing
            case .delete:
                break
            }
        }

        @inline(__always)
        func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard line.count >= count, let base = line.baseAddress else { return false }
            return memcmp(base, prefix.utf8Start, count) == 0
        }

        /// The path after a header prefix, trimmed of white space (space and tab, as
        /// `CharacterSet.whitespaces` in ASCII; non-ASCII ends go through Foundation).
        func header(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> String? {
            guard hasPrefix(line, prefix) else { return nil }
            var start = prefix.utf8CodeUnitCount
            var end = line.count
            while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
            while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
            if line[start] >= 0x80 || line[end - 1] >= 0x80 {
                // Possibly Unicode white space (U+00A0, U+3000, …): let Foundation decide.
                let rest = String(decoding: UnsafeBufferPointer(rebasing: line[prefix.utf8CodeUnitCount...]), as: UTF8.self)
                let path = rest.trimmingCharacters(in: .whitespaces)
                return path.isEmpty ? nil : path
            }
            return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        }
    }
}
