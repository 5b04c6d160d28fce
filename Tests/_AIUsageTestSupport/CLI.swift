import Foundation

/// Runs the built `aiusage` binary, as a user or a git hook would.
public enum CLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The package root, found from this source file.
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `.build/debug/aiusage` (or `AIUSAGE_TEST_BINARY`).
    public static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["AIUSAGE_TEST_BINARY"] { return explicit }
        return packageRoot + "/.build/debug/aiusage"
    }

    /// An environment that isolates the binary from the developer's own files.
    public static func environment(home: String, store: String, extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": home,
            "XDG_CONFIG_HOME": home + "/.config",
            "AIUSAGE_HOME": store,
            "AIUSAGE_HOOKS_DIR": packageRoot + "/hooks",
            "GIT_CONFIG_NOSYSTEM": "1",
            "TZ": "UTC",
            "LC_ALL": "C",
        ]
        env.merge(extra) { _, new in new }
        return env
    }

    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let scratch = try TemporaryDirectory(prefix: "aiusage-cli")
        let out = scratch.path + "/out"
        let err = scratch.path + "/err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
