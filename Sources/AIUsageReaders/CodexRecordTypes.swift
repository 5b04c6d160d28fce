import AIUsageCore

/// The rollout record types the Codex reader knows but has no use for, so that what it
/// does not know can be counted as format drift (`ReadBatch.noteUnrecognized`) and
/// shown by `aiusage doctor`. Gathered from the real rollouts in `shared/samples/codex`
/// (0.104 to 0.155) and Codex's protocol (`codex-rs/protocol`: `RolloutItem`,
/// `EventMsg`, `ResponseItem`, `TurnItem`).
///
/// Compared as bytes against the line (no `String` per line); the lists are short
/// enough that a length check rejects nearly every entry at once.
enum CodexRecordTypes {
    /// Top-level `type`s other than the ones routed (`session_meta`, `turn_context`,
    /// `event_msg`, `response_item`, `token_usage_record`).
    static let otherRecords: [StaticString] = [
        "compacted", "world_state", "inter_agent_communication_metadata",
    ]

    /// `event_msg` payload types other than the ones routed (`token_count`,
    /// `turn.completed`, `patch_apply_end`, `item_completed`, `thread_settings_applied`).
    static let otherEvents: [StaticString] = [
        "agent_message", "agent_message_delta", "agent_reasoning", "agent_reasoning_delta",
        "agent_reasoning_raw_content", "agent_reasoning_section_break", "user_message", "task_started",
        "task_complete", "turn_aborted", "exec_command_begin", "exec_command_end", "exec_command_output_delta",
        "patch_apply_begin", "mcp_tool_call_begin", "mcp_tool_call_end", "web_search_begin", "web_search_end",
        "error", "stream_error", "warning", "background_event", "context_compacted", "entered_review_mode",
        "exited_review_mode", "guardian_assessment", "image_generation_end", "thread_goal_updated",
        "thread_name_updated", "undo_started", "undo_completed", "view_image_tool_call", "collab_agent_spawn_end",
        "collab_agent_interaction_end", "collab_close_end", "collab_waiting_end", "dynamic_tool_call_request",
        "dynamic_tool_call_response", "sub_agent_activity", "account/rateLimits/updated", "codex/event/raw_item",
        "item_started", "turn_diff", "plan_update", "session_configured", "shutdown_complete",
    ]

    /// `response_item` payload types other than tool calls and their outputs.
    static let otherItems: [StaticString] = [
        "message", "reasoning", "web_search_call", "ghost_snapshot", "image_generation_call", "tool_search_call",
        "tool_search_output", "agent_message", "compaction",
    ]

    /// `item_completed` item types other than `FileChange` (paginated history, 0.15x).
    static let otherTurnItems: [StaticString] = [
        "UserMessage", "AgentMessage", "Reasoning", "CommandExecution", "Plan", "WebSearch", "McpToolCall",
        "ContextCompaction", "Extension", "ImageGeneration", "CollabAgentToolCall",
    ]

    /// Tools whose calls are read for patches (with or without the `functions.`
    /// prefix): a call of another tool that carries a patch is counted as drift.
    static let patchReadingTools: Set<String> = [
        "apply_patch", "shell", "container.exec", "exec_command", "shell_command", "local_shell", "exec",
        "multi_tool_use.parallel",
    ]

    /// Whether the bytes in `range` are one of `names`.
    static func contains(_ names: [StaticString], _ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for name in names where name.utf8CodeUnitCount == range.count {
            if JSONByteScan.equals(line, range, name) { return true }
        }
        return false
    }
}
