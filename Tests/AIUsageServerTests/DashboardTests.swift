import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The web dashboard in-process: login, cookie authentication, the k-threshold, charts and escaping.
@Suite struct DashboardTests {
    @Test func loginPageIsAFormWithoutScripts() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let page = response.text
            #expect(page.contains("<form method=\"post\" action=\"/login\">"))
            #expect(page.contains("name=\"token\""))
            #expect(page.contains("name=\"viewport\""))
            // The form's CSRF token is the login cookie's value.
            let csrf = try #require(page.hiddenFields.first { $0.0 == "csrf" }?.1)
            #expect(csrf.count == 64)
            let cookie = try #require(response.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("aiusage_login=\(csrf);") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            Self.expectSelfContained(page)
        }
    }

    @Test func viewerLoginSetsASessionCookieAndLogoutEndsIt() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            let response = try await client.login(viewer)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/dashboard")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("aiusage_session=") })
            // A random session id, never the token; the store has only its hash.
            let id = String(cookie.dropFirst("aiusage_session=".count).prefix { $0 != ";" })
            #expect(id.count == 64 && !cookie.contains(viewer) && !cookie.contains(viewer.dropFirst(4).prefix(16)))
            #expect(try await fixture.store.session(hash: Tokens.hash(id), at: Date()) != nil)
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))
            #expect(cookie.contains("Max-Age=28800"))
            #expect(!cookie.contains("Secure"), "no TLS was configured")

            let dashboard = try await client.dashboard(session: "aiusage_session=\(id)")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("Team web"))
            let csrf = try #require(dashboard.text.hiddenFields.first { $0.0 == "csrf" }?.1)

            let logout = try await client.execute(
                uri: "/logout", method: .post,
                headers: [.cookie: "aiusage_session=\(id)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.location] == "/")
            let cleared = try #require(logout.headers[values: .setCookie].first)
            #expect(cleared.hasPrefix("aiusage_session=;"))
            #expect(cleared.contains("Max-Age=0"))
            // The session is gone on the server, not only in this browser.
            #expect(try await fixture.store.session(hash: Tokens.hash(id), at: Date()) == nil)
            #expect(try await client.dashboard(session: "aiusage_session=\(id)").status == .seeOther)
        }
    }

    @Test func memberAndUnknownTokensAreRefused() async throws {
        let fixture = try await ServerFixture()
        let member = try await fixture.token("web", "a@example.com", .member)
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            let refused = try await client.login(member)
            #expect(refused.status == .forbidden)
            #expect(!refused.headers[values: .setCookie].contains { $0.hasPrefix("aiusage_session=") })
            #expect(refused.text.contains("member token cannot view"))

            let unknown = try await client.login("aiu_" + String(repeating: "0", count: 64))
            #expect(unknown.status == .unauthorized)
            #expect(!unknown.headers[values: .setCookie].contains { $0.hasPrefix("aiusage_session=") })
            let garbage = try await client.login("x\r\nSet-Cookie: evil=1")
            #expect(garbage.status == .unauthorized)
            #expect(!garbage.headers[values: .setCookie].contains { $0.contains("evil") })

            // A token put into the cookie by hand is not a session.
            #expect(try await client.dashboard(session: "aiusage_session=\(viewer)").status == .seeOther)
            #expect(try await client.dashboard(session: "aiusage_token=\(viewer)").status == .seeOther)
            // Revoking the token ends its sessions at once, and the cookie is cleared.
            let cookie = try await client.sessionCookie(viewer)
            #expect(try await client.dashboard(session: cookie).status == .ok)
            _ = try await fixture.admin.revokeToken(String(viewer.prefix(12)))
            let revoked = try await client.dashboard(session: cookie)
            #expect(revoked.status == .seeOther)
            #expect(revoked.headers[.location] == "/")
            #expect(revoked.headers[values: .setCookie].first?.contains("Max-Age=0") == true)
        }
    }

    @Test func dashboardWithoutCookieRedirectsToLogin() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/dashboard", method: .get)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let bad = try await client.dashboard(session: "aiusage_session=" + String(repeating: "1", count: 64))
            #expect(bad.status == .seeOther)
        }
    }

    @Test func withheldTeamShowsOnlyTheWithheldMessage() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.upload(team: "web", developers: ["a@example.com", "b@example.com"])
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let response = try await client.dashboard(cookie: viewer)
            #expect(response.status == .ok)
            let page = response.text
            #expect(page.contains("id=\"withheld\""))
            #expect(page.contains("fewer than 3 developers"))
            #expect(page.contains("<span id=\"developers\">2</span>"))
            #expect(!page.contains("<svg"))
            #expect(!page.contains("<table"))
            #expect(!page.contains("total-landed"))
            #expect(!page.contains("claude"))
            Self.expectSelfContained(page)
            // Issue 9: a lead of a team smaller than k saw "withheld" with no hint why or what to do.
            #expect(page.contains("2 developers shared data in this window; this server shows team figures built from at least 3"))
            #expect(page.contains("<code>--min-group-size 3</code>"))
            #expect(page.contains("Invite 1 more developer to share"))
            #expect(page.contains("href=\"/dashboard?weeks=52\""))
        }
    }

    @Test func aTeamWithoutUploadsSaysHowToStartSharing() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.app(minGroupSize: 4).test(.router) { client in
            let page = try await client.dashboard(cookie: viewer).text
            #expect(page.contains("id=\"empty\""))
            #expect(page.contains("No developer has shared data from these 12 weeks yet."))
            #expect(page.contains("aiusage share enable --server URL --token TOKEN"))
            #expect(page.contains("aiusage-server token issue --team web --developer EMAIL --role member"))
            #expect(page.contains("<code>--min-group-size 4</code>"))
            #expect(!page.contains("<svg") && !page.contains("total-cost"))
            Self.expectSelfContained(page)
        }
    }

    /// Issue 9: weeks below the group size were blank, like a week of zero, and the window
    /// totals were not the sum of anything the page showed.
    @Test func withheldWeeksAreDrawnAsWithheldAndTheTotalsSayWhatTheyAdd() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.upload(team: "web", developers: ["a@example.com", "b@example.com", "c@example.com"])
        // Only two developers in the week of 2026-10-26: below k = 3.
        try await fixture.upload(team: "web", developers: ["a@example.com", "b@example.com"], days: ["2026-10-27"])
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let page = try await client.dashboard(cookie: viewer, query: "?weeks=8").text
            #expect(page.components(separatedBy: "<rect class=\"withheld\" data-week=\"2026-10-26\"").count - 1 == 7)
            #expect(page.contains("week of 2026-10-26: withheld (fewer than 3 developers"))
            #expect(page.contains("<span class=\"swatch withheld\"></span> withheld"))
            #expect(!page.contains("data-week=\"2026-10-26\" data-value"), "a withheld week has no bar, not even a zero one")
            // The totals are the two weeks drawn, and say the withheld one is not in them.
            #expect(page.contains("The sum of the 2 weeks drawn below; 1 week withheld"))
            #expect(page.contains("<dd id=\"total-cost\">$6.00</dd>"))
            let bars = page.components(separatedBy: "<rect class=\"bar\" data-week=\"").dropFirst()
                .filter { _ in true }.compactMap { part -> Double? in
                    guard let value = part.components(separatedBy: "data-value=\"").dropFirst().first else { return nil }
                    return Double(value.prefix { $0 != "\"" })
                }
            // 2 bars per amount chart: cost (3 + 3), landed (18 + 18), commits per week.
            #expect(bars.count == 6)
            #expect(bars.prefix(2).reduce(0, +) == 6)
            // Dated x labels with the year, more than two.
            #expect(page.contains(">5 Oct 2026</text>"))
            #expect(page.components(separatedBy: "class=\"x-label\"").count - 1 == 7 * 4)
            // Units on every chart.
            #expect(page.contains("<span class=\"unit\">(USD per week)</span>"))
        }
    }

    /// Issue 9: developers who chose to be named never appeared on the dashboard.
    @Test func namedDevelopersAreListedWithTheirOwnRows() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.upload(team: "web", developers: ["a@example.com", "b@example.com"])
        try await fixture.upload(team: "web", developers: ["c@example.com", "d@example.com", "e@example.com"], named: false)
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let page = try await client.dashboard(cookie: viewer).text
            #expect(page.contains("<table id=\"named\">"))
            // Two rows of $1 and 6 landed lines each, per named developer; sorted by e-mail.
            #expect(page.contains("<tr><td>a@example.com</td><td>$2.00</td><td>12</td>"))
            #expect(page.contains("<tr><td>b@example.com</td><td>$2.00</td><td>12</td>"))
            let (a, b) = (page.range(of: "<td>a@example.com</td>"), page.range(of: "<td>b@example.com</td>"))
            #expect(a != nil && b != nil && a.map { $0.lowerBound < b?.lowerBound ?? $0.lowerBound } == true)
            for unnamed in ["c@example.com", "d@example.com", "e@example.com"] { #expect(!page.contains(unnamed)) }
            #expect(page.contains("so these rows do not add up to the totals"))
        }
    }

    /// The breakdown adds up: its rows, the part not itemised (cells the k-rule withheld),
    /// and a total row equal to the window totals.
    @Test func theBreakdownAddsUpToTheTotals() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.upload(team: "web", developers: ["a@example.com", "b@example.com", "c@example.com"])
        let solo = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let document = Upload.document([
                ("2026-11-10", [Upload.row(landed: 6)]), ("2026-11-20", [Upload.row(landed: 6), Upload.row(landed: 5, tool: "codex")]),
            ])
            #expect(try await client.call(.post, "/api/v1/uploads", token: solo, body: document).status == .ok)
            let page = try await client.dashboard(cookie: viewer).text
            // Listed $3.00 and 18 lines; not itemised: the solo codex row and the claude-code
            // cells of 2026-11-20 held back with it ($4.00, 23 lines); total $7.00, 41 lines.
            #expect(
                page.contains(
                    "<tr class=\"rest\"><td>Not itemised</td><td>tools, models and days with fewer than 3 developers</td><td>$4.00</td><td>23</td>"
                ))
            #expect(page.contains("<tfoot><tr><td>Total</td><td>the window totals</td><td>$7.00</td><td>41</td>"))
            #expect(page.contains("The rows add up to the total"))
        }
    }

    @Test func teamMeetingKShowsChartsTotalsAndBreakdown() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        let developers = ["a@example.com", "b@example.com", "c@example.com"]
        try await fixture.upload(team: "web", developers: developers)
        // One developer alone on another tool: that combination must not be listed.
        let solo = try await fixture.token("web", "a@example.com", .member)
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let document = Upload.document([
                ("2026-11-10", [Upload.row(landed: 6)]), ("2026-11-20", [Upload.row(landed: 6), Upload.row(landed: 5, tool: "codex")]),
            ])
            #expect(try await client.call(.post, "/api/v1/uploads", token: solo, body: document).status == .ok)

            let response = try await client.dashboard(cookie: viewer, query: "?weeks=12")
            #expect(response.status == .ok)
            let page = response.text
            #expect(page.contains("2026-09-07 to 2026-11-29"))
            #expect(page.contains("<span id=\"developers\">3</span>"))
            #expect(page.components(separatedBy: "<svg").count - 1 == 7)
            for chart in ["cost", "landed", "yield", "survival", "cost-per-line", "waste", "commits"] {
                #expect(page.contains("id=\"chart-\(chart)\""))
            }
            #expect(page.contains("viewBox=\"0 0 "))
            // 3 developers x 2 days x 6 lines, plus 5 codex lines; cost 1 per row, 7 rows.
            #expect(page.contains("<dd id=\"total-landed\">41</dd>"))
            #expect(page.contains("<dd id=\"total-cost\">$7.00</dd>"))
            #expect(page.contains("week of 2026-11-16"))
            // The breakdown lists the shared combination only; the solo one is counted as hidden.
            // On 2026-11-20 claude-code is withheld too: that day minus its claude-code cell
            // (the day is in the API's by=day series) would be the solo codex figures.
            let link = "/dashboard?weeks=12&amp;tool=claude-code&amp;model=claude-sonnet-4-5-20250929"
            #expect(
                page.contains(
                    "<td><a href=\"\(link)\">claude-code</a></td><td><a href=\"\(link)\">claude-sonnet-4-5-20250929</a></td><td>$3.00</td><td>18</td>"
                ))
            #expect(!page.contains("<td>codex</td>"))
            #expect(page.contains("1 tool and model combination not listed"))
            #expect(page.contains("Team-wide"))
            Self.expectSelfContained(page)

            // One listed tool and model: its own totals and trends, the selection kept by the form.
            let selected = try await client.dashboard(cookie: viewer, query: "?weeks=12&tool=claude-code&model=claude-sonnet-4-5-20250929")
            #expect(selected.status == .ok)
            let only = selected.text
            #expect(only.contains("id=\"selection\""))
            #expect(only.contains("<dd id=\"total-landed\">18</dd>"))
            #expect(only.contains("<dd id=\"total-cost\">$3.00</dd>"))
            #expect(only.components(separatedBy: "<svg").count - 1 == 7)
            #expect(only.contains("<input type=\"hidden\" name=\"tool\" value=\"claude-code\">"))
            #expect(only.contains("href=\"/dashboard?weeks=12\""))
            #expect(!only.contains("id=\"breakdown\""))
            Self.expectSelfContained(only)
            // A combination fewer than k developers used is refused, whatever the URL says.
            let hidden = try await client.dashboard(cookie: viewer, query: "?weeks=12&tool=codex&model=claude-sonnet-4-5-20250929")
            #expect(hidden.status == .notFound)
            #expect(!hidden.text.contains("total-landed") && !hidden.text.contains("<svg"))
            #expect(try await client.dashboard(cookie: viewer, query: "?weeks=12&tool=claude-code").status == .notFound)

            #expect(try await client.dashboard(cookie: viewer, query: "?weeks=0").status == .badRequest)
            #expect(try await client.dashboard(cookie: viewer, query: "?weeks=abc").status == .badRequest)
        }
    }

    /// Issue 9: a member could not see their own shared data. "My shared data" on the login
    /// form opens a page of the caller's own rows, and nothing of anyone else's.
    @Test func aMemberTokenOpensTheMembersOwnPage() async throws {
        let fixture = try await ServerFixture()
        let member = try await fixture.token("web", "a@example.com", .member)
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.upload(team: "web", developers: ["b@example.com", "c@example.com", "d@example.com"], model: "other-model")
        try await fixture.app(minGroupSize: 3).test(.router) { client in
            let document = Upload.document(
                [
                    ("2026-11-10", [Upload.row(cost: 1.25, landed: 6)]), ("2026-11-20", [Upload.row(cost: 0.5, landed: 5, tool: "codex")]),
                ], named: false)
            #expect(try await client.call(.post, "/api/v1/uploads", token: member, body: document).status == .ok)

            let login = try await client.login(member, view: "me")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/me")
            var jar = CookieJar()
            jar.take(login)
            let response = try await client.execute(uri: "/me", method: .get, headers: [.cookie: jar.header])
            #expect(response.status == .ok)
            let page = response.text
            #expect(page.contains("<h1>Your shared data</h1>"))
            #expect(page.contains("<span id=\"developer\">a@example.com</span>"))
            #expect(page.contains("<dd id=\"total-cost\">$1.75</dd>"))
            #expect(page.contains("<dd id=\"total-landed\">11</dd>"))
            #expect(
                page.contains("<td>2026-11-20</td><td><span title=\"\(Upload.repo)\">\(Upload.repo.prefix(12))…</span></td><td>codex</td>"))
            #expect(page.contains("<td>2026-11-10</td>"))
            // Nothing of the team: no other developer, model or team figure.
            for other in ["b@example.com", "other-model", "$4.75", "Team web", "By tool and model"] {
                #expect(!page.contains(other), "\(other)")
            }
            #expect(page.contains("aiusage share disable --delete-shared"))
            Self.expectSelfContained(page)
            // The team's page stays closed to the member's session; the viewer has no rows of its own.
            #expect(try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: jar.header]).status == .forbidden)
            let viewerLogin = try await client.login(viewer, view: "me")
            var viewerJar = CookieJar()
            viewerJar.take(viewerLogin)
            let viewerPage = try await client.execute(uri: "/me", method: .get, headers: [.cookie: viewerJar.header]).text
            #expect(viewerPage.contains("A viewer token cannot upload"))
            #expect(viewerPage.contains("href=\"/dashboard?weeks=12\""))
            #expect(try await client.execute(uri: "/me?weeks=999", method: .get, headers: [.cookie: jar.header]).status == .badRequest)
            #expect(try await client.execute(uri: "/me", method: .get).status == .seeOther)
        }
    }

    @Test func teamAndModelNamesAreEscaped() async throws {
        let fixture = try await ServerFixture()
        // Team names are restricted by `team create`; the store itself is not, so prove escaping anyway.
        let hostile = "<img src=x onerror=alert(1)>&\"'"
        _ = try await fixture.store.createTeam(name: hostile, key: String(repeating: "cd", count: 32), createdAt: Date())
        let viewer = try await fixture.admin.issueToken(team: hostile, developer: "boss@example.com", role: .viewer, named: false).token
        let model = "</td><script>alert(1)</script>"
        try await fixture.upload(team: hostile, developers: ["a@example.com", "b@example.com"], model: model)
        try await fixture.app(minGroupSize: 2).test(.router) { client in
            let page = try await client.dashboard(cookie: viewer).text
            #expect(page.contains("Team &lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"))
            #expect(page.contains("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
            // The model also travels in the link, percent-encoded.
            #expect(page.contains("model=%3C%2Ftd%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"))
            let selected = try await client.dashboard(
                cookie: viewer, query: "?weeks=12&tool=claude-code&model=%3C%2Ftd%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E")
            #expect(selected.status == .ok)
            #expect(selected.text.contains("<strong>&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;</strong>"))
            #expect(!selected.text.contains("<script"))
            #expect(!page.contains("<img"))
            Self.expectSelfContained(page)
        }
    }

    /// No scripts and no external resources of any kind: the page must work offline.
    static func expectSelfContained(_ page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lower = page.lowercased()
        for needle in ["<script", "http://", "https://", "<link", "<img", "<iframe", "<object", "@import", "url("] {
            #expect(!lower.contains(needle), "page contains \(needle)", sourceLocation: sourceLocation)
        }
    }
}

