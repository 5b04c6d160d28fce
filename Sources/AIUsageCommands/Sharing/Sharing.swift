import AIUsageCore
import AIUsageEngine
import AIUsageStore
import AIUsageUploadContract
import ArgumentParser
import Foundation

/// Opt-in sharing: what `share enable`, `upload` and the hook have in common.
enum Sharing {
    /// How often the document is sent, as `share enable` states it.
    static let cadence = "at most once a day, in the background after a commit, and when you run `aiusage upload`"
    static let defaultDays = 30
    /// The contract's limit on days per document.
    static let maximumDays = UploadLimits().maxDays

    /// The answer of `GET /api/v1/me`.
    struct Me {
        var team: String
        var developer: String
        var role: String
        var teamKey: String
        /// Days and rows of the caller the server holds now.
        var days: Int
        var rows: Int
    }

    static func me(_ transport: ShareTransport) throws -> Me {
        let response = try transport.send("GET", "/api/v1/me")
        guard response.isSuccess else {
            throw ShareTransport.Failure(description: "the server refused the token: \(response.errorSummary)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let team = object["team"] as? String, let developer = object["developer"] as? String,
            let key = object["team_key"] as? String, RepoNameHash.bytes(hex: key)?.count == 32
        else {
            throw ShareTransport.Failure(description: "the server's answer to /api/v1/me is not an aiusage.me/1 document")
        }
        let days = object["days"] as? [[String: Any]] ?? []
        return Me(
            team: team, developer: developer, role: object["role"] as? String ?? "member", teamKey: key, days: days.count,
            rows: days.reduce(0) { $0 + (($1["rows"] as? [Any])?.count ?? 0) })
    }

    /// `DELETE /api/v1/me`: removes every row of the token's developer from the server;
    /// returns how many.
    static func deleteShared(_ transport: ShareTransport) throws -> Int {
        let response = try transport.send("DELETE", "/api/v1/me")
        guard response.isSuccess else {
            throw ShareTransport.Failure(description: "the server refused to delete your rows: \(response.errorSummary)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let deleted = object["deleted_rows"] as? Int
        else {
            throw ShareTransport.Failure(description: "the server's answer to DELETE /api/v1/me has no deleted_rows")
        }
        return deleted
    }

    /// Where the first upload starts: the local day 30 days before sharing was turned on.
    /// `share enable` states this window, and the first upload (whenever it runs) sends it
    /// and every day after it, up to the day it runs.
    static func firstUploadSince(enabledAt: Date) -> Date {
        enabledAt.addingTimeInterval(-Double(defaultDays) * 86_400)
    }

    /// The default window: since the last successful upload, but at least the last
    /// 30 days (landing and survival keep changing recent days), at most 400 days. Before the
    /// first success, the window `share enable` stated (`firstUploadSince`).
    static func defaultSince(settings: SharingSettings?, now: Date) -> Date {
        let floor = now.addingTimeInterval(-Double(defaultDays) * 86_400)
        guard let settings else { return floor }
        let last = settings.lastSuccessAt ?? firstUploadSince(enabledAt: settings.enabledAt)
        return max(min(last, floor), now.addingTimeInterval(-Double(maximumDays - 1) * 86_400))
    }

    /// Builds the document over every repository the store knows.
    static func document(
        context: CommandContext, policy: UploadPolicy, since: Date, now: Date, scan: Bool, quiet: Bool = true
    ) throws -> UploadBuilder.Built {
        let (analysis, _) = try context.analysis(
            repoPath: nil, allRepos: true, noScan: !scan, survivalDays: 30, quiet: quiet, window: AnalysisWindow(since: since, until: nil),
            now: now)
        return UploadBuilder.build(analysis: analysis, policy: policy, since: since, now: now, timeZone: TimeZone.current)
    }

    static func policy(_ settings: SharingSettings) -> UploadPolicy {
        UploadPolicy(
            developers: [settings.developer], named: settings.named, plainRepoNames: settings.repoNames == .plain,
            key: UploadPolicy.keyBytes(settings.teamKey))
    }

    /// Sends the document and records the attempt; returns the one-line outcome, or
    /// throws it.
    @discardableResult
    static func upload(context: CommandContext, settings: SharingSettings, since: Date, now: Date, scan: Bool) throws -> String {
        do {
            let document = try document(context: context, policy: policy(settings), since: since, now: now, scan: scan).document
            // The contract's own check, so a document the server would refuse is not sent.
            if let violation = document.violation() {
                throw ShareTransport.Failure(description: "the upload document breaks the contract (\(violation.message))")
            }
            let transport = ShareTransport(server: settings.server, token: settings.token, environment: context.environment)
            for part in try document.parts() {
                let response = try transport.send("POST", "/api/v1/uploads", body: try part.encoded())
                guard response.isSuccess else {
                    throw ShareTransport.Failure(description: "the server refused the upload: \(response.errorSummary)")
                }
            }
            let days = document.days.count
            var summary =
                "uploaded \(days) day\(days == 1 ? "" : "s") (\(document.rowCount) row\(document.rowCount == 1 ? "" : "s")) to \(settings.server)"
            if let first = document.days.first?.day, let last = document.days.last?.day { summary += ", covering \(first) to \(last)" }
            try context.store.recordUploadAttempt(at: now, success: true, result: "ok: " + summary)
            return summary
        } catch {
            try? context.store.recordUploadAttempt(at: now, success: false, result: "\(error)")
            throw error
        }
    }

    /// For the hook: has a day passed since the last successful upload? A failed
    /// attempt is retried on the next run.
    static func isDue(_ settings: SharingSettings, now: Date) -> Bool {
        guard let last = settings.lastSuccessAt else { return true }
        return now.timeIntervalSince(last) >= 86_400 - 60 || now < last
    }
}
