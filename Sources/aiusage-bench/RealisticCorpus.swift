import Foundation

/// A heavy user's disk: ~1 GiB of Claude Code and Codex sessions in about 3,000 files of
/// 30 KB to 5 MB (many small, few large), ~130 billed requests per MB, in 12 project
/// folders that exist on disk as they would on a real machine: seven git repositories
/// with a generated history, four plain folders, one that was deleted since. Codex
/// rollouts idle for more than 7 days (since the user moved to Codex ≥ 0.137, 60 days
/// before the corpus's end) are compressed as `rollout-*.jsonl.zst` with the zstd CLI,
/// the original `.jsonl` deleted, as Codex does; `--no-zst` keeps them plain.
struct RealisticCorpus {
    let home: String
    let seed: UInt64
    let totalBytes: Int64
    let compress: Bool

    static let format = "v4"

    /// The project folders: name, kind, weight (share of the sessions).
    enum Kind: String { case repository, plain, deleted }
    static let projects: [(name: String, kind: Kind, weight: Double)] = [
        ("webapp", .repository, 22), ("api-server", .repository, 16), ("mobile-app", .repository, 11),
        ("infra", .repository, 8), ("data-pipeline", .repository, 7), ("payments", .repository, 5),
        ("design-system", .repository, 4), ("scratch", .plain, 9), ("notes", .plain, 4), ("ml-experiments", .plain, 6),
        ("downloads-analysis", .plain, 3), ("old-prototype", .deleted, 5),
    ]

    struct Stats {
        var requests = 0
        var sessions = 0
        var repositories = 0
        var repositoryCommits = 0
        /// Transcript bytes as written, before compression: what the size target counts.
        var writtenBytes: Int64 = 0
    }

    func projectPath(_ name: String) -> String { home + "/src/" + name }

