import Foundation

/// Turns a `HistoryGenerator` stream into a repository on disk, set up as a clone on a
/// developer's machine: `main` checked out, `origin/HEAD` → `origin/main`, remote-
/// tracking refs for the long-lived branches, old feature branches deleted, a
/// commit-graph (what `git gc` leaves), packed refs.
enum RepositoryMaker {
    /// The environment for the bench's own git commands: no system or user config.
    static func gitEnvironment(scratch: String) -> [String: String] {
        try? FileManager.default.createDirectory(atPath: scratch + "/git-home", withIntermediateDirectories: true)
        return [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": scratch + "/git-home",
            "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C.UTF-8", "TZ": "UTC",
        ]
    }

    static func create(
        at repo: String, settings: HistoryGenerator.Settings, scratch: String, log: (String) -> Void = { _ in }
    ) throws -> HistoryGenerator.Result {
        var clock = Clock.now()
        func step(_ what: String) {
            let now = Clock.now()
            log(String(format: "  %@: %.1f s", what, now - clock))
            clock = now
        }
        try? FileManager.default.removeItem(atPath: repo)
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        let environment = gitEnvironment(scratch: scratch)
        func git(_ arguments: [String], stdin: String = "/dev/null") throws {
            let log = scratch + "/git-\(getpid()).log"
            defer { unlink(log) }
            let run = try Spawner.run(
                ["git"] + arguments, SpawnOptions(environment: environment, directory: repo, stdin: stdin, stdout: log, stderr: log))
            guard run.succeeded else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw BenchError.message("git \(arguments.joined(separator: " ")) failed in \(repo): \(text.prefix(1500))")
            }
        }
        try git(["init", "-q", "-b", "main"])
        let user = HistoryGenerator.developer(0)
        try git(["config", "user.name", user.name])
        try git(["config", "user.email", user.email])
        try git(["config", "commit.gpgsign", "false"])
        let name = (repo as NSString).lastPathComponent
        try git(["config", "remote.origin.url", "git@github.com:example/\(name).git"])
        try git(["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"])
        try git(["config", "branch.main.remote", "origin"])
        try git(["config", "branch.main.merge", "refs/heads/main"])

        let stream = scratch + "/fast-import-\(getpid()).stream"
        defer { unlink(stream) }
        let output = try BufferedFile(path: stream)
        let result = try HistoryGenerator(settings: settings, output: output).generate()
        try output.close()
        step("stream written (\(Format.mb(output.written)))")
        try git(["fast-import", "--quiet", "--active-branches=16"], stdin: stream)
        step("git fast-import")

        let refs = scratch + "/update-refs-\(getpid())"
        defer { unlink(refs) }
        var commands = result.refsToDelete.map { "delete \($0)\n" }.joined()
        commands += "update refs/remotes/origin/main refs/heads/main\n"
        for branch in result.longLivedBranches { commands += "update refs/remotes/origin/\(branch) refs/heads/\(branch)\n" }
        try commands.write(toFile: refs, atomically: true, encoding: .utf8)
        try git(["update-ref", "--stdin"], stdin: refs)
        try git(["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"])
        try git(["reset", "-q", "--hard", "main"])
        try git(["pack-refs", "--all"])
        step("refs and checkout")
        try git(["commit-graph", "write", "--reachable"])
        step("commit-graph")
        return result
    }
}
