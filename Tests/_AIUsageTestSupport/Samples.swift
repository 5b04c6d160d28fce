import Foundation

/// Locates the shared sample records (`../shared/samples` beside the checkout), which
/// tests read in place and never copy into the repository.
public enum Samples {
    /// The samples folder: `AIUSAGE_SAMPLES` if set, else `../shared/samples` relative
    /// to the package root, found by walking up from this source file.
    public static var root: URL {
        if let explicit = ProcessInfo.processInfo.environment["AIUSAGE_SAMPLES"] {
            return URL(fileURLWithPath: explicit)
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("../shared/samples").standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/shared/samples")
    }

    /// Path of one sample file, e.g. `Samples.path("claude-code", "gitai-claude_simple.jsonl")`.
    public static func path(_ tool: String, _ file: String) -> String {
        root.appendingPathComponent(tool).appendingPathComponent(file).path
    }
}

/// A temporary folder removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(prefix: String = "aiusage-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Resolve symlinks (macOS /var → /private/var) so path comparisons hold.
        _ = url.resolvingSymlinksInPath()
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `relative` (creating folders) and returns the absolute path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// Appends raw bytes to `relative`.
    public func append(_ relative: String, _ data: Data) throws {
        let file = url.appendingPathComponent(relative)
        if !FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