extension ServerFixture {
    /// Each developer uploads, as a named member (unless `named` is false), one row on each
    /// of `days` (by default 2026-11-10 and 2026-11-20).
    func upload(
        team: String, developers: [String], model: String = "claude-sonnet-4-5-20250929", days: [String] = ["2026-11-10", "2026-11-20"],
        named: Bool = true
    ) async throws {
        for developer in developers {
            let token = try await self.token(team, developer, .member)
            let row = Upload.row().replacingOccurrences(
                of: "claude-sonnet-4-5-20250929", with: model.replacingOccurrences(of: "\"", with: "\\\""))
            try await app().test(.router) { client in
                let response = try await client.call(
                    .post, "/api/v1/uploads", token: token, body: Upload.document(days.map { ($0, [row]) }, named: named))
                #expect(response.status == .ok)
            }
        }
    }
}

extension TestClientProtocol {
    /// The login form's answer to `token`, sent as a browser would (login page first); with
    /// `view`, as if that button was pressed (`team` or `me`).
    func login(_ token: String, view: String? = nil) async throws -> TestResponse {
        let page = try await execute(uri: "/", method: .get)
        var jar = CookieJar()
        jar.take(page)
        var form = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        for (name, value) in page.text.hiddenFields { form += "&\(name)=\(value)" }
        if let view { form += "&view=\(view)" }
        return try await execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: jar.header],
            body: ByteBuffer(string: form))
    }

    /// Logs in as a browser would (the login page first, its cookies and form fields sent back)
    /// and returns the `Cookie` header value the browser would send afterwards.
    func sessionCookie(_ token: String) async throws -> String {
        let page = try await execute(uri: "/", method: .get)
        var jar = CookieJar()
        jar.take(page)
        var form = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        for (name, value) in page.text.hiddenFields {
            form += "&\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !jar.header.isEmpty { headers[.cookie] = jar.header }
        let login = try await execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: form))
        #expect(login.status == .seeOther, "login failed: \(login.status) \(login.text.prefix(300))")
        jar.take(login)
        return jar.header
    }

    func dashboard(session cookie: String, query: String = "") async throws -> TestResponse {
        try await execute(uri: "/dashboard" + query, method: .get, headers: [.cookie: cookie])
    }

    /// Logs in with `token`, then opens the dashboard.
    func dashboard(cookie token: String, query: String = "") async throws -> TestResponse {
        try await dashboard(session: try await sessionCookie(token), query: query)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// The cookies a browser keeps from `Set-Cookie` headers (a cleared cookie is dropped).
struct CookieJar {
    var cookies: [(name: String, value: String)] = []

    mutating func take(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            cookies.removeAll { $0.name == name }
            if !pair[1].isEmpty && !header.contains("Max-Age=0") { cookies.append((name, String(pair[1]))) }
        }
    }

    var header: String { cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }
}

extension String {
    /// `<input type="hidden" name="N" value="V">` fields of a page, in order.
    var hiddenFields: [(String, String)] {
        let pattern = try! NSRegularExpression(pattern: "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")
        return pattern.matches(in: self, range: NSRange(startIndex..., in: self)).map { match in
            (String(self[Range(match.range(at: 1), in: self)!]), String(self[Range(match.range(at: 2), in: self)!]))
        }
    }
}
