import AIUsageCore
import AIUsageReaders

/// The readers aiusage knows: one per tool, each in its own file.
public enum SessionReaders {
    public static let all: [any SessionReader] = [
        ClaudeCodeReader(), CodexReader(), GeminiCLIReader(), OpenCodeDatabaseReader(), OpenCodeStorageReader(),
        CursorDatabaseReader(), CursorTranscriptReader(), CopilotCLIReader(), CopilotChatReader(), AmpReader(),
        AiderReader(), ClineReader(), ClineReader(tool: .rooCode), QwenCodeReader(), DroidReader(),
    ]
}
