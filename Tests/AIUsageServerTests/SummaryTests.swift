import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The team view: k-threshold, named developers only, day and week series, ratios from AIUsageCore.
@Suite struct SummaryTests {
    /// `count` members upload one row on 2026-11-20 (a Friday) and one on 2026-11-23 (Monday);
    /// those in `named` agreed to be listed by name.
    func team(_ fixture: ServerFixture, developers count: Int, named: Set<Int> = []) async throws -> String {
        let viewer = try await fixture.token("web", "viewer@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            for index in 0..<count {
                let token = try await fixture.token("web", "dev\(index)@example.com", .member)
                let document = Upload.document(
                    [("2026-11-20", [Upload.row()]), ("2026-11-23", [Upload.row(cost: 3)])], named: named.contains(index))
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
            #expect(ratios["survival"] as? Double == 1)  // 50 / (60 - 10)
            #expect(ratios["waste_share"] as? Double == 0.125)  // 2.5 / 20
            // 10 commits over the window grown to whole weeks: 2026-10-26 to 2026-11-29, 35 days.
            #expect(ratios["landed_ai_commits_per_week"] as? Double == 2)
            #expect(response.json["window"] as? [String: String] == ["since": "2026-10-26", "until": "2026-11-29"])
            let series = try #require(response.json["series"] as? [[String: Any]])
            #expect(series.map { ($0["key"] as? [String: String])?["week"] } == ["2026-11-16", "2026-11-23"])
            #expect(series.map { $0["cost_usd"] as? Double } == [5, 15])
            #expect((response.json["developers"] as? [Any])?.isEmpty == true)
        }
    }

    /// Only developers who shared `named`, sorted by e-mail, keyed by developer; the others
    /// are 5, at least k, so the total minus the named rows is a group of k.
    @Test func namedDevelopersAreListed() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 7, named: [0, 2])
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-29", token: viewer)
            let developers = try #require(response.json["developers"] as? [[String: Any]])
            #expect(developers.map { ($0["key"] as? [String: String])?["developer"] } == ["dev0@example.com", "dev2@example.com"])
            #expect(developers.map { $0["cost_usd"] as? Double } == [4, 4])
            #expect((response.json["series"] as? [Any])?.count == 2)
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
            #expect(series.map { ($0["key"] as? [String: String])?["day"] } == ["2026-11-20"])
            // The loner's day is withheld, and so is 2026-11-23: the week of both is shown
            // (6 developers), so the week minus its shown days must hold at least k developers.
            #expect(response.json["withheld_periods"] as? [String] == ["2026-11-23", "2026-11-25"])
            // Totals are the sum of the series: totals minus the series give nothing away.
            #expect((response.json["totals"] as? [String: Any])?["cost_usd"] as? Double == 5)
        }
    }

    @Test func windowFiltersAndBadQueriesAre400() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture, developers: 5)
        try await fixture.app().test(.router) { client in
            // A week window grows to whole ISO weeks: 2026-11-21 (Saturday) brings its week in.
            let narrow = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-21&until=2026-11-23", token: viewer)
            #expect((narrow.json["totals"] as? [String: Any])?["cost_usd"] as? Double == 20)
            #expect(narrow.json["window"] as? [String: String] == ["since": "2026-11-16", "until": "2026-11-29"])
            let narrowDays = try await client.call(
                .get, "/api/v1/teams/web/summary?since=2026-11-21&until=2026-11-23&by=day", token: viewer)
            #expect((narrowDays.json["totals"] as? [String: Any])?["cost_usd"] as? Double == 15)
            let defaults = try await client.call(.get, "/api/v1/teams/web/summary", token: viewer)
            #expect(defaults.json["window"] as? [String: String] == ["since": "2026-10-26", "until": "2026-11-29"])
            #expect(defaults.json["by"] as? String == "week")
            for query in ["since=yesterday", "until=2026-13-01", "by=month", "since=2026-11-30&until=2026-11-01", "since=0001-01-01"] {
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
