import Foundation

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
        /// Significant lines the change added: per hunk, the `+` lines minus the `-`
        /// lines of the same hunk (multiset), so a line rewritten identically is not
        /// counted as AI-written.
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
        var result: [Substring] = []
        var searchStart = text.startIndex
        while let begin = text.range(of: beginMarker, range: searchStart..<text.endIndex) {
            if let end = text.range(of: endMarker, range: begin.upperBound..<text.endIndex) {
                result.append(text[begin.lowerBound..<end.upperBound])
                searchStart = end.upperBound
            } else {
                result.append(text[begin.lowerBound...])
                break
            }
        }
        return result
    }

    /// The file changes of one patch, in the order the patch lists them.
    static func parse(_ patch: String) -> [FileChange] { parse(patch[...]) }

    /// The file changes of one patch, in the order the patch lists them.
    static func parse(_ patch: Substring) -> [FileChange] {
        var changes: [FileChange] = []
        var current: FileChange?
        var hunkAdded: [LineHash] = []
        var hunkRemoved: [LineHash] = []

        func closeHunk() {
            if current != nil, !hunkAdded.isEmpty {
                current?.addedLines.append(contentsOf: AddedLines.difference(hunkAdded, minus: hunkRemoved))
            }
            hunkAdded.removeAll(keepingCapacity: true)
            hunkRemoved.removeAll(keepingCapacity: true)
        }
        func closeFile() {
            closeHunk()
            if let file = current { changes.append(file) }
            current = nil
        }
        func header(_ line: Substring, _ prefix: String) -> String? {
            guard line.hasPrefix(prefix) else { return nil }
            let path = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            return path.isEmpty ? nil : path
        }

        func classify(_ line: Substring) {
            guard let file = current else { return }
            switch file.kind {
            case .add:
                // Add File bodies are all '+' lines; be lenient with a missing '+'.
                let body = line.first == "+" ? line.dropFirst() : line
                if let hash = LineIdentity.significantHash(body) { current?.addedLines.append(hash) }
            case .update:
                if line.hasPrefix("@@") {
                    closeHunk()
                } else if line.first == "+" {
                    if let hash = LineIdentity.significantHash(line.dropFirst()) { hunkAdded.append(hash) }
                } else if line.first == "-" {
                    if let hash = LineIdentity.significantHash(line.dropFirst()) { hunkRemoved.append(hash) }
                }
            // context lines (' ' or empty) add nothing
            case .delete:
                break
            }
        }

        // Swift treats "\r\n" as one Character, so CRLF patches need both separators.
        for rawLine in patch.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.hasPrefix("***") {
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
                } else if line.hasPrefix(endMarker) {
                    closeFile()
                } else if line.hasPrefix("*** End of File") {
                    closeHunk()
                }
                // "*** Begin Patch" and unknown markers: nothing to do.
                continue
            }
            classify(line)
        }
        closeFile()
        return changes
    }
}
