import AIUsageCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lines a unified diff added, by the added-lines rule (PRODUCT.md): the `+` lines
/// minus the `-` lines, compared on their exact text, so a line only re-indented was
/// written and a line removed and written back was not. Identities come out, never
/// text.
///
/// Hunks are read by their header counts (`@@ -a,b +c,d @@`): a hunk ends when both
/// sides are used up, so file headers (`--- a/x`, `+++ b/x`) between hunks are never
/// taken for removed or added lines. A bare `@@` (as Codex's apply_patch writes) runs to
/// the next `@@`. Lines are split with `memchr`, one CR before the newline dropped.
enum UnifiedDiffLines {
    /// Identities of the significant lines `diff` added; nil when it has no hunk.
    static func added(in diff: UnsafeBufferPointer<UInt8>) -> [LineHash]? {
        guard let base = diff.baseAddress else { return nil }
        var added: [EditLine] = []
        var removed: [EditLine] = []
        var sawHunk = false
        var inHunk = false
        var counted = false  // the hunk header gave counts
        var oldLeft = 0
        var newLeft = 0
        var start = 0
        while start < diff.count {
            let end: Int
            if let hit = memchr(base + start, 0x0A, diff.count - start) {
                end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            } else {
                end = diff.count
            }
            let line = UnsafeBufferPointer(rebasing: diff[start..<end])
            start = end + 1
            if line.count >= 2, line[0] == 0x40, line[1] == 0x40 {  // "@@"
                sawHunk = true
                inHunk = true
                if let counts = hunkCounts(line) {
                    counted = true
                    (oldLeft, newLeft) = counts
                    inHunk = oldLeft > 0 || newLeft > 0
                } else {
                    counted = false
                }
                continue
            }
            guard inHunk else { continue }
            let body = UnsafeBufferPointer(rebasing: line.dropFirst())
            switch line.first {
            case 0x2B:  // '+'
                added.append(LineIdentity.editLine(bytes: body))
                newLeft -= 1
            case 0x2D:  // '-'
                removed.append(LineIdentity.editLine(bytes: body))
                oldLeft -= 1
            case 0x5C:  // "\ No newline at end of file"
                continue
            default:  // context
                oldLeft -= 1
                newLeft -= 1
            }
            if counted, oldLeft <= 0, newLeft <= 0 { inHunk = false }
        }
        guard sawHunk else { return nil }
        return AddedLines.added(added, minus: removed)
    }

    /// `(old count, new count)` of `@@ -a,b +c,d @@` (a missing count means 1); nil when
    /// the header has no ranges.
    static func hunkCounts(_ line: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
        var index = 2
        func skipSpaces() { while index < line.count, line[index] == 0x20 { index += 1 } }
        /// `<sign>start[,count]` → count.
        func range(_ sign: UInt8) -> Int? {
            skipSpaces()
            guard index < line.count, line[index] == sign else { return nil }
            index += 1
            guard number() != nil else { return nil }
            if index < line.count, line[index] == 0x2C {
                index += 1
                return number()
            }
            return 1
        }
        func number() -> Int? {
            var value = 0
            var digits = 0
            while index < line.count, line[index] >= 0x30, line[index] <= 0x39, digits < 12 {
                value = value * 10 + Int(line[index] - 0x30)
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        guard let old = range(0x2D), let new = range(0x2B) else { return nil }
        return (old, new)
    }
}
