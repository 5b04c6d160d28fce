import Foundation

/// Writes a `git fast-import` stream of a long, branchy history, deterministic from a
/// seed: direct commits on `main`, short feature branches landed by merge commit,
/// squash, rebase or fast-forward (some abandoned), and long-lived side branches that
/// take `main` in now and then and are merged back. Each branch owns the files it
/// touches while it is open, so every landing is clean and a rebased commit keeps its
/// patch-id, as on a real repository where a pull request is rebased without conflict.
///
/// It records, for the last `recordLast` commits, the lines each non-merge commit
/// added (per file, with the line above them and the file before), so that sessions
/// can be written that made those edits.
final class HistoryGenerator {
    struct Settings {
        var commits: Int
        var seed: UInt64
        /// Author time of the last commit, roughly (seconds since 1970).
        var endSeconds: Int64
        var secondsPerCommit: Double
        var longLivedBranches: Int
        var recordLast: Int
        var developers = 40
        /// Files of the first commit; generated when empty.
        var initialFiles: [(path: String, lines: [String])] = []
        var initialFileCount = 300
    }

    /// Lines a commit added to one file.
    struct Hunk {
        var path: String
        var anchor: String?
        var added: [String]
        var before: [String]
        var created: Bool
    }

    struct Commit {
        var mark: Int
        var seconds: Int64
        var author: Int
        var hunks: [Hunk]
    }

    struct Result {
        var recorded: [Commit] = []
        var counts: [String: Int] = [:]
        /// Feature branches landed or abandoned long ago: deleted after the import.
        var refsToDelete: [String] = []
        var longLivedBranches: [String] = []
        var lastSeconds: Int64 = 0
    }

    private struct FeatureCommit {
        var mark: Int
        var author: Int
        var seconds: Int64
        var message: String
        var files: [(String, Int)]
    }

    private final class Feature {
        let number: Int
        let ref: String
        let baseMark: Int
        let target: Int
        let author: Int
        var owned: [String]
        var overlay: [String: [String]] = [:]
        var blobs: [String: Int] = [:]
        var commits: [FeatureCommit] = []

        init(number: Int, ref: String, baseMark: Int, target: Int, author: Int, owned: [String]) {
            self.number = number
            self.ref = ref
            self.baseMark = baseMark
            self.target = target
            self.author = author
            self.owned = owned
        }
    }

    private final class LongLived {
        let name: String
        let directory: String
        var started = false
        var tip = 0
        var files: [String: [String]] = [:]
        var blobs: [String: Int] = [:]
        var dirtySinceMerge = Set<String>()
        var mainChangesSinceSync = Set<String>()
        var nextMerge = Int.max
        var nextSync = Int.max
        init(name: String, directory: String) {
            self.name = name
            self.directory = directory
        }
    }

    let settings: Settings
    private var random: SeededRandom
    private let out: BufferedFile
    private var files: [String: [String]] = [:]
    private var paths: [String] = []
    private var owned = Set<String>()
    private var open: [Feature] = []
    private var longLived: [LongLived] = []
    private var mark = 0
    private var mainTip = 0
    private var made = 0
    /// Mark of the commit being written, and its text until `endCommit`.
    private var commit = 0
    private var commitText = ""
    /// Blob marks of the files of `main`.
    private var mainBlobs: [String: Int] = [:]
    /// Commits that only a branch deleted at the end reaches (squash- or rebase-merged,
    /// abandoned): not counted, so that at least `commits` stay reachable.
    private var unreachable = 0
    private var clock: Int64
    private var result = Result()
    private var nextNumber = 1
    private var closedFeatures: [(ref: String, index: Int)] = []

    init(settings: Settings, output: BufferedFile) {
        self.settings = settings
        random = SeededRandom(seed: settings.seed)
        out = output
        // About 12 % more commits are made than stay reachable (deleted branches).
        clock = settings.endSeconds - Int64(Double(settings.commits) * 1.12 * settings.secondsPerCommit)
    }

    static let modules = [
        "api", "auth", "billing", "cli", "core", "db", "events", "export", "http", "ingest", "jobs", "mail", "metrics",
        "models", "notify", "parser", "payments", "queue", "report", "search", "server", "session", "storage", "sync", "ui",
        "util", "web", "worker",
    ]
    static let packages = ["api", "core", "impl", "io", "model", "tests", "util", "view"]
    static let extensions = ["swift", "ts", "py", "go", "rs"]

