import Foundation

/// A deterministic repository with the histories real teams have — merge commits, a
/// long-lived side branch that merges main back in, a squash merge, a rebase merge,
/// a cherry-pick, a branch that never lands, churn on main — and Claude Code and Codex
/// sessions whose edits match some of its commits. Commit dates come from the
/// fixture's clock (2024), so shas and every count are the same on each run.
///
/// Used to pin that rewrites of the engine (landing, the report from SQL) give the
/// same `commits --json` and report JSON as before.
public struct HistoryWorld {
    public let fixture: GitFixture
    public let store: TemporaryDirectory
    public let transcripts: TranscriptWriter
    /// A folder outside any repository, where one session worked.
    public let scratch: String

    public var root: String { fixture.root }

    public static func build() throws -> HistoryWorld {
        let fixture = try GitFixture()
        let store = try TemporaryDirectory(prefix: "aiusage-store")
        let transcripts = TranscriptWriter(home: fixture.home)
        let scratch = GitFixture.resolved(fixture.directory.path) + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let world = HistoryWorld(fixture: fixture, store: store, transcripts: transcripts, scratch: scratch)
        try world.populate()
        return world
    }

    private func tick(_ seconds: Int = 60) -> Int {
        fixture.clock += seconds
        return fixture.clock
    }

