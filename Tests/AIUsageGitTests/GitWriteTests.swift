import AIUsageCore
import Foundation
import Testing
@testable import AIUsageGit
import _AIUsageTestSupport

@Suite struct GitWriteTests {
    let day = Date(timeIntervalSince1970: 1_760_000_000)

    /// Removed when the test's suite value goes away, after the test.
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory(prefix: "aiusage-write")
    }

    private func newRepository() throws -> (GitRepository, String) {
        _ = LibGit2Isolation.home
        let root = GitFixture.resolved(folder.path) + "/repo"
        let repo = try GitRepository.create(at: root)
        return (repo, root)
    }

    private func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func createsRepositoryOnUnbornBranch() throws {
        let (repo, root) = try newRepository()
        #expect(repo.workTreeRoot == root)
        #expect(try repo.headCommit() == nil)
        let reopened = try openRepository(root)
        #expect(reopened.gitDirectory == root + "/.git")
        #expect(try reopened.defaultBranch(configured: nil) == nil)
    }

    @Test func commitsAreReadableBackAndCheckedOut() throws {
        let (repo, root) = try newRepository()
        let first = try repo.commit(
            files: ["src/a.swift": "let a = 1\nlet b = 2\n}\n", "README.md": "# Demo\n"], message: "first",
            authorName: "Ada", authorEmail: "Ada@Example.com", time: day, parents: [], updateRef: "refs/heads/main")
        let second = try repo.commit(
            files: ["src/a.swift": "let a = 1\nlet b = 2\nlet c = 3\n}\n"],
            message: "second\n\nCo-Authored-By: Claude <noreply@anthropic.com>", authorName: "Ada",
            authorEmail: "ada@example.com", time: day.addingTimeInterval(60), parents: [first], updateRef: "refs/heads/main")

        #expect(try repo.headCommit() == second)
        let info = try repo.commit(second)
        #expect(info.parents == [first])
        #expect(info.authorName == "Ada")
        #expect(info.authorEmail == "ada@example.com")
        #expect(info.commitTime == day.addingTimeInterval(60))
        #expect(info.message.contains("Co-Authored-By: Claude"))

        let rootAdded = try repo.addedLines(of: first).sorted { $0.path < $1.path }
        #expect(rootAdded.map(\.path) == ["README.md", "src/a.swift"])
        #expect(rootAdded[1].added == hashes("let a = 1", "let b = 2"))
        #expect(try repo.addedLines(of: second).map { [$0.path: $0.added] } == [["src/a.swift": hashes("let c = 3")]])
        // The unchanged file is kept from the parent's tree.
        #expect(try repo.significantLines(path: "README.md", at: second) == hashes("# Demo"))
        // Work tree follows the branch HEAD is on.
        #expect(read(root + "/src/a.swift") == "let a = 1\nlet b = 2\nlet c = 3\n}\n")
        #expect(try repo.defaultBranch(configured: nil) == DefaultBranch(name: "refs/heads/main", tip: second))
    }

    @Test func deletesFilesAndEmptyFolders() throws {
        let (repo, root) = try newRepository()
        let first = try repo.commit(
            files: ["keep.txt": "keep me\n", "old/gone.txt": "bye\n"], message: "first", authorName: "Ada",
            authorEmail: "ada@example.com", time: day, parents: [], updateRef: "refs/heads/main")
        let second = try repo.commit(
            files: ["old/gone.txt": nil, "never-there.txt": nil], message: "delete", authorName: "Ada",
            authorEmail: "ada@example.com", time: day.addingTimeInterval(60), parents: [first], updateRef: "refs/heads/main")
        #expect(try repo.significantLines(path: "old/gone.txt", at: second) == nil)
        #expect(try repo.significantLines(path: "keep.txt", at: second) == hashes("keep me"))
        #expect(try repo.addedLines(of: second).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/old/gone.txt"))
        #expect(read(root + "/keep.txt") == "keep me\n")
    }

    @Test func branchesAndMergeCommitsWithTwoParents() throws {
        let (repo, root) = try newRepository()
        let base = try repo.commit(
            files: ["a.txt": "one\n"], message: "base", authorName: "Ada", authorEmail: "ada@example.com",
            time: day, parents: [], updateRef: "refs/heads/main")
        try repo.setReference("refs/heads/feature", to: base)
        let feature = try repo.commit(
            files: ["b.txt": "feature line\n"], message: "feature", authorName: "Ada", authorEmail: "ada@example.com",
            time: day.addingTimeInterval(60), parents: ["refs/heads/feature"], updateRef: "refs/heads/feature")
        // A commit on a branch HEAD is not on leaves the work tree alone.
        #expect(!FileManager.default.fileExists(atPath: root + "/b.txt"))
        let mainWork = try repo.commit(
            files: ["a.txt": "one\ntwo\n"], message: "main work", authorName: "Ada", authorEmail: "ada@example.com",
            time: day.addingTimeInterval(120), parents: ["main"], updateRef: "refs/heads/main")
        let merge = try repo.commit(
            files: ["b.txt": "feature line\n"], message: "Merge branch 'feature'", authorName: "Ada",
            authorEmail: "ada@example.com", time: day.addingTimeInterval(180), parents: [mainWork, feature],
            updateRef: "refs/heads/main")

        let info = try repo.commit(merge)
        #expect(info.isMerge)
        #expect(info.parents == [mainWork, feature])
        #expect(try repo.isAncestor(feature, of: merge))
        #expect(try repo.resolveCommit("feature") == feature)
        #expect(try repo.firstParentChain(from: merge) == [merge, mainWork, base])
        #expect(try repo.significantLines(path: "a.txt", at: merge) == hashes("one", "two"))
        #expect(read(root + "/b.txt") == "feature line\n")
        #expect(try repo.commits().count == 4)
    }
}
