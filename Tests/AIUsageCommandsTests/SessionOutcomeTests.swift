import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageCommands

/// Issue 9: waste a person can act on. `aiusage sessions` says for each session what its
/// spend bought (outcome, branches, lines), `--outcome` lists one developer's sessions
/// costliest first, and session ids are accepted by unique prefix.
@Suite(.serialized) struct SessionOutcomeTests {
    static func sessions(_ document: [String: Any]) -> [[String: Any]] { document["sessions"] as? [[String: Any]] ?? [] }

    @Test func sessionsSayWhatTheirSpendBought() throws {
        let demo = try DemoFixture()
        let sessions = Self.sessions(try demo.json(["sessions", "--json"]))
        #expect(sessions.count == 6)
        for session in sessions {
            for key in [
                "outcome", "branches", "open_branches", "ai_lines_committed", "ai_lines_landed", "ai_lines_surviving", "ai_lines_pending",
            ] {
                #expect(session[key] != nil, "\(key)")
            }
        }
        // The PDF experiment: committed on a branch never merged.
        let pdf = try #require(sessions.first { $0["outcome"] as? String == "unmerged" })
        #expect(pdf["branches"] as? [String] == ["experiment/pdf"])
        #expect((pdf["ai_lines_committed"] as? Int ?? 0) > 0)
        #expect(pdf["ai_lines_landed"] as? Int == 0)
        #expect(sessions.filter { $0["outcome"] as? String == "landed" }.count == 5)
        // Landed 2 and 6 days ago: their lines are pending, not counted as gone.
        #expect(sessions.filter { ($0["ai_lines_pending"] as? Int ?? 0) > 0 }.count == 2)

        let table = try demo.run(["sessions"])
        #expect(table.status == 0)
        for title in ["COST", "WRITTEN", "COMMITTED", "LANDED", "SURVIVING", "OUTCOME"] {
            #expect(table.stdout.contains(title), "\(title)")
        }
        let id = try #require(pdf["id"] as? String)
        let line = try #require(table.stdout.split(separator: "\n").first { $0.contains(id.prefix(8)) })
        #expect(line.contains("unmerged"))
        #expect(table.stdout.contains("experiment/pdf"))
    }

