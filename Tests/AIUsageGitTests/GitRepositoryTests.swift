import AIUsageCore
import Foundation
import Testing
@testable import AIUsageGit
import _AIUsageTestSupport

@Suite struct GitRepositoryTests {
    // MARK: Opening and locations

    @Test func opensFromSubfolderAndReportsLocations() throws {
        let fixture = try GitFixture()
        try fixture.commit("first", ["src/a.swift": "let a = 1\n"])
        let repo = try openRepository(fixture.root + "/src")
        #expect(repo.workTreeRoot == fixture.root)
        #expect(repo.gitDirectory == fixture.root + "/.git")
        #expect(repo.commonDirectory == fixture.root + "/.git")
    }

    @Test func openingOutsideARepositoryThrowsNamedError() throws {
        let folder = try TemporaryDirectory()
        _ = LibGit2Isolation.home
        #expect {
            _ = try GitRepository(discoveringFrom: folder.path + "/missing/deeper")
        } throws: { error in
            (error as? GitError)?.function == "git_repository_open_ext"
        }
    }

    @Test func unbornHeadIsNil() throws {
        let fixture = try GitFixture()
        let repo = try openRepository(fixture.root)
        #expect(try repo.headCommit() == nil)
        #expect(try repo.commits().isEmpty)
        #expect(try repo.defaultBranch(configured: nil) == nil)
    }

    @Test func resolvesRevisions() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", ["a.txt": "one\n"])
        let second = try fixture.commit("second", ["a.txt": "one\ntwo\n"])
        try fixture.git("tag", "-a", "v1", "-m", "release", first)
        let repo = try openRepository(fixture.root)
        #expect(try repo.headCommit() == second)
        #expect(try repo.resolveCommit("HEAD~1") == first)
        #expect(try repo.resolveCommit("v1") == first)
        #expect(try repo.resolveCommit(String(second.prefix(8))) == second)
        #expect(throws: GitError.self) { try repo.resolveCommit("no-such-branch") }
    }

    // MARK: Commits

    @Test func commitInfoIsCopiedOut() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first\n\nCo-Authored-By: Claude <noreply@anthropic.com>", ["a.txt": "one\n"])
        let second = try fixture.commit("second", ["a.txt": "one\ntwo\n"])
        let info = try openRepository(fixture.root).commit(second)
        #expect(info.sha == second)
        #expect(info.parents == [first])
        #expect(info.authorName == "Test Dev")
        #expect(info.authorEmail == "dev@example.com")
        #expect(info.commitTime == Date(timeIntervalSince1970: 1_704_067_260))
        #expect(info.authorTime == info.commitTime)
        #expect(!info.isMerge)
        let root = try openRepository(fixture.root).commit(first)
        #expect(root.parents.isEmpty)
        #expect(root.message.contains("Co-Authored-By: Claude"))
    }

    @Test func mailmapResolvesAndLowerCasesEmail() throws {
        let fixture = try GitFixture()
        try fixture.write(".mailmap", "Real Person <real@example.com> <Old.Address@Example.COM>\n")
        let mapped = try fixture.commitWith(
            "-c", "user.name=Old Name", "-c", "user.email=Old.Address@Example.COM",
            "commit", "-q", "--allow-empty", "-m", "old identity")
        let shouting = try fixture.commitWith(
            "-c", "user.email=Loud@Example.COM", "commit", "-q", "--allow-empty", "-m", "loud")
        let repo = try openRepository(fixture.root)
        let info = try repo.commit(mapped)
        #expect(info.authorEmail == "real@example.com")
        #expect(info.authorName == "Real Person")
        #expect(try repo.commit(shouting).authorEmail == "loud@example.com")
    }

    @Test func invalidUTF8MessageDoesNotCrash() throws {
        let fixture = try GitFixture()
        try fixture.write("a.txt", "one\n")
        try fixture.git("add", "-A")
        var bytes = Data("fix: caf".utf8)
        bytes.append(contentsOf: [0xE9, 0xFF, 0xFE, 0x0A])
        try bytes.write(to: URL(fileURLWithPath: fixture.directory.path + "/message.bin"))
        let sha = try fixture.commitWith(
            "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-F", fixture.directory.path + "/message.bin")
        let info = try openRepository(fixture.root).commit(sha)
        #expect(info.message.hasPrefix("fix: caf"))
        #expect(info.message.contains("\u{FFFD}"))
    }

    @Test func historyIsParentsFirstAcrossAllRefs() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "feature")
        let feature = try fixture.commit("feature", ["b.txt": "bee\n"])
        try fixture.git("checkout", "-q", "main")
        let later = try fixture.commit("later", ["a.txt": "one\ntwo\n"])
        let repo = try openRepository(fixture.root)
        let all = try repo.commits().map(\.sha)
        #expect(Set(all) == [base, feature, later])
        #expect(all.first == base)
        let headOnly = try repo.commits(reachableFromAllRefs: false).map(\.sha)
        #expect(headOnly == [base, later])
        let recent = try repo.commits(notBefore: Date(timeIntervalSince1970: 1_704_067_260)).map(\.sha)
        #expect(Set(recent) == [feature, later])
    }

    @Test func firstParentChainSkipsMergedBranch() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "feature")
        let f1 = try fixture.commit("f1", ["b.txt": "bee\n"])
        let f2 = try fixture.commit("f2", ["b.txt": "bee\nbuzz\n"])
        try fixture.git("checkout", "-q", "main")
        let m1 = try fixture.commit("m1", ["a.txt": "one\ntwo\n"])
        let merge = try fixture.commitWith("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
        let repo = try openRepository(fixture.root)
        #expect(try repo.firstParentChain(from: merge) == [merge, m1, base])
        #expect(try repo.commit(merge).isMerge)
        #expect(try repo.commitsIntroduced(by: merge) == [f1, f2, merge])
        #expect(try repo.commitsIntroduced(by: m1) == [m1])
        #expect(try repo.commitsIntroduced(by: base) == [base])
        // A merge must not crash the line and patch-id readers.
        _ = try repo.addedLines(of: merge)
        #expect(try repo.patchID(of: merge) == nil)
    }

    @Test func ancestry() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "side")
        let side = try fixture.commit("side", ["b.txt": "bee\n"])
        try fixture.git("checkout", "-q", "main")
        let main = try fixture.commit("main", ["a.txt": "one\ntwo\n"])
        let repo = try openRepository(fixture.root)
        #expect(try repo.isAncestor(base, of: main))
        #expect(try repo.isAncestor(main, of: main))
        #expect(try !repo.isAncestor(main, of: base))
        #expect(try !repo.isAncestor(side, of: main))
    }

    // MARK: Lines

    @Test func addedLinesOfRootCommitIgnoreInsignificantLines() throws {
        let fixture = try GitFixture()
        let root = try fixture.commit(
            "root",
            [
                "Sources/a.swift": "func a() {\n\n    return 1\n}\n  });  \n",
                "README.md": "# Title\n---\n",
            ])
        let files = try openRepository(fixture.root).addedLines(of: root)
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
        #expect(byPath.count == 2)
        #expect(byPath["Sources/a.swift"]?.added == hashes("func a() {", "return 1"))
        #expect(byPath["Sources/a.swift"]?.oldPath == nil)
        #expect(byPath["README.md"]?.added == hashes("# Title"))
    }

    @Test func addedLinesOfNormalCommitKeepRepeatsAndSkipBinary() throws {
        let fixture = try GitFixture()
        try fixture.commit("root", ["a.txt": "one\ntwo\n"])
        try fixture.write("image.bin", Data([0x00, 0x01, 0x02, 0x41, 0x0A, 0x00]))
        let sha = try fixture.commit("more", ["a.txt": "one\nnew line\ntwo\nnew line\n}\n"])
        let files = try openRepository(fixture.root).addedLines(of: sha)
        #expect(files == [FileAddedLines(path: "a.txt", oldPath: nil, added: hashes("new line", "new line"), lineNumbers: [2, 4])])
    }

    @Test func symlinksAndSubmodulesAddNoLines() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("root", ["a.txt": "one\n"])
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/link", withDestinationPath: "a.txt")
        try fixture.git("add", "link")
        try fixture.git("update-index", "--add", "--cacheinfo", "160000,\(base),vendor/sub")
        let sha = try fixture.commitWith("commit", "-q", "-m", "link and gitlink")
        let repo = try openRepository(fixture.root)
        #expect(try repo.addedLines(of: sha).isEmpty)
        #expect(try repo.significantLines(path: "link", at: sha) == nil)
        #expect(try repo.significantLines(path: "vendor/sub", at: sha) == nil)
        #expect(try repo.significantLines(path: "vendor", at: sha) == nil)
    }

    @Test func renamesAreDetected() throws {
        let fixture = try GitFixture()
        let body = (1...20).map { "let value\($0) = \($0)" }.joined(separator: "\n") + "\n"
        let first = try fixture.commit("root", ["old/name.swift": body])
        try FileManager.default.createDirectory(atPath: fixture.root + "/new", withIntermediateDirectories: true)
        try fixture.git("mv", "old/name.swift", "new/name.swift")
        let second = try fixture.commit("move", ["new/name.swift": body + "let added = true\n"])
        let repo = try openRepository(fixture.root)
        let files = try repo.addedLines(of: second)
        #expect(
            files == [
                FileAddedLines(path: "new/name.swift", oldPath: "old/name.swift", added: hashes("let added = true"), lineNumbers: [21])
            ])
        #expect(try repo.renamedPaths(from: first, to: second) == ["old/name.swift": "new/name.swift"])
        #expect(try repo.renamedPaths(from: first, to: first).isEmpty)
    }

    @Test func squashCommitAddsWhatItsSourcesAdded() throws {
        let fixture = try GitFixture()
        try fixture.commit("root", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "feature")
        let f1 = try fixture.commit("f1", ["b.txt": "alpha\n"])
        let f2 = try fixture.commit("f2", ["b.txt": "alpha\nbeta\n"])
        try fixture.git("checkout", "-q", "main")
        try fixture.git("merge", "-q", "--squash", "feature")
        let squash = try fixture.commitWith("commit", "-q", "-m", "squashed feature")
        let repo = try openRepository(fixture.root)
        let sourceLines = try (repo.addedLines(of: f1) + repo.addedLines(of: f2)).flatMap(\.added)
        #expect(
            try repo.addedLines(of: squash) == [
                FileAddedLines(path: "b.txt", oldPath: nil, added: hashes("alpha", "beta"), lineNumbers: [1, 2])
            ])
        #expect(sourceLines == hashes("alpha", "beta"))
        #expect(try !repo.isAncestor(f2, of: squash))
        #expect(try repo.commit(squash).parents.count == 1)
    }

    @Test func significantLinesAtCommit() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("root", ["a.txt": "alpha\n\n}\nbeta"])
        try fixture.write("blob.bin", Data([0x41, 0x00, 0x42]))
        let second = try fixture.commit("change", ["a.txt": "alpha\ngamma\n"])
        let repo = try openRepository(fixture.root)
        #expect(try repo.significantLines(path: "a.txt", at: first) == hashes("alpha", "beta"))
        #expect(try repo.significantLines(path: "a.txt", at: second) == hashes("alpha", "gamma"))
        #expect(try repo.significantLines(path: "missing.txt", at: second) == nil)
        #expect(try repo.significantLines(path: "blob.bin", at: second) == nil)
        #expect(try repo.significantLines(path: "blob.bin", at: first) == nil)
    }

    @Test func patchIDMatchesCherryPickOnly() throws {
        let fixture = try GitFixture()
        try fixture.commit("root", ["a.txt": "one\ntwo\nthree\n", "b.txt": "bee\n"])
        try fixture.git("checkout", "-q", "-b", "feature")
        let picked = try fixture.commit("feature change", ["b.txt": "bee\nbuzz\n"])
        let other = try fixture.commit("other change", ["b.txt": "bee\nbuzz\nhum\n"])
        try fixture.git("checkout", "-q", "main")
        try fixture.commit("main moves on", ["a.txt": "zero\none\ntwo\nthree\n"])
        let copy = try fixture.commitWith("cherry-pick", picked)
        let empty = try fixture.commit("empty")
        let repo = try openRepository(fixture.root)
        #expect(copy != picked)
        let original = try repo.patchID(of: picked)
        #expect(original != nil)
        #expect(original?.count == 40)
        #expect(try repo.patchID(of: copy) == original)
        #expect(try repo.patchID(of: other) != original)
        #expect(try repo.patchID(of: empty) == nil)
        try fixture.write("data.bin", Data([0x00, 0xFF, 0x10]))
        let binary = try fixture.commit("binary")
        #expect(try repo.patchID(of: binary) != nil)
        let root = try repo.commits(reachableFromAllRefs: false).first?.sha
        #expect(try repo.patchID(of: #require(root)) != nil)
    }

    // MARK: Default branch

    @Test func defaultBranchPrefersConfigured() throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "trunk")
        let trunk = try fixture.commit("trunk", ["a.txt": "one\ntwo\n"])
        let repo = try openRepository(fixture.root)
        #expect(try repo.defaultBranch(configured: "trunk") == DefaultBranch(name: "refs/heads/trunk", tip: trunk))
        #expect(try repo.defaultBranch(configured: "refs/heads/main") == DefaultBranch(name: "refs/heads/main", tip: base))
        #expect(try repo.defaultBranch(configured: nil) == DefaultBranch(name: "refs/heads/main", tip: base))
        #expect(throws: GitError.self) { try repo.defaultBranch(configured: "nope") }
    }

    @Test func defaultBranchFollowsOriginHead() throws {
        let fixture = try GitFixture()
        try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "develop")
        let develop = try fixture.commit("dev", ["a.txt": "one\ntwo\n"])
        let origin = fixture.directory.path + "/origin.git"
        try fixture.git("clone", "-q", "--bare", fixture.root, origin)
        let clone = fixture.directory.path + "/clone"
        // The bare origin's HEAD names develop, so the clone's origin/HEAD points there.
        try fixture.git("clone", "-q", origin, clone)
        let repo = try openRepository(clone)
        #expect(try repo.defaultBranch(configured: nil) == DefaultBranch(name: "refs/remotes/origin/develop", tip: develop))
        try fixture.git("remote", "set-head", "origin", "--delete", in: clone)
        let fallback = try repo.defaultBranch(configured: nil)
        #expect(fallback?.name == "refs/remotes/origin/main")
        #expect(try repo.defaultBranch(configured: "origin/develop")?.name == "refs/remotes/origin/develop")
        // No local branch of that name: the remote-tracking one is used.
        #expect(try repo.defaultBranch(configured: "main")?.name == "refs/remotes/origin/main")
    }

    @Test func defaultBranchFallsBackToMaster() throws {
        let fixture = try GitFixture()
        try fixture.git("checkout", "-q", "-b", "master")
        let tip = try fixture.commit("base", ["a.txt": "one\n"])
        try fixture.git("checkout", "-q", "-b", "topic")
        try fixture.commit("topic", ["a.txt": "one\ntwo\n"])
        let repo = try openRepository(fixture.root)
        #expect(try repo.defaultBranch(configured: nil) == DefaultBranch(name: "refs/heads/master", tip: tip))
    }

    // MARK: Worktrees

    @Test func linkedWorktreesAreFoundFromEitherSide() throws {
        let fixture = try GitFixture()
        try fixture.commit("base", ["a.txt": "one\n"])
        let linkedPath = fixture.directory.path + "/linked"
        try fixture.git("worktree", "add", "-q", "-b", "side", linkedPath)
        let linked = GitFixture.resolved(linkedPath)
        try FileManager.default.createDirectory(atPath: linked + "/deep/er", withIntermediateDirectories: true)
        let side = try fixture.commit("side", ["b.txt": "bee\n"], in: linked)

        let main = try openRepository(fixture.root)
        #expect(Set(try main.allWorkTreeRoots()) == [fixture.root, linked])

        let fromLinked = try openRepository(linked + "/deep/er")
        #expect(fromLinked.workTreeRoot == linked)
        #expect(fromLinked.commonDirectory == fixture.root + "/.git")
        #expect(fromLinked.gitDirectory == fixture.root + "/.git/worktrees/linked")
        #expect(try fromLinked.headCommit() == side)
        #expect(try fromLinked.allWorkTreeRoots() == [fixture.root, linked])
        #expect(try fromLinked.hooksDirectory() == fixture.root + "/.git/hooks")
    }

    // MARK: Config and hooks

    @Test func hooksDirectoryHonoursHooksPath() throws {
        let fixture = try GitFixture()
        let repo = try openRepository(fixture.root)
        #expect(try repo.hooksDirectory() == fixture.root + "/.git/hooks")
        try fixture.git("config", "core.hooksPath", ".githooks")
        #expect(try repo.hooksDirectory() == fixture.root + "/.githooks")
        try fixture.git("config", "core.hooksPath", "/opt/hooks/")
        #expect(try repo.hooksDirectory() == "/opt/hooks")
    }

    @Test func configReadsAndWritesLocalValues() throws {
        let fixture = try GitFixture()
        let repo = try openRepository(fixture.root)
        #expect(repo.configString("user.email") == "dev@example.com")
        #expect(repo.configString("aiusage.defaultbranch") == nil)
        try repo.setConfig("aiusage.defaultbranch", "trunk", global: false)
        #expect(repo.configString("aiusage.defaultBranch") == "trunk")
        #expect(try fixture.git("config", "--local", "aiusage.defaultbranch") == "trunk")
        try repo.setConfig("aiusage.defaultbranch", nil, global: false)
        try repo.setConfig("aiusage.defaultbranch", nil, global: false)
        #expect(repo.configString("aiusage.defaultbranch") == nil)
    }

    @Test func globalConfigIsCreatedWhenMissing() throws {
        let fixture = try GitFixture()
        let repo = try openRepository(fixture.root)
        let key = "aiusagetest.k\(UInt32.random(in: 0...UInt32.max))"
        try repo.setConfig(key, "yes", global: true)
        #expect(FileManager.default.fileExists(atPath: LibGit2Isolation.home + "/.gitconfig"))
        #expect(repo.configString(key) == "yes")
        try repo.setConfig(key, nil, global: true)
        #expect(repo.configString(key) == nil)
    }

    // MARK: Concurrency

    @Test func oneRepositoryServesManyTasks() async throws {
        let fixture = try GitFixture()
        var shas: [String] = []
        for index in 0..<8 {
            shas.append(try fixture.commit("c\(index)", ["f\(index).txt": "line \(index)\n"]))
        }
        let repo = try openRepository(fixture.root)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for sha in shas {
                group.addTask { try repo.addedLines(of: sha).count + repo.commits().count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 9, count: 8))
    }
}