    func generate() throws -> Result {
        try initialCommit()
        for index in 0..<settings.longLivedBranches {
            let names = ["release/1.x", "next", "legacy-importer", "experimental/new-engine"]
            longLived.append(
                LongLived(name: names[index % names.count], directory: ["release-notes", "next", "legacy", "engine2"][index % 4]))
        }
        while made - unreachable < settings.commits {
            // Side-branch traffic on a fixed rhythm: merges back every ~700 commits,
            // `main` taken in every ~450.
            for (index, branch) in longLived.enumerated() where branch.started {
                let isLast = index == longLived.count - 1 && longLived.count > 1  // the last one never lands
                if made >= branch.nextMerge {
                    branch.nextMerge += 700
                    if !isLast, !branch.dirtySinceMerge.isEmpty { try mergeLongLived(branch) }
                }
                if made >= branch.nextSync {
                    branch.nextSync += 450
                    try syncLongLived(branch)
                }
            }
            let roll = random.unit()
            if roll < 0.06, open.count < 5 {
                try openFeature()
            } else if roll >= 0.06, roll < 0.38, !open.isEmpty {
                let feature = open[random.int(0...(open.count - 1))]
                try featureCommit(feature)
                if feature.commits.count >= feature.target { try land(feature) }
            } else if roll >= 0.38, roll < 0.41, !longLived.isEmpty {
                try longLivedCommit(longLived[random.int(0...(longLived.count - 1))])
            } else {
                try mainCommit()
            }
        }
        // Branches kept as a developer's machine keeps them: the open ones, the last 150
        // closed ones; older closed ones were deleted.
        for (ref, _) in closedFeatures.dropLast(150) { result.refsToDelete.append(ref) }
        out.s("reset refs/heads/main\nfrom :\(mainTip)\n\n")
        result.longLivedBranches = longLived.filter(\.started).map(\.name)
        result.lastSeconds = clock
        return result
    }

    // MARK: clock, people, text

    private func advance() -> Int64 {
        clock += Int64(max(1, settings.secondsPerCommit * (0.1 + 1.8 * random.unit())))
        return clock
    }

    static func developer(_ index: Int) -> (name: String, email: String) {
        index == 0 ? ("You Developer", "you@example.com") : ("Developer \(index)", "dev\(index)@example.com")
    }

    /// The machine's user writes about one commit in ten; the rest are colleagues.
    private func pickAuthor() -> Int {
        random.chance(0.1) ? 0 : random.int(1...(settings.developers - 1))
    }

    private func message() -> String {
        let verbs = ["Fix", "Add", "Refactor", "Update", "Remove", "Speed up", "Handle", "Document", "Test", "Rename"]
        return "\(random.pick(verbs)) \(random.pick(TextPool.identifiers)) \(random.pick(TextPool.words)) in \(random.pick(Self.modules))"
    }

    /// Starts a commit: its text is held in `commitText` while the blobs it needs are
    /// written ahead of it, and goes out at `endCommit`.
    private func header(ref: String, author: Int, authorSeconds: Int64, committer: Int? = nil, seconds: Int64, message: String) {
        mark += 1
        made += 1
        commit = mark
        let who = Self.developer(author)
        let by = Self.developer(committer ?? author)
        let text = message + (author == 0 && random.chance(0.3) ? "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n" : "\n")
        commitText =
            "commit \(ref)\nmark :\(mark)\nauthor \(who.name) <\(who.email)> \(authorSeconds) +0000\ncommitter \(by.name) <\(by.email)> \(seconds) +0000\ndata \(text.utf8.count)\n"
            + text
    }

    /// `from`/`merge` lines: right after the message, before the file changes.
    private func parent(_ kind: String, _ mark: Int) {
        commitText += "\(kind) :\(mark)\n"
    }