    private func populate() throws {
        let f = fixture
        let t = transcripts
        let root = f.root
        try f.commit("base", ["README.md": "readme\n", "app.py": "import os\n"])

        // 1. On main: session s1 writes app code, committed with one human line.
        try t.claudeWrite(
            session: "s1-main", cwd: root, at: tick(), file: root + "/app.py",
            content: "import os\n\ndef main():\n    return compute(40)\n\ndef compute(x):\n    return x + 2\n", input: 12_000, output: 900)
        _ = tick()
        try f.commit(
            "app: main and compute",
            [
                "app.py": "import os\n\ndef main():\n    return compute(40)\n\ndef compute(x):\n    return x + 2\n\nprint(main())\n"
            ])

        // 2. A long-lived side branch `develop`, branched early, merging main back in.
        try f.git("checkout", "-q", "-b", "develop")
        try t.claudeWrite(
            session: "s2-develop", cwd: root, at: tick(), file: root + "/dev/tools.py",
            content: "def tool_one():\n    return 'one'\n\ndef tool_two():\n    return 'two'\n", input: 8000, output: 600)
        _ = tick()
        try f.commit("dev: tools", ["dev/tools.py": "def tool_one():\n    return 'one'\n\ndef tool_two():\n    return 'two'\n"])
        try f.git("checkout", "-q", "main")
        try f.commit("main: docs", ["docs/guide.md": "# Guide\nUse the app.\n"])
        try f.git("checkout", "-q", "develop")
        try f.commitWith("merge", "-q", "--no-ff", "-m", "merge main into develop", "main")
        try t.claudeEdit(
            session: "s2-develop", cwd: root, at: tick(), file: root + "/dev/tools.py",
            old: "def tool_two():\n    return 'two'\n", new: "def tool_two():\n    return 'two'\n\ndef tool_three():\n    return 'three'\n",
            input: 9000, output: 300)
        _ = tick()
        try f.commit(
            "dev: tool three",
            [
                "dev/tools.py":
                    "def tool_one():\n    return 'one'\n\ndef tool_two():\n    return 'two'\n\ndef tool_three():\n    return 'three'\n"
            ])

        // 3. feature-a: two commits, merged into main with a merge commit.
        try f.git("checkout", "-q", "main")
        try f.git("checkout", "-q", "-b", "feature-a")
        try t.claudeWrite(
            session: "s3-feature-a", cwd: root, at: tick(), file: root + "/a.py",
            content: "class Alpha:\n    def run(self):\n        return 'alpha'\n", input: 5000, output: 400)
        _ = tick()
        try f.commit("a: Alpha", ["a.py": "class Alpha:\n    def run(self):\n        return 'alpha'\n"])
        try t.claudeEdit(
            session: "s3-feature-a", cwd: root, at: tick(), file: root + "/a.py",
            old: "        return 'alpha'\n", new: "        return 'alpha'\n\n    def stop(self):\n        return 'stopped'\n", input: 6000,
            output: 200)
        _ = tick()
        try f.commit(
            "a: stop",
            ["a.py": "class Alpha:\n    def run(self):\n        return 'alpha'\n\n    def stop(self):\n        return 'stopped'\n"])
        try f.git("checkout", "-q", "main")
        try f.commit("main: human fix", ["README.md": "readme\nmore words by hand\n"])
        try f.commitWith("merge", "-q", "--no-ff", "-m", "Merge feature-a", "feature-a")

        // 4. feature-b: Codex writes b.rs over two commits, squash-merged into main.
        try f.git("checkout", "-q", "-b", "feature-b")
        let codex = "019c0000-0000-7000-8000-0000000000b1"
        try t.codexStart(session: codex, cwd: root, at: tick())
        try t.codexAddFile(
            session: codex, at: tick(), file: "b.rs", lines: ["fn beta() -> u32 {", "    7", "}", "fn gamma() -> u32 { beta() + 1 }"])
        try t.codexTokens(session: codex, at: tick(), input: 20_000, cached: 12_000, output: 1500, reasoning: 300)
        _ = tick()
        try f.commit("b: beta", ["b.rs": "fn beta() -> u32 {\n    7\n}\n"])
        try f.commit("b: gamma", ["b.rs": "fn beta() -> u32 {\n    7\n}\nfn gamma() -> u32 { beta() + 1 }\n"])
        try f.git("checkout", "-q", "main")
        try f.git("merge", "-q", "--squash", "feature-b")
        try f.commit("Squashed feature-b (#2)")

        // 5. feature-c: two commits, landed by a rebase merge (cherry-picked copies).
        try f.git("checkout", "-q", "-b", "feature-c", "HEAD~1")
        try t.claudeWrite(
            session: "s4-feature-c", cwd: root, at: tick(), file: root + "/c.go",
            content: "package c\n\nfunc Charlie() int { return 3 }\n", input: 4000, output: 300)
        _ = tick()
        let c1 = try f.commit("c: Charlie", ["c.go": "package c\n\nfunc Charlie() int { return 3 }\n"])
        try t.claudeEdit(
            session: "s4-feature-c", cwd: root, at: tick(), file: root + "/c.go",
            old: "func Charlie() int { return 3 }\n", new: "func Charlie() int { return 3 }\nfunc Delta() int { return 4 }\n", input: 4500,
            output: 100)
        _ = tick()
        let c2 = try f.commit("c: Delta", ["c.go": "package c\n\nfunc Charlie() int { return 3 }\nfunc Delta() int { return 4 }\n"])
        try f.git("checkout", "-q", "main")
        try f.commitWith("cherry-pick", c1)
        try f.commitWith("cherry-pick", c2)

        // 6. feature-d: never merged.
        try f.git("checkout", "-q", "-b", "feature-d")
        try t.claudeWrite(
            session: "s5-unmerged", cwd: root, at: tick(), file: root + "/d.py",
            content: "def experiment():\n    return 'never shipped'\n", input: 30_000, output: 2000)
        _ = tick()
        try f.commit("d: experiment", ["d.py": "def experiment():\n    return 'never shipped'\n"])

        // 7. feature-e: one commit cherry-picked to main.
        try f.git("checkout", "-q", "main")
        try f.git("checkout", "-q", "-b", "feature-e")
        try t.claudeWrite(
            session: "s6-cherry", cwd: root, at: tick(), file: root + "/e.py",
            content: "ECHO = 'e'\nFOXTROT = 'f'\n", input: 3000, output: 150)
        _ = tick()
        let e1 = try f.commit("e: constants", ["e.py": "ECHO = 'e'\nFOXTROT = 'f'\n"])
        try f.git("checkout", "-q", "main")
        try f.commitWith("cherry-pick", e1)

        // 8. develop lands late, with a merge commit.
        try f.commitWith("merge", "-q", "--no-ff", "-m", "Merge develop", "develop")

        // 9. A session that only talks (no edits), one outside any repository, and a
        // session whose lines are thrown away (written, never committed).
        try t.claudeUsage(session: "s7-talk", cwd: root, at: tick(), input: 2500, output: 500, cacheWrite: 1000, cacheRead: 40_000)
        try t.claudeUsage(session: "s8-elsewhere", cwd: scratch, at: tick(), input: 7000, output: 700, model: "claude-opus-4-5-20251101")
        try t.claudeWrite(
            session: "s9-discarded", cwd: root, at: tick(), file: root + "/scratchpad.py",
            content: "def thrown_away():\n    return 0\n", input: 1000, output: 100)

        // 10. Churn: ten days later, part of the app code is rewritten by hand; 40 days
        // later more of it goes. A human commit by another developer.
        _ = tick(10 * 86_400)
        try f.commit(
            "app: rewrite compute by hand",
            [
                "app.py": "import os\n\ndef main():\n    return compute(40)\n\ndef compute(value):\n    return value + 2\n\nprint(main())\n"
            ])
        _ = tick(30 * 86_400)
        try f.git("config", "user.email", "other@example.com")
        try f.commit("other: notes", ["NOTES.md": "notes by another developer\nsecond line\n"])
        try f.git("config", "user.email", "dev@example.com")
        try f.commit("app: drop main", ["app.py": "import os\n\ndef compute(value):\n    return value + 2\n"])
    }

    /// The CLI environment for this world (fake home, private store, UTC).
    public var environment: [String: String] { CLI.environment(home: fixture.home, store: store.path) }

    /// End of the report window: fixed, so ratios per week do not depend on today.
    public static let until = "2024-04-01"
}
