import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The k-rule against a viewer who combines answers: two windows, `by=week` minus `by=day`,
/// the dashboard's total minus its tool and model rows, named developers subtracted from a
/// total. The team has 7 contributors and k = 3; one of them, the target, is alone on a
/// Saturday and alone with codex on a Wednesday. No answer, and no difference of two
/// answers, may equal one of the target's figures.
@Suite struct DifferencingTests {
    static let k = 3
    /// The target's costs: Wednesday with codex, Saturday with claude-code.
    static let codexCost = 0.5917, saturdayCost = 0.3713
    static let secrets = [codexCost, saturdayCost, codexCost + saturdayCost]

    /// Six developers work Monday to Friday of the week of 2026-11-16 with claude-code, each
    /// at a cost of their own that also changes by day (so that no two cells are equal by
    /// chance); the target works on Wednesday (codex) and Saturday (claude-code).
    func team(_ fixture: ServerFixture, named: Set<Int> = []) async throws -> String {
        let viewer = try await fixture.token("web", "lead@example.com", .viewer)
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            for developer in 0..<6 {
                let token = try await fixture.token("web", "dev\(developer)@example.com", .member)
                let days = (0..<5).map { day -> (String, [String]) in
                    let cost = 1 + 0.1731 * Double(developer) + 0.0291 * Double(day * day + 1)
                    return (DayLabel.adding(day, to: "2026-11-16"), [Upload.row(cost: (cost * 10_000).rounded() / 10_000, wasted: 0)])
                }
                let response = try await client.call(
                    .post, "/api/v1/uploads", token: token, body: Upload.document(days, named: named.contains(developer)))
                #expect(response.status == .ok)
            }
            let target = try await fixture.token("web", "target@example.com", .member)
            let document = Upload.document(
                [
                    ("2026-11-18", [Upload.row(cost: Self.codexCost, tool: "codex", wasted: 0)]),
                    ("2026-11-21", [Upload.row(cost: Self.saturdayCost, wasted: 0)]),
                ], named: false)
            #expect(try await client.call(.post, "/api/v1/uploads", token: target, body: document).status == .ok)
        }
        return viewer
    }

    /// Every cost in a summary answer: totals, series and developers.
    static func costs(_ response: TestResponse) -> [Double] {
        var values: [Double] = []
        if let totals = response.json["totals"] as? [String: Any], let cost = totals["cost_usd"] as? Double { values.append(cost) }
        for key in ["series", "developers"] {
            for row in response.json[key] as? [[String: Any]] ?? [] { if let cost = row["cost_usd"] as? Double { values.append(cost) } }
        }
        return values
    }

    static func expectNoSecret(
        _ values: [Double], tolerance: Double = 0.000_01, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for value in values {
            for secret in secrets {
                #expect(
                    abs(value - secret) > tolerance, "\(what): \(value) gives away the target's \(secret)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Finding 2a: two windows that differ by one day.
    @Test func windowsDifferingByOneDayAgree() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture)
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            let weekdays = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-20", token: viewer)
            let withSaturday = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-21", token: viewer)
            #expect(weekdays.status == .ok && withSaturday.status == .ok)
            let a = try #require((weekdays.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            let b = try #require((withSaturday.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            Self.expectNoSecret([b - a, a - b], "window difference")
            // Both are the whole ISO week, and say so.
            #expect(weekdays.json["window"] as? [String: String] == ["since": "2026-11-16", "until": "2026-11-22"])
            #expect(a == b)
        }
    }

    /// Finding 2b: the week minus its days, which also named the withheld day.
    @Test func weekMinusItsDaysRevealsNoOne() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture)
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            let week = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-22&by=week", token: viewer)
            let days = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-22&by=day", token: viewer)
            let weekTotal = try #require((week.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            let series = try #require(days.json["series"] as? [[String: Any]])
            let shownDays = series.compactMap { $0["cost_usd"] as? Double }.reduce(0, +)
            Self.expectNoSecret([weekTotal - shownDays], "week minus its days")
            // More than the lone Saturday is withheld: the remainder holds at least k developers.
            let withheld = try #require(days.json["withheld_periods"] as? [String])
            #expect(withheld.contains("2026-11-21"))
            #expect(withheld.count >= 2, "withheld alone, the Saturday's figure is the week minus the other days")
            // The days shown and the day totals are consistent with the week.
            let dayTotal = try #require((days.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            #expect(abs(dayTotal - shownDays) < 0.000_01)
        }
    }

    /// Finding 2c: the dashboard's window total minus its listed tool and model rows.
    @Test func dashboardTotalMinusListedRowsRevealsNoOne() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture)
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            let cookie = try await client.sessionCookie(viewer)
            let page = try await client.dashboard(session: cookie, query: "?weeks=4")
            #expect(page.status == .ok)
            let total = try #require(Self.dollars(in: page.text, after: "<dd id=\"total-cost\">").first)
            let listed = Self.breakdownCosts(page.text)
            #expect(!page.text.contains(">codex</a>"), "codex was used by one developer")
            Self.expectNoSecret([total - listed.reduce(0, +)], tolerance: 0.011, "dashboard total minus listed rows")
            // The API's week total is the dashboard's total (one rule for both).
            let api = try await client.call(.get, "/api/v1/teams/web/summary?since=2026-11-02&until=2026-11-29", token: viewer)
            let apiTotal = try #require((api.json["totals"] as? [String: Any])?["cost_usd"] as? Double)
            #expect(abs(apiTotal - total) < 0.006)
            // One tool and model's own page: its total and weeks, minus anything else shown.
            let selected = try await client.dashboard(session: cookie, query: "?weeks=4&tool=claude-code&model=claude-sonnet-4-5-20250929")
            #expect(selected.status == .ok)
            let only = try #require(Self.dollars(in: selected.text, after: "<dd id=\"total-cost\">").first)
            Self.expectNoSecret([total - only, only], tolerance: 0.011, "total minus one tool's page")
            #expect(
                try await client.dashboard(session: cookie, query: "?weeks=4&tool=codex&model=claude-sonnet-4-5-20250929").status
                    == .notFound)
        }
    }

    /// Every window from one day to the whole week, by day and by week: no answer and no
    /// difference of two answers is one of the target's figures.
    @Test func noPairOfAnswersRevealsTheTarget() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await team(fixture)
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            var observed: [Double] = []
            for start in 0..<7 {
                for end in start..<7 {
                    for by in ["day", "week"] {
                        let since = DayLabel.adding(start, to: "2026-11-16"), until = DayLabel.adding(end, to: "2026-11-16")
                        let response = try await client.call(
                            .get, "/api/v1/teams/web/summary?since=\(since)&until=\(until)&by=\(by)", token: viewer)
                        #expect(response.status == .ok)
                        observed += Self.costs(response)
                    }
                }
            }
            let distinct = Array(Set(observed.map { ($0 * 1_000_000).rounded() / 1_000_000 }))
            Self.expectNoSecret(distinct, "an answer")
            for a in distinct { Self.expectNoSecret(distinct.map { a - $0 }, "a difference of two answers") }
        }
    }

    /// Named developers are listed with their own figures; with 5 of 7 developers named, the
    /// total minus the named rows would be the 2 others, a group smaller than k.
    @Test func namedDevelopersCannotBeSubtractedToRevealTheOthers() async throws {
        let fixture = try await ServerFixture()
        // dev0..dev4 named; dev5 and the target are not.
        let viewer = try await team(fixture, named: [0, 1, 2, 3, 4])
        try await fixture.app(minGroupSize: Self.k).test(.router) { client in
            for by in ["week", "day"] {
                let response = try await client.call(
                    .get, "/api/v1/teams/web/summary?since=2026-11-16&until=2026-11-22&by=\(by)", token: viewer)
                #expect(response.status == .ok)
                let named = (response.json["developers"] as? [[String: Any]] ?? []).compactMap { $0["cost_usd"] as? Double }
                #expect(named.count == 5)
                let total = (response.json["totals"] as? [String: Any])?["cost_usd"] as? Double ?? 0
                let others = total - named.reduce(0, +)
                // Whatever is shown, the two unnamed developers' figures are not: every cell
                // they are in holds fewer than k developers who did not agree to be named.
                #expect((response.json["series"] as? [Any])?.isEmpty == true, "\(by): \(response.json["series"] ?? [])")
                Self.expectNoSecret([others], "\(by): total minus named developers")
            }
        }
    }

    // MARK: Page parsing

    static func dollars(in page: String, after marker: String) -> [Double] {
        page.components(separatedBy: marker).dropFirst().compactMap { part in
            guard part.hasPrefix("$") else { return nil }
            return Double(part.dropFirst().prefix { $0.isNumber || $0 == "." })
        }
    }

    /// The cost column of the breakdown table (the first cell after the model's link).
    static func breakdownCosts(_ page: String) -> [Double] {
        guard let table = page.components(separatedBy: "<table id=\"breakdown\">").dropFirst().first else { return [] }
        return table.components(separatedBy: "</a></td><td>").dropFirst().compactMap { cell in
            guard cell.hasPrefix("$") else { return nil }
            return Double(cell.dropFirst().prefix { $0.isNumber || $0 == "." })
        }
    }
}
