import Foundation

/// A failure said in one sentence a user can act on: printed as `aiusage: <sentence>` on
/// stderr with exit status 1 (ArgumentParser's `ValidationError` is for bad arguments,
/// and prints the same way).
struct CommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// Turns any error into the one line `aiusage` prints on stderr.
enum ErrorLine {
    /// One line: choices ArgumentParser lists on lines of their own ("- developer") are
    /// folded in, and an `aiusage: ` a helper already put in front (`aiusage-share`'s own
    /// errors) is not repeated.
    static func fold(_ message: String) -> String {
        let lines = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let head = lines.first else { return "failed without a message" }
        let rest = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        var text = rest.isEmpty ? head : head + " " + rest.joined(separator: ", ")
        for prefix in ["aiusage: ", "aiusage-share: "] {
            while text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        }
        return text
    }

    /// The sentence of an error that is not ArgumentParser's: Foundation's errors print as
    /// `Error Domain=... UserInfo={...}`, so they are said by their localized description
    /// and the file they name.
    static func sentence(_ error: Error) -> String? {
        let text = String(describing: error)
        if text.hasPrefix("SQLite error") {
            // GRDB adds the statement ("- while executing `INSERT ...`"): not for a person.
            let reason = text.components(separatedBy: " - while executing").first ?? text
            return "the aiusage store cannot be used: \(reason) (a read-only folder? set AIUSAGE_HOME to a folder you can write)"
        }
        guard error is CocoaError || String(describing: error).hasPrefix("Error Domain=") else { return nil }
        let nsError = error as NSError
        let path = (nsError.userInfo[NSFilePathErrorKey] as? String) ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
        let reason = nsError.localizedDescription
        if let path, !reason.contains(path) { return "\(path): \(reason)" }
        return reason
    }
}
