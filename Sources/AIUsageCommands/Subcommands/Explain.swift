import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageStore
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage explain <rev>`: which added lines of a commit are AI-written, by whom.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Show, file by file, which added lines of a commit are AI-written and by which session.",
            discussion: """
                Examples:
                  aiusage explain HEAD
                  aiusage explain 1a2b3c4 --json
                """)

        @Argument(help: "A commit: sha, branch, HEAD~2, ...")
        var revision: String

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to look at.", valueName: "path"))
        var repoPath: String?

        @Flag(name: .customLong("no-scan"), help: "Do not read new session records or commits first.")
        var noScan = false

        @OptionGroup var output: FormatOptions

        func run() throws {
            let context = try CommandContext()
            print(
                try Self.output(context: context, revision: revision, repoPath: repoPath, noScan: noScan, format: output.resolved),
                terminator: "")
        }

        /// What `aiusage explain` prints, with its final newline.
        static func output(context: CommandContext, revision: String, repoPath: String?, noScan: Bool, format: OutputFormat) throws
            -> String
        {
            let git = try context.openRepository(repoPath)
            let sha: String
            do {
                sha = try git.resolveCommit(revision)
            } catch {
                throw ValidationError(
                    "unknown revision '\(revision)' in \(git.workTreeRoot ?? git.gitDirectory): give a sha, a branch or HEAD~N")
            }
            if !noScan { try context.update(.repository(git), quiet: format != .table) }
            let repo = try RepositorySync(store: context.store, git: git).register()
            guard let record = try context.store.commits(repo: repo.id).first(where: { $0.sha == sha }) else {
                throw ValidationError(
                    "commit \(sha.prefix(8)) is not attributed: it predates every AI session in this repository, or was rewritten")
            }
            let files = try Self.explain(lines: try context.store.commitLines(repo: repo.id, sha: sha), diff: try git.addedLines(of: sha))
            let document = ExplainDocument(sha: sha, record: record, files: files)
            switch format {
            case .json: return try JSONOutput.render(document) + "\n"
            case .csv: return document.csv
            case .table: return document.text(width: Terminal.width(context.environment))
            }
        }

        /// One file of a commit: the new-file line numbers of its added lines, by who wrote them.
        struct FileLines {
            var path: String
            var ai: [String: [Int]] = [:]
            var human: [Int] = []
            var copied: [Int] = []
        }

        /// Places the stored attribution (counts per path and line hash) on the
        /// commit's diff, in diff order, to name line numbers.
        static func explain(lines: [CommitLineRecord], diff: [FileAddedLines]) -> [FileLines] {
            var labels: [PathLine: [String?]] = [:]  // session key for AI, nil for human
            for line in lines {
                guard let claim = line.claim else { continue }
                labels[line.line, default: []].append("\(claim.tool.rawValue):\(line.sessionID ?? "?")")
            }
            for line in lines where line.claim == nil { labels[line.line, default: []].append(nil) }
            var result: [FileLines] = []
            for file in diff {
                var entry = FileLines(path: file.path)
                for (index, hash) in file.added.enumerated() {
                    let number = index < file.lineNumbers.count ? file.lineNumbers[index] : 0
                    let key = PathLine(path: file.path, hash: hash)
                    guard var queue = labels[key], !queue.isEmpty else {
                        entry.copied.append(number)
                        continue
                    }
                    let label = queue.removeFirst()
                    labels[key] = queue
                    if let session = label { entry.ai[session, default: []].append(number) } else { entry.human.append(number) }
                }
                result.append(entry)
            }
            return result.sorted { $0.path < $1.path }
        }

        /// `[1, 2, 3, 7]` → "lines 1-3, 7".
        static func ranges(_ numbers: [Int]) -> String {
            let sorted = numbers.sorted()
            var parts: [String] = []
            var index = 0
            while index < sorted.count {
                var end = index
                while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
                parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
                index = end + 1
            }
            return (sorted.count == 1 ? "line " : "lines ") + parts.joined(separator: ", ")
        }
    }
}

/// `aiusage explain --json`, schema `aiusage.explain/1`.
struct ExplainDocument: Encodable {
    var sha: String
    var record: CommitRecord
    var files: [AIUsageCommand.Explain.FileLines]

    enum Keys: String, CodingKey { case schema, sha, aiLines = "ai_lines", humanLines = "human_lines", files }
    enum FileKeys: String, CodingKey {
        case path, aiBySession = "ai_lines_by_session", humanLines = "human_lines"
        case aiLineNumbers = "ai_line_numbers", humanLineNumbers = "human_line_numbers", copiedLineNumbers = "source_line_numbers"
    }

    /// The text `aiusage explain` prints: the commit, then file by file the line numbers
    /// (in the commit's version of the file) of AI lines by session, human lines, and
    /// lines a squash or cherry-pick copied from its source commits.
    func text(width: Int) -> String {
        var out = "commit \(sha)\n"
        out +=
            Text.paragraph(
                "author \(record.authorEmail)   AI lines \(record.aiLines)   human lines \(record.humanLines)"
                    + (record.sourceLines > 0 ? "   copied from source commits \(record.sourceLines)" : ""), width: width) + "\n"
        if let trailer = record.aiTrailer { out += "AI trailer: \(trailer.rawValue)\n" }
        if record.isMerge { out += "merge commit: adds no lines of its own\n" }
        for file in files {
            out += "\n  \(file.path)\n"
            for (session, numbers) in file.ai.sorted(by: { $0.key < $1.key }) {
                out +=
                    Text.paragraph(
                        "AI, session \(session): \(AIUsageCommand.Explain.ranges(numbers))", width: width, indent: "    ", hanging: "      "
                    ) + "\n"
            }
            if !file.human.isEmpty {
                out +=
                    Text.paragraph("human: \(AIUsageCommand.Explain.ranges(file.human))", width: width, indent: "    ", hanging: "      ")
                    + "\n"
            }
            if !file.copied.isEmpty {
                out +=
                    Text.paragraph(
                        "from source commits: \(AIUsageCommand.Explain.ranges(file.copied))", width: width, indent: "    ",
                        hanging: "      ") + "\n"
            }
        }
        return out
    }

    /// `--format csv`: one line per added line: its path, number, who wrote it (`ai`,
    /// `human`, `source` for lines copied from source commits) and the AI session.
    var csv: String {
        var records: [[String]] = []
        for file in files {
            var lines: [(Int, String, String)] = []
            for (session, numbers) in file.ai { lines += numbers.map { ($0, "ai", session) } }
            lines += file.human.map { ($0, "human", "") }
            lines += file.copied.map { ($0, "source", "") }
            for line in lines.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
                records.append([sha, file.path, "\(line.0)", line.1, line.2])
            }
        }
        return CSV.render(header: ["sha", "path", "line", "written_by", "session"], records: records)
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.explain/1", forKey: .schema)
        try container.encode(sha, forKey: .sha)
        try container.encode(record.aiLines, forKey: .aiLines)
        try container.encode(record.humanLines, forKey: .humanLines)
        var list = container.nestedUnkeyedContainer(forKey: .files)
        for file in files {
            var item = list.nestedContainer(keyedBy: FileKeys.self)
            try item.encode(file.path, forKey: .path)
            try item.encode(file.ai.mapValues(\.count), forKey: .aiBySession)
            try item.encode(file.human.count, forKey: .humanLines)
            try item.encode(file.ai, forKey: .aiLineNumbers)
            try item.encode(file.human, forKey: .humanLineNumbers)
            try item.encode(file.copied, forKey: .copiedLineNumbers)
        }
    }
}
