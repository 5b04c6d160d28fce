import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageStore
import Foundation
import Testing
import _AIUsageTestSupport

/// The linking rules of PRODUCT.md on real repositories built in temporary folders.
@Suite struct AttributionScenarioTests {
    @Test func aiWrittenLinesAreMatchedAndTheRestIsHuman() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(
            session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/app.py", content: "def main():\n    return 42\n\n")
        h.tick()
        let sha = try h.fixture.commit("add app", ["app.py": "def main():\n    return 42\n\nprint(main())\n"])
        try h.sync()
        let view = try #require(h.commit(sha, in: try h.analysis()))
        #expect(view.aiLines == 2)
        #expect(view.humanLines == 1)
        #expect(view.sessions == ["claude-code:s1"])
        #expect(view.landedHow == .ancestor)
    }

    @Test func aSessionStartedInTheParentFolderBelongsToTheRepositoryItEdits() throws {
        let h = try PipelineHarness()
        let parent = URL(fileURLWithPath: h.root).deletingLastPathComponent().path
        try h.transcripts.claudeWrite(
            session: "up", cwd: parent, at: h.tick(), file: h.root + "/up.py", content: "from_parent = 1\n", input: 1_000_000, output: 0)
        h.tick()
        let sha = try h.fixture.commit("up", ["up.py": "from_parent = 1\n"])
        try h.sync()
        let analysis = try h.analysis()
        #expect(h.commit(sha, in: analysis)?.aiLines == 1)
        let session = try #require(analysis.sessions.first)
        #expect(session.id == "up")
        // One request with a 1M-token prompt: past Sonnet 4.5's 200k tier, $6 per million.
        #expect(session.costUSD == 6)
        #expect(session.aiLinesWritten == 1)
    }

    @Test func aLineTheDeveloperChangedBeforeCommittingCountsHuman() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(
            session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/config.py", content: "timeout = 30\nretries = 3\n")
        h.tick()
        let sha = try h.fixture.commit("config", ["config.py": "timeout = 60\nretries = 3\n"])
        try h.sync()
        let view = try #require(h.commit(sha, in: try h.analysis()))
        #expect(view.aiLines == 1)
        #expect(view.humanLines == 1)
    }

    @Test func linesWrittenAfterTheCommitDoNotCount() throws {
        let h = try PipelineHarness()
        let sha = try h.fixture.commit("first", ["a.txt": "alpha line\n"])
        try h.transcripts.claudeWrite(session: "late", cwd: h.root, at: h.tick(3600), file: h.root + "/a.txt", content: "alpha line\n")
        try h.sync()
        let view = try #require(h.commit(sha, in: try h.analysis()))
        #expect(view.aiLines == 0)
        #expect(view.humanLines == 1)
    }

    @Test func oneAIWrittenLineIsClaimedByOneCommitOnly() throws {
        let h = try PipelineHarness()
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/a.txt", content: "shared line\n")
        h.tick()
        let first = try h.fixture.commit("first", ["a.txt": "shared line\n"])
        let second = try h.fixture.commit("second", ["a.txt": "shared line\nshared line\n"])
        try h.sync()
        let analysis = try h.analysis()
        #expect(h.commit(first, in: analysis)?.aiLines == 1)
        #expect(h.commit(second, in: analysis)?.aiLines == 0)
        #expect(h.commit(second, in: analysis)?.humanLines == 1)
    }

