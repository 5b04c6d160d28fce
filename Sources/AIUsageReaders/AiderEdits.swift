import AIUsageCore
import Foundation

/// One line of an Aider edit as the added-lines rule needs it: its exact hash (white
/// space included) and its identity (trimmed-content hash) when significant. Hashes
/// only — never the code text (PRODUCT.md, "Privacy").
struct AiderLine: Codable, Equatable {
    var exact: UInt64
    var identity: Int64?

    init(_ line: EditLine) {
        exact = line.exact
        identity = line.identity?.storageValue
    }

    init<S: StringProtocol>(text: S) {
        var bytes = Array(text.utf8)
        let line = bytes.withUnsafeMutableBufferPointer { LineIdentity.editLine(bytes: UnsafeBufferPointer($0)) }
        self.init(line)
    }

    var editLine: EditLine { EditLine(exact: exact, identity: identity.map(LineHash.init(storageValue:))) }
}

/// An edit a reply proposes, waiting for Aider to say whether it applied it.
struct AiderProposedEdit: Codable, Equatable {
    enum Kind: String, Codable {
        /// A SEARCH/REPLACE block (`diff`, `diff-fenced`, `editor-diff`, `editor-diff-fenced`).
        case block
        /// A unified-diff hunk (`udiff`) or a file's section of a `patch` reply.
        case hunk
        /// A whole-file listing (`whole`, `editor-whole`): the new text of the whole file.
        case listing
    }

    var kind: Kind
    /// Normalized path; nil for a listing with no file-name line before it.
    var file: String?
    var old: [AiderLine]
    var new: [AiderLine]

    /// What Aider's failure message echoes of this edit, to tell failed edits from
    /// applied ones: the identities of the SEARCH and REPLACE lines (a block), or of
    /// the lines the hunk expects to find (a hunk).
    var fingerprint: UInt64 {
        switch kind {
        case .block: return Self.fingerprint(old.compactMap(\.identity), new.compactMap(\.identity))
        case .hunk, .listing: return Self.fingerprint(old.compactMap(\.identity), [])
        }
    }

    static func fingerprint(_ first: [Int64], _ second: [Int64]) -> UInt64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((first.count + second.count) * 8 + 1)
        for value in first { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        bytes.append(0xFE)
        for value in second { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        return LineIdentity.fnv1a(bytes)
    }
}

/// Reads the edits out of Aider's replies, line by line, in every edit format Aider
/// writes (see `aider/coders/*_coder.py` in Aider-AI/aider):
///
/// - `diff`, `editor-diff`: `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks (5 to 9
///   marker characters), the file name on the line before the opening fence, or, for
///   `diff-fenced` / `editor-diff-fenced`, on the first line inside it. Like Aider's
///   `find_original_update_blocks`, the name is looked for on up to three lines back,
///   passing over fence lines, and a block without one belongs to the previous block's file.
/// - `udiff`: a ```` ```diff ```` fence with `--- path` / `+++ path` and `@@` hunks.
/// - `patch`: `*** Begin Patch` … `*** Update File: path` / `*** Add File: path` … `*** End Patch`.
/// - `whole`, `editor-whole`: a file name line, then a fence holding the whole new file.
///   Any fence could be one, so a listing is only an edit once an `Applied edit to`
///   line names its file and no block of the reply does.
///
/// The parser keeps hashes and file names only, so its state can be saved between reads.
struct AiderReplyParser: Codable, Equatable {
    enum Mode: String, Codable { case text, search, replace, udiff, patch, listing }

    /// A recent reply line, kept only as far as file-name lookup needs it.
    enum Recent: Codable, Equatable {
        case fence(file: String?)
        case file(String)
        case other
    }

    var mode: Mode = .text
    var recent: [Recent] = []
    /// Aider's `current_filename`: the file of the previous block, for blocks with no name.
    var currentFile: String?
    var file: String?
    var old: [AiderLine] = []
    var new: [AiderLine] = []
    /// Closing fence of the listing in progress (``` or ```` or `</source>` …).
    var closingFence: String?
    /// Content lines of the listing so far (a HEAD line among them makes it a block).
    var listingLines = 0
    /// The fence line right after a REPLACE closes the block's fence; it opens nothing.
    var afterBlock = false
    /// The file of the previous `udiff` fence, for fences without `---`/`+++` lines.
    var lastDiffFile: String?
    /// The `---` line of a diff was seen; the `+++` line names the file.
    var sawMinusHeader = false

    var isInsideEdit: Bool { mode != .text }
    /// A listing whose fence had no file name before it is only a guess: Aider's own
    /// output lines end it.
    var isGuessing: Bool { mode == .listing && file == nil }

