/// One line of an edit's old or new text, as the added-lines rule needs it.
///
/// `exact` identifies the line as written, white space included (a trailing CR is
/// dropped, so a CRLF file and an LF edit of it compare equal); `identity` is its line
/// identity (the trimmed-content hash) when it is significant. The two differ on
/// purpose: whether an edit *wrote* a line is decided on the exact text, as git
/// decides what a commit added, while matching against commits uses the identity.
public struct EditLine: Hashable, Sendable {
    public var exact: UInt64
    public var identity: LineHash?

    public init(exact: UInt64, identity: LineHash?) {
        self.exact = exact
        self.identity = identity
    }
}

/// Which significant lines an edit added, as line hashes with multiplicity.
///
/// Matching is by multiset (PRODUCT.md, "Line identity"), so the lines an edit added
/// are the multiset difference new − old, taken on the exact text of the lines: a line
/// that was already there before the edit is not AI-written just because the edit kept
/// it, but a line the edit re-indented was written by it (git also shows it as added).
/// The result holds the identities (trimmed-content hashes) of the significant lines
/// left, which is what commits are matched on.
///
/// This is the one added-lines function every reader uses: give it the old and new
/// texts, or the lines a diff removed and added.
public enum AddedLines {
    /// Significant lines of `new` that are not, white space included, in `old`.
    public static func between(old: String, new: String) -> [LineHash] {
        added(LineIdentity.editLines(ofText: new), minus: LineIdentity.editLines(ofText: old))
    }

    /// Identities of the significant lines of `new` left after taking away, line for
    /// line, those exactly equal to a line of `old`. Order of `new` is kept.
    public static func added(_ new: [EditLine], minus old: [EditLine]) -> [LineHash] {
        var remaining: [UInt64: Int] = [:]
        for line in old { remaining[line.exact, default: 0] += 1 }
        var result: [LineHash] = []
        result.reserveCapacity(new.count)
        for line in new {
            if let count = remaining[line.exact], count > 0 {
                remaining[line.exact] = count - 1
            } else if let identity = line.identity {
                result.append(identity)
            }
        }
        return result
    }

    /// Multiset difference `lhs − rhs` of line identities, preserving the order of
    /// `lhs`. Compares trimmed content, so it cannot see a re-indentation: for what an
    /// edit wrote use `added(_:minus:)` on exact lines instead.
    public static func difference(_ lhs: [LineHash], minus rhs: [LineHash]) -> [LineHash] {
        guard !rhs.isEmpty else { return lhs }
        var remaining: [LineHash: Int] = [:]
        for hash in rhs { remaining[hash, default: 0] += 1 }
        var result: [LineHash] = []
        result.reserveCapacity(lhs.count)
        for hash in lhs {
            if let count = remaining[hash], count > 0 {
                remaining[hash] = count - 1
            } else {
                result.append(hash)
            }
        }
        return result
    }
}

extension LineIdentity {
    /// Every line of `text` (split on `\n`), blank ones included, as `EditLine`s.
    public static func editLines<S: StringProtocol>(ofText text: S) -> [EditLine] {
        var result: [EditLine] = []
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return [] }
        bytes.withUnsafeMutableBufferPointer { all in
            var start = 0
            for index in 0...all.count where index == all.count || all[index] == 0x0A {
                // A final newline ends the last line; it does not start an empty one.
                if index == all.count && start == index { break }
                result.append(editLine(bytes: UnsafeBufferPointer(rebasing: all[start..<index])))
                start = index + 1
            }
        }
        return result
    }

    /// One line given as raw bytes (without its newline).
    public static func editLine(bytes: UnsafeBufferPointer<UInt8>) -> EditLine {
        var end = bytes.count
        if end > 0, bytes[end - 1] == 0x0D { end -= 1 }
        return EditLine(exact: fnv1a(UnsafeBufferPointer(rebasing: bytes[0..<end])), identity: significantHash(bytes: bytes))
    }
}
