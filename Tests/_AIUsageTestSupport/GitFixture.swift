import Foundation

/// Builds throwaway git repositories with the git CLI, for tests of the libgit2 wrapper
/// and of anything that reads history.
///
/// Every git call runs with `HOME` pointed at a private folder and
/// `GIT_CONFIG_NOSYSTEM=1`, so the developer's own config (signing, hooks, aliases,
/// default branch) cannot change what the tests build. Commit dates come from a
/// clock that advances one minute per commit, so histories are reproducible and
/// time-ordered.
public final class GitFixture: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public let output: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Holds the home folder and every repository the fixture makes.
    public let directory: TemporaryDirectory
    /// The fake `HOME` handed to git.
    public let home: String
    /// The main repository's work tree (resolved path).
    public let root: String
    /// Seconds since 1970 used for the next commit's author and committer dates.
    public var clock: Int = 1_704_067_200  // 2024-01-01T00:00:00Z

    /// Creates `<tmp>/repo` with `git init -b main` and a fixed identity. With
    /// `initialize: false` the folder is made but left empty (for clones).
    public init(initialize: Bool = true) throws {
        directory = try TemporaryDirectory(prefix: "aiusage-git")
        let base = Self.resolved(directory.path)
        home = base + "/home"
        root = base + "/repo"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if initialize {
            try git("init", "-q", "-b", "main")
            try configureIdentity(in: root)
        }
    }

    /// Sets the user name and e-mail in the repository at `path`.
    public func configureIdentity(in path: String, name: String = "Test Dev", email: String = "dev@example.com") throws {
        try git("config", "user.name", name, in: path)
        try git("config", "user.email", email, in: path)
        try git("config", "commit.gpgsign", "false", in: path)
    }

    /// Runs git in `path` (default: the main repository) and returns its standard
    /// output with the trailing newline removed; throws `Failure` on a non-zero exit.
    @discardableResult
    public func git(_ arguments: String..., in path: String? = nil, environment: [String: String] = [:]) throws -> String {
        try run(arguments, in: path, environment: environment)
    }

    @discardableResult
    public func run(_ arguments: [String], in path: String? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path ?? root)
        let date = "\(clock) +0000"
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": home,
            "XDG_CONFIG_HOME": home + "/.config",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "LC_ALL": "C",
        ]
        env.merge(environment) { _, new in new }
        process.environment = env
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("aiusage-git-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorHandle.close()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw Failure(arguments: arguments, status: process.terminationStatus, output: text + stderr)
        }
        return text
    }

    /// Writes a file in the work tree at `path` (default: the main repository).
    public func write(_ relative: String, _ text: String, in path: String? = nil) throws {
        try write(relative, Data(text.utf8), in: path)
    }

    public func write(_ relative: String, _ data: Data, in path: String? = nil) throws {
        let file = URL(fileURLWithPath: path ?? root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
    }

    /// Writes `files`, stages everything and commits; returns the new commit's sha.
    /// The clock advances one minute afterwards.
    @discardableResult
    public func commit(_ message: String, _ files: [String: String] = [:], in path: String? = nil) throws -> String {
        for (name, text) in files.sorted(by: { $0.key < $1.key }) { try write(name, text, in: path) }
        try git("add", "-A", in: path)
        try git("commit", "-q", "--allow-empty", "-m", message, in: path)
        clock += 60
        return try git("rev-parse", "HEAD", in: path)
    }

    /// Runs a git command that makes a commit (merge, cherry-pick, ...) at the fixture's
    /// clock, advances the clock, and returns HEAD.
    @discardableResult
    public func commitWith(_ arguments: String..., in path: String? = nil) throws -> String {
        try run(arguments, in: path)
        clock += 60
        return try git("rev-parse", "HEAD", in: path)
    }

    /// `realpath` of a path, so fixtures compare equal to what the wrapper reports.
    public static func resolved(_ path: String) -> String {
        guard let pointer = realpath(path, nil) else { return path }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
