import AIUsageCore
import AIUsageEngine
import AIUsageStore
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage explain <rev>`: which added lines of a commit are AI-written, by whom.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
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

        @Flag(help: "Print JSON (schema aiusage.explain/1).")
        var json = false

        func run() throws {
            let context = try CommandContext()
            let git = try context.openRepository(repoPath)
            let sha: String
            do { sha = try git.resolveCommit(revision) } catch { throw ValidationError("unknown revision '\(revision)' in this repository") }
            if !noScan { try context.ingestAndSync([git], quiet: json) }
            let repo = try RepositorySync(store: context.store, git: git).register()
            guard let record = try context.store.commits(repo: repo.id).first(where: { $0.sha == sha }) else {
                throw ValidationError("commit \(sha.prefix(8)) is not attributed: it predates every AI session in this repository, or was rewritten")
            }
            let lines = try context.store.commitLines(repo: repo.id, sha: sha)
            var files: [String: (ai: [String: Int], human: Int)] = [:]
            for line in lines {
                var entry = files[line.line.path] ?? ([:], 0)
                if let claim = line.claim, let session = line.sessionID {
                    entry.ai["\(claim.tool.rawValue):\(session)", default: 0] += 1
                } else {
                    entry.human += 1
                }
                files[line.line.path] = entry
            }
            if json {
                let document = ExplainDocument(sha: sha, record: record, files: files)
                print(try JSONOutput.render(document))
                return
            }
            print("commit \(sha)")
            print("author \(record.authorEmail)   AI lines \(record.aiLines)   human lines \(record.humanLines)"
                + (record.sourceLines > 0 ? "   copied from source commits \(record.sourceLines)" : ""))
            if let trailer = record.aiTrailer { print("AI trailer: \(trailer.rawValue)") }
            if record.isMerge { print("merge commit: adds no lines of its own") }
            for path in files.keys.sorted() {
                let entry = files[path]!
                print("\n  \(path)")
                for (session, count) in entry.ai.sorted(by: { $0.key < $1.key }) {
                    print("    \(Format.pad("\(count)", 5, right: true)) AI-written, session \(session)")
                }
                if entry.human > 0 { print("    \(Format.pad("\(entry.human)", 5, right: true)) human") }
            }
        }
    }
}

/// `aiusage explain --json`, schema `aiusage.explain/1`.
struct ExplainDocument: Encodable {
    var sha: String
    var record: CommitRecord
    var files: [String: (ai: [String: Int], human: Int)]

    enum Keys: String, CodingKey { case schema, sha, aiLines = "ai_lines", humanLines = "human_lines", files }
    enum FileKeys: String, CodingKey { case path, aiBySession = "ai_lines_by_session", humanLines = "human_lines" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("aiusage.explain/1", forKey: .schema)
        try container.encode(sha, forKey: .sha)
        try container.encode(record.aiLines, forKey: .aiLines)
        try container.encode(record.humanLines, forKey: .humanLines)
        var list = container.nestedUnkeyedContainer(forKey: .files)
        for path in files.keys.sorted() {
            var item = list.nestedContainer(keyedBy: FileKeys.self)
            try item.encode(path, forKey: .path)
            try item.encode(files[path]!.ai, forKey: .aiBySession)
            try item.encode(files[path]!.human, forKey: .humanLines)
        }
    }
}
