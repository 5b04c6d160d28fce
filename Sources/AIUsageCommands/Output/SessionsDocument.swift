import AIUsageCore
import AIUsageEngine
import Foundation

/// `aiusage sessions --json`, schema `aiusage.sessions/1` (docs/contracts.md): fields are
/// added, never renamed or removed.
struct SessionsDocument: Encodable {
    var sessions: [SessionView]

    enum Keys: String, CodingKey { case schema, sessions }
    enum SessionKeys: String, CodingKey {
        case tool, id, repo, developer, start, end, models, tokens, costUSD = "cost_usd", unpricedTokens = "unpriced_tokens"
        case aiLinesWritten = "ai_lines_written", commits
        case committed = "ai_lines_committed", landed = "ai_lines_landed", surviving = "ai_lines_surviving"
        case pending = "ai_lines_pending", churned = "ai_lines_churned", outcome, branches, openBranches = "open_branches"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.sessions/1", forKey: .schema)
        var list = container.nestedUnkeyedContainer(forKey: .sessions)
        for session in sessions {
            var item = list.nestedContainer(keyedBy: SessionKeys.self)
            try item.encode(session.tool.rawValue, forKey: .tool)
            try item.encode(session.id, forKey: .id)
            try item.encode(session.repo, forKey: .repo)
            try item.encode(session.developer, forKey: .developer)
            try item.encode(Format.iso(session.start), forKey: .start)
            try item.encode(Format.iso(session.end), forKey: .end)
            try item.encode(session.models, forKey: .models)
            try item.encode(TokensJSON(session.tokens), forKey: .tokens)
            // `null`, not 0, when none of the session's tokens had a price.
            if Self.unpriced(session) {
                try item.encodeNil(forKey: .costUSD)
            } else {
                try item.encode(JSONOutput.usd(session.costUSD), forKey: .costUSD)
            }
            try item.encode(session.unpricedTokens, forKey: .unpricedTokens)
            try item.encode(session.aiLinesWritten, forKey: .aiLinesWritten)
            try item.encode(session.commits, forKey: .commits)
            try item.encode(session.lines.committed, forKey: .committed)
            try item.encode(session.lines.landed, forKey: .landed)
            try item.encode(session.lines.surviving, forKey: .surviving)
            try item.encode(session.lines.pending, forKey: .pending)
            try item.encode(session.lines.churned, forKey: .churned)
            try item.encode(session.outcome.rawValue, forKey: .outcome)
            try item.encode(Self.branches(session), forKey: .branches)
            try item.encode(session.openBranches, forKey: .openBranches)
        }
    }

    static func unpriced(_ session: SessionView) -> Bool { session.costUSD == 0 && session.unpricedTokens > 0 }

    /// Every branch holding a commit of the session that did not land, open or not.
    static func branches(_ session: SessionView) -> [String] {
        Array(Set(session.openBranches + session.waitingBranches)).sorted()
    }

    /// `--format csv`: one line per session, lists space-separated.
    var csv: String {
        CSV.render(
            header: [
                "tool", "id", "repo", "developer", "start", "end", "models", "input", "output", "cache_write", "cache_read", "reasoning",
                "total_tokens", "cost_usd", "unpriced_tokens", "ai_lines_written", "ai_lines_committed", "ai_lines_landed",
                "ai_lines_surviving", "ai_lines_pending", "ai_lines_churned", "outcome", "branches", "commits",
            ],
            records: sessions.map { session in
                [
                    session.tool.rawValue, session.id, session.repo ?? "", session.developer, Format.iso(session.start),
                    Format.iso(session.end), session.models.joined(separator: " "), "\(session.tokens.input)", "\(session.tokens.output)",
                    "\(session.tokens.cacheWrite)", "\(session.tokens.cacheRead)", "\(session.tokens.reasoning)",
                    "\(session.tokens.total)", Self.unpriced(session) ? "" : String(format: "%.6f", session.costUSD),
                    "\(session.unpricedTokens)", "\(session.aiLinesWritten)", "\(session.lines.committed)", "\(session.lines.landed)",
                    "\(session.lines.surviving)", "\(session.lines.pending)", "\(session.lines.churned)", session.outcome.rawValue,
                    Self.branches(session).joined(separator: " "), session.commits.joined(separator: " "),
                ]
            })
    }
}