    /// A new blob for `path` in the current commit; returns its mark, so that later
    /// commits that carry the same content (merges, landings) name it instead of
    /// repeating it.
    @discardableResult
    private func put(_ path: String, _ lines: [String]) -> Int {
        let content = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        mark += 1
        out.s("blob\nmark :\(mark)\ndata \(content.utf8.count)\n")
        out.s(content)
        out.s("\n")
        commitText += "M 100644 :\(mark) \(path)\n"
        return mark
    }

    /// `path` with an existing blob.
    private func reuse(_ path: String, _ blob: Int) {
        commitText += "M 100644 :\(blob) \(path)\n"
    }

    private func endCommit() {
        out.s(commitText)
        out.s("\n")
        commitText = ""
    }

    private func newLines(_ count: Int) -> [String] {
        var depth = random.int(0...2)
        return (0..<count).map { _ in TextPool.codeLine(random: &random, depth: &depth) }
    }

    private func newPath(under directory: String? = nil) -> String {
        let name = "\(random.pick(TextPool.identifiers))_\(random.pick(TextPool.identifiers))\(random.int(1...9999))"
        let ext = random.pick(Self.extensions)
        if let directory { return "\(directory)/\(name).\(ext)" }
        // Two levels of small folders, as in a real tree: small tree objects keep the
        // import fast (each commit rewrites the trees above its files).
        return "src/\(random.pick(Self.modules))/\(random.pick(Self.packages))/\(name).\(ext)"
    }

    /// One change to a file: lines inserted, a line rewritten or lines deleted; long
    /// files also lose a block, so files stay short and the stream small.
    private func mutate(_ path: String, _ lines: inout [String]) -> Hunk? {
        if lines.count > 45 {
            let count = random.int(8...18)
            let start = random.int(0...(lines.count - count))
            lines.removeSubrange(start..<(start + count))
        }
        let before = lines
        let roll = random.unit()
        if roll < 0.62 || lines.count < 4 {
            let position = random.int(0...lines.count)
            let added = newLines(random.int(1...8))
            lines.insert(contentsOf: added, at: position)
            return Hunk(path: path, anchor: position > 0 ? before[position - 1] : nil, added: added, before: before, created: false)
        } else if roll < 0.88 {
            let position = random.int(0...(lines.count - 1))
            let added = newLines(1)
            lines[position] = added[0]
            return Hunk(path: path, anchor: position > 0 ? before[position - 1] : nil, added: added, before: before, created: false)
        } else {
            let count = min(lines.count - 1, random.int(1...4))
            let start = random.int(0...(lines.count - count))
            lines.removeSubrange(start..<(start + count))
            return nil
        }
    }

    private var recording: Bool { made - unreachable >= settings.commits - settings.recordLast }

    private func record(_ hunks: [Hunk], author: Int, seconds: Int64) {
        guard recording, !hunks.isEmpty else { return }
        result.recorded.append(Commit(mark: commit, seconds: seconds, author: author, hunks: hunks))
    }

    private func count(_ kind: String) { result.counts[kind, default: 0] += 1 }

    // MARK: commits

    private func initialCommit() throws {
        var initial = settings.initialFiles
        if initial.isEmpty {
            for _ in 0..<settings.initialFileCount { initial.append((newPath(), newLines(random.int(8...40)))) }
        }
        let seconds = advance()
        header(ref: "refs/heads/main", author: 1, authorSeconds: seconds, seconds: seconds, message: "Initial commit")
        for (path, lines) in initial where files[path] == nil {
            files[path] = lines
            paths.append(path)
            mainBlobs[path] = put(path, lines)
        }
        endCommit()
        mainTip = commit
        count("direct")
        try out.flushIfLarge()
    }

    /// A path of `main` that no open branch owns.
    private func freePath() -> String {
        while true {
            let path = paths[random.int(0...(paths.count - 1))]
            if !owned.contains(path) { return path }
        }
    }

