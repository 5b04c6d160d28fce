import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private let history = Samples.path("aider", "aider-repo-tests-fixtures-chat-history.md")
private let utc = TimeZone(identifier: "UTC")!

/// A small history in Aider's own layout (output lines end in two spaces, as Aider writes them).
private let session = """
    # aider chat started at 2025-01-02 10:00:00

    > aider --model sonnet  
    > Main model: anthropic/claude-3-5-sonnet-20241022 with diff edit format, infinite output  
    > Weak model: anthropic/claude-3-5-haiku-20241022  

    #### add a greeting  

    src/app.py
    ```python
    <<<<<<< SEARCH
    def main():
        pass
    =======
    def main():
        print("hello")
    >>>>>>> REPLACE
    ```

    Also:

    ```python
    <<<<<<< SEARCH
    =======
    def extra():
        return 1
    >>>>>>> REPLACE
    ```

    notes.md
    ```
    <<<<<<< SEARCH
    =======
    never applied
    >>>>>>> REPLACE
    ```

    > Tokens: 2.3k sent, 1.8k cache write, 150 received. Cost: $0.01 message, $0.05 session.  
    > Applied edit to src/app.py  
    > Commit 1a2b3c4 feat: greet  

    """

@Suite struct AiderReaderTests {
    @Test func sampleTokensCostAndSessionsByHand() throws {
        let read = try CollectedRead.read(AiderReader(timeZone: utc), history)
        // Computed with a python one-off over the sample (same rules):
        //   1133 "# aider chat started at" headers → 1133 sessions
        //   839 "> Tokens:" lines → 839 usage events
        //   sent total 7,607,932; cache write 109,595 and cache hit/cached 205,524 subtracted
        //   where sent ≥ their sum → input 7,432,035; received (output) 345,136
        //   699 lines carry "Cost: $x message|request" without "cache costs not …": $21.724191
        #expect(read.sessions.count == 1133)
        #expect(read.usage.count == 839)
        #expect(read.tokens == TokenCounts(input: 7_432_035, output: 345_136, cacheWrite: 109_595, cacheRead: 205_524))
        let costs = read.usage.compactMap(\.recordedCostUSD)
        #expect(costs.count == 699)
        #expect(abs(costs.reduce(0, +) - 21.724191) < 1e-6)
        #expect(Set(read.usage.map(\.dedupKey)).count == 839)
        #expect(read.progress.linesSkipped == 0)
        #expect(read.observations.allSatisfy { $0.cwd == Samples.path("aider", "").dropLastSlash })
    }

    @Test func sampleFirstEditAndModel() throws {
        let read = try CollectedRead.read(AiderReader(timeZone: utc), history)
        // Session "2024-08-05 19:33:32": one SEARCH/REPLACE block on aider/utils.py, applied.
        let edits = read.edits.filter { $0.sessionID.hasSuffix(":2024-08-05 19:33:32") }
        #expect(edits.count == 1)
        #expect(edits.first?.filePath == "aider/utils.py")
        #expect(edits.first?.addedLines == significantHashes(#"spinner = Spinner("Installing...")"#, "spinner.step()", "spinner.end()", #"print("Installation complete.")"#))
        let usage = try #require(read.usage.first { $0.sessionID.hasSuffix(":2024-08-05 19:33:32") })
        // "> Tokens: 5,244 sent, 604 received. Cost: $0.02 request, $0.02 session."
        #expect(usage.tokens == TokenCounts(input: 5244, output: 604))
        #expect(usage.recordedCostUSD == 0.02)
        #expect(usage.model == "claude-3-5-sonnet-20240620")
        #expect(usage.timestamp == Timestamps.parse("2024-08-05T19:33:32Z"))
        // Every edit was confirmed by an Applied line (413 in the file); some Applied
        // lines follow whole-file listings or blocks outside the session and give none.
        #expect(read.edits.count > 300 && read.edits.count <= 413)
        #expect(read.edits.allSatisfy { !$0.filePath.isEmpty && !$0.filePath.contains(" ") })
    }

