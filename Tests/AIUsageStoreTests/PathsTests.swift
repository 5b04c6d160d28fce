import Testing
@testable import AIUsageStore

@Suite struct PathsTests {
    @Test(arguments: [
        ("/a/b/c.swift", "/a/b/c.swift"), ("/a//b/", "/a/b"), ("/a/./b", "/a/b"), ("/a/b/../c", "/a/c"),
        ("/a/..b/c", "/a/..b/c"), ("/a/.hidden/x", "/a/.hidden/x"), ("/a/b.", "/a/b."), ("/a/b/..", "/a"),
        ("/a/b/.", "/a/b"), ("/", "/"), ("relative/./x", "relative/./x"), ("/a/.../b", "/a/.../b"),
    ])
    func normalizeCollapsesOnlyWhatItMust(input: String, expected: String) {
        #expect(Paths.normalize(input) == expected)
    }

    @Test func relativeIsInsideOnly() {
        #expect(Paths.relative("/r/a/b", to: "/r") == "a/b")
        #expect(Paths.relative("/rx/a", to: "/r") == nil)
        #expect(Paths.relative("/r", to: "/r") == "")
    }
}
