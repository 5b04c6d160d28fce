import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import _AIUsageTestSupport

/// A team server over a temporary SQLite store, or over a fresh PostgreSQL database while
/// `TestPostgres.databases` is set (see `PostgresAPITests`), with helpers to issue tokens and
/// build uploads.
struct ServerFixture {
    let directory: TemporaryDirectory
    let store: any TeamStore
    let admin: TeamAdmin

    init() async throws {
        directory = try TemporaryDirectory(prefix: "aiusage-server")
        if let databases = TestPostgres.databases {
            store = try await databases.makeStore()
        } else {
            let sqlite = try SQLiteTeamStore(path: directory.path + "/server.sqlite")
            try await sqlite.migrate()
            store = sqlite
        }
        admin = TeamAdmin(store: store)
    }

    func app(minGroupSize: Int = 5, maxBodyBytes: Int = 1 << 20) -> some ApplicationProtocol {
        var configuration = ServerConfiguration(dataDirectory: directory.path)
        configuration.minGroupSize = minGroupSize
        configuration.maxBodyBytes = maxBodyBytes
        return buildApplication(store: store, configuration: configuration, today: { "2026-11-24" })
    }

    func token(_ team: String, _ developer: String, _ role: Role, named: Bool = false) async throws -> String {
        if try await store.team(named: team) == nil { _ = try await admin.createTeam(team) }
        return try await admin.issueToken(team: team, developer: developer, role: role, named: named).token
    }
}

/// Request helpers; bodies are JSON text so tests read like the wire.
extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// Builds upload documents of the contract's shape.
enum Upload {
    static let repo = String(repeating: "ab", count: 32)

    static func row(
        cost: Double = 1, landed: Int = 6, tool: String = "claude-code", repo: String = repo,
        written: Int = 10, committed: Int = 8, surviving: Int = 5, pending: Int = 1, wasted: Double = 0.25
    ) -> String {
        """
        {"repo": "\(repo)", "tool": "\(tool)", "model": "claude-sonnet-4-5-20250929", "sessions": 2,
         "tokens": {"input": 1, "output": 2, "cache_write": 3, "cache_read": 4, "reasoning": 0, "total": 10},
         "cost_usd": \(cost), "unpriced_tokens": 0, "wasted_cost_usd": \(wasted),
         "ai_lines_written": \(written), "ai_lines_committed": \(committed), "ai_lines_landed": \(landed),
         "ai_lines_surviving": \(surviving), "ai_lines_pending": \(pending), "ai_lines_churned": 0, "human_lines_committed": 4,
         "commits": 2, "ai_assisted_commits": 1, "landed_ai_assisted_commits": 1}
        """
    }

    static func document(
        _ days: [(String, [String])], named: Bool = true, schema: String = "aiusage.upload/1", repoNames: String = "hashed"
    ) -> String {
        let dayText = days.map { day, rows in "{\"day\": \"\(day)\", \"rows\": [\(rows.joined(separator: ","))]}" }
        return """
            {"schema": "\(schema)", "generated_at": "2026-11-24T10:00:00Z", "client": "aiusage 0.1",
             "named": \(named), "repo_names": "\(repoNames)", "days": [\(dayText.joined(separator: ","))]}
            """
    }
}
