import AIUsageCore
import AIUsageEngine
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage commits`: each commit's attribution, landing and survival.
    struct Commits: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commits",
            abstract: "List commits with their AI and human lines, linked sessions, and whether and how they landed.",
            discussion: """
                A commit's landed AI lines are SURVIVING once their survival days have passed, PENDING before. \
                --since/--until select commits by commit time.

                Examples:
                  aiusage commits
                  aiusage commits --since 30d
                  aiusage commits --json | jq '.commits[] | select(.ai_lines > 0)'
                  aiusage commits --all-repos --format csv
                """)

        @OptionGroup var scope: ScopeOptions

        @OptionGroup var window: WindowOptions

        @OptionGroup var output: FormatOptions

        func run() throws {
            let context = try CommandContext()
            let options = ListingOptions(scope: scope, window: window, format: output.resolved)
            print(try Self.output(context: context, options: options), terminator: "")
        }

        /// The commits of the scope in the window, after a scan (unless `noScan`).
        static func views(context: CommandContext, options: ListingOptions, now: Date = Date()) throws -> [CommitView] {
            let window = try options.window(now: now)
            return try context.analysis(
                repoPath: options.repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
                quiet: options.format != .table, window: AnalysisWindow(byTime: false), now: now
            ).analysis.commits.filter { window.contains($0.time) }
        }

        /// What `aiusage commits` prints, with its final newline; `aiusage demo` calls this too.
        static func output(context: CommandContext, options: ListingOptions, now: Date = Date()) throws -> String {
            let commits = try views(context: context, options: options, now: now)
            switch options.format {
            case .json: return try JSONOutput.render(CommitsDocument(commits: commits)) + "\n"
            case .csv: return CommitsDocument(commits: commits).csv
            case .table:
                return table(
                    commits, survivalDays: options.survivalDays, timeZone: try options.window(now: now).timeZone,
                    width: Terminal.width(context.environment), filtered: options.since != nil || options.until != nil)
            }
        }

        static func table(_ commits: [CommitView], survivalDays: Int, timeZone: TimeZone, width: Int, filtered: Bool = false) -> String {
            guard !commits.isEmpty else {
                let text =
                    filtered
                    ? "No linked commit in this window. Try a longer --since."
                    : "No commits linked yet. Commits are linked once an AI session has worked in the repository; see `aiusage doctor`."
                return Text.paragraph(text, width: width) + "\n"
            }
            let day = DateFormatter()
            day.locale = Locale(identifier: "en_US_POSIX")
            day.timeZone = timeZone
            day.dateFormat = "yyyy-MM-dd"
            let showRepo = Set(commits.map(\.repo)).count > 1
            var columns: [TextTable.Column] = [.left("COMMIT"), .left("DATE")]
            if showRepo { columns.append(.left("REPO")) }
            columns += [
                .right("AI"), .right("HUMAN"), .left("LANDED"), .right("AI LANDED"), .right("SURVIVING"), .right("PENDING"),
                .wrapping("AUTHOR"),
            ]
            var table = TextTable(columns, lead: 2)
            for commit in commits {
                var cells = [String(commit.sha.prefix(8)) + (commit.aiAssisted ? "*" : ""), day.string(from: commit.time)]
                if showRepo { cells.append(commit.repo) }
                // Survival is known only for landed lines whose days have passed: "–" rather
                // than a 0 that would read as churn.
                let measured = commit.landedAILines - commit.pendingAILines
                cells += [
                    "\(commit.aiLines)", "\(commit.humanLines)", commit.landedHow?.rawValue ?? "no", "\(commit.landedAILines)",
                    measured > 0 ? "\(commit.survivingAILines)" : "–", "\(commit.pendingAILines)", commit.author,
                ]
                table.append(cells)
            }
            var out = table.render(width: width).joined(separator: "\n") + "\n\n"
            out +=
                Text.paragraph(
                    "* AI-assisted: AI lines or an AI trailer. AI and HUMAN: significant lines the commit added. AI LANDED: its AI lines "
                        + "on the default branch; SURVIVING: those still there \(survivalDays) days after landing; PENDING: those whose "
                        + "\(survivalDays) days have not passed yet (– in SURVIVING: nothing to measure yet).",
                    width: width) + "\n"
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

    /// `--format csv`: one line per commit, the fields of the JSON flattened (`sessions`
    /// space-separated, `landed` as `landed_how`, `landed_into`, `landed_at`).
    var csv: String {
        CSV.render(
            header: [
                "repo", "sha", "author", "time", "ai_lines", "human_lines", "ai_assisted", "ai_trailer", "sessions", "landed_how",
                "landed_into", "landed_at", "landed_ai_lines", "surviving_ai_lines", "pending_ai_lines", "churned_ai_lines",
            ],
            records: commits.map { commit in
                [
                    commit.repo, commit.sha, commit.author, Format.iso(commit.time), "\(commit.aiLines)", "\(commit.humanLines)",
                    "\(commit.aiAssisted)", commit.aiTrailer ?? "", commit.sessions.joined(separator: " "),
                    commit.landedHow?.rawValue ?? "",
                    commit.landedInto ?? "", commit.landedAt.map(Format.iso) ?? "", "\(commit.landedAILines)", "\(commit.survivingAILines)",
                    "\(commit.pendingAILines)", "\(commit.churnedAILines)",
                ]
            })
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
