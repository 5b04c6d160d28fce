import Foundation
import Testing
import _AIUsageTestSupport

/// The hook path (commits recorded as they are made) and the backfill path (history
/// read later) must give the same attribution.
@Suite(.serialized) struct HookAndBackfillTests {
    @Test func hookAndBackfillGiveIdenticalCommitsJSON() throws {
        let fixture = try GitFixture()
        let transcripts = TranscriptWriter(home: fixture.home)
        let hookStore = try TemporaryDirectory(prefix: "aiusage-hook-store")
        let backfillStore = try TemporaryDirectory(prefix: "aiusage-backfill-store")
        let hookEnv = CLI.environment(home: fixture.home, store: hookStore.path, extra: ["AIUSAGE_HOOK_SYNC": "1"])
        let install = try CLI.run(["install"], in: fixture.root, environment: hookEnv)
        #expect(install.status == 0, "\(install.stderr)")
        let gitEnv = ["AIUSAGE_HOME": hookStore.path, "AIUSAGE_HOOK_SYNC": "1", "AIUSAGE_HOOKS_DIR": CLI.packageRoot + "/hooks"]
        func commit(_ message: String, _ files: [String: String]) throws {
            for (name, text) in files { try fixture.write(name, text) }
            try fixture.git("add", "-A")
            try fixture.run(["commit", "-q", "-m", message], environment: gitEnv)
            fixture.clock += 60
        }
        let root = fixture.root
        try commit("base", ["README.md": "readme\n"])
        try transcripts.claudeWrite(session: "s1", cwd: root, at: fixture.clock, file: root + "/a.py", content: "a = 1\nb = 2\n")
        fixture.clock += 60
        try commit("a", ["a.py": "a = 1\nb = 2\nc = 3\n"])
        // Amend: post-commit, then post-rewrite with the mapping on stdin.
        try transcripts.claudeEdit(session: "s1", cwd: root, at: fixture.clock, file: root + "/a.py", old: "c = 3", new: "c = 4\nd = 5")
        fixture.clock += 60
        try fixture.write("a.py", "a = 1\nb = 2\nc = 4\nd = 5\n")
        try fixture.git("add", "-A")
        try fixture.run(["commit", "-q", "--amend", "-m", "a, amended"], environment: gitEnv)
        fixture.clock += 60
        // A feature branch merged with a merge commit.
        try fixture.run(["checkout", "-q", "-b", "feature"], environment: gitEnv)
        try transcripts.claudeWrite(
            session: "s2", cwd: root, at: fixture.clock, file: root + "/f.py", content: "def f():\n    return 'f'\n")
        fixture.clock += 60
        try commit("feature", ["f.py": "def f():\n    return 'f'\n"])
        try fixture.run(["checkout", "-q", "main"], environment: gitEnv)
        try fixture.run(["merge", "-q", "--no-ff", "feature", "-m", "merge feature"], environment: gitEnv)
        fixture.clock += 60
        // A branch never merged.
        try fixture.run(["checkout", "-q", "-b", "spike"], environment: gitEnv)
        try transcripts.claudeWrite(session: "s3", cwd: root, at: fixture.clock, file: root + "/spike.py", content: "spike = True\n")
        fixture.clock += 60
        try commit("spike", ["spike.py": "spike = True\n"])
        try fixture.run(["checkout", "-q", "main"], environment: gitEnv)

        let viaHook = try CLI.run(["commits", "--json", "--no-scan"], in: root, environment: hookEnv)
        #expect(viaHook.status == 0, "\(viaHook.stderr)")
        let backfillEnv = CLI.environment(home: fixture.home, store: backfillStore.path)
        let viaBackfill = try CLI.run(["commits", "--json"], in: root, environment: backfillEnv)
        #expect(viaBackfill.status == 0, "\(viaBackfill.stderr)")
        #expect(viaHook.stdout == viaBackfill.stdout)

        let document = try JSONSerialization.jsonObject(with: Data(viaHook.stdout.utf8)) as? [String: Any]
        let commits = try #require(document?["commits"] as? [[String: Any]])
        #expect(commits.count == 5)  // base, amended a, feature, merge, spike
        let amended = try #require(commits.first { ($0["ai_lines"] as? Int) == 4 })
        #expect(amended["human_lines"] as? Int == 0)
        #expect((amended["landed"] as? [String: Any])?["how"] as? String == "ancestor")
        let spike = try #require(commits.first { ($0["sessions"] as? [String]) == ["claude-code:s3"] })
        #expect(spike["landed"] is NSNull)
    }

    @Test func commitsInTwoRepositoriesAtTheSameMomentAreBothRecorded() throws {
        let first = try GitFixture()
        let second = try GitFixture()
        let store = try TemporaryDirectory(prefix: "aiusage-shared-store")
        for fixture in [first, second] {
            let transcripts = TranscriptWriter(home: first.home)
            try transcripts.claudeWrite(
                session: "s-\(fixture.root.hashValue)", cwd: fixture.root, at: fixture.clock, file: fixture.root + "/x.py",
                content: "x = 1\n")
            fixture.clock += 60
            let env = CLI.environment(home: first.home, store: store.path)
            let install = try CLI.run(["install"], in: fixture.root, environment: env)
            #expect(install.status == 0, "\(install.stderr)")
            try fixture.write("x.py", "x = 1\n")
            try fixture.git("add", "-A")
        }
        let gitEnv = ["AIUSAGE_HOME": store.path, "AIUSAGE_HOOK_SYNC": "1", "HOME": first.home]
        let errors = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let fixture = index == 0 ? first : second
            do { try fixture.run(["commit", "-q", "-m", "same moment"], environment: gitEnv) } catch { errors.add(error) }
        }
        #expect(errors.isEmpty)
        for fixture in [first, second] {
            let result = try CLI.run(
                ["commits", "--json", "--no-scan"], in: fixture.root, environment: CLI.environment(home: first.home, store: store.path))
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let commits = try #require(document?["commits"] as? [[String: Any]])
            #expect(commits.count == 1)
            #expect(commits.first?["ai_lines"] as? Int == 1)
        }
    }
}

final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    var isEmpty: Bool { lock.withLock { errors.isEmpty } }
    func add(_ error: Error) { lock.withLock { errors.append(error) } }
}
