import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Oversized bodies on a real connection: refused by their declared length before a byte of
/// them is read (and before the token is checked), a chunked body cut off at the limit, and
/// the connection closed rather than read to the end of the body.
@Suite struct BodyLimitTests {
    @Test func oversizedBodiesEndTheConnectionWithoutBeingRead() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app().test(.live) { client in
            let port = try #require(client.port)
            // 100 MB declared, none sent: the answer comes and the server hangs up, instead of
            // waiting for 100 MB it would read and throw away.
            let declared = try RawHTTP.exchange(
                port: port,
                head: "POST /api/v1/uploads HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(token)\r\nContent-Length: 104857600\r\n\r\n")
            #expect(declared.response.hasPrefix("HTTP/1.1 413"), "\(declared.response.prefix(80))")
            #expect(declared.closedByServer, "the server kept the connection open to read the body")
            // Refused by its size before the token is checked (a 401 would mean the route ran).
            let anonymous = try RawHTTP.exchange(
                port: port, head: "POST /api/v1/uploads HTTP/1.1\r\nHost: test\r\nContent-Length: 2000000\r\n\r\n")
            #expect(anonymous.response.hasPrefix("HTTP/1.1 413") && anonymous.response.contains("payload_too_large"))
            #expect(anonymous.response.lowercased().contains("connection: close"))
            // A chunked body: read up to the limit (1 MiB), then refused and cut off.
            let chunk = "10000\r\n" + String(repeating: "x", count: 0x10000) + "\r\n"
            let chunked = try RawHTTP.exchange(
                port: port,
                head: "POST /api/v1/uploads HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: chunked\r\n\r\n",
                body: Array(repeating: chunk, count: 40))
            #expect(chunked.response.hasPrefix("HTTP/1.1 413"), "\(chunked.response.prefix(80))")
            #expect(chunked.closedByServer)
            // The login form likewise.
            let login = try RawHTTP.exchange(port: port, head: "POST /login HTTP/1.1\r\nHost: test\r\nContent-Length: 104857600\r\n\r\n")
            #expect(login.response.hasPrefix("HTTP/1.1 413") && login.closedByServer)
            // A body within the limit is read, and the connection stays usable.
            let health = try RawHTTP.exchange(port: port, head: "GET /api/v1/health HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(health.response.hasPrefix("HTTP/1.1 200") && !health.closedByServer)
        }
    }
}

/// A blocking HTTP/1.1 exchange over a plain socket, to see what a server does with a body
/// it was not sent (URLSession always sends what it declares).
enum RawHTTP {
    struct Failure: Error { let what: String }

    /// Sends `head` and then `body` (stopping quietly if the server has hung up), reads for up
    /// to `wait` seconds, and tells whether the server closed the connection in that time.
    static func exchange(port: Int, head: String, body: [String] = [], wait: Double = 3) throws -> (response: String, closedByServer: Bool)
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(what: "connect") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
        guard send(head) else { throw Failure(what: "send") }
        for part in body where send(part) == false { break }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received += buffer[0..<count]; continue }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if errno == ECONNRESET { return (String(decoding: received, as: UTF8.self), true) }
            // EAGAIN: nothing yet; keep waiting until the deadline.
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}
