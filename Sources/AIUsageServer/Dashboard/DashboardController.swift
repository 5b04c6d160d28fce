import Foundation
import Hummingbird

/// The web dashboard for viewers: `GET /` (login form), `POST /login`, `POST /logout` and
/// `GET /dashboard?weeks=N`, all server-rendered HTML without scripts or external resources.
///
/// The session cookie carries the token itself (like a bearer; the server stores only hashes),
/// HttpOnly and SameSite=Strict, and is checked against the store on every request, so a
/// revoked token stops working at once.
struct DashboardController<Store: TeamStore>: Sendable {
    static var cookieName: String { "aiusage_token" }
    /// The largest login form accepted; a token is 68 characters.
    static var maxFormBytes: Int { 4096 }

    let store: Store
    let minGroupSize: Int
    let today: @Sendable () -> String

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/", use: loginPage)
        router.post("login", use: login)
        router.post("logout", use: logout)
        router.get("dashboard", use: dashboard)
    }

    // MARK: Routes

    @Sendable func loginPage(_ request: Request, context: BasicRequestContext) async throws -> Response {
        html(DashboardPage.login(message: nil))
    }

    @Sendable func login(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxFormBytes)
        } catch {
            return html(DashboardPage.login(message: "The form was too large."), status: .contentTooLarge)
        }
        let form = String(buffer: body)
        let token = Self.formValue("token", in: form)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        // Tokens are `aiu_` and hex; anything else cannot be one and must not reach a header.
        guard !token.isEmpty, token.count <= 200, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            return html(DashboardPage.login(message: "Enter a viewer token (aiu_...)."), status: .unauthorized)
        }
        let caller: Caller
        do {
            caller = try await Caller.authenticate(token: token, store: store)
        } catch let error as APIError {
            return html(DashboardPage.login(message: error.message), status: .unauthorized)
        }
        guard caller.token.role.canViewTeam else {
            return html(DashboardPage.forbidden(role: caller.token.role.rawValue), status: .forbidden)
        }
        var response = redirect("/dashboard")
        response.setCookie(Cookie(
            name: Self.cookieName, value: token, maxAge: 8 * 3600, path: "/", secure: false, httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func logout(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var response = redirect("/")
        response.setCookie(Self.clearedCookie)
        return response
    }

    @Sendable func dashboard(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else { return redirect("/") }
        let caller: Caller
        do {
            caller = try await Caller.authenticate(token: token, store: store)
        } catch is APIError {
            var response = redirect("/")
            response.setCookie(Self.clearedCookie)
            return response
        }
        guard caller.token.role.canViewTeam else {
            return html(DashboardPage.forbidden(role: caller.token.role.rawValue), status: .forbidden)
        }
        let weeksText = request.uri.queryParameters.get("weeks")
        guard let weeks = weeksText.map({ Int($0) }) ?? 12, (1...156).contains(weeks) else {
            return html(DashboardPage.message(title: "Bad request", text: "weeks must be a whole number from 1 to 156."), status: .badRequest)
        }
        // Whole ISO weeks: from the Monday `weeks - 1` weeks before today's week, to the Sunday
        // of today's week. Every figure below comes from the k-rule's published cells.
        let since = DayMath.week(DayMath.adding(-7 * (weeks - 1), to: today()))
        let until = DayMath.adding(6, to: DayMath.week(today()))
        let rows = try await store.rows(teamID: caller.team.id, since: since, until: until)
        let rule = GroupSizeRule(minGroupSize: minGroupSize)
        let published = rule.publish(rows)
        let summary = TeamSummary.compute(
            team: caller.team.name, rows: rows, since: since, until: until, by: .week, rule: rule, published: published)
        let breakdown = summary.withheld
            ? nil : published.pairRows(since: since, until: until, windowDays: Double(DayMath.length(since, until)))
        let tool = request.uri.queryParameters.get("tool")
        let model = request.uri.queryParameters.get("model")
        guard tool != nil || model != nil else {
            return html(DashboardPage.dashboard(summary: summary, breakdown: breakdown, weeks: weeks))
        }
        // The trends of one tool and model: only a combination the breakdown lists, and each
        // week is the sum of its published (day, tool, model) cells.
        guard let tool, let model,
            breakdown?.rows.contains(where: { $0.report.key["tool"] == tool && $0.report.key["model"] == model }) == true
        else {
            return html(
                DashboardPage.message(
                    title: "Not listed",
                    text: "That tool and model is not listed for this window: too few developers used it (fewer than \(minGroupSize) on the same days)."),
                status: .notFound)
        }
        var selected = summary
        selected.series = published.pairWeeks(tool: tool, model: model, since: since, until: until)
        selected.withheldPeriods = []
        var totals = SummaryRow(key: [:], windowDays: Double(DayMath.length(since, until)))
        for week in selected.series ?? [] { totals.add(week) }
        selected.totals = totals
        return html(DashboardPage.dashboard(summary: selected, breakdown: nil, weeks: weeks, selection: (tool, model)))
    }

    // MARK: Helpers

    static var clearedCookie: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true, sameSite: .strict)
    }

    /// The first value of `name` in an `application/x-www-form-urlencoded` body.
    static func formValue(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, decode(parts[0]) == name else { continue }
            return decode(parts[1])
        }
        return nil
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            // Nothing but the page itself: no scripts at all, inline styles, forms to this server.
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        headers[.init("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Opens the existential store, as `addAPIRoutes` does.
func addDashboardRoutes(
    store: some TeamStore, minGroupSize: Int, today: @escaping @Sendable () -> String, to router: Router<BasicRequestContext>
) {
    DashboardController(store: store, minGroupSize: minGroupSize, today: today).addRoutes(to: router)
}
