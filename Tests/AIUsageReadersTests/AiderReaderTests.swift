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

/// Reads a history and merges what the reader handed out the way the store does
/// (edits by key, the last version winning).
private func merged(_ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> MergedRead {
    var read = MergedRead()
    read.progress = try AiderReader(timeZone: utc).read(path: path, from: offset, state: state) { read.add($0) }
    return read
}

private func sessionEdits(_ read: MergedRead, _ start: String) -> [EditEvent] {
    read.edits.values.filter { $0.sessionID.hasSuffix(":" + start) }.sorted { $0.dedupKey < $1.dedupKey }
}

private func date(_ text: String) -> Date { Timestamps.parse(text)! }

/// One chat written the way Aider writes it, in a repository folder named `shop`.
private func write(_ body: String, in dir: TemporaryDirectory, crlf: Bool = false) throws -> String {
    let text = "# aider chat started at 2025-03-01 09:00:00\n\n" + body
    return try dir.write("shop/.aider.chat.history.md", crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text)
}

@Suite struct AiderReaderTests {
    // MARK: - The real sample (aider's own development history, v0.47–v0.52)

    @Test func sampleTokensCostAndSessionsByHand() throws {
        let read = try CollectedRead.read(AiderReader(timeZone: utc), history)
        // Computed with a python one-off over the sample (same rules):
        //   1133 "# aider chat started at" headers → 1133 sessions
        //   839 "> Tokens:" lines → 839 usage events
        //   sent total 7,607,932; cache write 109,595 and cache hit/cached 205,524 subtracted
        //   where sent ≥ their sum → input 7,432,035; received (output) 345,136
        //   699 lines carry "Cost: $x message|request" without "cache costs not …", and 122
        //   more put it on the next line (Aider wraps long usage lines): 821, $25.591341
        #expect(read.sessions.count == 1133)
        #expect(Set(read.usage.map(\.dedupKey)).count == 839)
        var byKey: [String: UsageEvent] = [:]
        for event in read.usage { byKey[event.dedupKey] = byKey[event.dedupKey].map { $0.recordedCostUSD == nil ? event : $0 } ?? event }
        #expect(
            byKey.values.reduce(TokenCounts.zero) { $0 + $1.tokens }
                == TokenCounts(input: 7_432_035, output: 345_136, cacheWrite: 109_595, cacheRead: 205_524))
        let costs = byKey.values.compactMap(\.recordedCostUSD)
        #expect(costs.count == 821)
        #expect(abs(costs.reduce(0, +) - 25.591341) < 1e-6)
        #expect(read.progress.linesSkipped == 0)
        #expect(read.observations.allSatisfy { $0.cwd == Samples.path("aider", "").dropLastSlash })
    }

    @Test func sampleFirstEditIsLinkedToItsCommitAndTimed() throws {
        let read = try merged(history)
        // Session "2024-08-05 19:33:32": one SEARCH/REPLACE block on aider/utils.py, applied,
        // then "> Commit fd43cd4 feat: Use the Spinner instead of the inlined custom spinner".
        let edits = sessionEdits(read, "2024-08-05 19:33:32")
        #expect(edits.count == 1)
        let edit = try #require(edits.first)
        #expect(edit.filePath == "aider/utils.py")
        #expect(edit.commitHint == "fd43cd4")
        #expect(
            edit.addedLines
                == significantHashes(
                    #"spinner = Spinner("Installing...")"#, "spinner.step()", "spinner.end()", #"print("Installation complete.")"#))
        // One user message and one request after the chat's start: not before the start,
        // not at the start, and before the next chat (20:39:59).
        #expect(edit.timestamp == date("2024-08-05T19:33:34Z"))
        let usage = try #require(read.usage.values.first { $0.sessionID.hasSuffix(":2024-08-05 19:33:32") })
        // "> Tokens: 5,244 sent, 604 received. Cost: $0.02 request, $0.02 session."
        #expect(usage.tokens == TokenCounts(input: 5244, output: 604))
        #expect(usage.recordedCostUSD == 0.02)
        #expect(usage.model == "claude-3-5-sonnet-20240620")
        #expect(usage.timestamp == date("2024-08-05T19:33:34Z"))
    }

    @Test func samplePartlyAppliedReplyCountsItsAppliedBlocks() throws {
        let read = try merged(history)
        // Session "2024-08-06 14:13:01" (Aider v0.48.0): four blocks on aider/repomap.py,
        // "# 1 SEARCH/REPLACE block failed to match!" echoes the fourth, "# The other 3
        // SEARCH/REPLACE blocks were applied successfully." No Applied line; the next reply's
        // "Committing aider/repomap.py before applying edits." / "Commit 4d6bb2b" holds them.
        let edits = sessionEdits(read, "2024-08-06 14:13:01")
        #expect(edits.count == 1)
        let edit = try #require(edits.first)
        #expect(edit.filePath == "aider/repomap.py")
        #expect(
            edit.addedLines
                == significantHashes("self.cache_threshold = 0.95", "if len(self.TAGS_CACHE) < self.cache_threshold * len(fnames):"))
        #expect(edit.commitHint == "4d6bb2b")
    }

    @Test func sampleReplyCutOffInsideABlockDoesNotSwallowTheNextMessage() throws {
        let read = try merged(history)
        // Session "2024-08-06 08:55:14": a reply stops inside a SEARCH block ("self."),
        // then "#### /clear  " and a new request whose blocks Aider applied and committed
        // as 9b2bcea ("feat: Add tests for --map-tokens option with gpt-4o model").
        let edits = sessionEdits(read, "2024-08-06 08:55:14").filter { $0.commitHint == "9b2bcea" }
        #expect(edits.count == 1)
        let added = Set(edits.flatMap(\.addedLines))
        #expect(added.isSuperset(of: significantHashes("MockRepoMap.assert_not_called()", "MockRepoMap.assert_called_once()")))
    }

    @Test func sampleCommitLinesLinkEditsAndBoundTheirTimes() throws {
        let read = try merged(history)
        let text = try String(contentsOfFile: history, encoding: .utf8)
        let shas = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("> Commit ") else { return nil }
                return AiderHistoryParser.commitSHA(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
            })
        #expect(shas.count == 667)
        let edits = Array(read.edits.values)
        let hinted = edits.filter { $0.commitHint != nil }
        // Every hint is one of the sample's "> Commit <sha>" lines, and almost every edit
        // has one (the rest were undone, interrupted or never committed by Aider).
        #expect(hinted.allSatisfy { shas.contains($0.commitHint!) })
        #expect(edits.count >= 400)
        #expect(Double(hinted.count) >= 0.9 * Double(edits.count))
        // Times: never before the chat's start, in the order of the chat's events.
        let starts = Dictionary(read.observations.map { ($0.sessionID, $0.timestamp) }, uniquingKeysWith: min)
        for (sessionID, events) in Dictionary(grouping: edits, by: \.sessionID) {
            let start = try #require(starts[sessionID])
            #expect(events.allSatisfy { $0.timestamp > start })
            let ordered = events.sorted { ($0.dedupKey.count, $0.dedupKey) < ($1.dedupKey.count, $1.dedupKey) }
            let applied = ordered.filter { $0.dedupKey.split(separator: ":").last!.hasPrefix("e") }
            #expect(zip(applied, applied.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        }
    }

    @Test func sampleWithWindowsLineEndsReadsTheSame() throws {
        let dir = try TemporaryDirectory()
        let text = try String(contentsOfFile: history, encoding: .utf8)
        let crlf = try dir.write("aider/aider-repo-tests-fixtures-chat-history.md", text.replacingOccurrences(of: "\n", with: "\r\n"))
        let lf = try dir.write("lf/aider-repo-tests-fixtures-chat-history.md", text)
        let windows = try merged(crlf)
        let unix = try merged(lf)
        let key = { (id: String) in String(id.split(separator: ":", maxSplits: 1)[1]) }
        #expect(windows.usage.count == unix.usage.count)
        #expect(
            Set(windows.usage.values.map { key($0.dedupKey) + "\($0.tokens)\($0.recordedCostUSD ?? -1)" })
                == Set(unix.usage.values.map { key($0.dedupKey) + "\($0.tokens)\($0.recordedCostUSD ?? -1)" }))
        #expect(windows.edits.count == unix.edits.count)
        let signature = { (edit: EditEvent) in
            "\(key(edit.dedupKey)) \(edit.filePath) \(edit.commitHint ?? "-") \(edit.timestamp) \(edit.addedLines)"
        }
        #expect(Set(windows.edits.values.map(signature)) == Set(unix.edits.values.map(signature)))
        #expect(unix.edits.values.reduce(0) { $0 + $1.addedLines.count } > 2000)
    }

    // MARK: - Records written from Aider's source (Aider-AI/aider, aider/coders/*)

    @Test func windowsPaths() throws {
        // editblock_coder.py takes the file name as the model wrote it; on Windows that is
        // `src\app\Program.cs`, and base_coder.py prints "Applied edit to {path}" with it.
        let dir = try TemporaryDirectory()
        let path = try write(
            #"""
            > Main model: gpt-4o with diff edit format  

            #### rename the app  

            src\app\Program.cs
            ```csharp
            <<<<<<< SEARCH
            var name = "old";
            =======
            var name = "new";
            >>>>>>> REPLACE
            ```

            C:\Users\dev\source\shop\src\Util\Strings.cs
            ```csharp
            <<<<<<< SEARCH
            =======
            static class Strings {}
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 50 received.  
            > Applied edit to src\app\Program.cs  
            > Applied edit to C:\Users\dev\source\shop\src\Util\Strings.cs  
            > Commit 0a1b2c3 feat: rename  

            """#, in: dir, crlf: true)
        let read = try merged(path)
        let edits = read.edits.values.sorted { $0.dedupKey < $1.dedupKey }
        #expect(edits.map(\.filePath) == ["src/app/Program.cs", "src/Util/Strings.cs"])
        #expect(edits.map(\.absolutePath) == [dir.path + "/shop/src/app/Program.cs", dir.path + "/shop/src/Util/Strings.cs"])
        #expect(edits.map(\.addedLines) == [significantHashes(#"var name = "new";"#), significantHashes("static class Strings {}")])
        #expect(edits.allSatisfy { $0.commitHint == "0a1b2c3" })
    }

    @Test func bracketedAndRoutePaths() throws {
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: claude-sonnet-4 with diff edit format  

            #### add the routes  

            src/pages/blog/[...slug].astro
            ```astro
            <<<<<<< SEARCH
            =======
            const { slug } = Astro.params;
            >>>>>>> REPLACE
            ```

            app/(auth)/login/page.tsx
            ```tsx
            <<<<<<< SEARCH
            =======
            export default function Login() {}
            >>>>>>> REPLACE
            ```

            src/routes/+page.svelte
            ```svelte
            <<<<<<< SEARCH
            =======
            <h1>Welcome</h1>
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 50 received.  
            > Applied edit to src/pages/blog/[...slug].astro  
            > Applied edit to app/(auth)/login/page.tsx  
            > Applied edit to src/routes/+page.svelte  

            """, in: dir)
        let read = try merged(path)
        #expect(
            Set(read.edits.values.map(\.filePath)) == [
                "src/pages/blog/[...slug].astro", "app/(auth)/login/page.tsx", "src/routes/+page.svelte",
            ])
        #expect(read.edits.values.allSatisfy { $0.addedLines.count == 1 })
        // Prose and code are still never taken for file names.
        #expect(AiderPaths.candidate("Here is the change:") == nil)
        #expect(AiderPaths.candidate("print(x.y)") == nil)
        #expect(AiderPaths.candidate("x = a.b") == nil)
        #expect(AiderPaths.candidate("**src/x.py**") == "src/x.py")
        #expect(AiderPaths.candidate("docs/My Notes.md") == "docs/My Notes.md")
        #expect(AiderPaths.candidate("my\\_module.py") == "my_module.py")
    }

    @Test func partlyAppliedReplyIsCommittedRightAway() throws {
        // Aider ≥ 0.50 (base_coder.py apply_updates returns the edited files after a
        // ValueError, and auto_commit commits them): no Applied line, a Commit line.
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: gpt-4o with diff edit format  

            #### two changes  

            lib/a.py
            ```python
            <<<<<<< SEARCH
            x = 1
            =======
            x = 2
            >>>>>>> REPLACE
            ```

            lib/b.py
            ```python
            <<<<<<< SEARCH
            y = 1
            =======
            y = 3
            >>>>>>> REPLACE
            ```

            > Tokens: 2k sent, 80 received.  
            > The LLM did not conform to the edit format.  
            > https://aider.chat/docs/troubleshooting/edit-errors.html  
            > # 1 SEARCH/REPLACE block failed to match!  
            >   
            > ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in lib/b.py  
            > <<<<<<< SEARCH  
            > y = 1  
            > =======  
            > y = 3  
            > >>>>>>> REPLACE  
            >   
            > The SEARCH section must exactly match an existing block of lines including all white space, comments, indentation, docstrings, etc  
            >   
            > # The other 1 SEARCH/REPLACE block were applied successfully.  
            > Don't re-send them.  
            > Just reply with fixed versions of the block above that failed to match.  
            > Commit 5e6f7a8 fix: change x  

            lib/b.py
            ```python
            <<<<<<< SEARCH
            y = 2
            =======
            y = 3
            >>>>>>> REPLACE
            ```

            > Tokens: 2k sent, 30 received.  
            > Applied edit to lib/b.py  
            > Commit 9a8b7c6 fix: change y  

            """, in: dir)
        let read = try merged(path)
        let edits = read.edits.values.sorted { $0.timestamp < $1.timestamp }
        try #require(edits.map(\.filePath) == ["lib/a.py", "lib/b.py"])
        #expect(edits.map(\.addedLines) == [significantHashes("x = 2"), significantHashes("y = 3")])
        #expect(edits.map(\.commitHint) == ["5e6f7a8", "9a8b7c6"])
        #expect(edits[0].timestamp < edits[1].timestamp)
        #expect(read.edits.keys.contains { $0.hasSuffix(":p0") })
    }

    @Test func wholeFileFormats() throws {
        // wholefile_prompts.py: "path/to/filename.js" on its own line, then a fence holding
        // the entire file; editor_whole_coder.py is the same format for architect mode.
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: gpt-4o-mini with whole edit format  

            #### write it  

            Here is the file:

            tool/run.py
            ```python
            import sys

            def run():
                return 1
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to tool/run.py  
            > Commit 1111111 feat: run  

            #### indent and extend  

            tool/run.py
            ```python
            import sys

            def run():
                    return 1
                return 2
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to tool/run.py  
            > Commit 2222222 feat: more  

            #### /architect  
            > Main model: claude-sonnet-4 with architect edit format  
            > Editor model: claude-sonnet-4 with editor-whole edit format  

            #### add a readme  

            Add a README with a title.

            > Tokens: 1k sent, 40 received.  

            #### Add a README with a title.  

            README.md
            ````
            # Tool
            ```
            run
            ```
            ````

            > Tokens: 1k sent, 20 received.  
            > Applied edit to README.md  
            > Commit 3333333 docs: readme  

            """, in: dir)
        let read = try merged(path)
        let edits = read.edits.values.sorted { $0.timestamp < $1.timestamp }
        try #require(edits.map(\.filePath) == ["tool/run.py", "tool/run.py", "README.md"])
        // The first listing of a file: every line is new. The second: only the re-indented
        // and the added line (the chat saw the file's whole text before).
        #expect(edits[0].addedLines == significantHashes("import sys", "def run():", "return 1"))
        #expect(edits[1].addedLines == significantHashes("return 1", "return 2"))
        // A four-backtick fence keeps the file's own ``` lines.
        #expect(edits[2].addedLines == significantHashes("# Tool", "run"))
        #expect(edits.map(\.commitHint) == ["1111111", "2222222", "3333333"])
    }

    @Test func fencedAndDiffFormats() throws {
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: gemini-2.5-pro with diff-fenced edit format  

            #### use math  

            ```python
            mathweb/flask/app.py
            <<<<<<< SEARCH
            from flask import Flask
            =======
            import math
            from flask import Flask
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to mathweb/flask/app.py  
            > Commit aaaaaaa feat: math  

            #### /model gpt-4-turbo  
            > Main model: gpt-4-turbo with udiff edit format  

            #### use sympy  

            ```diff
            --- mathweb/flask/app.py
            +++ mathweb/flask/app.py
            @@ ... @@
            -class MathWeb:
            +import sympy
            +
            +class MathWeb:
            @@ ... @@
            -        if is_prime(num):
            +        if sympy.isprime(num):
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to mathweb/flask/app.py  
            > Commit bbbbbbb feat: sympy  

            #### /model o3  
            > Main model: o3 with architect edit format  
            > Editor model: gpt-4.1 with editor-diff edit format  

            #### add a route  

            Add an /about route returning "about".

            > Tokens: 1k sent, 40 received.  

            #### Add an /about route returning "about".  

            mathweb/flask/app.py
            ```python
            <<<<<<< SEARCH
            =======
            @app.route("/about")
            def about():
                return "about"
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to mathweb/flask/app.py  
            > Commit ccccccc feat: about  

            #### /model gpt-4.1  
            > Main model: gpt-4.1 with patch edit format  

            #### return two  

            *** Begin Patch
            *** Update File: mathweb/flask/app.py
            @@ def about():
            -    return "about"
            +    return "about us"
            *** End Patch

            > Tokens: 1k sent, 40 received.  
            > Applied edit to mathweb/flask/app.py  
            > Commit ddddddd feat: about us  

            """, in: dir)
        let read = try merged(path)
        let edits = read.edits.values.sorted { $0.timestamp < $1.timestamp }
        #expect(edits.map(\.commitHint) == ["aaaaaaa", "bbbbbbb", "ccccccc", "ddddddd"])
        #expect(edits.allSatisfy { $0.filePath == "mathweb/flask/app.py" })
        #expect(
            edits.map(\.addedLines) == [
                significantHashes("import math"),
                significantHashes("import sympy", "if sympy.isprime(num):"),
                significantHashes(#"@app.route("/about")"#, "def about():", #"return "about""#),
                significantHashes(#"return "about us""#),
            ])
        #expect(read.progress.linesSkipped == 0)
    }

    @Test func failedUnifiedDiffHunkIsNotCounted() throws {
        // udiff_coder.py writes the hunks that apply, then raises with one
        // "UnifiedDiffNoMatch: hunk failed to apply!" per failed hunk.
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: gpt-4-turbo with udiff edit format  

            #### two hunks  

            ```diff
            --- src/x.py
            +++ src/x.py
            @@ ... @@
            -a = 1
            +a = 2
            @@ ... @@
            -b = 1
            +b = 2
            ```

            > Tokens: 1k sent, 40 received.  
            > The LLM did not conform to the edit format.  
            > https://aider.chat/docs/troubleshooting/edit-errors.html  
            > UnifiedDiffNoMatch: hunk failed to apply!  
            >   
            > src/x.py does not contain lines that match the diff you provided!  
            > Try again.  
            > DO NOT skip blank lines, comments, docstrings, etc!  
            > The diff needs to apply cleanly to the lines in src/x.py!  
            >   
            > src/x.py does not contain these 1 exact lines in a row:  
            > ```  
            > b = 1  
            > ```  
            > Commit 0f0f0f0 fix: a  

            """, in: dir)
        let read = try merged(path)
        #expect(read.edits.values.map(\.addedLines) == [significantHashes("a = 2")])
        #expect(read.edits.values.first?.commitHint == "0f0f0f0")
    }

    @Test func reindentedLineIsWrittenInEveryFormat() throws {
        let dir = try TemporaryDirectory()
        let path = try write(
            """
            > Main model: gpt-4o with diff edit format  

            #### indent  

            a.py
            ```python
            <<<<<<< SEARCH
            if x:
            call()
            =======
            if x:
                call()
            >>>>>>> REPLACE
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to a.py  

            #### /model gpt-4-turbo  
            > Main model: gpt-4-turbo with udiff edit format  

            #### indent  

            ```diff
            --- b.py
            +++ b.py
            @@ ... @@
             if y:
            -go()
            +    go()
            ```

            > Tokens: 1k sent, 40 received.  
            > Applied edit to b.py  

            """, in: dir)
        let read = try merged(path)
        let edits = read.edits.values.sorted { $0.filePath < $1.filePath }
        #expect(edits.map(\.addedLines) == [significantHashes("call()"), significantHashes("go()")])
        // (The whole format's re-indented line is in `wholeFileFormats`.)
    }

    // MARK: - Reading

    @Test func editsNeedTheirAppliedLine() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("repo/.aider.chat.history.md", session)
        let read = try merged(path)
        #expect(Set(read.observations.map(\.sessionID)).count == 1)
        #expect(read.edits.count == 1)  // notes.md was never applied
        let edit = try #require(read.edits.values.first)
        #expect(edit.filePath == "src/app.py")
        #expect(edit.absolutePath == dir.path + "/repo/src/app.py")
        // `print("hello")` plus the new function; `def main():` was already there.
        #expect(edit.addedLines == significantHashes(#"print("hello")"#, "def extra():", "return 1"))
        #expect(edit.commitHint == "1a2b3c4")
        let usage = try #require(read.usage.values.first)
        // 2.3k sent includes the 1.8k cache write → 500 uncached input.
        #expect(usage.tokens == TokenCounts(input: 500, output: 150, cacheWrite: 1800))
        #expect(usage.recordedCostUSD == 0.01)
        #expect(usage.model == "anthropic/claude-3-5-sonnet-20241022")
        #expect(usage.timestamp == date("2025-01-02T10:00:02Z"))
        // Local start times follow the reader's zone.
        var paris = MergedRead()
        _ = try AiderReader(timeZone: TimeZone(identifier: "Europe/Paris")!).read(path: path, from: 0, state: nil) { paris.add($0) }
        #expect(paris.usage.values.first?.timestamp == date("2025-01-02T09:00:02Z"))
        #expect(paris.usage.keys.first == usage.dedupKey)
    }

    @Test func tokenLineVariants() {
        func parse(_ text: String) -> (TokenCounts, Double?)? { AiderHistoryParser.usage(text) }
        #expect(
            parse("Tokens: 194 sent, 9,474 cache hit, 7 received. Cost: $0.00029 message, $0.00029 session.")?.0
                == TokenCounts(input: 194, output: 7, cacheRead: 9474))  // older: sent excluded the cache
        #expect(
            parse("Tokens: 11,055 sent, 10,984 cache hit, 30 received. Cost: $0.0040 message, $0.05 session.")?.0
                == TokenCounts(input: 71, output: 30, cacheRead: 10984))
        #expect(parse("Tokens: 1.2M sent, 3k received.")?.0 == TokenCounts(input: 1_200_000, output: 3000))
        #expect(parse("Tokens: 1.2M sent, 3k received.")?.1 == nil)
        #expect(parse("Tokens: 529 sent, 90 received, cache costs not included. Cost: $0.00024 message, $0.00024 session.")?.1 == nil)
        #expect(parse("Tokens: garbage") == nil)
        #expect(parse("Tokens: 99999999999999999999B sent, 1 received.") == nil)  // no trap on hostile counts
        #expect(AiderHistoryParser.model("Models: gpt-4o with diff edit format, weak model gpt-4o-mini") == "gpt-4o")
        #expect(
            AiderHistoryParser.model("Model: anthropic/claude-3-haiku-20240307⚡ with diff edit format")
                == "anthropic/claude-3-haiku-20240307")
        #expect(AiderHistoryParser.announcement("Model: claude-3-5-sonnet-20240620 with ♾️ diff edit format")?.editFormat == "diff")
        #expect(AiderHistoryParser.announcement("Editor model: gpt-4.1 with editor-whole edit format")?.isEditor == true)
        #expect(AiderHistoryParser.commitSHA("Commit 4d6bb2b fix: x") == "4d6bb2b")
        #expect(AiderHistoryParser.commitSHA("Commit message is empty") == nil)
    }

    @Test func incrementalReadsContinueTheOpenSession() throws {
        let dir = try TemporaryDirectory()
        let whole = try dir.write("whole/.aider.chat.history.md", session)
        let expected = try merged(whole)
        // Cut the same text in the middle of a block, then again in the middle of a line.
        let cut = session.range(of: "def main():\n    print")!.lowerBound
        let partial = "part/.aider.chat.history.md"
        let partialPath = try dir.write(partial, String(session[..<cut]) + "def ma")  // trailing bytes: no newline
        let first = try merged(partialPath)
        #expect(first.progress.trailingBytes == "def ma".utf8.count)
        #expect(first.edits.isEmpty)
        try dir.append(
            partial,
            Data(
                ("in():" + "\n" + String(session[cut...]).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1] + "\n")
                    .utf8))
        let second = try merged(partialPath, from: first.progress.offset, state: first.progress.state)
        let sessionKey = { (id: String) in String(id.split(separator: ":", maxSplits: 1)[1]) }
        #expect(Set((Array(first.usage.keys) + Array(second.usage.keys)).map(sessionKey)) == Set(expected.usage.keys.map(sessionKey)))
        #expect(second.edits.values.map(\.addedLines) == expected.edits.values.map(\.addedLines))
        #expect(second.edits.values.map(\.commitHint) == ["1a2b3c4"])
        // Nothing new → nothing handed out.
        let third = try merged(partialPath, from: second.progress.offset, state: second.progress.state)
        #expect(third.usage.isEmpty && third.edits.isEmpty && third.observations.isEmpty)
        // State never holds code text.
        let stateText = String(decoding: first.progress.state ?? Data(), as: UTF8.self)
        #expect(!stateText.contains("pass") && !stateText.contains("main"))
    }

    @Test func failureReportCutBetweenReadsStillCounts() throws {
        // The partial-apply sample excerpt, read in two goes cut inside Aider's report.
        let text = try String(contentsOfFile: history, encoding: .utf8)
        let start = text.range(of: "# aider chat started at 2024-08-06 14:13:01")!.lowerBound
        let end = text.range(of: "# aider chat started at 2024-08-06 14:17:56")!.lowerBound
        let excerpt = String(text[start..<end])
        let cut = excerpt.range(of: "> ## SearchReplaceNoExactMatch")!.upperBound
        let dir = try TemporaryDirectory()
        let path = try dir.write("aider/.aider.chat.history.md", String(excerpt[..<cut]))
        let first = try merged(path)
        try dir.append("aider/.aider.chat.history.md", Data(excerpt[cut...].utf8))
        let second = try merged(path, from: first.progress.offset, state: first.progress.state)
        let edits = Array(first.edits.values) + Array(second.edits.values)
        #expect(edits.count >= 1)
        let last = try #require(second.edits.values.first)
        #expect(last.commitHint == "4d6bb2b")
        #expect(last.addedLines.count == 2)
    }

    @Test func malformedAndEmptyAreCounted() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("e/.aider.chat.history.md", "")
        #expect(try CollectedRead.read(AiderReader(), empty).progress.linesRead == 0)
        let odd = try dir.write(
            "o/.aider.chat.history.md",
            """
            > Tokens: 5 sent, 1 received.
            # aider chat started at not-a-time
            > Tokens: 5 sent, 1 received.
            # aider chat started at 2025-01-02 10:00:00
            > Main model: future-model with navigator edit format
            > Tokens: lots sent
            > Applied edit to nowhere.py
            <<<<<<< SEARCH
            never closed
            > Tokens: 10 sent, 2 received.
            \u{FF}\u{FE}

            """)
        var drift: [FormatDrift: Int] = [:]
        let progress = try AiderReader(timeZone: utc).read(path: odd, from: 0, state: nil) { batch in
            drift.merge(batch.drift, uniquingKeysWith: +)
            #expect(batch.usage.allSatisfy { $0.tokens == TokenCounts(input: 10, output: 2) })
        }
        #expect(progress.linesSkipped == 2)  // bad header time, Tokens line without counts
        #expect(drift[FormatDrift(kind: .shape, name: "aider-line-outside-chat")] == 1)
        #expect(drift[FormatDrift(kind: .shape, name: "aider-chat-start-time")] == 1)
        #expect(drift[FormatDrift(kind: .shape, name: "aider-tokens-line")] == 1)
        #expect(drift[FormatDrift(kind: .shape, name: "aider-edit-format:navigator")] == 1)
        #expect(drift[FormatDrift(kind: .shape, name: "aider-applied-edit-without-block")] == 1)
    }

    @Test func discoveryUsesRepositoryRoots() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a/.aider.chat.history.md", "")
        try dir.write("b/other.md", "")
        try dir.write("b/logs/aider.md", "")
        try dir.write("abs.md", "")
        let reader = AiderReader()
        let roots = [dir.path + "/a", dir.path + "/b/", dir.path + "/missing"]
        #expect(
            reader.discoverFiles(in: ReaderEnvironment(home: dir.path, repositoryRoots: roots)) == [dir.path + "/a/.aider.chat.history.md"])
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