    private func mainCommit() throws {
        let author = pickAuthor()
        let seconds = advance()
        header(ref: "refs/heads/main", author: author, authorSeconds: seconds, seconds: seconds, message: message())
        var hunks: [Hunk] = []
        var touched: [String] = []
        if random.chance(0.06) {
            let path = newPath()
            let lines = newLines(random.int(8...40))
            files[path] = lines
            paths.append(path)
            hunks.append(Hunk(path: path, anchor: nil, added: lines, before: [], created: true))
            touched.append(path)
        }
        for _ in 0..<random.int(1...2) {
            let path = freePath()
            if touched.contains(path) { continue }
            if let hunk = mutate(path, &files[path]!) { hunks.append(hunk) }
            touched.append(path)
        }
        for path in touched { mainBlobs[path] = put(path, files[path]!) }
        endCommit()
        mainTip = commit
        for branch in longLived { branch.mainChangesSinceSync.formUnion(touched) }
        record(hunks, author: author, seconds: seconds)
        count("direct")
        try out.flushIfLarge()
    }

    private func openFeature() throws {
        let number = nextNumber
        nextNumber += 1
        var ownedPaths: [String] = []
        for _ in 0..<random.int(1...3) {
            let path = freePath()
            if !ownedPaths.contains(path) { ownedPaths.append(path) }
        }
        if random.chance(0.3) { ownedPaths.append(newPath()) }
        owned.formUnion(ownedPaths)
        let author = pickAuthor()
        let slug = "\(random.pick(TextPool.identifiers))-\(random.pick(TextPool.words))"
        let feature = Feature(
            number: number, ref: "refs/heads/\(author == 0 ? "you" : "dev\(author)")/\(number)-\(slug)", baseMark: mainTip,
            target: random.int(1...6), author: author, owned: ownedPaths)
        open.append(feature)
        try featureCommit(feature)
    }

    private func featureCommit(_ feature: Feature) throws {
        let seconds = advance()
        let text = message()
        header(ref: feature.ref, author: feature.author, authorSeconds: seconds, seconds: seconds, message: text)
        if feature.commits.isEmpty { parent("from", feature.baseMark) }
        var hunks: [Hunk] = []
        var changed: [(String, Int)] = []
        var chosen = Set<String>()
        for _ in 0..<random.int(1...2) {
            let path = feature.owned[random.int(0...(feature.owned.count - 1))]
            if chosen.contains(path) { continue }
            chosen.insert(path)
            var lines = feature.overlay[path] ?? files[path] ?? []
            if lines.isEmpty {
                lines = newLines(random.int(8...40))
                hunks.append(Hunk(path: path, anchor: nil, added: lines, before: [], created: true))
            } else if let hunk = mutate(path, &lines) {
                hunks.append(hunk)
            }
            feature.overlay[path] = lines
            let blob = put(path, lines)
            feature.blobs[path] = blob
            changed.append((path, blob))
        }
        endCommit()
        feature.commits.append(FeatureCommit(mark: commit, author: feature.author, seconds: seconds, message: text, files: changed))
        record(hunks, author: feature.author, seconds: seconds)
        count("feature")
        try out.flushIfLarge()
    }

    private func land(_ feature: Feature) throws {
        open.removeAll { $0 === feature }
        owned.subtract(feature.owned)
        closedFeatures.append((feature.ref, made))
        let roll = random.unit()
        if roll >= 0.90 {
            count("abandoned branch")
            unreachable += feature.commits.count
            return
        }
        if roll >= 0.40 && roll < 0.78 { unreachable += feature.commits.count }  // squash or rebase: the originals
        let merger = random.int(1...(settings.developers - 1))
        let seconds = advance()
        if roll < 0.40 || (roll >= 0.78 && mainTip != feature.baseMark) {
            header(
                ref: "refs/heads/main", author: merger, authorSeconds: seconds, seconds: seconds,
                message: "Merge pull request #\(feature.number) from \(feature.ref.dropFirst("refs/heads/".count))")
            parent("merge", feature.commits.last!.mark)
            for (path, blob) in feature.blobs.sorted(by: { $0.key < $1.key }) { reuse(path, blob) }
            endCommit()
            count("merge commit")
        } else if roll < 0.60 {
            let author = feature.author
            let body = feature.commits.map { "* " + $0.message }.joined(separator: "\n")
            header(
                ref: "refs/heads/main", author: author, authorSeconds: seconds, committer: merger, seconds: seconds,
                message: "\(feature.commits[0].message) (#\(feature.number))\n\n\(body)")
            for (path, blob) in feature.blobs.sorted(by: { $0.key < $1.key }) { reuse(path, blob) }
            endCommit()
            count("squash merge")
        } else if roll < 0.78 {
            for commit in feature.commits {
                let replayed = advance()
                header(
                    ref: "refs/heads/main", author: commit.author, authorSeconds: commit.seconds, committer: merger, seconds: replayed,
                    message: commit.message)
                for (path, blob) in commit.files { reuse(path, blob) }
                endCommit()
                count("rebase-merged copy")
            }
        } else {
            // Fast-forward: main had not moved since the branch was cut.
            out.s("reset refs/heads/main\nfrom :\(feature.commits.last!.mark)\n\n")
            mainTip = feature.commits.last!.mark
            count("fast-forward")
            for (path, lines) in feature.overlay { setMain(path, lines, blob: feature.blobs[path]!) }
            return
        }
        mainTip = commit
        for (path, lines) in feature.overlay { setMain(path, lines, blob: feature.blobs[path]!) }
        try out.flushIfLarge()
    }

