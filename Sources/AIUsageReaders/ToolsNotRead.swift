import AIUsageCore
import Foundation

/// AI coding tools aiusage has no reader for yet, and where they keep their sessions.
///
/// Their sessions are in no report. `aiusage doctor` looks in these folders and says
/// when one holds files, so that a user of such a tool sees why their work is missing
/// instead of a report that is silently short.
public struct ToolNotRead: Sendable {
    /// The tool's name as users know it.
    public let name: String
    /// Why it is not read (no published format, a binary one, ...).
    public let why: String
    /// The folder the tool keeps its sessions in, for a home and its variables.
    let folder: @Sendable (ReaderEnvironment) -> String

    /// The tool's session folder below `environment`'s home.
    public func folder(in environment: ReaderEnvironment) -> String { folder(environment) }

    /// How many files its folder holds (counted to a few levels down), 0 when absent.
    public func fileCount(in environment: ReaderEnvironment) -> Int {
        RecordFileWalker.files(under: folder(environment), maxDepth: 3) { !$0.hasPrefix(".") }.files.count
    }

    public static let all: [ToolNotRead] = [
        ToolNotRead(
            name: "pi", why: "no reader yet: no published session with token counts to test one on",
            folder: { environment in
                let configured = environment.variables["PI_CODING_AGENT_DIR"] ?? ""
                let base = configured.hasPrefix("/") ? configured : home(environment) + "/.pi/agent"
                return OpenCodeStorageReader.trimmingSlash(base) + "/sessions"
            }),
        ToolNotRead(
            name: "windsurf", why: "Cascade keeps its conversations as undocumented binary protobuf",
            folder: { home($0) + "/.codeium/windsurf/cascade" }),
        ToolNotRead(
            name: "continue", why: "its session files record no times, so their edits cannot be placed before the commits that hold them",
            folder: { home($0) + "/.continue/sessions" }),
    ]

    private static func home(_ environment: ReaderEnvironment) -> String {
        OpenCodeStorageReader.trimmingSlash(environment.home)
    }
}
