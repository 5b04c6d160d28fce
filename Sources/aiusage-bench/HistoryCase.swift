import Foundation

/// The long-history case: a generated repository of `commits` commits (cached under the
/// bench folder, keyed by size and seed) and Claude Code sessions whose Edit/Write calls
/// added the lines of about 150 of the last 2,000 commits, each written before its
/// commit, in a fake HOME whose only sessions they are.
struct HistoryCase {
    let root: String
    let commits: Int
    let seed: UInt64

    static let format = "v5"
    var directory: String { root + "/history-\(commits)-\(seed)-\(Self.format)" }
    var repo: String { directory + "/repo" }
    var home: String { directory + "/home" }
    private var marker: String { directory + "/.bench-history" }

    struct Info {
        var firstSessionMilliseconds: Int64
        var sessions: Int
        var matchedCommits: Int
        var sessionBytes: Int64
        var counts: String
        var seconds: Double
        var reused: Bool
    }

    /// The repository and sessions, generated unless a finished copy is there.
    func prepare(log: (String) -> Void) throws -> Info {
        if let text = try? String(contentsOfFile: marker, encoding: .utf8), let info = Self.parse(text) {
            return info
        }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let started = Clock.now()
        let end = CorpusClock.endMilliseconds / 1000 - 86_400
        let settings = HistoryGenerator.Settings(
            commits: commits, seed: seed ^ 0x4157_0000, endSeconds: end, secondsPerCommit: 1_260, longLivedBranches: 3,
            recordLast: 2_000)
        log("history: generating \(commits) commits with git fast-import …")
        let result = try RepositoryMaker.create(at: repo, settings: settings, scratch: directory, log: log)
        log(String(format: "history: repository ready in %.1f s; writing sessions …", Clock.now() - started))

        // About 150 commits of this machine's user among the last 2,000, spread evenly.
        let mine = result.recorded.filter { $0.author == 0 && $0.hunks.contains { $0.added.contains(where: Self.significant) } }
        let stride = max(1.0, Double(mine.count) / 150)
        var targets: [HistoryGenerator.Commit] = []
        var position = 0.0
        while Int(position) < mine.count && targets.count < 150 {
            targets.append(mine[Int(position)])
            position += stride
        }
        targets.sort { $0.seconds < $1.seconds }

        var random = SeededRandom(seed: seed ^ 0x5E55_1045)
        let pool = TextPool(random: &random, fileCount: 48, fileBytes: (200, 12_000), shellBytes: (100, 6_000))
        var sessions = 0
        var bytes: Int64 = 0
        var first = Int64.max
        var index = 0
        while index < targets.count {
            // A session covers commits made within a few hours of each other, up to eight.
            var end = index + 1
            while end < targets.count, end - index < 8, targets[end].seconds - targets[end - 1].seconds < 4 * 3_600 { end += 1 }
            var edits: [ScriptedEdit] = []
            for commit in targets[index..<end] {
                let at = commit.seconds * 1000 - Int64(random.int(180_000...2_400_000))
                for hunk in commit.hunks {
                    edits.append(
                        ScriptedEdit(
                            path: repo + "/" + hunk.path, anchor: hunk.anchor, added: hunk.added, before: hunk.before,
                            created: hunk.created, milliseconds: max(at, edits.last?.milliseconds ?? 0)))
                }
            }
            let start = edits[0].milliseconds - Int64(random.int(600_000...3_600_000))
            first = min(first, start)
            var writer = ClaudeSessionWriter(pool: pool, seed: random.next(), cwd: repo, startMilliseconds: start)
            let path = home + "/.claude/projects/" + ClaudeSessionWriter.projectFolder(for: repo) + "/\(writer.sessionId).jsonl"
            let file = try BufferedFile(path: path)
            try writer.write(to: file, edits: edits)
            try file.close()
            bytes += file.written
            sessions += 1
            index = end
        }
        let counts = result.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let info = Info(
            firstSessionMilliseconds: first, sessions: sessions, matchedCommits: targets.count, sessionBytes: bytes, counts: counts,
            seconds: Clock.now() - started, reused: false)
        let text = """
            first_session_ms=\(info.firstSessionMilliseconds)
            sessions=\(info.sessions)
            matched_commits=\(info.matchedCommits)
            session_bytes=\(info.sessionBytes)
            counts=\(info.counts)
            seconds=\(info.seconds)

            """
        try text.write(toFile: marker, atomically: true, encoding: .utf8)
        return info
    }

    /// A line with a letter or digit (PRODUCT.md's significant line).
    static func significant(_ line: String) -> Bool {
        line.unicodeScalars.contains { $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    private static func parse(_ text: String) -> Info? {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let first = values["first_session_ms"].flatMap({ Int64($0) }), let sessions = values["sessions"].flatMap({ Int($0) }),
            let matched = values["matched_commits"].flatMap({ Int($0) }), let bytes = values["session_bytes"].flatMap({ Int64($0) })
        else { return nil }
        return Info(
            firstSessionMilliseconds: first, sessions: sessions, matchedCommits: matched, sessionBytes: bytes,
            counts: values["counts"] ?? "", seconds: values["seconds"].flatMap(Double.init) ?? 0, reused: true)
    }

    /// `git log --since` of a day before the first session, in a form git reads exactly.
    func since(_ info: Info) -> String {
        let text = ISOTime.string(milliseconds: info.firstSessionMilliseconds - 86_400_000)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " +0000"
    }
}

/// The fixed "now" of the generated data, so that every run sees the same corpus.
enum CorpusClock {
    /// 2026-11-20T00:00:00Z.
    static let endMilliseconds: Int64 = 1_795_132_800_000
}
