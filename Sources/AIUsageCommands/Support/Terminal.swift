import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Terminal-aware output: colour and progress only on a TTY, never with `NO_COLOR`
/// or `TERM=dumb`.
enum Terminal {
    static func stdoutIsInteractive(_ environment: [String: String]) -> Bool {
        isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb"
    }

    static func stderrIsInteractive(_ environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
    }

    static func colourAllowed(_ environment: [String: String]) -> Bool {
        stdoutIsInteractive(environment) && environment["NO_COLOR"] == nil
    }

    /// Columns tables and text are wrapped to: `COLUMNS` when set, else the terminal's
    /// width when stdout is one, else 100 (a pipe, a file, a test).
    static func width(_ environment: [String: String]) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text.trimmingCharacters(in: .whitespaces)), columns > 0 {
            return columns
        }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 100
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("aiusage: warning: \(message)\n".utf8))
    }
}

/// A single self-rewriting progress line on stderr, for long ingests and backfills.
final class ProgressLine: @unchecked Sendable {
    enum Unit { case bytes, count }
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ label: String, done: Int64, total: Int64, unit: Unit) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let percent = Int(Double(done) / Double(total) * 100)
        let amount = unit == .bytes ? "\(Format.bytes(done)) of \(Format.bytes(total))" : "\(done) of \(total)"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(percent)% (\(amount))".utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
