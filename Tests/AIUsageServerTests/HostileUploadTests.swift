import AIUsageServer
import AIUsageUploadContract
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Uploads from a member who attacks the server's arithmetic and storage: numbers at and past
/// every bound, control characters in strings. Each refused value is a 400; values at the
/// bounds (and rows stored before the bounds existed) never make any endpoint fail.
@Suite struct HostileUploadTests {
    /// One row with `field` (a key of `Upload.row`'s JSON) set to `value`.
    static func row(_ replacements: [String: String]) -> String {
        var row = Upload.row()
        for (field, value) in replacements {
            let pattern = "\"\(field)\": [^,}]+"
            row = row.replacingOccurrences(of: pattern, with: "\"\(field)\": \(value)", options: .regularExpression)
        }
        return row
    }

    @Test func numbersBeyondARealDeveloperDayAreRefused() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        let cases: [[String: String]] = [
            ["input": "9223372036854775807"],  // crashed GET /me before the bounds
            ["input": "4611686018427387904"],  // 2^62: two days of it crashed every summary
            ["cache_read": "1000000000000"],  // 10^12 tokens
            ["unpriced_tokens": "1000000000000"],
            ["cost_usd": "1.7e308", "wasted_cost_usd": "0"],  // made every summary of the team a 500
            ["cost_usd": "1000000", "wasted_cost_usd": "0"],
            ["cost_usd": "1", "wasted_cost_usd": "10"],  // a waste share of 1000%
            ["ai_lines_landed": "100000000"],
            ["human_lines_committed": "100000000"],
            ["sessions": "1000000"],
            ["commits": "-1"],
        ]
        try await fixture.app().test(.router) { client in
            for replacements in cases {
                let body = Upload.document([("2026-11-20", [Self.row(replacements)])])
                let response = try await client.call(.post, "/api/v1/uploads", token: token, body: body)
                #expect(response.status == .badRequest, "\(replacements)")
                #expect(response.errorCode == "invalid_value", "\(replacements)")
            }
            // Just below every bound is accepted.
            let highest = Self.row([
                "input": "999999999999", "output": "999999999999", "cache_write": "999999999999", "cache_read": "999999999999",
                "reasoning": "999999999999", "unpriced_tokens": "999999999999", "cost_usd": "999999.99", "wasted_cost_usd": "999999.99",
                "ai_lines_written": "99999999", "sessions": "999999", "commits": "999999",
            ])
            let accepted = try await client.call(.post, "/api/v1/uploads", token: token, body: Upload.document([("2026-11-20", [highest])]))
            #expect(accepted.status == .ok)
        }
    }

    @Test func controlCharactersInStringsAreRefused() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token("web", "a@example.com", .member)
        let plainRow = Upload.row(repo: "web-app")
        let cases = [
            plainRow.replacingOccurrences(of: "\"model\": \"claude-sonnet-4-5-20250929\"", with: "\"model\": \"claude\\u0000-evil\""),
            plainRow.replacingOccurrences(of: "\"tool\": \"claude-code\"", with: "\"tool\": \"claude\\u0007code\""),
            plainRow.replacingOccurrences(of: "\"repo\": \"web-app\"", with: "\"repo\": \"web\\napp\""),
            plainRow.replacingOccurrences(of: "\"repo\": \"web-app\"", with: "\"repo\": \"web\\u009bapp\""),
        ]
        try await fixture.app().test(.router) { client in
            for row in cases {
                let response = try await client.call(
                    .post, "/api/v1/uploads", token: token, body: Upload.document([("2026-11-20", [row])], repoNames: "plain"))
                #expect(response.status == .badRequest, "\(row.prefix(120))")
                #expect(response.errorCode == "invalid_value", "\(row.prefix(120))")
            }
            let inClient = try await client.call(
                .post, "/api/v1/uploads", token: token,
                body: Upload.document([("2026-11-20", [plainRow])], repoNames: "plain").replacingOccurrences(
                    of: "aiusage 0.1", with: "aiusage\\u0000"))
            #expect(inClient.status == .badRequest)
            #expect(try await fixture.store.rows(teamID: 1, since: "2026-01-01", until: "2026-12-31").isEmpty)
            // Text that is not a control character (accents, emoji, CJK) is fine.
            let unicode = plainRow.replacingOccurrences(of: "\"repo\": \"web-app\"", with: "\"repo\": \"wéb-😀-漢字\"")
            #expect(
                try await client.call(
                    .post, "/api/v1/uploads", token: token, body: Upload.document([("2026-11-20", [unicode])], repoNames: "plain")
                ).status == .ok)
        }
    }

    /// The largest accepted values from many developers and days, plus rows a server stored
    /// before the bounds existed (`Int64.max` tokens, 1.7e308 dollars, waste over cost):
    /// every endpoint still answers, and none with a 5xx.
    @Test func extremeStoredValuesNeverCrashAnEndpoint() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "lead@example.com", .viewer)
        let highest = Self.row([
            "input": "999999999999", "output": "999999999999", "cache_write": "999999999999", "cache_read": "999999999999",
            "reasoning": "999999999999", "unpriced_tokens": "999999999999", "cost_usd": "999999.99", "wasted_cost_usd": "999999.99",
            "ai_lines_written": "99999999", "ai_lines_committed": "99999999", "ai_lines_landed": "99999999",
            "ai_lines_surviving": "99999999", "ai_lines_pending": "99999999", "ai_lines_churned": "99999999",
            "human_lines_committed": "99999999", "sessions": "999999", "commits": "999999", "ai_assisted_commits": "999999",
            "landed_ai_assisted_commits": "999999",
        ])
        let days = (0..<28).map { (DayLabel.adding($0, to: "2026-10-28"), Array(repeating: highest, count: 50)) }
        var issued: [String] = []
        for index in 0..<3 { issued.append(try await fixture.token("web", "dev\(index)@example.com", .member, named: index == 0)) }
        let members = issued
        // What an older server let through, written straight into the store.
        let team = try #require(try await fixture.store.team(named: "web"))
        var legacy = UsageRow(repo: Upload.repo, tool: "claude-code", model: "claude-sonnet-4-5-20250929")
        legacy.input = .max
        legacy.output = 1 << 62
        legacy.cacheRead = 1 << 62
        legacy.aiLinesLanded = .max
        legacy.aiLinesPending = 1
        legacy.commits = .max
        legacy.costUSD = 1.7e308
        legacy.wastedCostUSD = 1.7e308
        for (developer, first) in [("dev1@example.com", "2026-10-20"), ("old@example.com", "2026-11-20")] {
            _ = try await fixture.store.replaceDays(
                teamID: team.id, developer: developer, named: true,
                days: [UploadDay(day: first, rows: [legacy, legacy]), UploadDay(day: DayLabel.adding(1, to: first), rows: [legacy])],
                at: Date())
        }
        let oldMember = try await fixture.admin.issueToken(team: "web", developer: "old@example.com", role: .member, named: true).token

        try await fixture.app(minGroupSize: 1, maxBodyBytes: 64 << 20).test(.router) { client in
            for token in members {
                let upload = try await client.call(.post, "/api/v1/uploads", token: token, body: Upload.document(days))
                #expect(upload.status == .ok)
            }
            var responses: [(String, TestResponse)] = []
            for token in members + [oldMember] { responses.append(("me", try await client.call(.get, "/api/v1/me", token: token))) }
            for query in ["", "?by=day", "?by=week", "?since=2026-01-01&until=2026-12-31", "?since=2026-11-20&until=2026-11-20&by=day"] {
                responses.append(("summary\(query)", try await client.call(.get, "/api/v1/teams/web/summary\(query)", token: viewer)))
            }
            let cookie = try await client.sessionCookie(viewer)
            for query in ["", "?weeks=4", "?weeks=156", "?weeks=12&tool=claude-code&model=claude-sonnet-4-5-20250929"] {
                responses.append(("dashboard\(query)", try await client.dashboard(session: cookie, query: query)))
            }
            for (name, response) in responses {
                #expect(response.status.code < 500, "\(name): \(response.status)")
                #expect(response.status == .ok, "\(name): \(response.status)")
            }
            // The legacy rows are left out of team figures rather than poisoning them.
            let summary = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-22", token: viewer)
            let cost = try #require((summary.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            #expect(cost > 0 && cost < 1e12)
            #expect(((summary.json["totals"] as? [String: Any])?["tokens"] as? [String: Any])?["total"] as? Int ?? 0 > 0)
        }
    }
}
