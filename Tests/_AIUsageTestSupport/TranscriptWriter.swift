import Foundation

/// Writes small Claude Code and Codex CLI transcripts into a fake home folder, in the
/// shapes the real tools write (see `../shared/samples`), for pipeline tests.
public final class TranscriptWriter: @unchecked Sendable {
    public let home: String
    private var counter = 0

    public init(home: String) { self.home = home }

    public static func iso(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private func next() -> Int {
        counter += 1
        return counter
    }

    public func claudePath(session: String) -> String { home + "/.claude/projects/test-project/\(session).jsonl" }

    private func appendLine(_ path: String, _ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data + Data("\n".utf8))
    }

    /// A Claude Code assistant message that writes a whole file, with its usage.
    public func claudeWrite(
        session: String, cwd: String, at time: Int, file: String, content: String,
        model: String = "claude-sonnet-4-5-20250929", input: Int = 1000, output: Int = 200
    ) throws {
        let n = next()
        let toolID = "toolu_\(session)_\(n)"
        try appendLine(
            claudePath(session: session),
            [
                "type": "assistant", "sessionId": session, "cwd": cwd, "timestamp": Self.iso(time), "requestId": "req_\(session)_\(n)",
                "uuid": "u\(n)",
                "message": [
                    "id": "msg_\(session)_\(n)", "model": model, "role": "assistant",
                    "usage": [
                        "input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                    ],
                    "content": [["type": "tool_use", "id": toolID, "name": "Write", "input": ["file_path": file, "content": content]]],
                ] as [String: Any],
            ])
    }

    /// A Claude Code `Edit` call replacing `old` with `new` in `file`, with its usage.
    public func claudeEdit(
        session: String, cwd: String, at time: Int, file: String, old: String, new: String,
        model: String = "claude-sonnet-4-5-20250929", input: Int = 1000, output: Int = 200
    ) throws {
        let n = next()
        try appendLine(
            claudePath(session: session),
            [
                "type": "assistant", "sessionId": session, "cwd": cwd, "timestamp": Self.iso(time), "requestId": "req_\(session)_\(n)",
                "uuid": "u\(n)",
                "message": [
                    "id": "msg_\(session)_\(n)", "model": model, "role": "assistant",
                    "usage": [
                        "input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                    ],
                    "content": [
                        [
                            "type": "tool_use", "id": "toolu_\(session)_\(n)", "name": "Edit",
                            "input": ["file_path": file, "old_string": old, "new_string": new],
                        ]
                    ],
                ] as [String: Any],
            ])
    }

    /// A Claude Code request with usage only (no edit).
    public func claudeUsage(
        session: String, cwd: String, at time: Int, input: Int, output: Int, cacheWrite: Int = 0, cacheRead: Int = 0,
        model: String = "claude-sonnet-4-5-20250929"
    ) throws {
        let n = next()
        try appendLine(
            claudePath(session: session),
            [
                "type": "assistant", "sessionId": session, "cwd": cwd, "timestamp": Self.iso(time), "requestId": "req_\(session)_\(n)",
                "uuid": "u\(n)",
                "message": [
                    "id": "msg_\(session)_\(n)", "model": model, "role": "assistant",
                    "usage": [
                        "input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": cacheWrite,
                        "cache_read_input_tokens": cacheRead,
                    ],
                    "content": [["type": "text", "text": "done"]],
                ] as [String: Any],
            ])
    }

    public func codexPath(session: String) -> String {
        home + "/.codex/sessions/2024/01/01/rollout-2024-01-01T00-00-00-\(session).jsonl"
    }

    /// Starts a Codex rollout: `session_meta` and `turn_context`.
    public func codexStart(session: String, cwd: String, at time: Int, model: String = "gpt-5-codex") throws {
        let path = codexPath(session: session)
        try appendLine(
            path,
            ["timestamp": Self.iso(time), "type": "session_meta", "payload": ["id": session, "cwd": cwd, "timestamp": Self.iso(time)]])
        try appendLine(path, ["timestamp": Self.iso(time), "type": "turn_context", "payload": ["cwd": cwd, "model": model]])
    }

    /// A Codex `apply_patch` call adding a file with `lines`.
    public func codexAddFile(session: String, at time: Int, file: String, lines: [String]) throws {
        let n = next()
        let patch = "*** Begin Patch\n*** Add File: \(file)\n" + lines.map { "+" + $0 + "\n" }.joined() + "*** End Patch\n"
        try appendLine(
            codexPath(session: session),
            [
                "timestamp": Self.iso(time), "type": "response_item",
                "payload": [
                    "type": "custom_tool_call", "name": "apply_patch", "call_id": "call_\(n)", "input": patch, "status": "completed",
                ],
            ])
    }

    /// A Codex cumulative `token_count` event.
    public func codexTokens(session: String, at time: Int, input: Int, cached: Int, output: Int, reasoning: Int) throws {
        try appendLine(
            codexPath(session: session),
            [
                "timestamp": Self.iso(time), "type": "event_msg",
                "payload": [
                    "type": "token_count",
                    "info": [
                        "total_token_usage": [
                            "input_tokens": input, "cached_input_tokens": cached, "output_tokens": output,
                            "reasoning_output_tokens": reasoning, "total_tokens": input + output,
                        ],
                        "last_token_usage": [
                            "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "reasoning_output_tokens": 0,
                            "total_tokens": 0,
                        ],
                    ] as [String: Any],
                ] as [String: Any],
            ])
    }
}
