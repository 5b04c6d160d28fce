import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing
import _AIUsageTestSupport

/// A real `aiusage` uploads to a real `aiusage-server` on loopback, and the team summary
/// shows the numbers `aiusage report --format json` printed.
@Suite(.serialized) struct TeamServerEndToEndTests {
    static let serverBinary = CLI.packageRoot + "/.build/debug/aiusage-server"
    static let shareBinary = CLI.packageRoot + "/.build/debug/aiusage-share"

    /// Runs a binary to completion; stdout and exit status.
    @discardableResult
    func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws -> (
        status: Int32, stdout: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// GET through the same one-request binary `aiusage` uses; the JSON body.
    func get(_ url: String, token: String? = nil) throws -> (status: Int, body: [String: Any]?) {
        let result = try run(Self.shareBinary, ["GET", url], environment: token.map { ["AIUSAGE_SHARE_TOKEN": $0] } ?? [:])
        guard result.status == 0 else { return (0, nil) }
        let lines = result.stdout.split(separator: "\n", maxSplits: 1)
        let status = Int(lines.first?.split(separator: " ").last ?? "") ?? 0
        let body = lines.count > 1 ? try? JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any] : nil
        return (status, body)
    }

    @Test func uploadedAggregatesMatchTheLocalReport() throws {
        let fixture = try GitFixture()
        // Recent days: uploads cover at most the last 400 days.
        fixture.clock = Int(Date().timeIntervalSince1970) - 10 * 86_400
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let since = day.string(from: Date().addingTimeInterval(-30 * 86_400))
        let until = day.string(from: Date().addingTimeInterval(2 * 86_400))
        let store = try TemporaryDirectory(prefix: "aiusage-e2e-store")
        let serverData = try TemporaryDirectory(prefix: "aiusage-e2e-server")
        let transcripts = TranscriptWriter(home: fixture.home)
        try fixture.commit("base", ["README.md": "readme\n"])
        try transcripts.claudeWrite(
            session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\nb = 2\n", input: 100_000,
            output: 2000)
        try transcripts.claudeWrite(
            session: "s2", cwd: fixture.root, at: fixture.clock + 10, file: fixture.root + "/lost.py", content: "lost = 1\n", input: 50_000,
            output: 1000)
        fixture.clock += 60
        try fixture.commit("a", ["a.py": "a = 1\nb = 2\nc = 3\n"])

        // The server: a team, a named member token, a viewer token.
        let data = ["--data-dir", serverData.path]
        #expect(try run(Self.serverBinary, ["team", "create", "web"] + data).status == 0)
        let member = try run(
            Self.serverBinary, ["token", "issue", "--team", "web", "--developer", "dev@example.com", "--role", "member", "--named"] + data
        )
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let viewer = try run(
            Self.serverBinary, ["token", "issue", "--team", "web", "--developer", "lead@example.com", "--role", "viewer"] + data
        )
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Int.random(in: 20_000..<60_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.serverBinary)
        server.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--min-group-size", "1"] + data
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try get(base + "/api/v1/health").status == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ready)

        // The developer opts in and uploads.
        let env = CLI.environment(home: fixture.home, store: store.path)
        let enable = try CLI.run(
            ["share", "enable", "--server", base, "--token", member, "--named", "--yes"], in: fixture.root, environment: env)
        #expect(enable.status == 0, "\(enable.stderr)")
        let upload = try CLI.run(["upload", "--since", since], in: fixture.root, environment: env)
        #expect(upload.status == 0, "\(upload.stderr)")
        // Sending the same days again changes nothing on the server.
        #expect(try CLI.run(["upload", "--since", since], in: fixture.root, environment: env).status == 0)

        let report = try CLI.run(
            ["report", "--format", "json", "--since", since, "--until", until, "--timezone", "UTC", "--no-scan"],
            in: fixture.root, environment: env)
        let local = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let localTotals = try #require(local["totals"] as? [String: Any])

        let summary = try get(base + "/api/v1/teams/web/summary?since=\(since)&until=\(until)&by=week", token: viewer)
        #expect(summary.status == 200)
        let body = try #require(summary.body)
        #expect(body["schema"] as? String == "aiusage.team-summary/1")
        #expect(body["withheld"] as? Bool == false)
        let teamTotals = try #require(body["totals"] as? [String: Any])
        for field in [
            "ai_lines_written", "ai_lines_committed", "ai_lines_landed", "human_lines_committed", "commits", "ai_assisted_commits",
        ] {
            #expect(teamTotals[field] as? Int == localTotals[field] as? Int, "\(field)")
        }
        #expect(teamTotals["ai_lines_landed"] as? Int == 2)
        #expect((teamTotals["tokens"] as? [String: Int])?["total"] == (localTotals["tokens"] as? [String: Int])?["total"])
        let teamCost = try #require(teamTotals["cost_usd"] as? Double)
        let localCost = try #require(localTotals["cost_usd"] as? Double)
        #expect(abs(teamCost - localCost) < 1e-6)
        let teamWaste = (teamTotals["ratios"] as? [String: Any])?["waste_share"] as? Double
        let localWaste = (localTotals["ratios"] as? [String: Any])?["waste_share"] as? Double
        #expect(teamWaste != nil && abs((teamWaste ?? 0) - (localWaste ?? -1)) < 1e-6)
        let developers = try #require(body["developers"] as? [[String: Any]])
        #expect(developers.map { ($0["key"] as? [String: String])?["developer"] } == ["dev@example.com"])