    @Test func aSessionInALinkedWorktreeIsLinked() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        let worktree = GitFixture.resolved(h.fixture.directory.path) + "/feature-wt"
        try h.fixture.git("worktree", "add", "-q", "-b", "feature", worktree)
        try h.transcripts.claudeWrite(
            session: "wt", cwd: worktree, at: h.tick(), file: worktree + "/feature.swift", content: "let feature = true\nprint(feature)\n")
        h.tick()
        let sha = try h.fixture.commit("feature work", ["feature.swift": "let feature = true\nprint(feature)\n"], in: worktree)
        try h.sync(repoPath: worktree)
        let view = try #require(h.commit(sha, in: try h.analysis()))
        #expect(view.aiLines == 2)
        #expect(view.sessions == ["claude-code:wt"])
        #expect(view.landedHow == nil)
    }

    @Test func amendCarriesAttributionToTheNewCommit() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(
            session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/a.py", content: "x = compute()\ny = x * 2\n")
        h.tick()
        let old = try h.fixture.commit("wip", ["a.py": "x = compute()\ny = x * 2\n"])
        try h.sync()  // the hook saw the first version
        try h.fixture.write("a.py", "x = compute()\ny = x * 2\nz = y + 1\n")
        try h.fixture.git("add", "-A")
        let new = try h.fixture.commitWith("commit", "-q", "--amend", "-m", "final")
        // post-commit runs before post-rewrite: the new commit is synced first...
        try h.sync()
        // ...then the rewrite mapping arrives.
        let git = try GitRepository(discoveringFrom: h.root)
        let repo = try RepositorySync(store: h.store, git: git).register()
        try h.store.recordRewrites(repo: repo.id, pairs: [(old, new)])
        try h.sync()
        let analysis = try h.analysis()
        #expect(h.commit(old, in: analysis) == nil)
        let view = try #require(h.commit(new, in: analysis))
        #expect(view.aiLines == 2)
        #expect(view.humanLines == 1)
    }

    @Test func rebaseCarriesAttributionWithoutAHook() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.fixture.git("checkout", "-q", "-b", "feature")
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/f.py", content: "feature_flag = True\n")
        h.tick()
        try h.fixture.commit("feature", ["f.py": "feature_flag = True\n"])
        try h.fixture.git("checkout", "-q", "main")
        try h.fixture.commit("main moves", ["m.txt": "main change\n"])
        try h.fixture.git("checkout", "-q", "feature")
        let rebased = try h.fixture.commitWith("rebase", "-q", "main")
        try h.sync()
        let view = try #require(h.commit(rebased, in: try h.analysis()))
        #expect(view.aiLines == 1)
    }

    @Test func mergeCommitLandsItsBranchAsAncestorAndAddsNoLines() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.fixture.git("checkout", "-q", "-b", "feature")
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/f.py", content: "def f():\n    return 1\n")
        h.tick()
        let feature = try h.fixture.commit("feature", ["f.py": "def f():\n    return 1\n"])
        try h.sync()
        #expect(h.commit(feature, in: try h.analysis())?.landedHow == nil)
        try h.fixture.git("checkout", "-q", "main")
        let merge = try h.fixture.commitWith("merge", "-q", "--no-ff", "feature", "-m", "merge feature")
        try h.sync()
        let analysis = try h.analysis()
        let view = try #require(h.commit(feature, in: analysis))
        #expect(view.landedHow == .ancestor)
        #expect(view.landedInto == merge)
        #expect(view.landedAILines == 2)
        let mergeView = try #require(h.commit(merge, in: analysis))
        #expect(mergeView.aiLines == 0 && mergeView.humanLines == 0)
    }

    @Test func squashMergeLandsTheSourceAndCountsItsLinesOnce() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.fixture.git("checkout", "-q", "-b", "feature")
        try h.transcripts.claudeWrite(
            session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/s.py", content: "alpha = 1\nbeta = 2\ngamma = 3\n")
        h.tick()
        let source = try h.fixture.commit("feature", ["s.py": "alpha = 1\nbeta = 2\ngamma = 3\n"])
        let second = try h.fixture.commit("tests by hand", ["t.py": "assert alpha == 1\n"])
        try h.fixture.git("checkout", "-q", "main")
        try h.fixture.git("merge", "-q", "--squash", "feature")
        let squash = try h.fixture.commitWith("commit", "-q", "-m", "squashed feature")
        try h.sync()
        let analysis = try h.analysis()
        let view = try #require(h.commit(source, in: analysis))
        #expect(view.landedHow == .squash)
        #expect(view.landedInto == squash)
        #expect(view.landedAILines == 3)
        #expect(h.commit(second, in: analysis)?.landedHow == .squash)
        let squashView = try #require(h.commit(squash, in: analysis))
        #expect(squashView.aiLines == 0)
        #expect(squashView.humanLines == 0)
        // Lines are counted once per change.
        #expect(analysis.commits.reduce(0) { $0 + $1.aiLines } == 3)
        // README of the base commit and the hand-written test line, each once.
        #expect(analysis.commits.reduce(0) { $0 + $1.humanLines } == 2)
    }

    @Test func rebaseMergeByCherryPickLandsByPatchID() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.fixture.git("checkout", "-q", "-b", "feature")
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/p.py", content: "value = 10\n")
        h.tick()
        let source = try h.fixture.commit("feature", ["p.py": "value = 10\n"])
        try h.fixture.git("checkout", "-q", "main")
        try h.fixture.commit("main moves", ["m.txt": "other\n"])
        let picked = try h.fixture.commitWith("cherry-pick", source)
        try h.sync()
        let analysis = try h.analysis()
        let view = try #require(h.commit(source, in: analysis))
        #expect(view.landedHow == .patchID)
        #expect(view.landedInto == picked)
        #expect(view.landedAILines == 1)
        #expect(h.commit(picked, in: analysis)?.aiLines == 0)
    }

    @Test func aCopyOnAnUnpushedMainLandsItsSourceWhenPushed() throws {
        let h = try PipelineHarness()
        let base = try h.fixture.commit("base", ["README.md": "readme\n"])
        // The default branch is origin/main; local main is ahead of it until pushed.
        try h.fixture.git("update-ref", "refs/remotes/origin/main", base)
        try h.fixture.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
        try h.fixture.git("checkout", "-q", "-b", "feature")
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/p.py", content: "pushed = 1\n")
        h.tick()
        let source = try h.fixture.commit("feature", ["p.py": "pushed = 1\n"])
        try h.fixture.git("checkout", "-q", "main")
        let picked = try h.fixture.commitWith("cherry-pick", source)
        try h.sync()
        var analysis = try h.analysis()
        #expect(h.commit(source, in: analysis)?.landedHow == nil)
        #expect(h.commit(picked, in: analysis)?.aiLines == 0)
        try h.fixture.git("update-ref", "refs/remotes/origin/main", picked)  // the push
        try h.sync()
        analysis = try h.analysis()
        #expect(h.commit(source, in: analysis)?.landedHow == .patchID)
        #expect(h.commit(source, in: analysis)?.landedInto == picked)
        #expect(h.commit(picked, in: analysis)?.landedHow == .ancestor)
    }

    @Test func aBranchNeverMergedDoesNotLandAndItsCostIsWaste() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(
            session: "good", cwd: h.root, at: h.tick(), file: h.root + "/g.py", content: "good = True\n", input: 1_000_000, output: 0)
        h.tick()
        try h.fixture.commit("good", ["g.py": "good = True\n"])
        try h.fixture.git("checkout", "-q", "-b", "abandoned")
        try h.transcripts.claudeWrite(
            session: "lost", cwd: h.root, at: h.tick(), file: h.root + "/l.py", content: "lost = True\n", input: 1_000_000, output: 0)
        h.tick()
        let lost = try h.fixture.commit("abandoned", ["l.py": "lost = True\n"])
        try h.fixture.git("checkout", "-q", "main")
        try h.sync()
        let analysis = try h.analysis()
        #expect(h.commit(lost, in: analysis)?.landedHow == nil)
        let builder = ReportBuilder(
            grouping: .developer, calendar: ReportCalendar(timeZone: TimeZone(identifier: "UTC")!),
            windowStart: Date(timeIntervalSince1970: 0), windowEnd: Date())
        let report = builder.build(
            usage: analysis.usageFacts, edits: analysis.editFacts, commits: analysis.commitFacts,
            sessionsWithLandedLines: analysis.sessionsWithLandedLines)
        // Both sessions cost $6 (one 1M-token prompt of Sonnet 4.5, past its 200k tier:
        // $6 per million); only the lost one is waste.
        #expect(abs(report.totals.costUSD - 12) < 1e-9)
        #expect(report.totals.ratios.wasteShare == 0.5)
        #expect(report.totals.ai.landed == 1)
        #expect(report.totals.aiLinesWritten == 2)
        #expect(report.totals.ratios.yield == 0.5)
    }

    @Test func linesDeletedAfterLandingAreChurnedAndDoNotSurvive() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(
            session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/c.py", content: "keep_me = 1\ndrop_me = 2\n")
        h.tick()
        let sha = try h.fixture.commit("add", ["c.py": "keep_me = 1\ndrop_me = 2\n"])
        h.tick(5 * 86_400)
        try h.fixture.commit("drop a line", ["c.py": "keep_me = 1\n"])
        try h.sync()
        let landedAt = Date(timeIntervalSince1970: TimeInterval(h.now))
        // 40 days later: survival is measured at 30 days.
        let later = try h.analysis(now: landedAt.addingTimeInterval(40 * 86_400))
        let view = try #require(h.commit(sha, in: later))
        #expect(view.landedAILines == 2)
        #expect(view.survivingAILines == 1)
        #expect(view.churnedAILines == 1)
        #expect(view.pendingAILines == 0)
        // Two days after landing, survival is still pending.
        let early = try h.analysis(now: landedAt.addingTimeInterval(-5 * 86_400 + 2 * 86_400))
        #expect(h.commit(sha, in: early)?.pendingAILines == 2)
    }

    @Test func survivalFollowsRenames() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        let content = (1...12).map { "line_number_\($0) = \($0)" }.joined(separator: "\n") + "\n"
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/old.py", content: content)
        h.tick()
        let sha = try h.fixture.commit("add", ["old.py": content])
        h.tick(86_400)
        try h.fixture.git("mv", "old.py", "new.py")
        try h.fixture.commitWith("commit", "-q", "-m", "rename")
        try h.sync()
        let later = try h.analysis(now: Date(timeIntervalSince1970: TimeInterval(h.now + 60 * 86_400)))
        #expect(h.commit(sha, in: later)?.survivingAILines == 12)
    }

    @Test func aTrailerMarksACommitAIAssistedWithoutMatchedLines() throws {
        let h = try PipelineHarness()
        try h.transcripts.claudeUsage(session: "s1", cwd: h.root, at: h.tick(), input: 10, output: 10)
        h.tick()
        try h.fixture.write("t.txt", "typed by hand\n")
        try h.fixture.git("add", "-A")
        let sha = try h.fixture.commitWith("commit", "-q", "-m", "change\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
        try h.sync()
        let view = try #require(h.commit(sha, in: try h.analysis()))
        #expect(view.aiAssisted)
        #expect(view.aiTrailer == "claude-code")
        #expect(view.aiLines == 0)
        #expect(view.humanLines == 1)
    }

    @Test func codexPatchesAndTokensAreLinked() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.codexStart(session: "019c0000-0000-7000-8000-000000000001", cwd: h.root, at: h.tick())
        try h.transcripts.codexAddFile(
            session: "019c0000-0000-7000-8000-000000000001", at: h.tick(), file: "lib.rs", lines: ["pub fn lib() -> u8 {", "    7", "}"])
        try h.transcripts.codexTokens(
            session: "019c0000-0000-7000-8000-000000000001", at: h.tick(), input: 5000, cached: 4000, output: 300, reasoning: 100)
        try h.transcripts.codexTokens(
            session: "019c0000-0000-7000-8000-000000000001", at: h.tick(), input: 5000, cached: 4000, output: 300, reasoning: 100)
        h.tick()
        let sha = try h.fixture.commit("lib", ["lib.rs": "pub fn lib() -> u8 {\n    7\n}\n"])
        try h.sync()
        let analysis = try h.analysis()
        let view = try #require(h.commit(sha, in: analysis))
        #expect(view.aiLines == 2)
        #expect(view.sessions == ["codex:019c0000-0000-7000-8000-000000000001"])
        let session = try #require(analysis.sessions.first { $0.tool == .codex })
        // Repeated token_count counted once; input is uncached, cached is cache_read.
        #expect(session.tokens == TokenCounts(input: 1000, output: 300, cacheWrite: 0, cacheRead: 4000, reasoning: 100))
    }

    @Test func aCommitFetchedLateIsAttributedInOrder() throws {
        let h = try PipelineHarness()
        try h.fixture.commit("base", ["README.md": "readme\n"])
        try h.transcripts.claudeWrite(session: "s1", cwd: h.root, at: h.tick(), file: h.root + "/o.py", content: "ordered = 1\n")
        h.tick()
        // An earlier commit on another branch holds the line first...
        try h.fixture.git("checkout", "-q", "-b", "early")
        let early = try h.fixture.commit("early", ["o.py": "ordered = 1\n"])
        try h.fixture.git("checkout", "-q", "main")
        try h.fixture.git("branch", "-q", "-m", "early", "hidden")
        try h.fixture.git("update-ref", "-d", "refs/heads/hidden")
        let late = try h.fixture.commit("late", ["o.py": "ordered = 1\n"])
        try h.sync()
        #expect(h.commit(late, in: try h.analysis())?.aiLines == 1)
        // ...and shows up afterwards (as a fetch would bring it): order is redone.
        try h.fixture.git("update-ref", "refs/heads/early", early)
        let summary = try h.sync()
        #expect(summary.commitsRedone >= 1)
        let analysis = try h.analysis()
        #expect(h.commit(early, in: analysis)?.aiLines == 1)
        #expect(h.commit(late, in: analysis)?.aiLines == 0)
    }
}
