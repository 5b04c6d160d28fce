import AIUsageCore
import Foundation

/// Tolerant access to `JSONSerialization` values, for tools whose records are whole JSON
/// documents of loosely fixed shape (Amp threads, VS Code chat sessions): every field
/// is optional and of any type, and a wrong type reads as absent instead of failing
/// the whole record.
enum LooseJSON {
    /// Parses a JSON document; nil when it is not valid JSON (e.g. cut off while written).
    /// A value nested past Foundation's depth limit is read as `null` instead of
    /// failing the document (see `JSONDepthLimit`).
    static func parse(_ data: Data) -> Any? {
        guard !data.isEmpty else { return nil }
        // JSONSerialization takes some text JSON does not (`04751`): checked first.
        guard StrictLine.isJSON(data) else { return nil }
        return JSONDepthLimit.jsonObject(data)
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Any? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        return parse(Data(bytes: base, count: bytes.count))
    }

    static func object(_ value: Any?) -> [String: Any]? { value as? [String: Any] }
    static func array(_ value: Any?) -> [Any] { value as? [Any] ?? [] }

    static func string(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        return text
    }

    /// An integer from a JSON number (or a numeric string); booleans are not numbers.
    static func int(_ value: Any?) -> Int64? {
        if let number = value as? NSNumber {
            let double = number.doubleValue
            guard double.isFinite, abs(double) < 9.0e18 else { return nil }
            return Int64(double)
        }
        if let text = value as? String { return Int64(text) }
        return nil
    }

    static func double(_ value: Any?) -> Double? {
        if let number = value as? NSNumber {
            let double = number.doubleValue
            return double.isFinite ? double : nil
        }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// A date from ISO 8601 text or from epoch milliseconds (VS Code, Amp).
    static func date(_ value: Any?) -> Date? {
        if let text = value as? String { return Timestamps.parse(text) }
        if let millis = double(value), millis > 0 {
            // Seconds-based values would be < 1e11 for any date before year 5138.
            return Date(timeIntervalSince1970: millis > 1e11 ? millis / 1000 : millis)
        }
        return nil
    }

    /// The local path of a `file://` URI (percent-decoded), or the text itself when it
    /// is already a plain absolute path. Other schemes (remote workspaces) give nil.
    static func localPath(fromURI text: String) -> String? {
        if text.hasPrefix("/") { return text }
        guard text.hasPrefix("file://") else { return nil }
        var rest = String(text.dropFirst("file://".count))
        if rest.hasPrefix("localhost/") { rest = String(rest.dropFirst("localhost".count)) }
        guard rest.hasPrefix("/") else { return nil }
        let decoded = rest.removingPercentEncoding ?? rest
        // Windows drive letters (`/c:/...`) stay as recorded: not resolvable here anyway.
        return decoded.count > 1 && decoded.hasSuffix("/") ? String(decoded.dropLast()) : decoded
    }
}

/// Added lines of a unified diff as tools show it after an edit (`--- a`, `+++ b`,
/// `@@` hunks, possibly inside a Markdown ```diff fence).
enum UnifiedDiffAddedLines {
    /// Identities of the `+` lines not present, white space included, among the `-`
    /// lines (multiset; `AddedLines.added`): a line moved within the diff is not
    /// written, a re-indented one is. Header lines before the first `@@` are ignored;
    /// nil when the text has no hunk at all.
    static func addedLines(in diff: String) -> [LineHash]? {
        var sawHunk = false
        var oldLeft = 0  // lines of the current hunk still expected on each side
        var newLeft = 0
        var added: [EditLine] = []
        var removed: [EditLine] = []
        // Split on the newline byte: Swift reads "\r\n" as one Character, so splitting a
        // CRLF diff on "\n" would leave it one line.
        for rawLine in diff.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map(Substring.init) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if oldLeft <= 0, newLeft <= 0 {
                // Between hunks: only a hunk header matters (file headers, fences and
                // `Index:` lines are skipped).
                guard line.hasPrefix("@@"), let counts = hunkCounts(line) else { continue }
                sawHunk = true
                (oldLeft, newLeft) = counts
                continue
            }
            if line.hasPrefix("+") {
                newLeft -= 1
                added.append(editLine(line.dropFirst()))
            } else if line.hasPrefix("-") {
                oldLeft -= 1
                removed.append(editLine(line.dropFirst()))
            } else if line.hasPrefix("\\") {
                continue  // "\ No newline at end of file"
            } else {
                oldLeft -= 1
                newLeft -= 1
            }
        }
        guard sawHunk else { return nil }
        return AddedLines.added(added, minus: removed)
    }

    static func editLine(_ text: Substring) -> EditLine {
        var copy = String(text)
        return copy.withUTF8 { LineIdentity.editLine(bytes: $0) }
    }

    /// `(old count, new count)` of `@@ -a,b +c,d @@` (a missing count means 1).
    static func hunkCounts(_ line: Substring) -> (Int, Int)? {
        let fields = line.split(separator: " ")
        guard fields.count >= 3, fields[1].hasPrefix("-"), fields[2].hasPrefix("+") else { return nil }
        func count(_ field: Substring) -> Int? {
            let parts = field.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard let first = parts.first, Int(first) != nil else { return nil }
            return parts.count > 1 ? Int(parts[1]) : 1
        }
        guard let old = count(fields[1]), let new = count(fields[2]) else { return nil }
        return (old, new)
    }
}

/// Path helpers shared by readers that honour a tool's own environment variables.
/// Path helpers every reader shares: the injected home, never the process's.
enum ReaderPaths {
    static func joined(_ base: String, _ relative: String) -> String {
        base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// `~` and `~/...` expanded against the injected home; trailing slashes dropped.
    static func expand(_ path: String, home: String) -> String {
        var path = path
        if path == "~" {
            path = home
        } else if path.hasPrefix("~/") {
            path = trimmed(home) + String(path.dropFirst(1))
        }
        return trimmed(path)
    }

    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The value of `name` in the injected environment, when set and not empty.
    static func variable(_ name: String, in environment: ReaderEnvironment) -> String? {
        guard let value = environment.variables[name], !value.isEmpty else { return nil }
        return expand(value, home: environment.home)
    }
}