        // The dashboard a viewer sees (logged in through the form) shows the same landed lines
        // and cost, and lists the developer, who chose to be named.
        let viewerCookie = try login(base: base, token: viewer, view: "team")
        let page = try fetch(base + "/dashboard?weeks=8", cookie: viewerCookie)
        #expect(page.status == 200)
        #expect(page.body.contains("<dd id=\"total-landed\">\(localTotals["ai_lines_landed"] as? Int ?? -1)</dd>"))
        #expect(page.body.contains(String(format: "<dd id=\"total-cost\">$%.2f</dd>", localCost)))
        #expect(page.body.components(separatedBy: "<svg").count - 1 == 7)
        #expect(page.body.contains("<table id=\"named\""))
        #expect(page.body.contains("<td>dev@example.com</td>"))
        // The developer's own page, with their member token: the same figures, theirs only.
        let mine = try fetch(base + "/me?weeks=8", cookie: try login(base: base, token: member, view: "me"))
        #expect(mine.status == 200)
        #expect(mine.body.contains("<dd id=\"total-landed\">\(localTotals["ai_lines_landed"] as? Int ?? -1)</dd>"))

        // Turning sharing off with --delete-shared removes the rows from the server.
        let disable = try CLI.run(["share", "disable", "--delete-shared"], in: fixture.root, environment: env)
        #expect(disable.status == 0, "\(disable.stderr)")
        #expect(disable.stdout.contains("Deleted "), "\(disable.stdout)")
        let after = try get(base + "/api/v1/teams/web/summary?since=\(since)&until=\(until)&by=week", token: viewer)
        #expect(after.body?["developers_contributing"] as? Int == 0)
        #expect(((try get(base + "/api/v1/me", token: member)).body?["days"] as? [Any])?.isEmpty == true)
    }

    /// Logs in through the dashboard's form as a browser would (the form's CSRF cookie and
    /// field, then the token); the session cookie to send afterwards.
    func login(base: String, token: String, view: String) throws -> String {
        let form = try fetch(base + "/")
        let csrf = try #require(Self.cookieValue("aiusage_login", in: form.cookies))
        var request = URLRequest(url: URL(string: base + "/login")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("aiusage_login=\(csrf)", forHTTPHeaderField: "Cookie")
        request.httpBody = Data("csrf=\(csrf)&token=\(token)&view=\(view)".utf8)
        let response = try fetch(request)
        #expect(response.status == 303, "login answered \(response.status)")
        return "aiusage_session=" + (try #require(Self.cookieValue("aiusage_session", in: response.cookies)))
    }

    func fetch(_ url: String, cookie: String? = nil) throws -> (status: Int, body: String, cookies: String) {
        var request = URLRequest(url: URL(string: url)!)
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        return try fetch(request)
    }

    /// One HTTP request from the test itself, redirects not followed (the dashboard answers
    /// a login with 303 and a cookie); the `Set-Cookie` headers as one string.
    func fetch(_ request: URLRequest) throws -> (status: Int, body: String, cookies: String) {
        let done = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        session.dataTask(with: request) { data, response, _ in
            let http = response as? HTTPURLResponse
            let cookies = (http?.allHeaderFields.filter { ($0.key as? String)?.lowercased() == "set-cookie" }.map { "\($0.value)" } ?? [])
                .joined(separator: ", ")
            box.set(http?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self), cookies)
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        session.finishTasksAndInvalidate()
        return box.value
    }

    static func cookieValue(_ name: String, in header: String) -> String? {
        guard let range = header.range(of: name + "=") else { return nil }
        let value = header[range.upperBound...].prefix { $0 != ";" && $0 != "," }
        return value.isEmpty ? nil : String(value)
    }
}

/// Leaves redirects to the test, which reads the 303 itself.
final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (Int, String, String) = (0, "", "")
    func set(_ status: Int, _ body: String, _ cookies: String) { lock.withLock { stored = (status, body, cookies) } }
    var value: (status: Int, body: String, cookies: String) { lock.withLock { stored } }
}
