import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The dashboard's login against cross-site requests and stolen cookies: CSRF tokens on
/// login and logout, sessions that expire, `Secure` cookies behind TLS.
@Suite struct DashboardSessionTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A cross-site page can post the form, but without the login cookie's value.
    @Test func loginWithoutTheFormsCSRFTokenIsRefused() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            var jar = CookieJar()
            jar.take(page)
            let csrf = try #require(page.text.hiddenFields.first { $0.0 == "csrf" }?.1)
            var attempts: [(String, HTTPFields)] = [
                ("token=\(viewer)", Self.form),  // no token, no cookie
                ("token=\(viewer)&csrf=\(csrf)", Self.form),  // no cookie (SameSite kept it home)
                ("token=\(viewer)", Self.form.merging([.cookie: jar.header])),  // no form token
                ("token=\(viewer)&csrf=\(String(repeating: "a", count: 64))", Self.form.merging([.cookie: jar.header])),
            ]
            var crossSite = Self.form.merging([.cookie: jar.header])
            crossSite[.init("Sec-Fetch-Site")!] = "cross-site"
            attempts.append(("token=\(viewer)&csrf=\(csrf)", crossSite))
            for (body, headers) in attempts {
                let response = try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .forbidden, "\(body.suffix(70)) \(headers)")
                #expect(!response.headers[values: .setCookie].contains { $0.hasPrefix("aiusage_session=") })
            }
            // The same form with its cookie logs in.
            let accepted = try await client.execute(
                uri: "/login", method: .post, headers: Self.form.merging([.cookie: jar.header]),
                body: ByteBuffer(string: "token=\(viewer)&csrf=\(csrf)"))
            #expect(accepted.status == .seeOther)
        }
    }

    /// A cross-site page cannot log a viewer out: logout needs the session's own token.
    @Test func logoutWithoutTheSessionsCSRFTokenIsRefused() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        try await fixture.app().test(.router) { client in
            let cookie = try await client.sessionCookie(viewer)
            for body in ["", "csrf=", "csrf=\(String(repeating: "0", count: 64))"] {
                let response = try await client.execute(
                    uri: "/logout", method: .post, headers: Self.form.merging([.cookie: cookie]), body: ByteBuffer(string: body))
                #expect(response.status == .forbidden, "\(body)")
            }
            #expect(try await client.dashboard(session: cookie).status == .ok)
        }
    }

    @Test func cookiesAreSecureBehindTLS() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        var configuration = ServerConfiguration(dataDirectory: fixture.directory.path)
        configuration.publicURL = "https://aiusage.example.com"
        try await buildApplication(store: fixture.store, configuration: configuration, today: { "2026-11-24" }).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
            let login = try await client.login(viewer)
            #expect(login.status == .seeOther)
            let cookies = login.headers[values: .setCookie]
            #expect(!cookies.isEmpty && cookies.allSatisfy { $0.contains("Secure") }, "\(cookies)")
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(
                host: nil, port: nil, dataDirectory: "/x", database: nil, minGroupSize: nil, publicURL: "aiusage.example.com",
                environment: [:])
        }
        let fromEnvironment = try ServerConfiguration.resolve(
            host: nil, port: nil, dataDirectory: "/x", database: nil, minGroupSize: nil,
            environment: ["AIUSAGE_SERVER_PUBLIC_URL": "https://team.example.com/"])
        #expect(fromEnvironment.secureCookies)
    }

    @Test func expiredSessionsLeadBackToTheLoginPage() async throws {
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "boss@example.com", .viewer)
        let live = String(repeating: "c", count: 64), expired = String(repeating: "d", count: 64)
        let now = Date()
        try await fixture.store.createSession(
            DashboardSession(
                hash: Tokens.hash(live), tokenHash: Tokens.hash(viewer), createdAt: now, expiresAt: now.addingTimeInterval(60)))
        try await fixture.store.createSession(
            DashboardSession(
                hash: Tokens.hash(expired), tokenHash: Tokens.hash(viewer), createdAt: now.addingTimeInterval(-9 * 3600),
                expiresAt: now.addingTimeInterval(-3600)))
        try await fixture.app().test(.router) { client in
            #expect(try await client.dashboard(session: "aiusage_session=\(live)").status == .ok)
            let response = try await client.dashboard(session: "aiusage_session=\(expired)")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
        }
        #expect(try await fixture.store.deleteExpiredSessions(at: now) == 1)
        #expect(try await fixture.store.session(hash: Tokens.hash(live), at: now) != nil)
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
