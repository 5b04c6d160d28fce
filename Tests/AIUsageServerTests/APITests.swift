import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every endpoint and role in-process (`app.test(.router)`), refusals included.
@Suite struct APITests {
    @Test func healthNeedsNoToken() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/api/v1/health")
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "ok")
        }
    }

    @Test func missingUnknownAndRevokedTokensAre401() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app().test(.router) { client in
            for (uri, method) in [
                ("/api/v1/me", HTTPRequest.Method.get), ("/api/v1/uploads", .post), ("/api/v1/me", .delete),
                ("/api/v1/teams/web/summary", .get),
            ] {
                let missing = try await client.call(method, uri)
                #expect(missing.status == .unauthorized)
                #expect(missing.errorCode == "unauthorized")
                let unknown = try await client.call(method, uri, token: "aiu_" + String(repeating: "0", count: 64))
                #expect(unknown.status == .unauthorized)
            }
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .ok)
            _ = try await fixture.admin.revokeToken(String(token.prefix(12)))
            let revoked = try await client.call(.get, "/api/v1/me", token: token)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.errorCode == "unauthorized")
        }
    }

    @Test func meReturnsIdentityTeamKeyAndOwnRows() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "A@Example.com", .member, named: true)
        let team = try #require(try await fixture.store.team(named: "web"))
        try await fixture.app().test(.router) { client in
            let before = try await client.call(.get, "/api/v1/me", token: token)
            #expect(before.json["schema"] as? String == "aiusage.me/1")
            #expect(before.json["developer"] as? String == "a@example.com")
            #expect(before.json["role"] as? String == "member")
            #expect(before.json["named"] as? Bool == true)
            #expect(before.json["team"] as? String == "web")
            #expect(before.json["team_key"] as? String == team.key)
            #expect(team.key.count == 64)
            #expect((before.json["days"] as? [Any])?.isEmpty == true)

            let upload = try await client.call(
                .post, "/api/v1/uploads", token: token, body: Upload.document([("2026-11-20", [Upload.row()])], named: false))
            #expect(upload.status == .ok)
            let after = try await client.call(.get, "/api/v1/me", token: token)
            #expect(after.json["named"] as? Bool == false)  // the upload's choice wins over the token's default
            let days = try #require(after.json["days"] as? [[String: Any]])
            #expect(days.count == 1)
            #expect(days[0]["day"] as? String == "2026-11-20")
            let row = try #require((days[0]["rows"] as? [[String: Any]])?.first)
            #expect(row["ai_lines_landed"] as? Int == 6)
            #expect((row["tokens"] as? [String: Any])?["total"] as? Int == 10)
        }
    }

    @Test func reuploadReplacesDaysInsteadOfAdding() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app().test(.router) { client in
            let document = Upload.document([("2026-11-20", [Upload.row(), Upload.row(tool: "codex")]), ("2026-11-21", [Upload.row()])])
            for _ in 0..<2 {
                let response = try await client.call(.post, "/api/v1/uploads", token: token, body: document)
                #expect(response.status == .ok)
                #expect(response.json["stored_rows"] as? Int == 3)
            }
            #expect(try await fixture.store.rows(teamID: 1, since: "2026-01-01", until: "2026-12-31").count == 3)
            // A later upload of one day replaces only that day; an empty day clears it.
            _ = try await client.call(
                .post, "/api/v1/uploads", token: token,
                body: Upload.document([("2026-11-20", [Upload.row(landed: 9)]), ("2026-11-21", [])]))
            let rows = try await fixture.store.rows(teamID: 1, since: "2026-01-01", until: "2026-12-31")
            #expect(rows.map(\.day) == ["2026-11-20"])
            #expect(rows.first?.row.aiLinesLanded == 9)
        }
    }

    @Test func deleteMeRemovesEveryRowOfTheCallerOnly() async throws {
        let fixture = try await ServerFixture()
        let alice = try await fixture.token("web", "a@example.com", .member)
        let bob = try await fixture.token("web", "b@example.com", .member)
        try await fixture.app().test(.router) { client in
            let document = Upload.document([("2026-11-20", [Upload.row(), Upload.row()]), ("2026-11-21", [Upload.row()])])
            _ = try await client.call(.post, "/api/v1/uploads", token: alice, body: document)
            _ = try await client.call(.post, "/api/v1/uploads", token: bob, body: document)
            let deleted = try await client.call(.delete, "/api/v1/me", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted.json["deleted_rows"] as? Int == 3)
            #expect((try await client.call(.get, "/api/v1/me", token: alice).json["days"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/v1/me", token: bob).json["days"] as? [Any])?.count == 2)
            #expect(try await client.call(.delete, "/api/v1/me", token: alice).json["deleted_rows"] as? Int == 0)
        }
    }

    @Test func rolesAreEnforced() async throws {
        let fixture = try await ServerFixture()
        let member = try await fixture.token("web", "m@example.com", .member)
        let viewer = try await fixture.token("web", "v@example.com", .viewer)
        let admin = try await fixture.token("web", "a@example.com", .admin)
        let body = Upload.document([("2026-11-20", [Upload.row()])])
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.post, "/api/v1/uploads", token: member, body: body).status == .ok)
            #expect(try await client.call(.post, "/api/v1/uploads", token: admin, body: body).status == .ok)
            let refused = try await client.call(.post, "/api/v1/uploads", token: viewer, body: body)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "forbidden")

            #expect(try await client.call(.get, "/api/v1/teams/web/summary", token: viewer).status == .ok)
            #expect(try await client.call(.get, "/api/v1/teams/web/summary", token: admin).status == .ok)
            let memberSummary = try await client.call(.get, "/api/v1/teams/web/summary", token: member)
            #expect(memberSummary.status == .forbidden)

            for token in [member, viewer, admin] {
                #expect(try await client.call(.get, "/api/v1/me", token: token).status == .ok)
            }
        }
    }

    @Test func anotherTeamIsForbidden() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "v@example.com", .viewer)
        let admin = try await fixture.token("web", "a@example.com", .admin)
        _ = try await fixture.token("mobile", "x@example.com", .member)
        try await fixture.app().test(.router) { client in
            for token in [viewer, admin] {
                let response = try await client.call(.get, "/api/v1/teams/mobile/summary", token: token)
                #expect(response.status == .forbidden)
                #expect(response.errorCode == "forbidden")
                #expect(try await client.call(.get, "/api/v1/teams/nope/summary", token: token).status == .forbidden)
            }
        }
    }

    @Test func badBodiesAreRefusedWithClearErrors() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("{\"schema\": ", .badRequest, "malformed_json"),
            ("[]", .badRequest, "invalid_document"),
            (Upload.document([("2026-11-20", [Upload.row()])], schema: "aiusage.upload/2"), .badRequest, "unsupported_schema"),
            ("{\"days\": []}", .badRequest, "unsupported_schema"),
            ("{\"schema\": \"aiusage.upload/1\", \"named\": true, \"days\": []}", .badRequest, "invalid_document"),
            (Upload.document([("2026-11-20", [Upload.row(cost: -1)])]), .badRequest, "invalid_value"),
            (Upload.document([("2026-11-20", [Upload.row(landed: -3)])]), .badRequest, "invalid_value"),
            (Upload.document([("2026-02-30", [Upload.row()])]), .badRequest, "invalid_value"),
            (Upload.document([("2026-11-20", []), ("2026-11-20", [])]), .badRequest, "invalid_value"),
            (Upload.document([("2026-11-20", [Upload.row(repo: "my-secret-repo")])]), .badRequest, "invalid_value"),
            (Upload.document([("2026-11-20", [Upload.row(tool: String(repeating: "x", count: 201))])]), .badRequest, "invalid_value"),
            (
                Upload.document([("2026-11-20", [Upload.row().replacingOccurrences(of: "\"sessions\": 2", with: "\"sessions\": 2.5")])]),
                .badRequest, "invalid_document"
            ),
            // Found by schemathesis: informative fields must still have the documented type.
            (Upload.document([]).replacingOccurrences(of: "\"aiusage 0.1\"", with: "{}"), .badRequest, "invalid_document"),
        ]
        try await fixture.app().test(.router) { client in
            for (body, status, code) in cases {
                let response = try await client.call(.post, "/api/v1/uploads", token: token, body: body)
                #expect(response.status == status, "\(body.prefix(80))")
                #expect(response.errorCode == code, "\(body.prefix(80))")
                #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
            }
            // Plain names are accepted when the document says so.
            let plain = Upload.document([("2026-11-20", [Upload.row(repo: "web-app")])], repoNames: "plain")
            #expect(try await client.call(.post, "/api/v1/uploads", token: token, body: plain).status == .ok)
            // Nothing refused was stored.
            #expect(try await fixture.store.rows(teamID: 1, since: "2026-01-01", until: "2026-12-31").count == 1)
        }
    }

    @Test func limitsOnDaysAndRows() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        // A larger body limit, so the row limit (not the byte limit) is what refuses 2001 rows.
        try await fixture.app(maxBodyBytes: 8 << 20).test(.router) { client in
            let manyDays = (0..<401).map { (DayLabel.adding($0, to: "2025-01-01"), [String]()) }
            let days = try await client.call(.post, "/api/v1/uploads", token: token, body: Upload.document(manyDays))
            #expect(days.status == .badRequest)
            #expect(days.errorCode == "invalid_value")
            let manyRows = Upload.document([("2026-11-20", Array(repeating: Upload.row(), count: 2001))])
            let rows = try await client.call(.post, "/api/v1/uploads", token: token, body: manyRows)
            #expect(rows.status == .badRequest)
            #expect(rows.errorCode == "invalid_value")
        }
    }

    @Test func oversizedBodyIs413() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app().test(.router) { client in
            let big = Upload.document([("2026-11-20", [Upload.row()])]) + String(repeating: " ", count: (1 << 20) + 1)
            let response = try await client.call(.post, "/api/v1/uploads", token: token, body: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "payload_too_large")
        }
    }

    @Test func unknownRouteIsJSON404() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/api/v1/nothing")
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
        }
    }

    @Test func openAPIDocumentListsEveryRoute() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/openapi.yaml")
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("openapi: 3."))
            #expect(!text.contains("\t"))
            let paths = text.split(separator: "\n").filter { $0.hasPrefix("  /") }.map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(paths == ["/api/v1/health:", "/api/v1/uploads:", "/api/v1/me:", "/api/v1/teams/{team}/summary:", "/openapi.yaml:"])
            for needle in ["get:", "post:", "delete:", "UploadDocument", "TeamSummary", "aiusage.upload/1"] {
                #expect(text.contains(needle))
            }
        }
    }
}

/// Day labels for tests, without reaching into the server's internals.
enum DayLabel {
    static func adding(_ days: Int, to day: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = day.split(separator: "-").compactMap { Int($0) }
        let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        let moved = calendar.date(byAdding: .day, value: days, to: start)!
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
