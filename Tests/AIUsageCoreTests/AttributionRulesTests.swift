import Foundation
import Testing
@testable import AIUsageCore

/// PRODUCT.md's attribution rules, without a repository.
@Suite struct AttributionRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    func line(_ path: String, _ text: String) -> PathLine { PathLine(path: path, hash: LineIdentity.significantHash(text)!) }
    func ai(_ key: String, _ path: String, _ text: String, at offset: TimeInterval, session: String = "s") -> AIWrittenLine {
        AIWrittenLine(
            tool: .claudeCode, editKey: key, sessionID: session, timestamp: t0 + offset, path: path,
            hash: LineIdentity.significantHash(text)!)
    }

    @Test func poolClaimsEachLineOnceAndOnlyIfWrittenBefore() {
        var pool = LinePool(lines: [ai("e1", "a.py", "x = 1", at: 0), ai("e2", "a.py", "x = 1", at: 100)])
        #expect(pool.claim(line("a.py", "x = 1"), notAfter: t0 - 1) == nil)
        #expect(pool.claim(line("a.py", "x = 1"), notAfter: t0 + 50)?.editKey == "e1")
        #expect(pool.claim(line("a.py", "x = 1"), notAfter: t0 + 50) == nil)
        #expect(pool.claim(line("b.py", "x = 1"), notAfter: t0 + 500) == nil)
        #expect(pool.claim(line("a.py", "x = 1"), notAfter: t0 + 500)?.editKey == "e2")
    }

    @Test func poolPrefersTheMostRecentEditAndHonoursEarlierClaims() {
        let lines = [ai("e1", "a.py", "y", at: 0), ai("e2", "a.py", "y", at: 10)]
        var fresh = LinePool(lines: lines)
        #expect(fresh.claim(line("a.py", "y"), notAfter: t0 + 20)?.editKey == "e2")
        var claimed = LinePool(lines: lines, claimed: [lines[1].claimKey])
        #expect(claimed.claim(line("a.py", "y"), notAfter: t0 + 20)?.editKey == "e1")
        #expect(claimed.unclaimedCount == 0)
    }

    @Test func mergeCommitsAddNoLines() {
        var pool = LinePool(lines: [ai("e1", "a.py", "z", at: 0)])
        let merge = CommitDiff(
            sha: "m", commitTime: t0 + 10, isMerge: true, onDefaultBranch: true, patchID: nil, added: [line("a.py", "z")])
        let result = Attributor.attribute(merge, candidates: [], pool: &pool)
        #expect(result.aiLines.isEmpty && result.humanLines.isEmpty)
        #expect(pool.unclaimedCount == 1)
    }

    @Test func squashCountsOnlyWhatItsSourcesLacked() {
        var pool = LinePool(lines: [ai("e1", "a.py", "one", at: 0), ai("e2", "a.py", "extra", at: 0)])
        let source = SourceCandidate(
            sha: "src", commitTime: t0 + 5, patchID: "p1", added: [line("a.py", "one"), line("a.py", "two")], aiLines: [line("a.py", "one")]
        )
        let squash = CommitDiff(
            sha: "sq", commitTime: t0 + 10, isMerge: false, onDefaultBranch: true, patchID: "p2",
            added: [line("a.py", "one"), line("a.py", "two"), line("a.py", "extra"), line("a.py", "by hand")])
        let result = Attributor.attribute(squash, candidates: [source], pool: &pool)
        #expect(result.sources == [DetectedSource(sha: "src", how: .squash, landedAILines: 1)])
        #expect(result.sourceLineCount == 2)
        #expect(result.aiLines.map(\.editKey) == ["e2"])
        #expect(result.humanLines == [line("a.py", "by hand")])
    }

    @Test func lessThanHalfIsNotASquashButSamePatchIDIsACopy() {
        let source = SourceCandidate(
            sha: "src", commitTime: t0, patchID: "same", added: [line("a", "1"), line("a", "2"), line("a", "3")], aiLines: [])
        let partial = CommitDiff(
            sha: "d", commitTime: t0 + 1, isMerge: false, onDefaultBranch: true, patchID: "other", added: [line("a", "1")])
        #expect(SourceDetector.sources(of: partial, among: [source]).isEmpty)
        let copy = CommitDiff(sha: "c", commitTime: t0 + 1, isMerge: false, onDefaultBranch: true, patchID: "same", added: [])
        #expect(SourceDetector.sources(of: copy, among: [source]).first?.how == .patchID)
        let older = CommitDiff(sha: "o", commitTime: t0 - 1, isMerge: false, onDefaultBranch: true, patchID: "same", added: [])
        #expect(SourceDetector.sources(of: older, among: [source]).isEmpty)
        let offBranch = CommitDiff(sha: "b", commitTime: t0 + 1, isMerge: false, onDefaultBranch: false, patchID: "same", added: [])
        #expect(SourceDetector.sources(of: offBranch, among: [source]).isEmpty)
    }

    @Test func survivalIsAMultisetPerPath() {
        let landed = [line("a", "k"), line("a", "k"), line("a", "gone"), line("b", "moved")]
        let present: [String: [LineHash]] = ["a": [LineIdentity.significantHash("k")!], "b": []]
        #expect(Survival.surviving(landed) { present[$0] } == 1)
    }

    @Test(arguments: [
        ("fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>", "claude-code"),
        ("fix\n\nCo-authored-by: Codex <codex@openai.com>", "codex"),
        ("fix\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>", "aider"),
        ("fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>", "cursor"),
        ("fix\n\nCo-authored-by: Copilot <copilot@github.com>", "copilot"),
        ("fix\n\nCo-authored-by: Amp <amp@ampcode.com>", "amp"),
        ("fix\n\nCo-authored-by: opencode <noreply@opencode.ai>", "opencode"),
        ("fix\n\nCo-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>", "droid"),
    ])
    func aiTrailersAreRecognised(message: String, tool: String) {
        #expect(AITrailers.tool(in: message)?.rawValue == tool)
    }

    @Test func humanCoAuthorsAreNotAITrailers() {
        #expect(AITrailers.tool(in: "fix\n\nCo-authored-by: Claudette Smith <c@example.com>") == nil)
        #expect(AITrailers.tool(in: "mention claude in the body\n") == nil)
    }
}

