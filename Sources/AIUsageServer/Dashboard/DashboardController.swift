import AIUsageUploadContract
import Foundation
import HTTPTypes
import Hummingbird

/// The web dashboard: `GET /` (login form), `POST /login`, `POST /logout`,
/// `GET /dashboard?weeks=N` (the team's page, for viewers and admins) and `GET /me?weeks=N`
/// (a developer's own shared data, for any token), all server-rendered HTML without scripts
/// or external resources.
///
/// Login exchanges a viewer token for a server-side session (`DashboardSession`): the cookie
/// holds a random session id (stored only as its hash, expiring after 8 hours), never the
/// token. Cookies are HttpOnly and SameSite=Strict, and `Secure` when the server is told it
/// sits behind TLS (`--public-url https://...`). Both forms carry a CSRF token: the login
/// form one that must match a cookie set with the form (a cross-site page can neither read
/// nor set it), the logout form one derived from the session id. Every request checks the
/// token behind the session again, so revoking it ends its sessions at once.
struct DashboardController<Store: TeamStore>: Sendable {
    static var sessionCookie: String { "aiusage_session" }
    static var loginCookie: String { "aiusage_login" }

    let store: Store
    let minGroupSize: Int
    let secureCookies: Bool
    let today: @Sendable () -> String
    /// Injected so expiry is testable.
    var now: @Sendable () -> Date = { Date() }

    func addRoutes(to router: Router<ServerContext>) {
        router.get("/", use: loginPage)
        router.post("login", use: login)
        router.post("logout", use: logout)
        router.get("dashboard", use: dashboard)
        router.get("me", use: mine)
    }

    // MARK: Routes

    @Sendable func loginPage(_ request: Request, context: ServerContext) async throws -> Response {
        loginForm(request, message: nil)
    }

    /// What the login form asked to open: the team's page (the default, also for forms
    /// without the choice) or the caller's own data.
    enum View: String { case team, me }

    /// The login form with its CSRF token, reusing the browser's login cookie when it has a
    /// well-formed one (two tabs keep working) and setting a new one otherwise.
    func loginForm(_ request: Request, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let existing = request.cookies[Self.loginCookie]?.value
        let csrf = existing.flatMap { Self.isToken($0) ? $0 : nil } ?? Tokens.randomHex()
        var response = DashboardPage.response(DashboardPage.login(message: message, csrf: csrf, minGroupSize: minGroupSize), status: status)
        if existing != csrf { response.setCookie(cookie(Self.loginCookie, csrf, maxAge: 3600)) }
        return response
    }

