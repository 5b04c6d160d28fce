import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum BenchError: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self { case .message(let text): text }
    }
}

enum Clock {
    /// Monotonic seconds.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// How a child process ran: wall time seen by the parent and its own resource usage.
struct ChildRun: Sendable {
    var status: Int32
    var seconds: Double
    /// Peak resident set size in bytes (`ru_maxrss` of this child only, from `wait4`).
    var peakRSS: Int64
    var userSeconds: Double
    var systemSeconds: Double
    var succeeded: Bool { status == 0 }
}

/// Spawns processes with `posix_spawn` and reaps them with `wait4`, so each child's
/// own peak RSS is known (Foundation's `Process` reaps children itself).
enum Spawner {
    /// Runs `arguments[0]` (looked up in PATH when it has no slash) and waits for it.
    static func run(
        _ arguments: [String], environment: [String: String]? = nil, stdout: String? = "/dev/null", stderr: String? = nil
    ) throws -> ChildRun {
        let started = Clock.now()
        let pid = try spawn(arguments, environment: environment, stdout: stdout, stderr: stderr)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError.message("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Clock.now() - started
        return ChildRun(
            status: exitCode(status), seconds: seconds, peakRSS: rssBytes(usage.ru_maxrss),
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    static func spawn(_ arguments: [String], environment: [String: String]?, stdout: String?, stderr: String?) throws -> pid_t {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let result: Int32
        if arguments[0].contains("/") {
            result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        } else {
            result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        }
        guard result == 0 else {
            throw BenchError.message("cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Waits for every remaining descendant that was re-parented to us (see
    /// `becomeSubreaper`): the hook's detached background `aiusage hook` run.
    /// Returns how many were reaped.
    @discardableResult
    static func reapOrphans() -> Int {
        var count = 0
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let pid = wait4(-1, &status, 0, &usage)
            if pid > 0 { count += 1; continue }
            if errno == EINTR { continue }
            return count
        }
    }

    /// Makes orphaned descendants (a detached hook run) re-parent to this process
    /// instead of init, so that `reapOrphans` can wait for them. Linux only.
    static func becomeSubreaper() -> Bool {
        #if os(Linux)
        // prctl is variadic in C, which Swift cannot call; look it up with a fixed
        // signature instead (integer arguments pass the same way on x86-64 and arm64).
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        let PR_SET_CHILD_SUBREAPER: Int32 = 36
        return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        #else
        return false
        #endif
    }

    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    static func rssBytes(_ maxrss: Int) -> Int64 {
        #if os(Linux)
        return Int64(maxrss) * 1024
        #else
        return Int64(maxrss)
        #endif
    }

    /// Output of a short command, for setup steps (git config, versions).
    static func output(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "aiusage-bench-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        let run = try run(arguments, environment: environment, stdout: path, stderr: path)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard run.succeeded else {
            throw BenchError.message("\(arguments.joined(separator: " ")) failed (\(run.status)): \(text)")
        }
        return text
    }
}

/// The path of this executable (to re-run itself in a child mode and to find the
/// `aiusage` binary built beside it).
enum SelfPath {
    static func executable() -> String {
        #if os(Linux)
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return real }
        #endif
        let first = CommandLine.arguments.first ?? "aiusage-bench"
        if first.hasPrefix("/") { return first }
        if first.contains("/") { return FileManager.default.currentDirectoryPath + "/" + first }
        return Bundle.main.executablePath ?? first
    }
}

/// Statistics on a handful of samples.
enum Stats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
