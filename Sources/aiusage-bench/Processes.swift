import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum BenchError: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self {
        case .message(let text): text
        }
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
    /// Killed by the bench because it ran past its time limit.
    var timedOut = false
    var succeeded: Bool { status == 0 && !timedOut }
}

/// What a spawned process gets: its working folder, environment, standard streams and
/// time limit.
struct SpawnOptions {
    var environment: [String: String]? = nil
    /// Working folder of the child (nil: the bench's own).
    var directory: String? = nil
    var stdin: String = "/dev/null"
    var stdout: String? = "/dev/null"
    var stderr: String? = nil
    /// Seconds after which the child's whole process group is killed (nil: no limit).
    var timeout: Double? = nil
}

/// Spawns processes with `posix_spawn` and reaps them with `wait4`, so each child's
/// own peak RSS is known (Foundation's `Process` reaps children itself). Each child
/// leads its own process group, so a time limit kills whatever it started too.
enum Spawner {
    static func run(
        _ arguments: [String], environment: [String: String]? = nil, stdout: String? = "/dev/null", stderr: String? = nil
    ) throws -> ChildRun {
        try run(arguments, SpawnOptions(environment: environment, stdout: stdout, stderr: stderr))
    }

    /// Runs `arguments` through a fresh, small copy of this executable (`Launcher`), so
    /// that the peak RSS reported is the command's own: a child spawned straight from the
    /// bench inherits the bench's high-water mark at exec (Linux records the old address
    /// space's peak into the new program's `ru_maxrss`), which would read as tens of MB
    /// the command never used. Wall time is measured by the launcher around the command.
    static func measured(_ arguments: [String], _ options: SpawnOptions) throws -> ChildRun {
        let result = NSTemporaryDirectory() + "aiusage-bench-launch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(result) }
        // The launcher enforces the time limit itself (and reads the command's peak before
        // killing it); this process's own limit is only a backstop.
        var outerOptions = options
        outerOptions.timeout = options.timeout.map { $0 + 30 }
        let limit = options.timeout.map { String($0) } ?? "0"
        let outer = try run([SelfPath.executable(), Launcher.flag, result, limit, "--"] + arguments, outerOptions)
        guard let text = try? String(contentsOfFile: result, encoding: .utf8) else {
            if outer.timedOut {
                return ChildRun(status: outer.status, seconds: outer.seconds, peakRSS: 0, userSeconds: 0, systemSeconds: 0, timedOut: true)
            }
            throw BenchError.message("the launcher for \(arguments[0]) reported nothing (status \(outer.status))")
        }
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 6, let status = Int32(fields[0]), let seconds = Double(fields[1]), let peak = Int64(fields[2]),
            let user = Double(fields[3]), let system = Double(fields[4])
        else { throw BenchError.message("the launcher for \(arguments[0]) reported \(text)") }
        return ChildRun(
            status: status, seconds: seconds, peakRSS: peak, userSeconds: user, systemSeconds: system,
            timedOut: fields[5] == "timeout" || outer.timedOut)
    }

    /// Runs `arguments[0]` (looked up in PATH when it has no slash) and waits for it.
    static func run(_ arguments: [String], _ options: SpawnOptions) throws -> ChildRun {
        let started = Clock.now()
        let pid = try spawn(arguments, options)
        let killer = options.timeout.map { Killer(pid: pid, seconds: $0) }
        // Wait without reaping first, so the killer can never signal a reused pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else { throw BenchError.message("waitid failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Clock.now() - started
        let timedOut = killer?.finish() ?? false
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError.message("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        // Whatever the child left running in its group (a time-limited run's helpers).
        if timedOut { kill(-pid, SIGKILL) }
        return ChildRun(
            status: exitCode(status), seconds: seconds, peakRSS: rssBytes(usage.ru_maxrss),
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            timedOut: timedOut)
    }

    /// Kills a child's process group when its time is up, unless `finish` came first.
    final class Killer: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        private var fired = false

        init(pid: pid_t, seconds: Double) {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                lock.lock()
                defer { lock.unlock() }
                guard !done else { return }
                fired = true
                kill(-pid, SIGKILL)
            }
        }