    private func setMain(_ path: String, _ lines: [String], blob: Int) {
        if files[path] == nil { paths.append(path) }
        files[path] = lines
        mainBlobs[path] = blob
        for branch in longLived { branch.mainChangesSinceSync.insert(path) }
    }

    private func longLivedCommit(_ branch: LongLived) throws {
        let author = pickAuthor()
        let seconds = advance()
        header(ref: "refs/heads/\(branch.name)", author: author, authorSeconds: seconds, seconds: seconds, message: message())
        if !branch.started {
            parent("from", mainTip)
            branch.started = true
            branch.mainChangesSinceSync.removeAll()
            branch.nextMerge = made + 700
            branch.nextSync = made + 450
        }
        var hunks: [Hunk] = []
        var path: String
        if branch.files.isEmpty || random.chance(0.1) {
            path = newPath(under: branch.directory)
            let lines = newLines(random.int(8...40))
            branch.files[path] = lines
            hunks.append(Hunk(path: path, anchor: nil, added: lines, before: [], created: true))
        } else {
            path = Array(branch.files.keys).sorted()[random.int(0...(branch.files.count - 1))]
            if let hunk = mutate(path, &branch.files[path]!) { hunks.append(hunk) }
        }
        branch.blobs[path] = put(path, branch.files[path]!)
        endCommit()
        branch.tip = commit
        branch.dirtySinceMerge.insert(path)
        record(hunks, author: author, seconds: seconds)
        count("long-lived branch")
        try out.flushIfLarge()
    }

    private func mergeLongLived(_ branch: LongLived) throws {
        let seconds = advance()
        header(
            ref: "refs/heads/main", author: random.int(1...(settings.developers - 1)), authorSeconds: seconds, seconds: seconds,
            message: "Merge branch '\(branch.name)'")
        parent("merge", branch.tip)
        for path in branch.dirtySinceMerge.sorted() { reuse(path, branch.blobs[path]!) }
        endCommit()
        mainTip = commit
        for path in branch.dirtySinceMerge {
            if files[path] == nil { paths.append(path); owned.insert(path) }  // main never edits a side branch's folder
            files[path] = branch.files[path]
            mainBlobs[path] = branch.blobs[path]
        }
        branch.dirtySinceMerge.removeAll()
        count("merge commit")
        try out.flushIfLarge()
    }

    private func syncLongLived(_ branch: LongLived) throws {
        guard !branch.mainChangesSinceSync.isEmpty else { return }
        let seconds = advance()
        header(
            ref: "refs/heads/\(branch.name)", author: random.int(1...(settings.developers - 1)), authorSeconds: seconds, seconds: seconds,
            message: "Merge branch 'main' into \(branch.name)")
        parent("merge", mainTip)
        for path in branch.mainChangesSinceSync.sorted() where !path.hasPrefix(branch.directory + "/") {
            if let blob = mainBlobs[path] { reuse(path, blob) }
        }
        endCommit()
        branch.tip = commit
        branch.mainChangesSinceSync.removeAll()
        count("merge commit")
        try out.flushIfLarge()
    }
}

extension BufferedFile {
    /// Flushes once the buffer is large (the history writer builds commits piecewise).
    func flushIfLarge() throws {
        if size - written >= 8 << 20 { try flush() }
    }
}