    /// Lines kept per edit: a history is untrusted input, and a block that never closes
    /// must not grow the saved state without bound (the lines past this are not counted).
    static let lineLimit = 100_000

    private func keep(_ lines: inout [AiderLine], _ line: AiderLine) {
        if lines.count < Self.lineLimit { lines.append(line) }
    }

    /// Back to plain reply text (a new reply, or a block cut off by Aider's output).
    mutating func reset() {
        self = AiderReplyParser()
    }

    /// Feeds one line of reply text; returns the edits it completed.
    mutating func consume(_ line: String, repositoryName: String) -> [AiderProposedEdit] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        switch mode {
        case .text: return text(line, trimmed, repositoryName)
        case .search:
            if Self.isDivider(trimmed) {
                mode = .replace
            } else {
                keep(&old, AiderLine(text: line))
            }
            return []
        case .replace:
            // Aider also ends a REPLACE half at a divider (two blocks sharing one marker).
            if Self.isMarker(trimmed, ">", "REPLACE") || Self.isDivider(trimmed) {
                let block = AiderProposedEdit(kind: .block, file: file, old: old, new: new)
                mode = .text
                old = []
                new = []
                afterBlock = Self.isMarker(trimmed, ">", "REPLACE")
                recent = []
                return block.file == nil ? [] : [block]
            }
            keep(&new, AiderLine(text: line))
            return []
        case .udiff: return udiff(line, trimmed, repositoryName)
        case .patch: return patch(line, trimmed, repositoryName)
        case .listing: return listing(line, trimmed, repositoryName)
        }
    }

    private mutating func text(_ line: String, _ trimmed: String, _ repositoryName: String) -> [AiderProposedEdit] {
        if Self.isMarker(trimmed, "<", "SEARCH") {
            startBlock(repositoryName)
            return []
        }
        if trimmed == "*** Begin Patch" {
            startPatch()
            return []
        }
        if let closing = Self.closingFence(opening: trimmed) {
            if afterBlock, closing.hasPrefix("`") {
                // The fence that closes a SEARCH/REPLACE block.
                afterBlock = false
                return []
            }
            afterBlock = false
            if trimmed.hasPrefix("```diff") {
                mode = .udiff
                file = lastDiffFile
                sawMinusHeader = false
                return []
            }
            // A listing's name is the line right before its fence (`wholefile_coder.py`).
            var name: String?
            if case .file(let previous)? = recent.last { name = previous }
            recent.append(.fence(file: AiderPaths.candidate(trimmed).map { AiderPaths.normalized($0, repositoryName: repositoryName) }))
            trimRecent()
            mode = .listing
            closingFence = closing
            file = name
            listingLines = 0
            new = []
            return []
        }
        afterBlock = false
        remember(trimmed, repositoryName)
        return []
    }

    private mutating func listing(_ line: String, _ trimmed: String, _ repositoryName: String) -> [AiderProposedEdit] {
        if Self.isMarker(trimmed, "<", "SEARCH") {
            // Aider's block parser pays no heed to fences: this was a fenced block.
            startBlock(repositoryName)
            return []
        }
        if listingLines == 0, trimmed == "*** Begin Patch" {
            startPatch()
            return []
        }
        if let closing = closingFence, trimmed.hasPrefix(closing) {
            let listing = AiderProposedEdit(kind: .listing, file: file, old: [], new: new)
            mode = .text
            new = []
            closingFence = nil
            // Like Aider's block parser, a block's name may be found across this fence.
            recent.append(.fence(file: nil))
            trimRecent()
            return [listing]
        }
        listingLines += 1
        keep(&new, AiderLine(text: line))
        // Lines inside a fence may name the file of a fenced block (`diff-fenced`).
        remember(trimmed, repositoryName)
        return []
    }

    private mutating func udiff(_ line: String, _ trimmed: String, _ repositoryName: String) -> [AiderProposedEdit] {
        var done: [AiderProposedEdit] = []
        if trimmed.hasPrefix("```") {
            done += closeHunk()
            mode = .text
            recent = [.other]
            return done
        }
        if line.hasPrefix("--- ") {
            done += closeHunk()
            sawMinusHeader = true
            return done
        }
        if line.hasPrefix("+++ "), sawMinusHeader {
            sawMinusHeader = false
            var name = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("b/") { name.removeFirst(2) }
            file = AiderPaths.normalized(name, repositoryName: repositoryName)
            lastDiffFile = file
            return done
        }
        sawMinusHeader = false
        if line.hasPrefix("@@") { return closeHunk() }
        diffLine(line)
        return done
    }

