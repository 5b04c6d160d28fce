import AIUsageCore
import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage sessions`: the AI sessions that worked in the repository.
    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List AI sessions with their tokens, cost, AI lines written and linked commits.",
            discussion: """
                Examples:
                  aiusage sessions
                  aiusage sessions --all-repos --json
                """)

        @OptionGroup var scope: ScopeOptions

        @Flag(help: "Print JSON (schema aiusage.sessions/1).")
        var json = false

        func run() throws {
            let context = try CommandContext()
            let analysis = try context.analysis(scope, quiet: json).analysis
            if json {
                print(try JSONOutput.render(SessionsDocument(sessions: analysis.sessions)))
                return
            }
            guard !analysis.sessions.isEmpty else {
                print("No AI session found for this repository. `aiusage doctor` shows where aiusage looked.")
                return
            }
            print(Format.pad("TOOL", 12) + Format.pad("SESSION", 14) + Format.pad("START", 17) + Format.pad("COST", 9, right: true)
                + Format.pad("TOKENS", 8, right: true) + Format.pad("WRITTEN", 8, right: true) + Format.pad("COMMITS", 8, right: true))
            let time = DateFormatter()
            time.dateFormat = "yyyy-MM-dd HH:mm"
            for session in analysis.sessions {
                print(Format.pad(session.tool.rawValue, 12) + Format.pad(String(session.id.prefix(12)), 14)
                    + Format.pad(time.string(from: session.start), 17)
                    + Format.pad(ReportTable.costCell(usd: session.costUSD, unpricedTokens: session.unpricedTokens), 9, right: true)
                    + Format.pad(Format.compact(session.tokens.total), 8, right: true)
                    + Format.pad("\(session.aiLinesWritten)", 8, right: true) + Format.pad("\(session.commits.count)", 8, right: true))
            }
            if let footer = Self.unpricedFooter(analysis.sessions, prices: context.prices) { print(footer) }
        }

        /// Which models left costs out, so that `unpriced` and `$x+` cells are explained.
        static func unpricedFooter(_ sessions: [SessionView], prices: PriceTable) -> String? {
            let affected = sessions.filter { $0.unpricedTokens > 0 }
            guard !affected.isEmpty else { return nil }
            let models = Set(affected.flatMap(\.models)).filter { prices.price(for: $0) == nil }.sorted()
            var out = "\nCOST unpriced (or $x+): tokens on models without a price are counted, not costed."
            if !models.isEmpty { out += "\nUnpriced models: \(models.joined(separator: ", ")). `aiusage prices MODEL` says why." }
            return out
        }
    }
}

/// `aiusage sessions --json`, schema `aiusage.sessions/1`.
struct SessionsDocument: Encodable {
    var sessions: [SessionView]

    enum Keys: String, CodingKey { case schema, sessions }
    enum SessionKeys: String, CodingKey {
        case tool, id, repo, developer, start, end, models, tokens, costUSD = "cost_usd", unpricedTokens = "unpriced_tokens"
        case aiLinesWritten = "ai_lines_written", commits
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
            if session.costUSD == 0, session.unpricedTokens > 0 {
                try item.encodeNil(forKey: .costUSD)
            } else {
                try item.encode(JSONOutput.usd(session.costUSD), forKey: .costUSD)
            }
            try item.encode(session.unpricedTokens, forKey: .unpricedTokens)
            try item.encode(session.aiLinesWritten, forKey: .aiLinesWritten)
            try item.encode(session.commits, forKey: .commits)
        }
    }
}
