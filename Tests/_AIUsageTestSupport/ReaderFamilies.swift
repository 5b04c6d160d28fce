import AIUsageCore
import AIUsageReaders
import Foundation

/// One reader, and where a file of its format lies below a home folder (readers take
/// session ids, parents and working folders from the path).
public struct ReaderCase: Sendable {
    public enum Format: Sendable {
        /// One JSON record per line: a line that is not valid JSON is malformed.
        case jsonLines
        /// Lines of text (Aider's Markdown): no line is malformed as such.
        case textLines
        /// One JSON document per file.
        case document
    }

    public var name: String
    public var reader: any SessionReader
    public var relativePath: String
    public var format: Format
    /// Whether the read stops after the last newline (a line reader whose next run goes
    /// on from there), rather than taking the whole file.
    public var stopsAtLastNewline: Bool

    public init(_ name: String, _ reader: any SessionReader, _ relativePath: String, _ format: Format, stopsAtLastNewline: Bool) {
        self.name = name
        self.reader = reader
        self.relativePath = relativePath
        self.format = format
        self.stopsAtLastNewline = stopsAtLastNewline
    }
}

/// The reader families the fuzz targets and the invariant tests cover: each input is
/// given to every reader of its family, under the file name that reader expects.
public enum ReaderFamily: String, CaseIterable, Sendable, Codable {
    case claude, codex, geminiQwen = "gemini-qwen", copilot, cursor, amp, aider, cline, opencode, droid

    public var cases: [ReaderCase] {
        switch self {
        case .claude:
            return [
                ReaderCase(
                    "claude", ClaudeCodeReader(), ".claude/projects/-w/5f0c4b1e-0000-4000-8000-000000000001.jsonl", .jsonLines,
                    stopsAtLastNewline: true)
            ]
        case .codex:
            return [
                ReaderCase(
                    "codex", CodexReader(),
                    ".codex/sessions/2025/01/01/rollout-2025-01-01T00-00-00-0199a000-0000-7000-8000-000000000001.jsonl",
                    .jsonLines, stopsAtLastNewline: true)
            ]
        case .geminiQwen:
            return [
                ReaderCase(
                    "gemini-jsonl", GeminiCLIReader(), ".gemini/tmp/proj/chats/session-2025-01-01T00-00-0b0c1d2e.jsonl", .jsonLines,
                    stopsAtLastNewline: true),
                ReaderCase(
                    "gemini-json", GeminiCLIReader(), ".gemini/tmp/proj/chats/session-2025-01-01T00-00-0b0c1d2e.json", .document,
                    stopsAtLastNewline: false),
                ReaderCase(
                    "qwen", QwenCodeReader(), ".qwen/projects/-w/chats/0b0c1d2e-0000-4000-8000-000000000001.jsonl", .jsonLines,
                    stopsAtLastNewline: true),
            ]
        case .copilot:
            return [
                ReaderCase(
                    "copilot-cli", CopilotCLIReader(), ".copilot/session-state/0b0c1d2e-0000-4000-8000-000000000001/events.jsonl",
                    .jsonLines, stopsAtLastNewline: true),
                ReaderCase(
                    "copilot-chat-json", CopilotChatReader(), ".config/Code/User/workspaceStorage/abc/chatSessions/s1.json", .document,
                    stopsAtLastNewline: false),
                ReaderCase(
                    "copilot-chat-jsonl", CopilotChatReader(), ".config/Code/User/workspaceStorage/abc/chatSessions/s2.jsonl",
                    .jsonLines, stopsAtLastNewline: false),
            ]
        case .cursor:
            return [
                ReaderCase(
                    "cursor", CursorTranscriptReader(),
                    ".cursor/projects/home-u-w/agent-transcripts/0b0c1d2e-0000-4000-8000-000000000001.jsonl", .jsonLines,
                    stopsAtLastNewline: true)
            ]
        case .amp:
            return [
                ReaderCase(
                    "amp", AmpReader(), ".local/share/amp/threads/T-0b0c1d2e-0000-4000-8000-000000000001.json", .document,
                    stopsAtLastNewline: false)
            ]
        case .aider:
            return [
                ReaderCase(
                    "aider", AiderReader(timeZone: TimeZone(identifier: "UTC")!), "w/.aider.chat.history.md", .textLines,
                    stopsAtLastNewline: true)
            ]
        case .cline:
            let tasks = ".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1735689600000"
            return [
                ReaderCase("cline-ui", ClineReader(), tasks + "/ui_messages.json", .document, stopsAtLastNewline: false),
                ReaderCase(
                    "cline-api", ClineReader(), tasks + "/api_conversation_history.json", .document, stopsAtLastNewline: false),
            ]
        case .droid:
            let sessions = ".factory/sessions/-w/0b0c1d2e-0000-4000-8000-000000000001"
            return [
                ReaderCase("droid-jsonl", DroidReader(), sessions + ".jsonl", .jsonLines, stopsAtLastNewline: true),
                ReaderCase("droid-settings", DroidReader(), sessions + ".settings.json", .document, stopsAtLastNewline: false),
            ]
        case .opencode:
            let storage = ".local/share/opencode/storage"
            return [
                ReaderCase(
                    "opencode-message", OpenCodeStorageReader(), storage + "/message/ses_1/msg_1.json", .document, stopsAtLastNewline: false
                ),
                ReaderCase(
                    "opencode-part", OpenCodeStorageReader(), storage + "/part/msg_1/prt_1.json", .document, stopsAtLastNewline: false),
                ReaderCase(
                    "opencode-session", OpenCodeStorageReader(), storage + "/session/proj/ses_1.json", .document, stopsAtLastNewline: false),
            ]
        }
    }

    /// Sample files (below `../shared/samples`) that seed the family's fuzzing and its
    /// invariant test: (folder, whether a file name belongs).
    public var sampleSelection: [(folder: String, accept: @Sendable (String) -> Bool)] {
        let jsonl: @Sendable (String) -> Bool = { $0.hasSuffix(".jsonl") }
        let json: @Sendable (String) -> Bool = { $0.hasSuffix(".json") }
        switch self {
        case .claude: return [("claude-code", jsonl)]
        case .codex: return [("codex", jsonl)]
        case .geminiQwen: return [("gemini", { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }), ("qwen", jsonl)]
        case .copilot: return [("copilot", { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") })]
        case .cursor: return [("cursor", jsonl)]
        case .amp: return [("amp", json)]
        case .aider: return [("aider", { $0 != "SOURCES.txt" })]
        case .cline: return []  // no published Cline task; Fuzz/Seeds/cline holds small written ones
        case .opencode: return [("opencode", json)]
        case .droid: return [("droid", { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") })]
        }
    }

    /// The sample files of this family below `samplesRoot`, sorted.
    public func sampleFiles(in samplesRoot: String) -> [String] {
        var files: [String] = []
        for (folder, accept) in sampleSelection {
            let directory = samplesRoot + "/" + folder
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            files += names.filter(accept).sorted().map { directory + "/" + $0 }
        }
        return files
    }
}
