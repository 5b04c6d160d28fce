import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageCommands
import AIUsageCore
import AIUsageServer
import AIUsageStore
import AIUsageUploadContract
import Hummingbird
import HummingbirdTesting

/// Opt-in sharing (issue 3): nothing on the network while it is off; with it on,
/// exactly the dry-run bytes go to the server, at most once a day from the hook.
@Suite(.serialized) struct ShareTests {
    /// A repository with one Claude Code session whose lines were committed, dated
    /// two days ago so that every default window (7 and 30 days) holds it.
    final class World: @unchecked Sendable {
        let fixture: GitFixture
        let store: TemporaryDirectory
        let transcripts: TranscriptWriter
        var env: [String: String]

        init(extra: [String: String] = [:]) throws {
            fixture = try GitFixture()
            fixture.clock = Int(Date().timeIntervalSince1970) - 2 * 86_400
            store = try TemporaryDirectory(prefix: "aiusage-share-store")
            transcripts = TranscriptWriter(home: fixture.home)
            env = CLI.environment(home: fixture.home, store: store.path, extra: extra)
            try fixture.commit("base", ["README.md": "readme\n"])
            try transcripts.claudeWrite(
                session: "s1", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/a.py", content: "a = 1\nb = 2\n")
            fixture.clock += 60
            try fixture.commit("a", ["a.py": "a = 1\nb = 2\n"])
        }

        @discardableResult
        func run(_ arguments: [String], extra: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(arguments, in: fixture.root, environment: env.merging(extra) { _, new in new })
        }

        /// A commit through the installed hooks, recorded before git returns.
        func commitWithHooks(_ name: String, _ text: String) throws {
            try fixture.write(name, text)
            try fixture.git("add", "-A")
            var gitEnv = env
            gitEnv["AIUSAGE_HOOK_SYNC"] = "1"
            try fixture.run(["commit", "-q", "-m", "edit \(name)"], environment: gitEnv)
            fixture.clock += 60
        }

        var log: String { (try? String(contentsOfFile: store.path + "/aiusage.log", encoding: .utf8)) ?? "" }
    }

