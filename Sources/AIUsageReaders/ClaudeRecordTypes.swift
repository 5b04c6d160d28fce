import AIUsageCore

/// Record types and tool names the Claude Code reader knows, so that what it does not
/// know is counted as format drift (`ReadBatch.noteUnrecognized`) for `aiusage doctor`.
/// Gathered from the real transcripts in `shared/samples/claude-code` (1.0 to 2.1.252,
/// and the 2.1.x record-type zoo of agent-sessions).
enum ClaudeRecordTypes {
    /// Every record type seen; only `user` and `assistant` carry what the reader uses,
    /// the others are read (their session, time and working directory) and otherwise
    /// left alone.
    static let known: [StaticString] = [
        "user", "assistant", "system", "summary", "file-history-snapshot", "queue-operation", "progress",
        "attachment", "ai-title", "custom-title", "last-prompt", "mode", "permission-mode", "agent-name",
        "pr-link", "worktree-state", "frame-link", "started", "result", "relocated", "bridge-session", "atis-latch",
    ]

    /// Claude Code's own tools. `Edit`, `MultiEdit` and `Write` are read for edits;
    /// `NotebookEdit` is known and deliberately not read (notebook cells are JSON inside
    /// a file). MCP tools (`mcp__…`) are known by their prefix.
    static let knownTools: [StaticString] = [
        "Edit", "MultiEdit", "Write", "NotebookEdit", "Read", "NotebookRead", "Bash", "BashOutput", "KillBash",
        "KillShell", "Glob", "Grep", "LS", "Task", "Agent", "TaskOutput", "TodoWrite", "TodoRead", "WebFetch",
        "WebSearch", "ExitPlanMode", "EnterPlanMode", "SlashCommand", "Skill", "AskUserQuestion",
        "ListMcpResourcesTool", "ReadMcpResourceTool",
    ]

    static func isKnown(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        contains(known, line, range)
    }

    static func isKnown(_ type: String) -> Bool {
        var type = type
        return type.withUTF8 { contains(known, $0, 0..<$0.count) }
    }

    static func isKnownTool(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        if range.count > 5, JSONByteScan.equals(line, range.lowerBound..<(range.lowerBound + 5), "mcp__") { return true }
        return contains(knownTools, line, range)
    }

    static func isKnownTool(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isKnownTool($0, 0..<$0.count) }
    }

    private static func contains(_ names: [StaticString], _ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for name in names where name.utf8CodeUnitCount == range.count {
            if JSONByteScan.equals(line, range, name) { return true }
        }
        return false
    }
}
