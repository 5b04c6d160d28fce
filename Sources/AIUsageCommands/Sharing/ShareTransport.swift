import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The only way aiusage reaches the network: it runs `aiusage-share` (a separate
/// executable next to `aiusage`, the only one linking FoundationNetworking and
/// libcurl), so the binary every git hook starts stays light. Nothing constructs one
/// unless sharing is on, or `share enable` was asked for with a server and token.
struct ShareTransport {
    struct Response {
        var status: Int
        var body: Data
        var isSuccess: Bool { (200..<300).contains(status) }

        /// The server's `{"error": {"code", "message"}}`, on one line.
        var errorSummary: String {
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let error = object["error"] as? [String: Any]
            {
                let code = error["code"] as? String ?? "error"
                let message = (error["message"] as? String ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
                return "HTTP \(status) \(code): \(message)"
            }
            let text = String(decoding: body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
            return text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let server: String
    let token: String
    let environment: [String: String]

    /// `http://` or `https://` with a host; the trailing slash is dropped.
    static func validate(server: String) -> String? {
        var text = server.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else { return nil }
        return text
    }

    /// `AIUSAGE_SHARE_BIN`, else `aiusage-share` in the folder of the running binary.
    var helperPath: String {
        if let explicit = environment["AIUSAGE_SHARE_BIN"], !explicit.isEmpty { return explicit }
        #if os(Linux)
            let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
            let own = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
        #endif
        return own.deletingLastPathComponent().appendingPathComponent("aiusage-share").path
    }

    func send(_ method: String, _ path: String, body: Data? = nil) throws -> Response {
        let helper = helperPath
        guard FileManager.default.isExecutableFile(atPath: helper) else {
            throw Failure(description: "cannot reach the server: \(helper) is missing (install aiusage-share next to aiusage)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [method, server + path]
        // The token travels in the environment, never in arguments other users can list.
        var variables = environment
        variables["AIUSAGE_SHARE_TOKEN"] = token
        process.environment = variables
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // A helper that exits without reading its input must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let writer = Thread {
            if let body { try? input.fileHandleForWriting.write(contentsOf: body) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = ErrorCollector(errors.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = String(decoding: errorData.wait(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let newline = data.firstIndex(of: 0x0A),
            let status = Int(String(decoding: data[data.startIndex..<newline], as: UTF8.self).dropFirst("HTTP ".count))
        else {
            throw Failure(description: message.isEmpty ? "cannot reach \(server)" : message)
        }
        return Response(status: status, body: Data(data[data.index(after: newline)...]))
    }
}

/// Reads a pipe to its end on a thread of its own, so that neither pipe fills up.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