    static func withoutGeneratedAt(_ text: String) -> String {
        text.replacingOccurrences(of: #""generated_at":"[^"]*""#, with: "", options: .regularExpression)
    }

    /// A day `offset` days from now as the CLI (TZ=UTC) labels it.
    static func utcDay(_ offset: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
    }

    @Test func whileSharingIsOffNoConnectionIsOpened() throws {
        let listener = try Listener()
        let marker = try TemporaryDirectory(prefix: "aiusage-share-marker")
        // A stand-in for the network helper that leaves a trace if anything runs it.
        let helper = marker.path + "/aiusage-share"
        try "#!/bin/sh\ntouch \(marker.path)/ran\nexit 1\n".write(toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        let world = try World(extra: [
            "AIUSAGE_SHARE_BIN": helper, "AIUSAGE_SERVER": listener.url, "http_proxy": listener.url, "https_proxy": listener.url,
            "HTTP_PROXY": listener.url, "HTTPS_PROXY": listener.url, "ALL_PROXY": listener.url,
        ])
        #expect(try world.run(["install"]).status == 0)
        try world.commitWithHooks("b.py", "b = 1\n")
        for arguments in [
            ["report"], ["report", "--all-repos", "--format", "json"], ["scan"], ["share", "status"], ["commits", "--json"],
        ] {
            let result = try world.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let upload = try world.run(["upload"])
        #expect(upload.status != 0)
        #expect(upload.stderr.contains("sharing is off"), "\(upload.stderr)")
        #expect(upload.stderr.split(separator: "\n").count == 1)
        let dryRun = try world.run(["upload", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains(#""schema":"aiusage.upload/1""#))
        #expect(dryRun.stderr.contains("\"dry-run\""))
        let status = try world.run(["share", "status"])
        #expect(status.stdout.contains("Sharing is off"))
        #expect(listener.pendingConnections() == 0)
        #expect(!FileManager.default.fileExists(atPath: marker.path + "/ran"))
    }

    /// Issue 9: `share enable` printed "your last 7 days" as one 2,000-character JSON line,
    /// then the first upload sent 31 days. Now it describes, in words, the window the first
    /// upload covers and what it holds; the bytes are one `--dry-run` away.
    @Test func enableDescribesTheFirstUploadThenStoresTheSettings() throws {
        let server = try FakeTeamServer()
        let world = try World()
        let enable = try world.run(["share", "enable", "--server", server.url + "/", "--token", "good-token", "--yes"])
        #expect(enable.status == 0, "\(enable.stderr)")
        let out = enable.stdout
        #expect(out.contains("at most once a day, in the background after a commit, and when you run `aiusage upload`"))
        #expect(out.contains("The first upload covers \(Self.utcDay(-30)) to \(Self.utcDay(0)) (31 days of your local calendar)"), "\(out)")
        #expect(out.contains("Days with activity:  1 of 31 (the others are sent empty"), "\(out)")
        #expect(out.contains("Rows:                2 (one per day, repository, tool and model)"), "\(out)")
        let hash = RepoNameHash.hmacHex(key: RepoNameHash.bytes(hex: FakeTeamServer.teamKey)!, name: "repo")
        #expect(out.contains("Repositories:        1: repo (sent as \(hash.prefix(12))…)"), "\(out)")
        #expect(
            out.contains("Tools and models:    claude-code with claude-sonnet-4-5-20250929, plus lines and commits without a session"),
            "\(out)")
        #expect(out.contains("Totals:              1 session, 1,200 tokens, "), "\(out)")
        #expect(out.contains("2 AI lines written, 2 landed, 1 human line, 2 commits"), "\(out)")
        #expect(out.contains("--dry-run"))
        // Readable: no JSON, no line longer than a wide terminal.
        #expect(!out.contains("{\""), "\(out)")
        #expect(out.split(separator: "\n").allSatisfy { $0.count <= 160 }, "\(out)")
        #expect(server.requests.map(\.path) == ["/api/v1/me"])
        let status = try world.run(["share", "status"])
        #expect(status.stdout.contains("Sharing is on"))
        #expect(status.stdout.contains(server.url + " (team core, as dev@example.com)"))
        #expect(status.stdout.contains("Last upload: never"))
        #expect(status.stdout.contains("Next upload: due"), "\(status.stdout)")
        #expect(status.stdout.contains("it sends \(Self.utcDay(-30)) to the day it runs"), "\(status.stdout)")

        // Without a terminal and without --yes: refused before anything is sent.
        let refused = try world.run(["share", "enable", "--server", server.url, "--token", "good-token"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--yes"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(server.requests.count == 1)

        let badURL = try world.run(["share", "enable", "--server", "ftp://example.com", "--token", "t", "--yes"])
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("http:// or https://"))
        let badToken = try world.run(["share", "enable", "--server", server.url, "--token", "wrong", "--yes"])
        #expect(badToken.status != 0)
        #expect(badToken.stderr.contains("unauthorized"), "\(badToken.stderr)")
        #expect(badToken.stderr.split(separator: "\n").count == 1)

        let disable = try world.run(["share", "disable", "--keep-shared"])
        #expect(disable.status == 0)
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is off"))
        #expect(try world.run(["upload"]).stderr.contains("sharing is off"))
    }

    /// `share enable --dry-run`: the first upload's exact bytes, nothing stored; then the
    /// first upload sends exactly those days (issue 9: it stated 7 and sent 31).
    @Test func enableDryRunPrintsTheFirstUploadsBytesAndTheUploadSendsThem() throws {
        let server = try FakeTeamServer()
        let world = try World()
        let dryRun = try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains(#""schema":"aiusage.upload/1""#))
        #expect(dryRun.stdout.contains(#""tool":"claude-code""#))
        #expect(dryRun.stderr.contains("nothing was stored or sent"))
        let shown = try UploadDocument.parse(Data(dryRun.stdout.utf8))
        #expect(shown.days.count == 31)
        #expect(shown.days.first?.day == Self.utcDay(-30))
        #expect(shown.days.last?.day == Self.utcDay(0))
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is off"))
        #expect(server.uploads.isEmpty)

        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)
        #expect(try world.run(["upload"]).status == 0)
        let sent = String(decoding: try #require(server.uploads.first).body, as: UTF8.self)
        #expect(Self.withoutGeneratedAt(sent) == Self.withoutGeneratedAt(dryRun.stdout))
    }

    /// The first upload starts where `share enable` said, even when it runs days later (the
    /// hook uploads after the next commit): before, it started 30 days before the upload.
    @Test func theFirstUploadStartsWhereEnableSaid() {
        let now = Date()
        let enabledAt = now.addingTimeInterval(-3 * 86_400)
        let settings = SharingSettings(
            server: "http://x", token: "t", named: false, repoNames: .hashed, team: "core", teamKey: FakeTeamServer.teamKey,
            developer: "dev@example.com", enabledAt: enabledAt)
        // What `share enable` stated at `enabledAt`, and what the upload three days later sends.
        let stated = Sharing.defaultSince(settings: settings, now: enabledAt)
        #expect(Sharing.defaultSince(settings: settings, now: now) == stated)
        #expect(stated == enabledAt.addingTimeInterval(-30 * 86_400))
        // After a success: since the last success, at least 30 days.
        var uploaded = settings
        uploaded.lastSuccessAt = now.addingTimeInterval(-86_400)
        #expect(Sharing.defaultSince(settings: uploaded, now: now) == now.addingTimeInterval(-30 * 86_400))
    }

    /// Issue 9: `share disable` forgot the token and left the rows on the server with no way
    /// to delete them. Now it deletes them first (`DELETE /api/v1/me`) or keeps them, as asked.
    @Test func disableDeletesTheSharedRowsBeforeForgettingTheToken() throws {
        let server = try FakeTeamServer()
        let world = try World()
        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)

        // No terminal, no choice: one line, nothing changed.
        let refused = try world.run(["share", "disable"])
        #expect(refused.status != 0)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("--delete-shared") && refused.stderr.contains("--keep-shared"), "\(refused.stderr)")
        #expect(server.deletions.isEmpty)
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is on"))
        let both = try world.run(["share", "disable", "--delete-shared", "--keep-shared"])
        #expect(both.status != 0 && both.stderr.split(separator: "\n").count == 1)

        // The server fails: the token is kept, so the developer can try again.
        server.failNextDeletions([500])
        let failed = try world.run(["share", "disable", "--delete-shared"])
        #expect(failed.status != 0)
        #expect(failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("the database is down") && failed.stderr.contains("sharing stays on"), "\(failed.stderr)")
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is on"))

        let deleted = try world.run(["share", "disable", "--delete-shared"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout.contains("Deleted 2 rows of yours from \(server.url)"), "\(deleted.stdout)")
        #expect(server.deletions.count == 2)
        #expect(server.deletions.allSatisfy { $0.headers["authorization"] == "Bearer good-token" })
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is off"))
        let again = try world.run(["share", "disable", "--delete-shared"])
        #expect(again.status != 0 && again.stderr.contains("already off"), "\(again.stderr)")

        // Keeping them: no request at all.
        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)
        let kept = try world.run(["share", "disable", "--keep-shared"])
        #expect(kept.status == 0)
        #expect(kept.stdout.contains("Your rows stay on \(server.url)"), "\(kept.stdout)")
        #expect(server.deletions.count == 2)
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is off"))
    }

    @Test func aViewerTokenCannotTurnSharingOn() throws {
        let server = try FakeTeamServer(role: "viewer")
        let world = try World()
        let enable = try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"])
        #expect(enable.status != 0)
        #expect(enable.stderr.contains("viewer"))
        #expect(try world.run(["share", "status"]).stdout.contains("Sharing is off"))
    }

    @Test func uploadSendsExactlyTheDryRunBytes() throws {
        let server = try FakeTeamServer()
        let world = try World()
        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)
        let dryRun = try world.run(["upload", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stderr.isEmpty, "\(dryRun.stderr)")
        #expect(server.uploads.isEmpty)
        let upload = try world.run(["upload"])
        #expect(upload.status == 0, "\(upload.stderr)")
        #expect(upload.stdout.contains("uploaded 31 days (2 rows)"), "\(upload.stdout)")
        #expect(upload.stdout.contains("covering \(Self.utcDay(-30)) to \(Self.utcDay(0))"), "\(upload.stdout)")
        let sent = try #require(server.uploads.first)
        #expect(server.uploads.count == 1)
        #expect(sent.headers["content-type"] == "application/json")
        let body = String(decoding: sent.body, as: UTF8.self)
        #expect(Self.withoutGeneratedAt(body) == Self.withoutGeneratedAt(dryRun.stdout))

        // What is in it, and what is not.
        let document = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(document["schema"] as? String == "aiusage.upload/1")
        #expect(document["repo_names"] as? String == "hashed")
        #expect(document["named"] as? Bool == false)
        let days = try #require(document["days"] as? [[String: Any]])
        #expect(days.count == 31)
        let rows = days.flatMap { $0["rows"] as? [[String: Any]] ?? [] }
        #expect(rows.count == 2)  // the AI session's, and the README commit's human line (tool "(none)")
        let human = try #require(rows.first { $0["tool"] as? String == "(none)" })
        #expect(human["human_lines_committed"] as? Int == 1)
        #expect(human["model"] as? String == "(none)")
        let row = try #require(rows.first { $0["tool"] as? String == "claude-code" })
        let expectedRepo = RepoNameHash.hmacHex(key: RepoNameHash.bytes(hex: FakeTeamServer.teamKey)!, name: "repo")
        #expect(row["repo"] as? String == expectedRepo)
        #expect(row["tool"] as? String == "claude-code")
        #expect(row["model"] as? String == "claude-sonnet-4-5-20250929")
        #expect(row["ai_lines_written"] as? Int == 2)
        #expect(row["ai_lines_committed"] as? Int == 2)
        #expect(row["commits"] as? Int == 1)
        #expect((row["tokens"] as? [String: Any])?["total"] as? Int == 1200)
        for secret in [world.fixture.root, "dev@example.com", "a.py", "s1", "\"repo\":\"repo\""] {
            #expect(!body.contains(secret), "\(secret)")
        }
        let status = try world.run(["share", "status"])
        #expect(status.stdout.contains("ok: uploaded 31 days"), "\(status.stdout)")
    }

    @Test func repositoryNamesInClearOnlyWhenAllowed() throws {
        let server = try FakeTeamServer()
        let world = try World()
        #expect(
            try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes", "--named", "--include-repo-names"])
                .status == 0)
        #expect(try world.run(["upload", "--since", "3d"]).status == 0)
        let body = String(decoding: try #require(server.uploads.first).body, as: UTF8.self)
        #expect(body.contains(#""repo":"repo""#))
        #expect(body.contains(#""repo_names":"plain""#))
        #expect(body.contains(#""named":true"#))
        #expect((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["days"].map { ($0 as! [Any]).count } == 4)
    }

    @Test func aRefusedUploadIsOneLineAndANonZeroExit() throws {
        let server = try FakeTeamServer()
        let world = try World()
        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)
        server.failNextUploads([400])
        let upload = try world.run(["upload"])
        #expect(upload.status != 0)
        #expect(upload.stderr.split(separator: "\n").count == 1, "\(upload.stderr)")
        #expect(upload.stderr.contains("HTTP 400 bad_schema: schema version not supported at all"), "\(upload.stderr)")
        #expect(try world.run(["share", "status"]).stdout.contains("refused"))

        server.listener.close()
        let unreachable = try world.run(["upload"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("cannot reach"), "\(unreachable.stderr)")
    }

    @Test func theHookUploadsAtMostOnceADayAndRetriesFailures() throws {
        let server = try FakeTeamServer()
        let world = try World()
        #expect(try world.run(["install"]).status == 0)
        #expect(try world.run(["share", "enable", "--server", server.url, "--token", "good-token", "--yes"]).status == 0)
        server.failNextUploads([503])
        try world.commitWithHooks("c.py", "c = 1\n")  // git succeeds although the upload fails
        #expect(server.uploads.count == 1)
        #expect(world.log.contains("upload: the server refused the upload: HTTP 503"), "\(world.log)")
        try world.commitWithHooks("d.py", "d = 1\n")  // retried
        #expect(server.uploads.count == 2)
        try world.commitWithHooks("e.py", "e = 1\n")  // already sent today
        #expect(server.uploads.count == 2)
        let last = String(decoding: server.uploads[1].body, as: UTF8.self)
        #expect(last.contains(#""tool":"(none)""#))
    }

    @Test func aLargeWindowIsSplitIntoDocumentsOfWholeDaysUnderTheLimit() throws {
        let row = UploadBuilder.row(ReportRow(key: [:]), repo: String(repeating: "f", count: 64), tool: "claude-code", model: "m")
        let days = (0..<60).map { UploadDay(day: "2026-01-\($0)", rows: Array(repeating: row, count: 100)) }
        let document = UploadDocument(
            named: false, repoNames: .hashed, days: days, generatedAt: Format.iso(Date()), client: UploadBuilder.client)
        #expect(try document.encoded().count > UploadLimits.clientPartBytes)
        let parts = try document.parts()
        #expect(parts.count > 1)
        #expect(try parts.allSatisfy { try $0.encoded().count <= UploadLimits.clientPartBytes })
        #expect(parts.flatMap { $0.days.map(\.day) } == days.map(\.day))
    }

    /// The upload contract end to end, in process: a real `aiusage` (enable, dry run, upload)
    /// against the real server application (HummingbirdTesting, live on loopback). The server
    /// stores exactly the rows the client encoded (`GET /api/v1/me` hands back the same
    /// contract types, equal field by field) and the member's own page shows exactly them.
    @Test func whatTheClientEncodesIsWhatTheServerStoresAndShows() async throws {
        let world = try World()
        let folder = try TemporaryDirectory(prefix: "aiusage-share-server")
        let store = try SQLiteTeamStore(path: folder.path + "/server.sqlite")
        try await store.migrate()
        let admin = TeamAdmin(store: store)
        _ = try await admin.createTeam("web")
        let member = try await admin.issueToken(team: "web", developer: "dev@example.com", role: .member, named: false).token
        var configuration = ServerConfiguration(dataDirectory: folder.path)
        configuration.minGroupSize = 1
        try await buildApplication(store: store, configuration: configuration).test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let enable = try await Self.onThread {
                try world.run(["share", "enable", "--server", base, "--token", member, "--named", "--yes"])
            }
            #expect(enable.status == 0, "\(enable.stderr)")
            let dryRun = try await Self.onThread { try world.run(["upload", "--dry-run"]) }
            let upload = try await Self.onThread { try world.run(["upload"]) }
            #expect(upload.status == 0, "\(upload.stderr)")
            let sent = try UploadDocument.parse(Data(dryRun.stdout.utf8))
            #expect(sent.rowCount == 2)

            // Stored: the same contract rows, day by day (days without rows hold nothing).
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(member)"])
            #expect(me.status == .ok)
            struct Held: Decodable { var named: Bool; var days: [UploadDay] }
            let held = try JSONDecoder().decode(Held.self, from: Data(me.body.readableBytesView))
            #expect(held.named)
            #expect(held.days == sent.days.filter { !$0.rows.isEmpty })

            // Shown: the member's own page, logged in with the member token.
            let cookie = try await Self.memberSession(client, token: member)
            let page = try await client.execute(uri: "/me?weeks=4", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            let rows = sent.days.flatMap(\.rows)
            let cost = rows.map(\.costUSD).reduce(0, +)
            let landed = rows.map(\.aiLinesLanded).reduce(0, +)
            #expect(html.contains("<dd id=\"total-cost\">\(String(format: "$%.2f", cost))</dd>"), "\(html.prefix(3000))")
            #expect(html.contains("<dd id=\"total-landed\">\(landed)</dd>"))
            for row in rows {
                #expect(html.contains("<td>\(row.tool)</td><td>\(row.model)</td>"), "\(row.tool)")
                #expect(html.contains(String(row.repo.prefix(12))))
            }
            #expect(html.contains("<span id=\"developer\">dev@example.com</span>"))
        }
    }

    /// Logs in through the dashboard's form as a member ("My shared data"); the cookie header.
    static func memberSession(_ client: some TestClientProtocol, token: String) async throws -> String {
        let form = try await client.execute(uri: "/", method: .get)
        let login = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("aiusage_login=") })
        let csrf = String(login.dropFirst("aiusage_login=".count).prefix { $0 != ";" })
        let response = try await client.execute(
            uri: "/login", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "aiusage_login=\(csrf)"],
            body: ByteBuffer(string: "csrf=\(csrf)&token=\(token)&view=me"))
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/me")
        let session = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("aiusage_session=") })
        return String(session.prefix { $0 != ";" })
    }

    /// Blocking work (a CLI run) on a thread of its own, so the in-process server keeps the
    /// cooperative pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test func repositoryNamesAreHMACSHA256WithTheTeamKey() {
        // RFC 4231, test cases 2 and 6, through the same function uploads use.
        #expect(
            RepoNameHash.hmacHex(key: Array("Jefe".utf8), name: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let long = [UInt8](repeating: 0xaa, count: 131)
        #expect(
            RepoNameHash.hmacHex(key: long, name: "Test Using Larger Than Block-Size Key - Hash Key First")
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(RepoNameHash.bytes(hex: "00ff10") == [0, 255, 16])
        #expect(RepoNameHash.bytes(hex: "0g") == nil)
    }
}