        /// Called once the child has exited (not yet reaped); returns whether it was killed.
        func finish() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            done = true
            return fired
        }
    }

    static func spawn(_ arguments: [String], _ options: SpawnOptions) throws -> pid_t {
        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        if let directory = options.directory {
            guard let addChdir = Self.addChdir, addChdir(&actions, directory) == 0 else {
                throw BenchError.message(
                    "cannot run \(arguments[0]) in \(directory): posix_spawn_file_actions_addchdir_np is missing (glibc ≥ 2.29 needed)")
            }
        }
        posix_spawn_file_actions_addopen(&actions, 0, options.stdin, O_RDONLY, 0)
        if let stdout = options.stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderr = options.stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let env = options.environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let result: Int32
        if arguments[0].contains("/") {
            result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        } else {
            result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw BenchError.message("cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    #if os(Linux)
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    #else
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t?>, UnsafePointer<CChar>) -> Int32
    #endif
    /// glibc's `posix_spawn_file_actions_addchdir_np`, which Swift's Glibc module does not
    /// export (it is behind `_GNU_SOURCE`): looked up at run time.
    static let addChdir: AddChdir? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

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
    static func output(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "aiusage-bench-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        let run = try run(arguments, SpawnOptions(environment: environment, directory: directory, stdout: path, stderr: path))
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard run.succeeded else {
            throw BenchError.message("\(arguments.joined(separator: " ")) failed (\(run.status)): \(text.prefix(2000))")
        }
        return text
    }
}

/// The path of this executable (to find the `aiusage` binary built beside it).
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

/// Page cache control for the disk-cold variants (root only).
enum PageCache {
    /// Writes back dirty pages and drops the page cache; false when not allowed.
    static func drop() -> Bool {
        sync()
        guard let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("3\n".utf8))) != nil
    }

    static var canDrop: Bool { access("/proc/sys/vm/drop_caches", W_OK) == 0 }
}

/// The hidden `--launch RESULT SECONDS -- COMMAND…` mode: runs COMMAND (inheriting this
/// process's standard streams, folder and environment), waits for it, and writes
/// "status seconds peak-rss user system finished|timeout" to RESULT. After SECONDS (0: no
/// limit) it reads the command's peak RSS from `/proc` (`VmHWM`) and kills it, so that a
/// run cut off still tells how much memory it had reached. See `Spawner.measured`.
enum Launcher {
    static let flag = "--launch"

    static func runIfRequested(_ arguments: [String]) {
        guard arguments.count >= 5, arguments[0] == flag, arguments[3] == "--", let limit = Double(arguments[2]) else { return }
        let command = Array(arguments[4...])
        let started = Clock.now()
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let spawned =
            command[0].contains("/")
            ? posix_spawn(&pid, command[0], nil, nil, argv, environ) : posix_spawnp(&pid, command[0], nil, nil, argv, environ)
        guard spawned == 0 else {
            FileHandle.standardError.write(Data("aiusage-bench: cannot run \(command[0]): \(String(cString: strerror(spawned)))\n".utf8))
            exit(127)
        }
        let killer = limit > 0 ? TimeLimit(pid: pid, seconds: limit) : nil
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else { exit(126) }
        }
        let seconds = Clock.now() - started
        let cut = killer?.finish()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { exit(126) }
        }
        let code = Spawner.exitCode(status)
        let peak = cut ?? Spawner.rssBytes(usage.ru_maxrss)
        let text = String(
            format: "%d %.6f %lld %.6f %.6f %@", code, seconds, peak,
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6, cut == nil ? "finished" : "timeout")
        try? text.write(toFile: arguments[1], atomically: false, encoding: .utf8)
        exit(code)
    }

    /// Kills the command when its time is up, unless `finish` came first; remembers the
    /// peak RSS it had reached.
    final class TimeLimit: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        private var peak: Int64?

        init(pid: pid_t, seconds: Double) {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                lock.lock()
                defer { lock.unlock() }
                guard !done else { return }
                peak = Self.highWaterMark(pid) ?? 0
                kill(pid, SIGKILL)
            }
        }

        /// Nil when the command finished in time, else the peak RSS read before killing it.
        func finish() -> Int64? {
            lock.lock()
            defer { lock.unlock() }
            done = true
            return peak
        }

        /// `VmHWM` of a running process, in bytes.
        static func highWaterMark(_ pid: pid_t) -> Int64? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
            else { return nil }
            return line.split(separator: " ").compactMap { Int64($0) }.first.map { $0 * 1024 }
        }
    }
}