    /// Generates the corpus unless one of the same parameters is there; returns what is on
    /// disk and the requests and projects written (from the marker when reused).
    func generate(log: (String) -> Void) throws -> (CorpusInfo, Stats) {
        let marker = home + "/.bench-corpus"
        let signature = "realistic seed=\(seed) bytes=\(totalBytes) zst=\(compress) \(Self.format)"
        if let text = try? String(contentsOfFile: marker, encoding: .utf8), text.hasPrefix(signature + "\n") {
            var stats = Stats()
            for line in text.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: "=")
                guard parts.count == 2, let value = Int(parts[1]) else { continue }
                switch parts[0] {
                case "requests": stats.requests = value
                case "sessions": stats.sessions = value
                case "repositories": stats.repositories = value
                case "repository_commits": stats.repositoryCommits = value
                case "written_bytes": stats.writtenBytes = Int64(value)
                default: break
                }
            }
            return (CorpusInfo.describe(home: home, seconds: 0, reused: true), stats)
        }
        try? FileManager.default.removeItem(atPath: home)
        let started = Clock.now()
        var random = SeededRandom(seed: seed ^ 0x8EA1)
        let pool = TextPool(random: &random, fileCount: 160, fileBytes: (200, 8_000), shellBytes: (100, 4_000))
        var stats = Stats()

        // Project folders first: the sessions' working directories.
        for (index, project) in Self.projects.enumerated() {
            let path = projectPath(project.name)
            switch project.kind {
            case .repository:
                let commits = 300 + Int(project.weight) * 60
                let initial = pool.files.filter { _ in random.chance(0.5) }.map { ($0.path, $0.lines) }
                let settings = HistoryGenerator.Settings(
                    commits: commits, seed: seed ^ UInt64(index + 1) << 20, endSeconds: CorpusClock.endMilliseconds / 1000,
                    secondsPerCommit: 9_000, longLivedBranches: index % 3 == 0 ? 1 : 0, recordLast: 0, initialFiles: initial)
                _ = try RepositoryMaker.create(at: path, settings: settings, scratch: home + "/.bench-scratch")
                stats.repositories += 1
                stats.repositoryCommits += commits
            case .plain:
                try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
                for file in pool.files.prefix(5) {
                    try (file.lines.joined(separator: "\n") + "\n").write(
                        toFile: path + "/" + (file.path as NSString).lastPathComponent, atomically: false, encoding: .utf8)
                }
            case .deleted:
                break  // the sessions still name it; the folder is gone
            }
        }
        try? FileManager.default.removeItem(atPath: home + "/.bench-scratch")
        log(
            String(
                format: "realistic: %d project repositories (%d commits) in %.1f s; writing sessions …",
                stats.repositories, stats.repositoryCommits, Clock.now() - started))

        let totalWeight = Self.projects.map(\.weight).reduce(0, +)
        var claude: Int64 = 0
        var codex: Int64 = 0
        var toCompress: [String] = []
        let span: Int64 = 150 * 86_400_000
        let upgrade = CorpusClock.endMilliseconds - 60 * 86_400_000
        let idle = CorpusClock.endMilliseconds - 7 * 86_400_000
        while claude + codex < totalBytes {
            // Many small sessions, few large: 85 % of files 30–300 KB, 15 % 300 KB–5 MB.
            let size = random.chance(0.85) ? random.logUniform(30_000, 300_000) : random.logUniform(300_000, 5_000_000)
            let target = min(Int64(size), max(30_000, totalBytes - claude - codex))
            var pick = random.unit() * totalWeight
            var project = Self.projects[0]
            for candidate in Self.projects {
                pick -= candidate.weight
                if pick < 0 { project = candidate; break }
            }
            let cwd = projectPath(project.name)
            let start = CorpusClock.endMilliseconds - span + Int64(random.unit() * Double(span - 86_400_000))
            let fileSeed = random.next()
            if Double(claude) <= 0.6 * Double(claude + codex) {
                var writer = ClaudeSessionWriter(pool: pool, seed: fileSeed, cwd: cwd, startMilliseconds: start)
                let path = home + "/.claude/projects/" + ClaudeSessionWriter.projectFolder(for: cwd) + "/\(writer.sessionId).jsonl"
                let file = try BufferedFile(path: path)
                try writer.write(to: file, targetBytes: target)
                try file.close()
                claude += file.written
                stats.requests += writer.requests
            } else {
                var writer = CodexSessionWriter(pool: pool, seed: fileSeed, cwd: cwd, startMilliseconds: start)
                let file = try BufferedFile(path: home + "/.codex/sessions/.writing")
                try writer.write(to: file, targetBytes: target)
                try file.close()
                let path = home + "/.codex/sessions/" + writer.relativePath
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard rename(home + "/.codex/sessions/.writing", path) == 0 else {
                    throw BenchError.message("cannot move a rollout to \(path): \(String(cString: strerror(errno)))")
                }
                codex += file.written
                stats.requests += writer.requests
                if compress, writer.clock < idle, start >= upgrade { toCompress.append(path) }
            }
            stats.sessions += 1
        }
        if !toCompress.isEmpty {
            log("realistic: compressing \(toCompress.count) idle Codex rollouts with zstd …")
            try Self.compress(toCompress, scratch: home)
        }
        var text = signature + "\n"
        text +=
            "requests=\(stats.requests)\nsessions=\(stats.sessions)\nrepositories=\(stats.repositories)\nrepository_commits=\(stats.repositoryCommits)\nwritten_bytes=\(claude + codex)\n"
        try text.write(toFile: marker, atomically: true, encoding: .utf8)
        stats.writtenBytes = claude + codex
        return (CorpusInfo.describe(home: home, seconds: Clock.now() - started, reused: false), stats)
    }

    /// `zstd -q --rm -3` in batches: writes `<file>.zst`, deletes `<file>`.
    static func compress(_ paths: [String], scratch: String) throws {
        var index = 0
        while index < paths.count {
            let batch = Array(paths[index..<min(paths.count, index + 200)])
            let run = try Spawner.run(["zstd", "-q", "--rm", "-3"] + batch, SpawnOptions(stderr: nil))
            guard run.succeeded else {
                throw BenchError.message("zstd failed (status \(run.status)); install it (apt-get install zstd) or pass --no-zst")
            }
            index += batch.count
        }
    }
}
