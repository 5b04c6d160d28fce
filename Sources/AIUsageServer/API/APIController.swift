import AIUsageUploadContract
import Foundation
import Hummingbird

/// The `/api/v1` routes, generic over the store as in hummingbird-examples'
/// todos-postgres-tutorial, so the same controller serves SQLite and (later) PostgreSQL.
struct APIController<Store: TeamStore>: Sendable {
    let store: Store
    let minGroupSize: Int
    let limits: UploadLimits
    /// Injected so summary defaults (the last 28 days) are testable.
    let today: @Sendable () -> String

    func addRoutes(to group: RouterGroup<ServerContext>) {
        group.get("health", use: health)
        group.post("uploads", use: upload)
        group.get("me", use: me)
        group.delete("me", use: deleteMe)
        group.get("teams/:team/summary", use: summary)
    }

    // MARK: Authentication

    /// Every route but health passes here: the bearer token must exist and not be revoked.
    /// Role and team are checked by each route, since they depend on what is asked for.
    func authenticate(_ request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("Missing Authorization header; send `Authorization: Bearer aiu_...`.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("The Authorization header must be `Bearer <token>`.")
        }
        return try await Caller.authenticate(token: parts[1].trimmingCharacters(in: .whitespaces), store: store)
    }

    // MARK: Routes

    @Sendable func health(_ request: Request, context: ServerContext) async throws -> Response {
        _ = try await store.team(named: "")  // proves the database answers, not only the process
        return try json(["status": "ok"])
    }

    @Sendable func upload(_ request: Request, context: ServerContext) async throws -> Response {
        let caller = try await authenticate(request)
        guard caller.token.role.canUpload else {
            throw APIError.forbidden("A \(caller.token.role.rawValue) token cannot upload; uploads need a member or admin token.")
        }
        // `BodyLimitMiddleware` refused a declared length over the limit before this ran; a
        // chunked body stops being read at the limit here.
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limits.maxBodyBytes)
        }
        let document: UploadDocument
        do {
            document = try UploadDocument.parse(Data(body.readableBytesView), limits: limits)
        } catch {
            throw APIError(.badRequest, error.code, error.message)
        }
        let written = try await store.replaceDays(
            teamID: caller.team.id, developer: caller.token.developer, named: document.named, days: document.days, at: Date())
        return try json(UploadReceipt(acceptedDays: document.days.count, storedRows: written))
    }

    @Sendable func me(_ request: Request, context: ServerContext) async throws -> Response {
        let caller = try await authenticate(request)
        let days = try await store.days(teamID: caller.team.id, developer: caller.token.developer)
        let named = try await store.developerNamed(teamID: caller.team.id, developer: caller.token.developer) ?? caller.token.named
        return try json(
            MeDocument(
                team: caller.team.name, developer: caller.token.developer, role: caller.token.role.rawValue, named: named,
                teamKey: caller.team.key, days: days))
    }

    @Sendable func deleteMe(_ request: Request, context: ServerContext) async throws -> Response {
        let caller = try await authenticate(request)
        let deleted = try await store.deleteDeveloper(teamID: caller.team.id, developer: caller.token.developer)
        return try json(["deleted_rows": deleted])
    }

    @Sendable func summary(_ request: Request, context: ServerContext) async throws -> Response {
        let caller = try await authenticate(request)
        let team = try context.parameters.require("team")
        guard caller.team.name == team else {
            throw APIError.forbidden("This token belongs to team \"\(caller.team.name)\", not \"\(team)\".")
        }
        guard caller.token.role.canViewTeam else {
            throw APIError.forbidden(
                "A \(caller.token.role.rawValue) token cannot read the team summary; it needs a viewer or admin token.")
        }
        let query = request.uri.queryParameters
        let by: TeamSummary.Period
        switch query.get("by") {
        case nil, "week": by = .week
        case "day": by = .day
        case let other?: throw APIError.invalid("by must be day or week; got \"\(other.prefix(20))\".")
        }
        let asked = try day(query.get("until"), name: "until") ?? today()
        let since = try day(query.get("since"), name: "since") ?? DayMath.adding(-27, to: asked)
        guard since <= asked else { throw APIError.invalid("since (\(since)) must not be after until (\(asked)).") }
        guard DayMath.length(since, asked) <= 3660 else { throw APIError.invalid("The window is limited to ten years.") }
        // Whole periods only (see `GroupSizeRule`): a week window grows to Monday..Sunday.
        let window = TeamSummary.aligned(since: since, until: asked, by: by)
        let needed = TeamSummary.rowsNeeded(since: window.since, until: window.until)
        let rows = try await store.rows(teamID: caller.team.id, since: needed.since, until: needed.until)
        return try json(
            TeamSummary.compute(
                team: team, rows: rows, since: window.since, until: window.until, by: by, rule: GroupSizeRule(minGroupSize: minGroupSize)))
    }

    // MARK: Helpers

    func day(_ text: String?, name: String) throws -> String? {
        guard let text else { return nil }
        guard CalendarDay.isValid(text) else { throw APIError.invalid("\(name) must be a date YYYY-MM-DD; got \"\(text.prefix(20))\".") }
        return text
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.api.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The token's record and team, once checked for existence and revocation; shared by the
/// bearer-token API and the cookie-authenticated dashboard.
struct Caller: Sendable {
    let token: TokenRecord
    let team: Team

    /// Looks the token up by its hash: it must exist, not be revoked, and its team must exist.
    static func authenticate(token: String, store: some TeamStore) async throws -> Caller {
        try await authenticate(tokenHash: Tokens.hash(token), store: store)
    }

    /// The same check for a token known by its hash (a dashboard session's).
    static func authenticate(tokenHash: String, store: some TeamStore) async throws -> Caller {
        guard let record = try await store.token(hash: tokenHash) else {
            throw APIError.unauthorized("Unknown token.")
        }
        guard !record.isRevoked else { throw APIError.unauthorized("This token has been revoked.") }
        guard let team = try await store.team(named: record.team) else { throw APIError.unauthorized("The token's team no longer exists.") }
        return Caller(token: record, team: team)
    }
}

/// The answer to an accepted upload.
struct UploadReceipt: Encodable {
    var acceptedDays: Int
    var storedRows: Int
    enum CodingKeys: String, CodingKey { case acceptedDays = "accepted_days", storedRows = "stored_rows" }
}

/// `GET /api/v1/me`, schema `aiusage.me/1`: who the token is, the team key, and the caller's rows.
struct MeDocument: Encodable {
    var schema = "aiusage.me/1"
    var team: String
    var developer: String
    var role: String
    var named: Bool
    var teamKey: String
    /// The contract's own days and rows, so the client reads back exactly what it sent.
    var days: [UploadDay]
    enum CodingKeys: String, CodingKey { case schema, team, developer, role, named, teamKey = "team_key", days }
}
