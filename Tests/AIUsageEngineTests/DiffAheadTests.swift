import AIUsageGit
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageEngine

/// Issue 8: a first sync's diffs are made ahead on other threads, each with its own
/// handle on the repository. What the attribution gets must be exactly what it would
/// have diffed itself, in order, whatever the threads' timing: merges are not diffed,
/// and a commit git cannot read fails at its own place only.
@Suite struct DiffAheadTests {
    /// A history of `count` commits made by `git fast-import` in one process: files
    /// edited, added, renamed and deleted along the way.
    static func history(_ count: Int) throws -> (GitFixture, [String]) {
        let fixture = try GitFixture()
        var stream = ""
        func data(_ text: String) -> String { "data \(text.utf8.count)\n\(text)\n" }
        for number in 1...count {
            stream += "commit refs/heads/main\nmark :\(number)\n"
            stream += "committer Dev <dev@example.com> \(1_704_067_200 + number * 60) +0000\n"
            stream += data("commit \(number)")
            if number > 1 { stream += "from :\(number - 1)\n" }
            let lines = (0..<(number % 7 + 1)).map { "let value\($0) = \(number * 31 + $0)" }.joined(separator: "\n")
            stream += "M 100644 inline src/file\(number % 5).swift\n" + data(lines + "\n")
            if number.isMultiple(of: 9) { stream += "M 100644 inline notes/n\(number).md\n" + data("note \(number)\nmore\n") }
            if number.isMultiple(of: 13), number > 13 { stream += "D notes/n\(number - 4).md\n" }
            if number.isMultiple(of: 17) { stream += "R src/file\(number % 5).swift src/moved\(number).swift\n" }
        }
        let input = fixture.directory.path + "/stream"
        try stream.write(toFile: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "git fast-import --quiet < '\(input)'"]
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": fixture.home, "GIT_CONFIG_NOSYSTEM": "1",
        ]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let shas = try fixture.git("rev-list", "--reverse", "main").split(separator: "\n").map(String.init)
        return (fixture, shas)
    }

    @Test func diffsMadeAheadAreTheDiffsInOrder() throws {
        let (fixture, shas) = try Self.history(150)
        #expect(shas.count == 150)
        let git = try GitRepository(discoveringFrom: fixture.root)
        let expected = try shas.map { try git.changes(of: $0) }
        // Every seventh commit stands for a merge (not diffed); one sha is not in the
        // repository at all.
        let missing = String(repeating: "1", count: 40)
        var list: [String?] = shas.enumerated().map { $0.offset.isMultiple(of: 7) ? nil : $0.element }
        list[100] = missing
        for workers in [1, 3] {
            let ahead = DiffAhead(shas: list, local: git, workers: workers, window: 8) {
                try GitRepository(discoveringFrom: fixture.root)
            }
            defer { ahead.stop() }
            for index in list.indices {
                if index == 100 {
                    #expect(throws: GitError.self) { try ahead.changes(at: index) }
                    continue
                }
                let changes = try ahead.changes(at: index)
                if list[index] == nil {
                    #expect(changes == CommitChanges(files: [], patchID: nil), "commit \(index) is not diffed")
                } else {
                    #expect(changes == expected[index], "commit \(index), \(workers) worker(s)")
                }
            }
        }
    }

    /// The owner may stop before taking every diff (an attribution that failed): the
    /// workers end, waiting on nothing.
    @Test func stoppingEarlyEndsTheWorkers() throws {
        let (fixture, shas) = try Self.history(80)
        let git = try GitRepository(discoveringFrom: fixture.root)
        let ahead = DiffAhead(shas: shas, local: git, workers: 2, window: 4) { try GitRepository(discoveringFrom: fixture.root) }
        _ = try ahead.changes(at: 0)
        _ = try ahead.changes(at: 1)
        ahead.stop()  // returns once both workers have ended
    }
}