    /// `--outcome discarded,unmerged --since 30d`: what the spend bought nothing, costliest
    /// first, of the developer's own sessions only (the repository's user.email).
    @Test func outcomeListsOneDevelopersWasteCostliestFirst() throws {
        let demo = try DemoFixture()
        let transcripts = TranscriptWriter(home: demo.world.home)
        let start = Int(demo.now.timeIntervalSince1970) - 3 * 86_400
        // Two sessions whose lines were never committed: discarded; the dearer one first.
        try transcripts.claudeWrite(
            session: "cheap-discard", cwd: demo.world.repo, at: start, file: demo.world.repo + "/src/draft.py", content: "draft = 1\n",
            input: 1_000)
        try transcripts.claudeWrite(
            session: "dear-discard", cwd: demo.world.repo, at: start + 60, file: demo.world.repo + "/src/other.py", content: "other = 2\n",
            input: 150_000)

        let document = try demo.json(["sessions", "--outcome", "discarded,unmerged", "--since", "60d", "--json"])
        let listed = Self.sessions(document)
        #expect(listed.compactMap { $0["outcome"] as? String } == ["discarded", "unmerged", "discarded"])
        #expect(listed.first?["id"] as? String == "dear-discard")
        #expect(listed.last?["id"] as? String == "cheap-discard")
        let costs = listed.compactMap { $0["cost_usd"] as? Double }
        #expect(costs == costs.sorted(by: >))
        #expect(listed.allSatisfy { $0["developer"] as? String == "ada@example.com" })

        // --since 30d leaves out the PDF experiment of 38 days ago.
        let recent = Self.sessions(try demo.json(["sessions", "--outcome", "discarded,unmerged", "--since", "30d", "--json"]))
        #expect(recent.compactMap { $0["id"] as? String } == ["dear-discard", "cheap-discard"])

        // Never a ranking across developers: landed sessions are Ada's and Ben's, the list
        // is Ada's alone unless --developer names Ben.
        let landed = Self.sessions(try demo.json(["sessions", "--outcome", "landed", "--json"]))
        #expect(!landed.isEmpty && landed.allSatisfy { $0["developer"] as? String == "ada@example.com" })
        let bens = Self.sessions(try demo.json(["sessions", "--outcome", "landed", "--developer", "Ben@Example.com", "--json"]))
        #expect(!bens.isEmpty && bens.allSatisfy { $0["developer"] as? String == "ben@example.com" })

        let table = try demo.run(["sessions", "--outcome", "discarded,unmerged", "--since", "30d"])
        // The title says the filter as given; the text is wrapped to the width.
        let words = table.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.hasPrefix("Sessions of ada@example.com with outcome unmerged or discarded, active since "))
        #expect(words.contains("costliest first"))
        #expect(table.stdout.contains("2 sessions, $"))
        #expect(table.stdout.contains("discarded"))
    }

    @Test func outcomeWithoutAnyUserEmailAsksForOne() throws {
        let demo = try DemoFixture()
        // Outside the repository and with no global user.email, there is no "own" data.
        let outside = try TemporaryDirectory()
        let result = try CLI.run(["sessions", "--outcome", "unmerged"], in: outside.path, environment: demo.environment())
        #expect(result.status != 0)
        #expect(result.stderr.contains("set git's user.email, or pass --developer EMAIL"), "\(result.stderr)")
    }

    @Test func sessionIDsAreAcceptedByUniquePrefix() throws {
        let demo = try DemoFixture()
        let transcripts = TranscriptWriter(home: demo.world.home)
        let start = Int(demo.now.timeIntervalSince1970) - 86_400
        try transcripts.claudeUsage(session: "abc-one", cwd: demo.world.repo, at: start, input: 10, output: 10)
        try transcripts.claudeUsage(session: "abc-two", cwd: demo.world.repo, at: start + 60, input: 10, output: 10)
        let pdf = try #require(Self.sessions(try demo.json(["sessions", "--json"])).first { $0["outcome"] as? String == "unmerged" })
        let id = try #require(pdf["id"] as? String)

        let detail = try demo.run(["sessions", String(id.prefix(6))])
        #expect(detail.status == 0, "\(detail.stderr)")
        #expect(detail.stdout.hasPrefix("claude-code session \(id)\n"))
        #expect(detail.stdout.contains("unmerged: its commits are only on experiment/pdf"))
        #expect(detail.stdout.contains("COMMIT"))
        // `tool:prefix`, and JSON of the one session.
        let one = Self.sessions(try demo.json(["sessions", "claude-code:" + id.prefix(6), "--json"]))
        #expect(one.count == 1 && one.first?["id"] as? String == id)

        let ambiguous = try demo.run(["sessions", "abc"])
        ErrorLineTests.expectOneLineError(
            ambiguous, containing: "'abc' is the start of 2 session ids: claude-code:abc-one, claude-code:abc-two")
        let exact = try demo.run(["sessions", "abc-one"])
        #expect(exact.stdout.hasPrefix("claude-code session abc-one\n"))
        ErrorLineTests.expectOneLineError(try demo.run(["sessions", "zzz"]), containing: "no session id starts with 'zzz'")
        ErrorLineTests.expectOneLineError(
            try demo.run(["sessions", "abc-one", "--outcome", "landed"]), containing: "a session id shows that one session")
    }

    @Test func theTableShowsIDPrefixesThatCanBeTypedBack() {
        #expect(SessionLookup.uniquePrefixLength(["aaaaaaaa1111", "bbbbbbbb"]) == 8)
        #expect(SessionLookup.uniquePrefixLength(["abcdefgh1", "abcdefgh2", "x"]) == 9)
        #expect(SessionLookup.uniquePrefixLength(["ses_abcdefgh", "ses_abcdXYZ"]) == 9)
        #expect(SessionLookup.uniquePrefixLength(["abc", "abcdefghijk"]) == 8)
    }
}