    @Test func editsNeedTheirAppliedLine() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("repo/.aider.chat.history.md", session)
        let read = try CollectedRead.read(AiderReader(timeZone: utc), path)
        #expect(read.sessions.count == 1)
        #expect(read.edits.count == 1)  // notes.md was never applied
        let edit = try #require(read.edits.first)
        #expect(edit.filePath == "src/app.py")
        #expect(edit.absolutePath == dir.path + "/repo/src/app.py")
        #expect(edit.addedLines == significantHashes(#"print("hello")"#, "def extra():", "return 1"))
        let usage = try #require(read.usage.first)
        // 2.3k sent includes the 1.8k cache write → 500 uncached input.
        #expect(usage.tokens == TokenCounts(input: 500, output: 150, cacheWrite: 1800))
        #expect(usage.recordedCostUSD == 0.01)
        #expect(usage.model == "anthropic/claude-3-5-sonnet-20241022")
        #expect(usage.timestamp == Timestamps.parse("2025-01-02T10:00:00Z"))
        // Local start times follow the reader's zone.
        let paris = try CollectedRead.read(AiderReader(timeZone: TimeZone(identifier: "Europe/Paris")!), path)
        #expect(paris.usage.first?.timestamp == Timestamps.parse("2025-01-02T09:00:00Z"))
        #expect(paris.usage.first?.dedupKey == usage.dedupKey)
    }

    @Test func tokenLineVariants() {
        func parse(_ text: String) -> (TokenCounts, Double?)? { AiderHistoryParser.usage(text) }
        #expect(parse("Tokens: 194 sent, 9,474 cache hit, 7 received. Cost: $0.00029 message, $0.00029 session.")?.0
            == TokenCounts(input: 194, output: 7, cacheRead: 9474))  // older: sent excluded the cache
        #expect(parse("Tokens: 11,055 sent, 10,984 cache hit, 30 received. Cost: $0.0040 message, $0.05 session.")?.0
            == TokenCounts(input: 71, output: 30, cacheRead: 10984))
        #expect(parse("Tokens: 1.2M sent, 3k received.")?.0 == TokenCounts(input: 1_200_000, output: 3000))
        #expect(parse("Tokens: 1.2M sent, 3k received.")?.1 == nil)
        #expect(parse("Tokens: 529 sent, 90 received, cache costs not included. Cost: $0.00024 message, $0.00024 session.")?.1 == nil)
        #expect(parse("Tokens: garbage") == nil)
        #expect(AiderHistoryParser.model("Models: gpt-4o with diff edit format, weak model gpt-4o-mini") == "gpt-4o")
        #expect(AiderHistoryParser.model("Model: anthropic/claude-3-haiku-20240307⚡ with diff edit format") == "anthropic/claude-3-haiku-20240307")
    }

    @Test func incrementalReadsContinueTheOpenSession() throws {
        let dir = try TemporaryDirectory()
        let whole = try dir.write("whole/.aider.chat.history.md", session)
        let expected = try CollectedRead.read(AiderReader(timeZone: utc), whole)
        // Split the same text at every "SEARCH" line boundary and in the middle of a block.
        let cut = session.range(of: "def main():\n    print")!.lowerBound
        let partial = "part/.aider.chat.history.md"
        let partialPath = try dir.write(partial, String(session[..<cut]) + "def ma")  // trailing bytes: no newline
        let first = try CollectedRead.read(AiderReader(timeZone: utc), partialPath)
        #expect(first.progress.trailingBytes == "def ma".utf8.count)
        try dir.append(partial, Data(("in():" + "\n" + String(session[cut...]).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1] + "\n").utf8))
        let second = try CollectedRead.read(AiderReader(timeZone: utc), partialPath, from: first.progress.offset, state: first.progress.state)
        let sessionKey = { (id: String) in String(id.split(separator: ":", maxSplits: 1)[1]) }
        #expect((first.usage + second.usage).map { sessionKey($0.dedupKey) } == expected.usage.map { sessionKey($0.dedupKey) })
        #expect((first.edits + second.edits).map(\.addedLines) == expected.edits.map(\.addedLines))
        #expect(second.edits.count == 1 && first.edits.isEmpty)
        // Nothing new → nothing handed out.
        let third = try CollectedRead.read(AiderReader(timeZone: utc), partialPath, from: second.progress.offset, state: second.progress.state)
        #expect(third.usage.isEmpty && third.edits.isEmpty && third.observations.isEmpty)
        // State never holds code text.
        let stateText = String(decoding: first.progress.state ?? Data(), as: UTF8.self)
        #expect(!stateText.contains("pass") && !stateText.contains("main"))
    }

    @Test func malformedAndEmpty() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("e/.aider.chat.history.md", "")
        #expect(try CollectedRead.read(AiderReader(), empty).progress.linesRead == 0)
        let odd = try dir.write("o/.aider.chat.history.md", """
            > Tokens: 5 sent, 1 received.
            # aider chat started at not-a-time
            > Tokens: 5 sent, 1 received.
            # aider chat started at 2025-01-02 10:00:00
            > Tokens: lots sent
            <<<<<<< SEARCH
            never closed
            > Tokens: 10 sent, 2 received.
            \u{FF}\u{FE}

            """)
        let read = try CollectedRead.read(AiderReader(timeZone: utc), odd)
        #expect(read.usage.map(\.tokens) == [TokenCounts(input: 10, output: 2)])
        #expect(read.progress.linesSkipped == 2)  // bad header time, Tokens line without counts
    }

    @Test func discoveryUsesRepositoryRoots() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a/.aider.chat.history.md", "")
        try dir.write("b/other.md", "")
        try dir.write("b/logs/aider.md", "")
        try dir.write("abs.md", "")
        let reader = AiderReader()
        let roots = [dir.path + "/a", dir.path + "/b/", dir.path + "/missing"]
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path, repositoryRoots: roots)) == [dir.path + "/a/.aider.chat.history.md"])
        let relative = ReaderEnvironment(home: dir.path, variables: ["AIDER_CHAT_HISTORY_FILE": "logs/aider.md"], repositoryRoots: roots)
        #expect(reader.discoverFiles(in: relative) == [dir.path + "/a/.aider.chat.history.md", dir.path + "/b/logs/aider.md"])
        let absolute = ReaderEnvironment(home: dir.path, variables: ["AIDER_CHAT_HISTORY_FILE": "~/abs.md"], repositoryRoots: [])
        #expect(reader.discoverFiles(in: absolute) == [dir.path + "/abs.md"])
        #expect(reader.searchRoots(in: ReaderEnvironment(home: "/h", repositoryRoots: ["/r/"])) == ["/r"])
        #expect(reader.fileKind == .appendOnly)
    }
}

extension String {
    fileprivate var dropLastSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
