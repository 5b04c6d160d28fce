import AIUsageCore
import Foundation

// Records of Codex 0.15x (paginated history, Codex Desktop), read with the same lenient
// decoding as `CodexRecords.swift`: a field of an unexpected type reads as absent.

/// `event_msg` `thread_settings_applied`: the thread's settings after a change, among
/// them the model the next turns use (`/model` in the middle of a session).
struct CodexThreadSettingsApplied: Decodable {
    var model: String?
    var cwd: String?

    private struct Settings: Decodable {
        var model: String?
        var cwd: String?
        enum CodingKeys: String, CodingKey { case model, cwd }
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
            cwd = try? container.decodeIfPresent(String.self, forKey: .cwd)
        }
    }

    enum CodingKeys: String, CodingKey { case threadSettings = "thread_settings" }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let settings = try container.decodeIfPresent(Settings.self, forKey: .threadSettings)
        model = settings?.model
        cwd = settings?.cwd
    }
}

/// Codex Desktop's top-level `token_usage_record`: one per model response, with the
/// response's `usage`, the turn's and the thread's cumulative `thread_token_usage`
/// (the same counter `token_count` reports as `total_token_usage`).
struct CodexTokenUsageRecord: Decodable {
    var threadID: String?
    var usage: CodexRawUsage?
    var threadTokenUsage: CodexRawUsage?

    enum CodingKeys: String, CodingKey {
        case threadID = "thread_id"
        case usage
        case threadTokenUsage = "thread_token_usage"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        threadID = try? container.decodeIfPresent(String.self, forKey: .threadID)
        usage = try? container.decodeIfPresent(CodexRawUsage.self, forKey: .usage)
        threadTokenUsage = try? container.decodeIfPresent(CodexRawUsage.self, forKey: .threadTokenUsage)
    }
}

/// `event_msg` `item_completed` whose item is a `FileChange`: what a patch really did,
/// per file (`changes` maps a path to `{type: add, content}`,
/// `{type: update, unified_diff, move_path}` or `{type: delete, content}`), and whether
/// it was applied (`status`).
struct CodexFileChangeItem: Decodable {
    var id: String?
    var status: String?
    var changes: [String: Change]?

    struct Change: Decodable {
        var type: String?
        var content: String?
        var unifiedDiff: String?
        var movePath: String?

        enum CodingKeys: String, CodingKey {
            case type, content
            case unifiedDiff = "unified_diff"
            case movePath = "move_path"
        }

        init(type: String?, content: String?, unifiedDiff: String?, movePath: String?) {
            self.type = type
            self.content = content
            self.unifiedDiff = unifiedDiff
            self.movePath = movePath
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            content = try? container.decodeIfPresent(String.self, forKey: .content)
            unifiedDiff = try? container.decodeIfPresent(String.self, forKey: .unifiedDiff)
            movePath = try? container.decodeIfPresent(String.self, forKey: .movePath)
        }
    }

    enum CodingKeys: String, CodingKey { case id, status, changes }

    init(id: String?, status: String?, changes: [String: Change]?) {
        self.id = id
        self.status = status
        self.changes = changes
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        changes = try? container.decodeIfPresent([String: Change].self, forKey: .changes)
    }

    /// The item inside an `item_completed` payload.
    struct Completed: Decodable {
        var item: CodexFileChangeItem?
    }
}

/// The `arguments` of a `multi_tool_use.parallel` call: the calls it wraps, each with
/// its tool (`recipient_name`, usually `functions.<tool>`) and that tool's arguments.
struct CodexParallelArguments: Decodable {
    var toolUses: [ToolUse]

    struct ToolUse: Decodable {
        var recipientName: String?
        var parameters: CodexToolArguments?

        enum CodingKeys: String, CodingKey {
            case recipientName = "recipient_name"
            case parameters
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            recipientName = try? container.decodeIfPresent(String.self, forKey: .recipientName)
            parameters = try? container.decodeIfPresent(CodexToolArguments.self, forKey: .parameters)
        }
    }

    enum CodingKeys: String, CodingKey { case toolUses = "tool_uses" }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        toolUses = (try? container.decodeIfPresent([ToolUse].self, forKey: .toolUses)) ?? []
    }
}