    @Sendable func login(_ request: Request, context: ServerContext) async throws -> Response {
        let form = try await Self.readForm(request)
        // The form's token must be the one in the login cookie; a cross-site page can send
        // neither (SameSite=Strict keeps the cookie home, and it cannot read the page).
        guard let expected = request.cookies[Self.loginCookie]?.value, Self.isToken(expected),
            let given = Self.formValue("csrf", in: form), Self.constantTimeEqual(given, expected), !Self.isCrossSite(request)
        else {
            return loginForm(request, message: "The login form expired or came from another site; please log in again.", status: .forbidden)
        }
        let token = Self.formValue("token", in: form)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        // Tokens are `aiu_` and hex; anything else cannot be one.
        guard !token.isEmpty, token.count <= 200, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            return loginForm(request, message: "Enter a viewer token (aiu_...).", status: .unauthorized)
        }
        let caller: Caller
        do {
            caller = try await Caller.authenticate(token: token, store: store)
        } catch let error as APIError {
            return loginForm(request, message: error.message, status: .unauthorized)
        }
        let view = Self.formValue("view", in: form).flatMap(View.init(rawValue:)) ?? .team
        // A member's token opens only their own page; the team's needs a viewer or admin token.
        guard view == .me || caller.token.role.canViewTeam else {
            return DashboardPage.response(DashboardPage.forbidden(role: caller.token.role.rawValue), status: .forbidden)
        }
        try await store.deleteExpiredSessions(at: now())
        let id = Tokens.randomHex()
        let started = now()
        try await store.createSession(
            DashboardSession(
                hash: Tokens.hash(id), tokenHash: caller.token.hash, createdAt: started,
                expiresAt: started.addingTimeInterval(DashboardSession.lifetime)))
        var response = redirect(view == .me ? "/me" : "/dashboard")
        response.setCookie(cookie(Self.sessionCookie, id, maxAge: Int(DashboardSession.lifetime)))
        response.setCookie(cookie(Self.loginCookie, "", maxAge: 0))
        return response
    }

    @Sendable func logout(_ request: Request, context: ServerContext) async throws -> Response {
        let form = try await Self.readForm(request)
        if let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty {
            // Only the session's own page knows its CSRF token: a cross-site form cannot log out.
            guard let given = Self.formValue("csrf", in: form),
                Self.constantTimeEqual(given, DashboardSession.csrfToken(sessionID: id)), !Self.isCrossSite(request)
            else {
                return DashboardPage.response(
                    DashboardPage.message(
                        title: "Not logged out",
                        text: "The logout form came from another site or an old page; use the button on the dashboard."),
                    status: .forbidden)
            }
            try await store.deleteSession(hash: Tokens.hash(id))
        }
        var response = redirect("/")
        response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
        return response
    }

    @Sendable func dashboard(_ request: Request, context: ServerContext) async throws -> Response {
        let caller: Caller
        let id: String
        switch try await sessionCaller(request) {
        case .success(let found):
            caller = found.caller
            id = found.id
        case .failure(let response):
            return response
        }
        guard caller.token.role.canViewTeam else {
            return DashboardPage.response(DashboardPage.forbidden(role: caller.token.role.rawValue), status: .forbidden)
        }
        let weeks: Int
        switch Self.weeks(request) {
        case .success(let value): weeks = value
        case .failure(let response): return response
        }
        // Whole ISO weeks: from the Monday `weeks - 1` weeks before today's week, to the Sunday
        // of today's week. Every figure below comes from the k-rule's published cells.
        let (since, until) = window(weeks: weeks)
        let rows = try await store.rows(teamID: caller.team.id, since: since, until: until)
        let rule = GroupSizeRule(minGroupSize: minGroupSize)
        var view = TeamView.team(name: caller.team.name, rows: rows, since: since, until: until, weeks: weeks, rule: rule)
        view.viewerUploads = caller.token.role.canUpload
        let csrf = DashboardSession.csrfToken(sessionID: id)
        let tool = request.uri.queryParameters.get("tool")
        let model = request.uri.queryParameters.get("model")
        guard tool != nil || model != nil else { return DashboardPage.response(TeamPage.render(view, csrf: csrf)) }
        // The trends of one tool and model: only a combination the breakdown lists, and each
        // week is the sum of its published (day, tool, model) cells.
        guard let tool, let model,
            view.breakdown?.rows.contains(where: { $0.report.key["tool"] == tool && $0.report.key["model"] == model }) == true
        else {
            return DashboardPage.response(
                DashboardPage.message(
                    title: "Not listed",
                    text:
                        "That tool and model is not listed for this window: too few developers used it (fewer than \(minGroupSize) on the same days)."
                ),
                status: .notFound)
        }
        view.select(tool: tool, model: model, cells: rule.publish(rows))
        return DashboardPage.response(TeamPage.render(view, csrf: csrf))
    }

    /// The caller's own shared data: their rows only, as `GET /api/v1/me` returns them.
    @Sendable func mine(_ request: Request, context: ServerContext) async throws -> Response {
        let caller: Caller
        let id: String
        switch try await sessionCaller(request) {
        case .success(let found):
            caller = found.caller
            id = found.id
        case .failure(let response):
            return response
        }
        let weeks: Int
        switch Self.weeks(request) {
        case .success(let value): weeks = value
        case .failure(let response): return response
        }
        let (since, until) = window(weeks: weeks)
        let developer = caller.token.developer
        let days = try await store.days(teamID: caller.team.id, developer: developer)
        let named = try await store.developerNamed(teamID: caller.team.id, developer: developer) ?? caller.token.named
        let input = MemberPage.Input(
            developer: developer, team: caller.team.name, role: caller.token.role, named: named, days: days, since: since, until: until,
            weeks: weeks)
        return DashboardPage.response(MemberPage.render(input, csrf: DashboardSession.csrfToken(sessionID: id)))
    }

    // MARK: Sessions and windows

    /// A response that ends the request instead of a value: a redirect or an error page.
    enum Outcome<Value> {
        case success(Value)
        case failure(Response)
    }

    /// The caller behind the session cookie, with the session id; a redirect to the login page
    /// (clearing the cookie) when there is no live session or its token no longer works.
    func sessionCaller(_ request: Request) async throws -> Outcome<(caller: Caller, id: String)> {
        guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty else { return .failure(redirect("/")) }
        do {
            guard let session = try await store.session(hash: Tokens.hash(id), at: now()) else {
                throw APIError.unauthorized("The session has expired or was ended.")
            }
            return .success((caller: try await Caller.authenticate(tokenHash: session.tokenHash, store: store), id: id))
        } catch is APIError {
            var response = redirect("/")
            response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
            return .failure(response)
        }
    }

    /// `weeks=N`, 1 to 156, default 12.
    static func weeks(_ request: Request) -> Outcome<Int> {
        let text = request.uri.queryParameters.get("weeks")
        guard let weeks = text.map({ Int($0) }) ?? 12, (1...156).contains(weeks) else {
            return .failure(
                DashboardPage.response(
                    DashboardPage.message(title: "Bad request", text: "weeks must be a whole number from 1 to 156."), status: .badRequest))
        }
        return .success(weeks)
    }

    /// The last `weeks` whole ISO weeks, today's included.
    func window(weeks: Int) -> (since: String, until: String) {
        (DayMath.week(DayMath.adding(-7 * (weeks - 1), to: today())), DayMath.adding(6, to: DayMath.week(today())))
    }

    // MARK: Helpers

    /// A dashboard cookie: HttpOnly, SameSite=Strict, whole site, Secure behind TLS.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// The form body; `BodyLimitMiddleware` already refused a declared length over the limit,
    /// and a chunked one stops at it here (thrown as 413).
    static func readForm(_ request: Request) async throws -> String {
        String(buffer: try await request.body.collect(upTo: BodyLimitMiddleware.formLimit))
    }

    /// 64 hex digits, as `Tokens.randomHex` makes.
    static func isToken(_ text: String) -> Bool { UploadDocument.isHashedName(text) }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A browser's own word that the form came from another site (`Sec-Fetch-Site`); older
    /// browsers do not send it, and the CSRF tokens protect them.
    static func isCrossSite(_ request: Request) -> Bool {
        guard let name = HTTPField.Name("Sec-Fetch-Site"), let site = request.headers[name] else { return false }
        return site == "cross-site" || site == "same-site"
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
}

extension DashboardPage {
    /// An HTML response with the dashboard's headers: no caching, and a policy that allows
    /// nothing but the page itself (no scripts at all, inline styles, forms to this server).
    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        if let name = HTTPField.Name("Referrer-Policy") { headers[name] = "no-referrer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Opens the existential store, as `addAPIRoutes` does.
func addDashboardRoutes(
    store: some TeamStore, minGroupSize: Int, secureCookies: Bool, today: @escaping @Sendable () -> String,
    to router: Router<ServerContext>
) {
    DashboardController(store: store, minGroupSize: minGroupSize, secureCookies: secureCookies, today: today).addRoutes(to: router)
}
