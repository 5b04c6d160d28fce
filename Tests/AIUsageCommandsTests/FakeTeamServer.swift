import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP listener on 127.0.0.1 (a free port). `FakeTeamServer` answers it as a tiny
/// aiusage server would; a bare `Listener` only counts who knocked.
final class Listener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var isClosed = false

    init() throws {
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.fd = fd
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Connections waiting in the backlog (the kernel accepts them without us).
    func pendingConnections() -> Int {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var count = 0
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { break }
            closeSocket(client)
            count += 1
        }
        _ = fcntl(fd, F_SETFL, flags)
        return count
    }

    /// Closes the socket once, however often it is called (a test, `FakeTeamServer.deinit` and
    /// this class's `deinit` may all call it). Closing twice would close whatever descriptor
    /// the number was given to meanwhile, such as another test's socket in this process.
    func close() {
        let first = lock.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        closeSocket(fd)
    }

    deinit { close() }
}

/// A few lines of HTTP/1.1 answering `/api/v1/me` (GET and DELETE) and `/api/v1/uploads`
/// as the contract says, recording every request.
final class FakeTeamServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data
    }

    static let teamKey = String(repeating: "ab", count: 32)
    let listener: Listener
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var statuses: [Int] = []

    var url: String { listener.url }
    var requests: [Request] { lock.withLock { recorded } }
    var uploads: [Request] { requests.filter { $0.method == "POST" && $0.path == "/api/v1/uploads" } }
    var deletions: [Request] { requests.filter { $0.method == "DELETE" && $0.path == "/api/v1/me" } }
    private var deleteStatuses: [Int] = []

    /// Statuses for the next uploads, in order (then 200).
    func failNextUploads(_ list: [Int]) { lock.withLock { statuses = list } }
    /// Statuses for the next `DELETE /api/v1/me`, in order (then 200).
    func failNextDeletions(_ list: [Int]) { lock.withLock { deleteStatuses = list } }

    init(role: String = "member") throws {
        listener = try Listener()
        let thread = Thread { [self] in serve(role: role) }
        thread.start()
    }

    deinit { listener.close() }

    private func serve(role: String) {
        while true {
            let client = accept(listener.fd, nil, nil)
            if client < 0 { return }
            handle(client, role: role)
            closeSocket(client)
        }
    }

    private func handle(_ client: Int32, role: String) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func fill() -> Bool {
            let n = read(client, &chunk, chunk.count)
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            if let range = buffer.firstRange(of: separator) { headerEnd = range.upperBound } else if !fill() { return }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        if headers["expect"]?.lowercased() == "100-continue" { send(client, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        while buffer.count - headerEnd! < length { if !fill() { break } }
        let request = Request(
            method: String(requestLine[0]), path: String(requestLine.count > 1 ? requestLine[1] : ""), headers: headers,
            body: Data(buffer[headerEnd!...]))
        lock.withLock { recorded.append(request) }
        let (status, body) = respond(request, role: role)
        let response =
            "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        send(client, Array(response.utf8))
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            sent += n
        }
    }

    private func respond(_ request: Request, role: String) -> (Int, String) {
        guard request.headers["authorization"] == "Bearer good-token" else {
            return (401, #"{"error":{"code":"unauthorized","message":"unknown or revoked token"}}"#)
        }
        switch (request.method, request.path) {
        case ("GET", "/api/v1/me"):
            return (
                200,
                #"{"schema":"aiusage.me/1","team":"core","developer":"dev@example.com","role":"\#(role)","named":false,"team_key":"\#(Self.teamKey)","days":[]}"#
            )
        case ("POST", "/api/v1/uploads"):
            let status = lock.withLock { statuses.isEmpty ? 200 : statuses.removeFirst() }
            if status != 200 { return (status, #"{"error":{"code":"bad_schema","message":"schema version not supported\nat all"}}"#) }
            return (200, #"{"accepted_days":1,"stored_rows":1}"#)
        case ("DELETE", "/api/v1/me"):
            let status = lock.withLock { deleteStatuses.isEmpty ? 200 : deleteStatuses.removeFirst() }
            if status != 200 { return (status, #"{"error":{"code":"internal","message":"the database is down"}}"#) }
            return (200, #"{"deleted_rows":2}"#)
        default:
            return (404, #"{"error":{"code":"not_found","message":"no such route"}}"#)
        }
    }
}

private func closeSocket(_ fd: Int32) {
    #if canImport(Glibc)
        _ = Glibc.close(fd)
    #else
        _ = Darwin.close(fd)
    #endif
}
