import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The team view: k-threshold, named developers only, day and week series, ratios from AIUsageCore.
@Suite struct SummaryTests {
    /// `count` members upload one row on 2026-11-20 (a Friday) and one on 2026-11-23 (Monday).
    func team(_ fixture: ServerFixture, developers count: Int, namedEvery: Int = 2) async throws -> String {
        let viewer = try await fixture.token("web", "viewer@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            for index in 0..<count {
                let token = try await fixture.token("web", "dev\(index)@example.com", .member)
                let document = Upload.document([("2026-11-20", [Upload.row()]), ("2026-11-23", [Upload.row(cost: 3)])], named: index % namedEvery == 0)
                #expect(try await client.call(.post, "/api/v1/uploads", token: token, body: document).status == .ok)
            }
        }
        return viewer
    }

    @Test func fourDevelopersAreWithheld() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 4)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-01&until=2026-11-30", token: viewer)
            #expect(response.status == .ok)
            #expect(response.json["schema"] as? String == "aiusage.team-summary/1")
            #expect(response.json["withheld"] as? Bool == true)
            #expect(response.json["developers_contributing"] as? Int == 4)
            for key in ["totals", "series", "developers", "withheld_periods"] { #expect(response.json[key] == nil) }
        }
    }

    @Test func fiveDevelopersAreShown() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 5)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-01&until=2026-11-28&by=week", token: viewer)
            #expect(response.json["withheld"] as? Bool == false)
            #expect(response.json["developers_contributing"] as? Int == 5)
            let totals = try #require(response.json["totals"] as? [String: Any])
            #expect(totals["cost_usd"] as? Double == 20)
            #expect(totals["sessions"] as? Int == 20)
            #expect(totals["ai_lines_landed"] as? Int == 60)
            #expect((totals["key"] as? [String: String])?.isEmpty == true)
            let ratios = try #require(totals["ratios"] as? [String: Any])
            #expect(ratios["yield"] as? Double == 0.6)
            #expect(ratios["survival"] as? Double == 1)              // 50 / (60 - 10)
            #expect(ratios["waste_share"] as? Double == 0.125)       // 2.5 / 20
            #expect(ratios["landed_ai_commits_per_week"] as? Double == 2.5) // 10 commits over 28 days
            let series = try #require(response.json["series"] as? [[String: Any]])
            #expect(series.map { ($0["key"] as? [String: String])?["week"] } == ["2026-11-16", "2026-11-23"])
            #expect(series.map { $0["cost_usd"] as? Double } == [5, 15])
            // Only developers who shared `named`, sorted by e-mail, keyed by developer.
            let developers = try #require(response.json["developers"] as? [[String: Any]])
            #expect(developers.map { ($0["key"] as? [String: String])?["developer"] } == ["dev0@example.com", "dev2@example.com", "dev4@example.com"])
        }
    }

    @Test func daySeriesAndQuietPeriodsWithheld() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 5)
        // One more developer on a day nobody else worked: that day alone must not be shown.
        let loner = try await fixture.token("web", "loner@example.com", .member)
        try await fixture.app().test(.router) { client in
            _ = try await client.call(.post, "/api/v1/uploads", token: loner, body: Upload.document([("2026-11-25", [Upload.row()])]))
            let response = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-01&until=2026-11-30&by=day", token: viewer)
            let series = try #require(response.json["series"] as? [[String: Any]])
            #expect(series.map { ($0["key"] as? [String: String])?["day"] } == ["2026-11-20", "2026-11-23"])
            #expect(response.json["withheld_periods"] as? [String] == ["2026-11-25"])
            // The withheld day is left out of the totals too (21 with it): totals minus the
            // series must not give the loner's figures away.
            #expect((response.json["totals"] as? [String: Any])?["cost_usd"] as? Double == 20)
        }
    }

    @Test func windowFiltersAndBadQueriesAre400() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 5)
        try await fixture.app().test(.router) { client in
            let narrow = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-21&until=2026-11-23", token: viewer)
            #expect((narrow.json["totals"] as? [String: Any])?["cost_usd"] as? Double == 15)
            let defaults = try await client.call(.get, "/api/v1/teams/web/summary", token: viewer)
            #expect(defaults.json["window"] as? [String: String] == ["since": "2026-10-28", "until": "2026-11-24"])
            #expect(defaults.json["by"] as? String == "week")
            for query in ["since=yesterday", "until=2026-13-01", "by=month", "since=2026-11-30&until=2026-11-01"] {
                let response = try await client.call(.get, "/api/v1/teams/web/summary?\(query)", token: viewer)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.errorCode == "invalid_value")
            }
        }
    }

    @Test func minGroupSizeIsConfigurable() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 2)
        try await fixture.app(minGroupSize: 2).test(.router) { client in
            let response = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-01&until=2026-11-30", token: viewer)
            #expect(response.json["withheld"] as? Bool == false)
            #expect(response.json["min_group_size"] as? Int == 2)
        }
    }
}
