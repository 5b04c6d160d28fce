import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageGit

/// Tree diffs are made with the list of paths that changed (`ChangedPaths`), so that
/// libgit2 enters only the folders on the way to them. The list must never leave out a
/// delta libgit2 would make, nor change one: for every commit of a history of random
/// edits — deep folders, folders added and removed whole, files turned into folders and
/// back, renames across folders, mode changes, symbolic links, names with glob
/// characters, spaces and names that sort around a folder's (`foo`, `foo.c`, `foo-bar`,
/// `foo/`) — the limited diff's deltas equal the full diff's, with and without rename
/// detection.
@Suite struct ChangedPathsTests {
    private static let names = ["foo", "foo.c", "foo-bar", "a*b.txt", "[x].md", "q?.c", "with space.swift", "z"]
    private static let folders = ["", "foo/", "src/", "src/deep/er/", "src/deep/", "foo/sub/"]

    @Test func theLimitedDiffHasTheFullDiffsDeltas() throws {
        let fixture = try GitFixture()
        var generator = SeededGenerator(seed: 8)
        var shas: [String] = []
        var files: Set<String> = []  // what the work tree holds
        func text(_ tag: Int) -> String {
            (0..<Int.random(in: 3...12, using: &generator)).map { "line \($0) of \(tag)" }.joined(separator: "\n") + "\n"
        }
        func randomPath() -> String {
            Self.folders.randomElement(using: &generator)! + Self.names.randomElement(using: &generator)!
        }
        let manager = FileManager.default
        func remove(_ path: String) throws {
            try manager.removeItem(atPath: fixture.root + "/" + path)
            files = files.filter { $0 != path && !$0.hasPrefix(path + "/") }
        }
        /// Removes from the work tree whatever would stop `path` being written: a file
        /// where one of its folders goes, a folder where it goes.
        func clear(_ path: String) throws {
            var prefix = ""
            for part in path.split(separator: "/").dropLast() {
                prefix += part
                if files.contains(prefix) {
                    try remove(prefix)
                }
                prefix += "/"
            }
            // A folder or file there (an emptied folder too: git does not track it).
            if (try? manager.attributesOfItem(atPath: fixture.root + "/" + path)) != nil { try remove(path) }
        }
        func makeFolder(of path: String) throws {
            try manager.createDirectory(
                atPath: (fixture.root + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        shas.append(try fixture.commit("start", ["README": "hello\n"]))
        files.insert("README")
        for step in 0..<60 {
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let existing = files.filter { $0 != "README" }.sorted()
                switch Int.random(in: 0..<10, using: &generator) {
                case 0...3:  // write (new or changed)
                    let path = randomPath()
                    if !files.contains(path) { try clear(path) }
                    try fixture.write(path, text(step))
                    files.insert(path)
                case 4:  // delete a file
                    if let path = existing.randomElement(using: &generator) { try remove(path) }
                case 5:  // delete a whole folder
                    let folder = String(Self.folders.filter { !$0.isEmpty }.randomElement(using: &generator)!.dropLast())
                    if files.contains(where: { $0.hasPrefix(folder + "/") }) { try remove(folder) }
                case 6:  // rename, maybe to another folder
                    if let from = existing.randomElement(using: &generator) {
                        let to = randomPath()
                        if to != from, !to.hasPrefix(from + "/") {
                            try clear(to)
                            if files.contains(from) {
                                try makeFolder(of: to)
                                try manager.moveItem(atPath: fixture.root + "/" + from, toPath: fixture.root + "/" + to)
                                files.remove(from)
                                files.insert(to)
                            }
                        }
                    }
                case 7:  // mode change
                    if let path = files.sorted().randomElement(using: &generator) {
                        let full = fixture.root + "/" + path
                        let attributes = try manager.attributesOfItem(atPath: full)
                        if attributes[.type] as? FileAttributeType == .typeRegular {
                            let executable = Bool.random(using: &generator)
                            try manager.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: full)
                        }
                    }
                case 8:  // a symbolic link
                    let path = randomPath()
                    try clear(path)
                    try makeFolder(of: path)
                    try manager.createSymbolicLink(atPath: fixture.root + "/" + path, withDestinationPath: "README")
                    files.insert(path)
                default:  // a file becomes a folder of the same name
                    if let path = existing.randomElement(using: &generator) {
                        try remove(path)
                        try fixture.write(path + "/inner.txt", text(step))
                        files.insert(path + "/inner.txt")
                    }
                }
            }
            try fixture.git("add", "-A")
            shas.append(try fixture.commitWith("commit", "-q", "--allow-empty", "-m", "step \(step)"))
        }
        let repository = try openRepository(fixture.root)
        var deltas = 0
        for sha in shas {
            for renames in [false, true] {
                let full = try repository.deltaLines(of: sha, limited: false, findRenames: renames)
                let limited = try repository.deltaLines(of: sha, limited: true, findRenames: renames)
                #expect(limited == full, "\(sha), renames \(renames)")
                deltas += full.count
            }
        }
        #expect(deltas > 200)  // the history really changed things
    }
}