@Suite struct PricingAndReportTests {
    @Test func ratiosFollowTheirDefinitionsAndAreNilWhenUndefined() {
        var row = ReportRow(key: [:])
        #expect(row.ratios == Ratios())
        row.aiLinesWritten = 200
        row.ai = LineCounts(committed: 150, landed: 100, surviving: 60, pending: 20, churned: 10)
        row.costUSD = 4
        row.wastedCostUSD = 1
        row.tokens = TokenCounts(input: 1_500_000, output: 500_000)
        row.landedAIAssistedCommits = 6
        row.windowDays = 14
        let ratios = row.ratios
        #expect(ratios.yield == 0.5)
        #expect(ratios.survival == 0.75)
        #expect(ratios.costPerLandedLineUSD == 0.04)
        #expect(ratios.landedLinesPerMillionTokens == 50)
        #expect(ratios.wasteShare == 0.25)
        #expect(ratios.landedAICommitsPerWeek == 3)
    }

    @Test func unpricedTokensAreKeptButNotCosted() {
        let calendar = ReportCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let builder = ReportBuilder(
            grouping: .model, calendar: calendar, windowStart: Date(timeIntervalSince1970: 0),
            windowEnd: Date(timeIntervalSince1970: 10_000))
        let session = SessionRef(tool: .codex, id: "x", primaryModel: "mystery")
        let usage = [
            UsageFact(
                session: session, timestamp: Date(timeIntervalSince1970: 5), model: "mystery", tokens: TokenCounts(input: 7), costUSD: nil,
                developer: "d", repo: "r"),
            UsageFact(
                session: session, timestamp: Date(timeIntervalSince1970: 6), model: "gpt-5", tokens: TokenCounts(input: 3), costUSD: 0.5,
                developer: "d", repo: "r"),
            UsageFact(
                session: session, timestamp: Date(timeIntervalSince1970: 20_000), model: "gpt-5", tokens: TokenCounts(input: 3), costUSD: 9,
                developer: "d", repo: "r"),
        ]
        let (rows, totals) = builder.build(usage: usage, edits: [], commits: [], sessionsWithLandedLines: [])
        #expect(rows.map { $0.key["model"] } == ["gpt-5", "mystery"])
        #expect(totals.unpricedTokens == 7)
        #expect(totals.costUSD == 0.5)
        #expect(totals.tokens.total == 10)
    }

    @Test func timeGroupsUseTheReportTimeZone() {
        let paris = ReportCalendar(timeZone: TimeZone(identifier: "Europe/Paris")!)
        let utc = ReportCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let lateEvening = Date(timeIntervalSince1970: 1_767_221_000)  // 2025-12-31T22:43:20Z
        #expect(utc.day(lateEvening) == "2025-12-31")
        #expect(paris.day(lateEvening) == "2025-12-31")
        let afterMidnightParis = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z = 01:00 Paris
        #expect(paris.day(afterMidnightParis.addingTimeInterval(-1800)) == "2026-01-01")
        #expect(utc.day(afterMidnightParis.addingTimeInterval(-1800)) == "2025-12-31")
        #expect(utc.week(afterMidnightParis) == "2025-12-29")
        #expect(utc.month(afterMidnightParis) == "2026-01")
    }
}

/// Aider names the commit that holds its edits (`> Commit <sha>`): that commit claims
/// them first, and an earlier commit adding the same line does not take them.
@Suite struct CommitHintTests {
    let line = PathLine(path: "app.py", hash: LineIdentity.significantHash("answer = 42")!)

    func written(_ key: String, at seconds: Double, hint: String?) -> AIWrittenLine {
        AIWrittenLine(
            tool: ToolKind(rawValue: "aider"), editKey: key, sessionID: "chat", timestamp: Date(timeIntervalSince1970: seconds),
            path: line.path, hash: line.hash, commitHint: hint)
    }

    @Test func theHintedCommitClaimsItsLinesFirst() {
        var pool = LinePool(lines: [written("e1", at: 10, hint: "abc1234"), written("e2", at: 20, hint: nil)])
        let claimed = pool.claim(line, notAfter: Date(timeIntervalSince1970: 100), commit: "abc1234ffff")
        #expect(claimed?.editKey == "e1")
    }

    @Test func anotherCommitTakesUnhintedLinesBeforeHintedOnes() {
        var pool = LinePool(lines: [written("e1", at: 20, hint: "abc1234"), written("e2", at: 10, hint: nil)])
        #expect(pool.claim(line, notAfter: Date(timeIntervalSince1970: 100), commit: "def5678aaaa")?.editKey == "e2")
        // With nothing else left, a hinted line still goes (its commit may have been rewritten).
        #expect(pool.claim(line, notAfter: Date(timeIntervalSince1970: 100), commit: "def5678aaaa")?.editKey == "e1")
    }
}
