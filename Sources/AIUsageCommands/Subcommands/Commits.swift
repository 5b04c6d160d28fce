import AIUsageCore
import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage commits`: each commit's attribution, landing and survival.
    struct Commits: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List commits with their AI and human lines, linked sessions, and whether and how they landed.",
            discussion: """
                Examples:
                  aiusage commits
                  aiusage commits --json | jq '.commits[] | select(.ai_lines > 0)'
                """)

        @OptionGroup var scope: ScopeOptions

        @Flag(help: "Print JSON (schema aiusage.commits/1).")
        var json = false

        func run() throws {
            let context = try CommandContext()
            print(
                try Self.output(
                    context: context, repoPath: scope.repoPath, allRepos: scope.allRepos, noScan: scope.noScan,
                    survivalDays: scope.survivalDays, json: json),
                terminator: "")
        }

        /// The commits of the scope after a scan (unless `noScan`).
        static func views(
            context: CommandContext, repoPath: String?, allRepos: Bool, noScan: Bool, survivalDays: Int, quiet: Bool, now: Date = Date()
        ) throws -> [CommitView] {
            try context.analysis(repoPath: repoPath, allRepos: allRepos, noScan: noScan, survivalDays: survivalDays, quiet: quiet, now: now)
                .analysis.commits
        }

        /// What `aiusage commits` prints, with its final newline; `aiusage demo` calls this too.
        static func output(
            context: CommandContext, repoPath: String?, allRepos: Bool, noScan: Bool, survivalDays: Int, json: Bool, now: Date = Date()
        ) throws -> String {
            let commits = try views(
                context: context, repoPath: repoPath, allRepos: allRepos, noScan: noScan, survivalDays: survivalDays, quiet: json, now: now)
            if json { return try JSONOutput.render(CommitsDocument(commits: commits)) + "\n" }
            return table(commits, survivalDays: survivalDays)
        }

        static func table(_ commits: [CommitView], survivalDays: Int) -> String {
            guard !commits.isEmpty else {
                return "No commits linked yet. Commits are linked once an AI session has worked in the repository; see `aiusage doctor`.\n"
            }
            var out = Format.pad("COMMIT", 9) + Format.pad("DATE", 11) + Format.pad("AUTHOR", 22) + Format.pad("AI", 5, right: true)
                + Format.pad("HUMAN", 6, right: true) + "  " + Format.pad("LANDED", 9) + Format.pad("L-AI", 5, right: true)
                + Format.pad("SURV", 5, right: true) + "\n"
            let day = DateFormatter()
            day.dateFormat = "yyyy-MM-dd"
            for commit in commits {
                let marker = commit.aiAssisted ? "*" : " "
                out += Format.pad(String(commit.sha.prefix(8)) + marker, 9) + Format.pad(day.string(from: commit.time), 11)
                    + Format.pad(commit.author, 22) + Format.pad("\(commit.aiLines)", 5, right: true)
                    + Format.pad("\(commit.humanLines)", 6, right: true) + "  " + Format.pad(commit.landedHow?.rawValue ?? "no", 9)
                    + Format.pad("\(commit.landedAILines)", 5, right: true) + Format.pad("\(commit.survivingAILines)", 5, right: true) + "\n"
            }
            out += "\n* AI-assisted (AI lines or an AI trailer). L-AI: landed AI lines; SURV: surviving after \(survivalDays) days.\n"
            return out
        }
    }
}

/// `aiusage commits --json`, schema `aiusage.commits/1`.
struct CommitsDocument: Encodable {
    var commits: [CommitView]

    enum Keys: String, CodingKey { case schema, commits }
    enum CommitKeys: String, CodingKey {
        case repo, sha, author, time, aiLines = "ai_lines", humanLines = "human_lines", aiAssisted = "ai_assisted"
        case aiTrailer = "ai_trailer", sessions, landed, landedAILines = "landed_ai_lines"
        case survivingAILines = "surviving_ai_lines", pendingAILines = "pending_ai_lines", churnedAILines = "churned_ai_lines"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.commits/1", forKey: .schema)
        var list = container.nestedUnkeyedContainer(forKey: .commits)
        for commit in commits {
            var item = list.nestedContainer(keyedBy: CommitKeys.self)
            try item.encode(commit.repo, forKey: .repo)
            try item.encode(commit.sha, forKey: .sha)
            try item.encode(commit.author, forKey: .author)
            try item.encode(Format.iso(commit.time), forKey: .time)
            try item.encode(commit.aiLines, forKey: .aiLines)
            try item.encode(commit.humanLines, forKey: .humanLines)
            try item.encode(commit.aiAssisted, forKey: .aiAssisted)
            try item.encode(commit.aiTrailer, forKey: .aiTrailer)
            try item.encode(commit.sessions, forKey: .sessions)
            if let how = commit.landedHow {
                var landed: [String: String] = ["how": how.rawValue]
                landed["into"] = commit.landedInto
                landed["at"] = commit.landedAt.map(Format.iso)
                try item.encode(landed, forKey: .landed)
            } else {
                try item.encodeNil(forKey: .landed)
            }
            try item.encode(commit.landedAILines, forKey: .landedAILines)
            try item.encode(commit.survivingAILines, forKey: .survivingAILines)
            try item.encode(commit.pendingAILines, forKey: .pendingAILines)
            try item.encode(commit.churnedAILines, forKey: .churnedAILines)
        }
    }
}
