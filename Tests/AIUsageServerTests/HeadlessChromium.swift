import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A real headless Chromium driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: Chromium reads commands from fd 3 and writes replies and
/// events to fd 4, one JSON message per NUL-terminated frame). A pipe needs no extra
/// dependency, no free port and no WebSocket client, and the browser dies with the test.
///
/// Calls block; run them off the cooperative thread pool (see `onThread`).
final class HeadlessChromium: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The Debian package's binary, or `AIUSAGE_CHROMIUM` when set; nil when neither exists.
    static var executable: String? {
        let candidates = [ProcessInfo.processInfo.environment["AIUSAGE_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private var buffer: [UInt8] = []
    private var nextID = 0
    /// Every event received so far, in order (`method`, `params`, `sessionId`).
    private(set) var events: [[String: Any]] = []
    /// Where Chromium's own stderr goes, to quote when something fails.
    let logPath: String

    init(executable: String, profileDirectory: String) throws {
        var toChrome: [Int32] = [0, 0]
        var fromChrome: [Int32] = [0, 0]
        guard pipe(&toChrome) == 0, pipe(&fromChrome) == 0 else { throw Failure("pipe failed") }
        // Close-on-exec: other tests spawn processes concurrently and must not inherit these
        // ends (a stray writer would keep the pipe open). The spawn's dup2 clears it on 3 and 4.
        for fd in toChrome + fromChrome { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        logPath = profileDirectory + "/chromium.log"
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--remote-debugging-pipe", "--user-data-dir=" + profileDirectory + "/profile", "about:blank",
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChrome[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChrome[1], 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(toChrome[0])
        close(fromChrome[1])
        guard status == 0 else {
            close(toChrome[1])
            close(fromChrome[0])
            throw Failure("could not start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        commands = toChrome[1]
        replies = fromChrome[0]
    }

    deinit {
        close(commands)
        close(replies)
    }

    /// Sends one command and waits for its reply, keeping the events that arrive meanwhile.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: TimeInterval = 30) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var frame = try JSONSerialization.data(withJSONObject: message)
        frame.append(0)
        try frame.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(commands, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { throw Failure("the browser stopped reading commands (\(method))") }
                offset += written
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reply = try nextMessage(until: deadline, waitingFor: method)
            if reply["id"] as? Int == id {
                if let error = reply["error"] as? [String: Any] { throw Failure("\(method): \(error["message"] ?? error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            if reply["method"] != nil { events.append(reply) }
        }
    }

    /// Waits for an event (already received or still to come) that `matches`.
    func waitForEvent(_ method: String, session: String? = nil, after index: Int = 0, timeout: TimeInterval = 30) throws -> [String: Any] {
        func matches(_ event: [String: Any]) -> Bool {
            event["method"] as? String == method && (session == nil || event["sessionId"] as? String == session)
        }
        if let found = events.dropFirst(index).first(where: matches) { return found }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let message = try nextMessage(until: deadline, waitingFor: method)
            guard message["method"] != nil else { continue }
            events.append(message)
            if matches(message) { return message }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    func evaluate(_ expression: String, session: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
        if let exception = result["exceptionDetails"] as? [String: Any] { throw Failure("script failed: \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Asks the browser to quit and reaps it; kills it if it does not go within a few seconds.
    func quit() {
        _ = try? send("Browser.close", timeout: 5)
        for _ in 0..<50 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// The tail of Chromium's log, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    private func nextMessage(until deadline: Date, waitingFor what: String) throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let frame = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let message = try JSONSerialization.jsonObject(with: frame) as? [String: Any] else { continue }
                return message
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw Failure("timed out waiting for \(what); browser log:\n\(logTail)") }
            var poller = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1) * 1000))
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(replies, &chunk, chunk.count)
            guard count > 0 else { throw Failure("the browser closed its pipe while waiting for \(what); log:\n\(logTail)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

/// Runs blocking work on its own thread so an async test does not stall the cooperative
/// pool that the in-process server's handlers run on.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