    private mutating func patch(_ line: String, _ trimmed: String, _ repositoryName: String) -> [AiderProposedEdit] {
        if trimmed == "*** End Patch" {
            let done = closeHunk()
            mode = .text
            recent = [.other]
            return done
        }
        for header in ["*** Update File: ", "*** Add File: ", "*** Move to: ", "*** Delete File: "] where trimmed.hasPrefix(header) {
            let done = header == "*** Move to: " ? [] : closeHunk()
            let name = String(trimmed.dropFirst(header.count))
            file = header == "*** Delete File: " ? nil : AiderPaths.normalized(name, repositoryName: repositoryName)
            return done
        }
        if line.hasPrefix("@@") || trimmed == "*** End of File" { return [] }
        diffLine(line)
        return []
    }

    /// A `+`, `-` or context line of a diff hunk or patch section.
    private mutating func diffLine(_ line: String) {
        guard let first = line.first else { return }
        let rest = line.dropFirst()
        switch first {
        case "+": keep(&new, AiderLine(text: rest))
        case "-": keep(&old, AiderLine(text: rest))
        case " ":
            // Context is on both sides; the hunk's fingerprint (what Aider echoes when it
            // fails) is made of the lines it expects to find.
            keep(&old, AiderLine(text: rest))
            keep(&new, AiderLine(text: rest))
        default: return
        }
    }

    private mutating func closeHunk() -> [AiderProposedEdit] {
        defer {
            old = []
            new = []
        }
        guard let file, old != new, !(old.isEmpty && new.isEmpty) else { return [] }
        return [AiderProposedEdit(kind: .hunk, file: file, old: old, new: new)]
    }

    private mutating func startBlock(_ repositoryName: String) {
        // Up to three lines back, passing over fence lines (`find_filename`).
        var name: String?
        for entry in recent.reversed() {
            if case .file(let found) = entry {
                name = found
                break
            }
            if case .fence(let found) = entry {
                if let found {
                    name = found
                    break
                }
                continue
            }
            break
        }
        file = name ?? currentFile
        currentFile = file
        mode = .search
        old = []
        new = []
        closingFence = nil
        afterBlock = false
    }

    private mutating func startPatch() {
        mode = .patch
        file = nil
        old = []
        new = []
        closingFence = nil
    }

    private mutating func remember(_ trimmed: String, _ repositoryName: String) {
        if let name = AiderPaths.candidate(trimmed) {
            recent.append(.file(AiderPaths.normalized(name, repositoryName: repositoryName)))
        } else if Self.closingFence(opening: trimmed) != nil {
            recent.append(.fence(file: nil))
        } else {
            recent.append(.other)
        }
        trimRecent()
    }

    private mutating func trimRecent() {
        if recent.count > 3 { recent.removeFirst(recent.count - 3) }
    }

    /// An opening fence Aider may ask for (`base_coder.py` `all_fences`): three or four
    /// backticks, or `<source>`, `<code>`, `<pre>`, `<codeblock>`, `<sourcecode>`.
    /// The opening may carry a language (```` ```python ````, `<source>python`).
    static func closingFence(opening trimmed: String) -> String? {
        if trimmed.hasPrefix("````") { return "````" }
        if trimmed.hasPrefix("```") { return "```" }
        for tag in htmlFences where trimmed.hasPrefix("<\(tag)>") {
            return "</\(tag)>"
        }
        return nil
    }

    static let htmlFences = ["sourcecode", "source", "codeblock", "code", "pre"]

    /// The text after an opening fence (```` ```path/to/x.py ````, `<source>python`).
    static func afterOpeningFence(_ trimmed: String) -> Substring? {
        if trimmed.hasPrefix("```") { return trimmed.drop { $0 == "`" } }
        for tag in htmlFences where trimmed.hasPrefix("<\(tag)>") { return trimmed.dropFirst(tag.count + 2) }
        return nil
    }

    /// `<<<<<<< SEARCH` / `>>>>>>> REPLACE`: 5 to 9 marker characters and the word
    /// (Aider's `HEAD = r"^<{5,9} SEARCH>?\s*$"`).
    static func isMarker(_ line: String, _ mark: Character, _ word: String) -> Bool {
        var body = Substring(line)
        if mark == "<", body.hasSuffix(">") { body = body.dropLast() }
        guard body.hasSuffix(word) else { return false }
        let marks = body.dropLast(word.count).trimmingCharacters(in: .whitespaces)
        return (5...9).contains(marks.count) && marks.allSatisfy { $0 == mark }
    }

    static func isDivider(_ line: String) -> Bool { (5...9).contains(line.count) && line.allSatisfy { $0 == "=" } }
}
