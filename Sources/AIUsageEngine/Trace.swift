import Foundation

/// Phase timings on stderr when `AIUSAGE_TRACE` is set: where a slow run spends its
/// time, on the user's own data, without a profiler.
public enum Trace {
    // getenv: ProcessInfo's environment builds a dictionary of every variable first.
    public static let enabled = getenv("AIUSAGE_TRACE") != nil
    private static let start = Date()

    /// Starts the clock of the `at` column (else it starts at the first phase).
    public static func begin() { if enabled { _ = start } }

    /// The process's peak resident memory so far (`VmHWM`) and its resident memory now
    /// (`VmRSS`): a phase that keeps memory it no longer needs raises every later peak.
    static func peakMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "?" }
        let lines = status.split(separator: "\n")
        func field(_ name: String) -> String {
            guard let line = lines.first(where: { $0.hasPrefix(name) }) else { return "?" }
            return line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        }
        return "\(field("VmHWM:")), now \(field("VmRSS:"))"
    }

    /// Laps of one long step, printed together.
    final class Clock {
        private var last = Date()
        private var laps: [(String, Double)] = []

        func lap(_ name: String) {
            guard Trace.enabled else { return }
            let now = Date()
            laps.append((name, now.timeIntervalSince(last)))
            last = now
        }

        func report(_ label: String) {
            guard Trace.enabled else { return }
            let parts = laps.map { String(format: "%@ %.1f ms", $0.0, $0.1 * 1000) }.joined(separator: ", ")
            FileHandle.standardError.write(Data("aiusage: trace           \(label): \(parts)\n".utf8))
        }
    }

    /// Time spent in a repeated step, summed: printed by `report(_:)`.
    final class Sum {
        private var seconds: [String: Double] = [:]
        private var order: [String] = []

        func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            guard Trace.enabled else { return try body() }
            let begin = Date()
            defer {
                if seconds[name] == nil { order.append(name) }
                seconds[name, default: 0] += Date().timeIntervalSince(begin)
            }
            return try body()
        }

        func report(_ label: String) {
            guard Trace.enabled else { return }
            let parts = order.map { String(format: "%@ %.1f ms", $0, (seconds[$0] ?? 0) * 1000) }.joined(separator: ", ")
            FileHandle.standardError.write(Data("aiusage: trace           \(label): \(parts)\n".utf8))
        }
    }

    /// A line of its own, when tracing.
    public static func note(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("aiusage: trace           \(text())\n".utf8))
    }

    /// Runs `body` and, when tracing, prints how long it took.
    public static func phase<T>(_ name: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        _ = start
        let begin = Date()
        let cpu = processCPU()
        defer {
            let line = String(
                format: "aiusage: trace %8.1f ms  %@ (at %.1f ms, cpu %.1f ms, peak %@)\n", Date().timeIntervalSince(begin) * 1000,
                name(), begin.timeIntervalSince(start) * 1000, (processCPU() - cpu) * 1000, peakMemory())
            FileHandle.standardError.write(Data(line.utf8))
        }
        return try body()
    }

    /// CPU seconds (user and system) of the whole process so far: a phase's CPU beside its
    /// wall time tells waiting from working, and varies less than wall time with the
    /// machine's load.
    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds of the calling thread so far.
    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
}
