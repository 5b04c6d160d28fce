// aiusage-share: the only aiusage binary that opens network connections.
//
// `aiusage` runs it for `share enable` and `upload` (and from the hook, only while
// sharing is on): `aiusage-share METHOD URL`, bearer token in AIUSAGE_SHARE_TOKEN,
// request body on stdin. It prints `HTTP <status>` on one line, then the response
// body, and exits 0 once a response arrived; otherwise one line on stderr and exit 1.
// It lives apart from `aiusage` because FoundationNetworking brings libcurl and its
// libraries into every process that links it, hooks included.
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("aiusage: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let method = arguments.first, ["GET", "POST", "DELETE"].contains(method),
    let last = arguments.last, let url = URL(string: last), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
else {
    fail("usage: aiusage-share GET|POST|DELETE http(s)://SERVER/PATH (token in AIUSAGE_SHARE_TOKEN, body on stdin)")
}

var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 30)
request.httpMethod = method
if let token = ProcessInfo.processInfo.environment["AIUSAGE_SHARE_TOKEN"], !token.isEmpty {
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
}
request.setValue("application/json", forHTTPHeaderField: "Accept")
if method == "POST" {
    request.httpBody = FileHandle.standardInput.readDataToEndOfFile()
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
}

final class Outcome: @unchecked Sendable {
    var data: Data?
    var response: URLResponse?
    var error: Error?
}
let outcome = Outcome()
let finished = DispatchSemaphore(value: 0)
let configuration = URLSessionConfiguration.ephemeral
configuration.timeoutIntervalForRequest = 30
configuration.timeoutIntervalForResource = 60
let session = URLSession(configuration: configuration)
session.dataTask(with: request) { data, response, error in
    outcome.data = data
    outcome.response = response
    outcome.error = error
    finished.signal()
}.resume()
finished.wait()

guard let http = outcome.response as? HTTPURLResponse else {
    let reason = outcome.error.map { ($0 as NSError).localizedDescription } ?? "no response"
    fail("cannot reach \(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? ""): \(reason)")
}
FileHandle.standardOutput.write(Data("HTTP \(http.statusCode)\n".utf8))
FileHandle.standardOutput.write(outcome.data ?? Data())
exit(0)
