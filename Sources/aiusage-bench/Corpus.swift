import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small deterministic generator (SplitMix64): the same seed gives the same corpus.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (slight modulo bias is irrelevant here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Log-uniform between `low` and `high`: many small values, a few big ones.
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        exp(log(low) + unit() * (log(high) - log(low)))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        var bits = next()
        for index in 0..<count {
            if index % 16 == 15 { bits = next() }
            bytes.append(digits[Int(bits & 15)])
            bits >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func uuid() -> String { "\(hex(8))-\(hex(4))-4\(hex(3))-a\(hex(3))-\(hex(12))" }

    /// Base62-ish id, as in `msg_01…`, `toolu_01…`, `req_011…`, `call_…`.
    mutating func token(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(alphabet[Int(next() % 62)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Base64-looking text (thinking signatures, Codex encrypted reasoning).
    mutating func base64(_ count: Int) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bytes = [UInt8](repeating: 0, count: count)
        var bits = next()
        for index in 0..<count {
            if index % 10 == 9 { bits = next() }
            bytes[index] = alphabet[Int(bits & 63)]
            bits >>= 6
        }
        return bytes
    }
}

/// JSON string escaping (contents only, no quotes). Non-ASCII is written as raw UTF-8,
/// as Claude Code and Codex do.
enum JSONText {
    static func escaped(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + 16)
        append(text, to: &out)
        return out
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
    }
}

/// Millisecond UTC timestamps as `2026-01-05T10:11:12.345Z`, without Foundation's
/// formatters (the generator writes millions of them).
enum ISOTime {
    static func string(milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        let millis = Int(milliseconds % 1000)
        let days = Int(seconds / 86400)
        let secondOfDay = Int(seconds % 86400)
        let (year, month, day) = civil(days: days)
        return
            "\(year)-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// (year, month, day) of days since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// Appends JSONL to a file through a large buffer.
final class BufferedFile {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var written: Int64 = 0
    private static let flushAt = 8 << 20

    init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError.message("cannot create \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(Self.flushAt + (1 << 20))
    }

    /// Bytes in the file once everything buffered is flushed.
    var size: Int64 { written + Int64(buffer.count) }

    @inline(__always) func s(_ text: String) { buffer.append(contentsOf: text.utf8) }
    @inline(__always) func b(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
    @inline(__always) func b(_ bytes: ArraySlice<UInt8>) { buffer.append(contentsOf: bytes) }
    /// A string value, escaped, without its quotes.
    @inline(__always) func e(_ text: String) { JSONText.append(text, to: &buffer) }

    func endLine() throws {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.flushAt { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, buffer.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError.message("write failed: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        closeDescriptor(fd)
    }
}

/// `close(2)`; inside `BufferedFile` the name `close` is the method.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// Text material shared by both writers: synthetic source files (raw, and as Claude's
/// `Read` renders them with line numbers), prose, shell output.
struct TextPool {
    struct SourceFile {
        var path: String
        var lines: [String]
        /// The whole file, JSON-escaped.
        var escaped: [UInt8]
        /// `     1→line` numbered, as a Claude `Read` result, JSON-escaped.
        var numbered: [UInt8]
        /// The first ~40 KB of lines, JSON-escaped: Codex truncates command output.
        var head: [UInt8]
    }

    var files: [SourceFile] = []
    var prose: [String] = []
    var shellOutputs: [[UInt8]] = []

    static let words = """
        the a to of and in is for that this with it on be as are we can should function value file test \
        error update change refactor parser store ingest commit session token usage model cursor offset \
        line batch reader writer schema index query result hook repository branch merge diff patch \
        config path module build release cache memory thread queue worker lock retry timeout buffer \
        stream decode encode json field record event summary report ratio budget latency throughput
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let identifiers = [
        "store", "reader", "cursor", "offset", "batch", "session", "usage", "tokens", "model", "result", "config",
        "path", "lines", "count", "index", "buffer", "writer", "queue", "summary", "report", "commit", "repo",
        "hash", "value", "state", "progress", "error", "input", "output", "total", "events", "records",
    ]

    /// `fileBytes` and `shellBytes` bound the log-uniform sizes of the source files and
    /// command outputs; the defaults are the 280-large-file corpus's.
    init(
        random: inout SeededRandom, fileCount: Int = 96, fileBytes: (Double, Double) = (500, 400_000),
        shellBytes: (Double, Double) = (200, 30_000)
    ) {
        for index in 0..<400 {
            var sentence: [String] = []
            for _ in 0..<random.int(6...28) { sentence.append(random.pick(Self.words)) }
            var text = sentence.joined(separator: " ")
            text = text.prefix(1).uppercased() + text.dropFirst() + "."
            if index % 17 == 0 { text += " Let's check `\(random.pick(Self.identifiers)).swift` — it's “quoted” ✓." }
            prose.append(text)
        }
        let extensions = ["swift", "ts", "tsx", "rs", "py", "go", "css", "md", "json"]
        for index in 0..<fileCount {
            // 0.5 KB … 400 KB of code-like text: most Read results and file bodies.
            let target = Int(random.logUniform(fileBytes.0, fileBytes.1))
            var lines: [String] = []
            var size = 0
            var depth = 0
            while size < target {
                let line = Self.codeLine(random: &random, depth: &depth)
                size += line.utf8.count + 1
                lines.append(line)
            }
            let ext = extensions[index % extensions.count]
            let path = "src/\(random.pick(Self.identifiers))/\(random.pick(Self.identifiers))_\(index).\(ext)"
            var numbered = [UInt8]()
            numbered.reserveCapacity(size + lines.count * 10)
            for (number, line) in lines.enumerated() {
                let label = String(number + 1)
                JSONText.append(String(repeating: " ", count: max(0, 6 - label.count)) + label + "→" + line + "\n", to: &numbered)
            }
            var head = ""
            for line in lines {
                if head.utf8.count + line.utf8.count > 40_000 { break }
                head += line + "\n"
            }
            files.append(
                SourceFile(
                    path: path, lines: lines, escaped: JSONText.escaped(lines.joined(separator: "\n") + "\n"), numbered: numbered,
                    head: JSONText.escaped(head)))
        }
        for _ in 0..<48 {
            let target = Int(random.logUniform(shellBytes.0, shellBytes.1))  // both tools truncate command output
            var text = ""
            while text.utf8.count < target {
                switch random.int(0...3) {
                case 0: text += "test \(random.pick(Self.identifiers))_\(random.int(1...999)) ... ok (\(random.int(0...900)) ms)\n"
                case 1:
                    text +=
                        "Compiling \(random.pick(Self.identifiers)) v0.\(random.int(1...9)).\(random.int(0...20)) (/home/dev/\(random.pick(Self.identifiers)))\n"
                case 2:
                    text +=
                        "src/\(random.pick(Self.identifiers)).swift:\(random.int(1...900)):\(random.int(1...80)): warning: variable '\(random.pick(Self.identifiers))' was never mutated\n"
                default: text += "\t\(random.pick(prose))\n"
                }
            }
            shellOutputs.append(JSONText.escaped(text))
        }
    }

    static func codeLine(random: inout SeededRandom, depth: inout Int) -> String {
        let indent = String(repeating: "    ", count: depth)
        let a = random.pick(identifiers), b = random.pick(identifiers), c = random.pick(identifiers)
        switch random.int(0...11) {
        case 0:
            depth = min(depth + 1, 5)
            return indent + "func \(a)\(b.capitalized)(_ \(c): Int) -> String {"
        case 1:
            if depth > 0 { depth -= 1 }
            return String(repeating: "    ", count: depth) + "}"
        case 2: return indent + "let \(a) = \(b).\(c)(\(random.int(0...4096)))"
        case 3: return indent + "// \(random.pick(words)) \(random.pick(words)) \(a) before \(b) \(random.pick(words))"
        case 4: return indent + "if \(a).count > \(random.int(1...64)) { return \"\(b) \\(\(c))\" }"
        case 5: return ""
        case 6: return indent + "\(a)[\"\(b)\"] = \(c)?.\(random.pick(identifiers)) ?? \(random.int(0...9))"
        case 7: return indent + "try \(a).write(\(b): \(c), at: \(random.int(0...65536)))\t// \(random.pick(words))"
        case 8:
            depth = min(depth + 1, 5)
            return indent + "for \(a) in \(b).\(c) where \(a).isEmpty == false {"
        case 9: return indent + "print(\"\(a): \\(\(b)) — \(random.pick(words)) é\")"
        case 10: return indent + "var \(a): [String: \(b.capitalized)] = [:]"
        default: return indent + "\(a) += \(b).reduce(0) { $0 + $1.\(c) }"
        }
    }
}

/// Writes one Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`),
/// shaped like real ones: typed prompts, assistant messages split over one line per
/// content block with the usage repeated, thinking blocks with signatures, tool
/// results carrying whole files, Edit/Write calls with their `toolUseResult`, summary
/// and file-history-snapshot records.
struct ClaudeTranscriptWriter {
    let pool: TextPool
    var random: SeededRandom
    let sessionId: String
    let cwd: String
    var clock: Int64
    var parent: String?
    var cacheRead = 4000

    init(pool: TextPool, seed: UInt64, cwd: String, startMilliseconds: Int64) {
        self.pool = pool
        random = SeededRandom(seed: seed)
        sessionId = random.uuid()
        self.cwd = cwd
        clock = startMilliseconds
    }

    mutating func write(to file: BufferedFile, targetBytes: Int64) throws {
        for _ in 0..<random.int(0...2) {
            file.s("{\"type\":\"summary\",\"summary\":\""); file.e(random.pick(pool.prose)); file.s("\",\"leafUuid\":\"\(random.uuid())\"}")
            try file.endLine()
        }
        while file.size < targetBytes {
            try turn(file)
        }
    }

    private mutating func tick(_ low: Int, _ high: Int) -> String {
        clock += Int64(random.int(low...high))
        return ISOTime.string(milliseconds: clock)
    }

    private mutating func head(_ file: BufferedFile) -> String {
        let uuid = random.uuid()
        file.s("{\"parentUuid\":")
        if let parent { file.s("\"\(parent)\"") } else { file.s("null") }
        file.s(
            ",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"\(cwd)\",\"sessionId\":\"\(sessionId)\",\"version\":\"2.0.69\",\"gitBranch\":\"main\","
        )
        parent = uuid
        return uuid
    }

    private mutating func turn(_ file: BufferedFile) throws {
        let promptId = random.uuid()
        file.s(
            "{\"type\":\"file-history-snapshot\",\"messageId\":\"\(promptId)\",\"snapshot\":{\"messageId\":\"\(promptId)\",\"trackedFileBackups\":{},\"timestamp\":\"\(tick(5_000, 120_000))\"},\"isSnapshotUpdate\":false}"
        )
        try file.endLine()
        let uuid = head(file)
        file.s("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"")
        for _ in 0..<random.int(1...4) { file.e(random.pick(pool.prose)); file.s(" ") }
        file.s(
            "\"},\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(1, 50))\",\"thinkingMetadata\":{\"level\":\"high\",\"disabled\":false,\"triggers\":[]},\"todos\":[]}"
        )
        try file.endLine()
        for _ in 0..<random.int(2...12) { try step(file) }
        // Closing message: text only.
        try assistant(file, blocks: [.text], finalStop: "end_turn")
    }

    enum Block { case thinking, text, tool(String, String) }

    /// One model request with a tool call, and the tool's result.
    private mutating func step(_ file: BufferedFile) throws {
        let roll = random.int(0...99)
        let tool = roll < 35 ? "Read" : roll < 60 ? "Bash" : roll < 80 ? "Edit" : roll < 87 ? "Write" : roll < 94 ? "Grep" : "Glob"
        let callId = "toolu_01" + random.token(22)
        var blocks: [Block] = []
        if random.chance(0.6) { blocks.append(.thinking) }
        if random.chance(0.7) { blocks.append(.text) }
        blocks.append(.tool(tool, callId))
        let source = random.pick(pool.files)
        let editPlan = tool == "Edit" ? makeEdit(source) : nil
        try assistant(file, blocks: blocks, finalStop: "tool_use", source: source, edit: editPlan)
        try toolResult(file, tool: tool, callId: callId, source: source, edit: editPlan)
    }

    struct EditPlan { var old: [String]; var new: [String]; var start: Int }

    private mutating func makeEdit(_ source: TextPool.SourceFile) -> EditPlan {
        let count = min(source.lines.count, random.int(1...12))
        let start = random.int(0...(source.lines.count - count))
        let old = Array(source.lines[start..<(start + count)])
        var new = old.map { $0.isEmpty ? $0 : $0 + " // \(random.pick(TextPool.words))" }
        var depth = 1
        for _ in 0..<random.int(0...10) { new.append(TextPool.codeLine(random: &random, depth: &depth)) }
        return EditPlan(old: old, new: new, start: start)
    }

    private mutating func assistant(
        _ file: BufferedFile, blocks: [Block], finalStop: String, source: TextPool.SourceFile? = nil, edit: EditPlan? = nil
    ) throws {
        let messageId = "msg_01" + random.token(22)
        let requestId = "req_011" + random.token(21)
        let input = random.int(1...12)
        let cacheWrite = random.int(0...8000)
        cacheRead += random.int(200...4000)
        var output = random.int(1...30)
        for (index, block) in blocks.enumerated() {
            let last = index == blocks.count - 1
            if last { output += random.int(20...1500) }
            let uuid = head(file)
            file.s(
                "\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"\(messageId)\",\"type\":\"message\",\"role\":\"assistant\",\"content\":["
            )
            switch block {
            case .thinking:
                file.s("{\"type\":\"thinking\",\"thinking\":\"")
                for _ in 0..<random.int(2...14) { file.e(random.pick(pool.prose)); file.s("\\n") }
                file.s("\",\"signature\":\""); file.b(random.base64(random.int(400...2400))); file.s("\"}")
            case .text:
                file.s("{\"type\":\"text\",\"text\":\"")
                for _ in 0..<random.int(1...6) { file.e(random.pick(pool.prose)); file.s(" ") }
                file.s("\"}")
            case .tool(let name, let callId):
                file.s("{\"type\":\"tool_use\",\"id\":\"\(callId)\",\"name\":\"\(name)\",\"input\":{")
                let path = cwd + "/" + (source?.path ?? "README.md")
                switch name {
                case "Read": file.s("\"file_path\":\"\(path)\"")
                case "Bash":
                    file.s(
                        "\"command\":\"swift test --filter \(random.pick(TextPool.identifiers)) 2>&1 | tail -n 200\",\"description\":\"Run the \(random.pick(TextPool.identifiers)) tests\""
                    )
                case "Edit":
                    file.s("\"file_path\":\"\(path)\",\"old_string\":\""); file.e(edit!.old.joined(separator: "\n"))
                    file.s("\",\"new_string\":\""); file.e(edit!.new.joined(separator: "\n")); file.s("\"")
                case "Write":
                    file.s("\"file_path\":\"\(path)\",\"content\":\""); file.b(source!.escaped); file.s("\"")
                case "Grep": file.s("\"pattern\":\"\(random.pick(TextPool.identifiers))\\\\(\",\"output_mode\":\"content\"")
                default: file.s("\"pattern\":\"**/*.swift\"")
                }
                file.s("}}")
            }
            file.s(
                "],\"stop_reason\":\(last ? "\"\(finalStop)\"" : "null"),\"stop_sequence\":null,\"usage\":{\"input_tokens\":\(input),\"cache_creation_input_tokens\":\(cacheWrite),\"cache_read_input_tokens\":\(cacheRead),\"cache_creation\":{\"ephemeral_5m_input_tokens\":\(cacheWrite),\"ephemeral_1h_input_tokens\":0},\"output_tokens\":\(output),\"service_tier\":\"standard\"}},\"requestId\":\"\(requestId)\",\"type\":\"assistant\",\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(300, 9_000))\"}"
            )
            try file.endLine()
        }
    }

    private mutating func toolResult(
        _ file: BufferedFile, tool: String, callId: String, source: TextPool.SourceFile, edit: EditPlan?
    ) throws {
        let uuid = head(file)
        let path = cwd + "/" + source.path
        file.s(
            "\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"\(callId)\",\"type\":\"tool_result\",\"content\":\""
        )
        switch tool {
        case "Read": file.b(source.numbered)
        case "Bash": file.b(random.pick(pool.shellOutputs))
        case "Edit":
            file.s("The file \(path) has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\\n")
            let start = edit.map { max(0, $0.start - 3) } ?? 0
            for (offset, line) in source.lines[start..<min(source.lines.count, start + 12)].enumerated() {
                let label = String(start + offset + 1)
                file.e(String(repeating: " ", count: max(0, 6 - label.count)) + label + "→" + line + "\n")
            }
        case "Write": file.s("File created successfully at: \(path)")
        case "Grep":
            for _ in 0..<random.int(3...200) {
                file.s("\(cwd)/src/\(random.pick(TextPool.identifiers)).swift:\(random.int(1...900)):"); file.e(random.pick(source.lines));
                file.s("\\n")
            }
        default:
            for _ in 0..<random.int(3...300) {
                file.s("\(cwd)/src/\(random.pick(TextPool.identifiers))/\(random.pick(TextPool.identifiers)).swift\\n")
            }
        }
        file.s("\"}]},\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(20, 60_000))\",\"toolUseResult\":")
        switch tool {
        case "Read":
            file.s("{\"type\":\"text\",\"file\":{\"filePath\":\"\(path)\",\"content\":\""); file.b(source.escaped)
            file.s("\",\"numLines\":\(source.lines.count),\"startLine\":1,\"totalLines\":\(source.lines.count)}}")
        case "Bash":
            file.s("{\"stdout\":\""); file.b(random.pick(pool.shellOutputs));
            file.s("\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}")
        case "Edit":
            let plan = edit!
            file.s("{\"filePath\":\"\(path)\",\"oldString\":\""); file.e(plan.old.joined(separator: "\n"))
            file.s("\",\"newString\":\""); file.e(plan.new.joined(separator: "\n"))
            file.s("\",\"originalFile\":\""); file.b(source.escaped)
            file.s(
                "\",\"structuredPatch\":[{\"oldStart\":\(plan.start + 1),\"oldLines\":\(plan.old.count),\"newStart\":\(plan.start + 1),\"newLines\":\(plan.new.count),\"lines\":["
            )
            var first = true
            for line in plan.old {
                file.s(first ? "\"-" : ",\"-"); file.e(line); file.s("\""); first = false
            }
            for line in plan.new {
                file.s(first ? "\"+" : ",\"+"); file.e(line); file.s("\""); first = false
            }
            file.s("]}],\"userModified\":false,\"replaceAll\":false}")
        case "Write":
            file.s("{\"type\":\"create\",\"filePath\":\"\(path)\",\"content\":\""); file.b(source.escaped);
            file.s("\",\"structuredPatch\":[]}")
        default:
            file.s("{\"mode\":\"content\",\"numFiles\":\(random.int(1...40)),\"filenames\":[],\"numLines\":\(random.int(1...300))}")
        }
        file.s("}")
        try file.endLine()
    }
}

/// Writes one Codex CLI rollout (`~/.codex/sessions/YYYY/MM/DD/rollout-….jsonl`):
/// session_meta, turn_context per turn, messages, encrypted reasoning, exec_command
/// calls with large outputs, apply_patch custom tool calls, and token_count events
/// with cumulative totals, some of them repeated as Codex does.
struct CodexRolloutWriter {
    let pool: TextPool
    var random: SeededRandom
    let sessionId: String
    let cwd: String
    var clock: Int64
    var totals = (input: 0, cached: 0, output: 0, reasoning: 0)

    init(pool: TextPool, seed: UInt64, cwd: String, startMilliseconds: Int64) {
        self.pool = pool
        random = SeededRandom(seed: seed)
        sessionId = "019c" + random.hex(4) + "-" + random.hex(4) + "-7" + random.hex(3) + "-a" + random.hex(3) + "-" + random.hex(12)
        self.cwd = cwd
        clock = startMilliseconds
    }

    private mutating func tick(_ low: Int, _ high: Int) -> String {
        clock += Int64(random.int(low...high))
        return ISOTime.string(milliseconds: clock)
    }

    private mutating func open(_ file: BufferedFile, _ type: String, _ payloadType: String? = nil) {
        file.s("{\"timestamp\":\"\(tick(1, 400))\",\"type\":\"\(type)\",\"payload\":{")
        if let payloadType { file.s("\"type\":\"\(payloadType)\",") }
    }

    mutating func write(to file: BufferedFile, targetBytes: Int64) throws {
        open(file, "session_meta")
        file.s(
            "\"id\":\"\(sessionId)\",\"timestamp\":\"\(ISOTime.string(milliseconds: clock))\",\"cwd\":\"\(cwd)\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.104.0\",\"source\":\"cli\",\"model_provider\":\"openai\",\"base_instructions\":{\"text\":\""
        )
        for _ in 0..<60 { file.e(random.pick(pool.prose)); file.s("\\n") }
        file.s(
            "\"},\"git\":{\"commit_hash\":\"\(random.hex(40))\",\"branch\":\"main\",\"repository_url\":\"https://github.com/example/\(cwd.split(separator: "/").last ?? "repo").git\"}}}"
        )
        try file.endLine()
        open(file, "response_item", "message")
        file.s("\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"")
        for _ in 0..<15 { file.e(random.pick(pool.prose)); file.s(" ") }
        file.s("\"}]}}")
        try file.endLine()
        while file.size < targetBytes { try turn(file) }
    }

    private mutating func turn(_ file: BufferedFile) throws {
        let turnId = "019c" + random.hex(4) + "-" + random.hex(4) + "-7" + random.hex(3) + "-b" + random.hex(3) + "-" + random.hex(12)
        let model = "gpt-5.3-codex"
        open(file, "event_msg", "task_started")
        file.s("\"turn_id\":\"\(turnId)\",\"model_context_window\":258400,\"collaboration_mode_kind\":\"default\"}}")
        try file.endLine()
        var prompt = ""
        for _ in 0..<random.int(1...4) { prompt += random.pick(pool.prose) + " " }
        open(file, "response_item", "message")
        file.s("\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""); file.e(prompt); file.s("\"}]}}")
        try file.endLine()
        open(file, "event_msg", "user_message")
        file.s("\"message\":\""); file.e(prompt); file.s("\",\"images\":[],\"local_images\":[],\"text_elements\":[]}}")
        try file.endLine()
        for _ in 0..<random.int(3...15) {
            open(file, "turn_context")
            file.s(
                "\"turn_id\":\"\(turnId)\",\"cwd\":\"\(cwd)\",\"approval_policy\":\"on-request\",\"sandbox_policy\":{\"type\":\"workspace-write\",\"writable_roots\":[\"\(cwd)\"],\"network_access\":false,\"exclude_tmpdir_env_var\":false,\"exclude_slash_tmp\":false},\"model\":\"\(model)\",\"personality\":\"pragmatic\",\"collaboration_mode\":{\"mode\":\"default\",\"settings\":{\"model\":\"\(model)\",\"reasoning_effort\":\"high\",\"developer_instructions\":null}},\"effort\":\"high\",\"summary\":\"auto\",\"truncation_policy\":{\"mode\":\"tokens\",\"limit\":10000}}}"
            )
            try file.endLine()
            try step(file)
        }
        let message = random.pick(pool.prose) + " " + random.pick(pool.prose)
        open(file, "event_msg", "agent_message")
        file.s("\"message\":\""); file.e(message); file.s("\"}}")
        try file.endLine()
        open(file, "response_item", "message")
        file.s("\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""); file.e(message); file.s("\"}]}}")
        try file.endLine()
        try tokenCount(file)
        open(file, "event_msg", "task_complete")
        file.s("\"turn_id\":\"\(turnId)\",\"last_agent_message\":\""); file.e(message); file.s("\"}}")
        try file.endLine()
    }

    private mutating func step(_ file: BufferedFile) throws {
        let summary = random.pick(pool.prose)
        open(file, "event_msg", "agent_reasoning")
        file.s("\"text\":\""); file.e(summary); file.s("\"}}")
        try file.endLine()
        open(file, "response_item", "reasoning")
        file.s("\"summary\":[{\"type\":\"summary_text\",\"text\":\""); file.e(summary)
        file.s("\"}],\"content\":null,\"encrypted_content\":\"gAAAAA"); file.b(random.base64(random.int(1500...9000))); file.s("\"}}")
        try file.endLine()
        try tokenCount(file)
        let callId = "call_" + random.token(24)
        let source = random.pick(pool.files)
        if random.chance(0.22) {
            // apply_patch as a freeform custom tool call.
            var patch = "*** Begin Patch\n"
            if random.chance(0.2) {
                patch += "*** Add File: \(source.path).new\n"
                for line in source.lines.prefix(random.int(5...200)) { patch += "+" + line + "\n" }
            } else {
                let count = min(source.lines.count, random.int(1...10))
                let start = random.int(0...(source.lines.count - count))
                patch += "*** Update File: \(source.path)\n@@\n"
                for line in source.lines[start..<(start + count)] { patch += "-" + line + "\n" }
                var depth = 1
                for _ in 0..<random.int(1...14) { patch += "+" + TextPool.codeLine(random: &random, depth: &depth) + "\n" }
            }
            patch += "*** End Patch\n"
            open(file, "response_item", "custom_tool_call")
            file.s("\"status\":\"completed\",\"call_id\":\"\(callId)\",\"name\":\"apply_patch\",\"input\":\""); file.e(patch);
            file.s("\"}}")
            try file.endLine()
            open(file, "response_item", "custom_tool_call_output")
            file.s("\"call_id\":\"\(callId)\",\"output\":\"")
            file.e(
                "{\"output\":\"Success. Updated the following files:\\nM \(source.path)\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.0}}"
            )
            file.s("\"}}")
            try file.endLine()
        } else {
            let command = random.chance(0.5) ? "sed -n '1,400p' \(source.path)" : "rg -n \(random.pick(TextPool.identifiers)) src"
            open(file, "response_item", "function_call")
            file.s("\"name\":\"exec_command\",\"arguments\":\"")
            file.e("{\"cmd\":\"\(command)\",\"workdir\":\"\(cwd)\",\"yield_time_ms\":10000}")
            file.s("\",\"call_id\":\"\(callId)\"}}")
            try file.endLine()
            open(file, "response_item", "function_call_output")
            file.s(
                "\"call_id\":\"\(callId)\",\"output\":\"Chunk ID: \(random.hex(6))\\nWall time: 0.\(random.int(10...999)) seconds\\nProcess exited with code 0\\nOutput:\\n"
            )
            if command.hasPrefix("sed") { file.b(source.head) } else { file.b(random.pick(pool.shellOutputs)) }
            file.s("\"}}")
            try file.endLine()
        }
        try tokenCount(file)
        if random.chance(0.3) { try tokenCount(file, advance: false) }
    }

    /// A `token_count` event with cumulative totals; `advance: false` repeats the last.
    private mutating func tokenCount(_ file: BufferedFile, advance: Bool = true) throws {
        var last = (input: 0, cached: 0, output: 0, reasoning: 0)
        if advance {
            last = (random.int(8_000...60_000), 0, random.int(20...2_500), 0)
            last.cached = last.input * random.int(50...95) / 100
            last.reasoning = last.output * random.int(0...80) / 100
            totals = (
                totals.input + last.input, totals.cached + last.cached, totals.output + last.output, totals.reasoning + last.reasoning
            )
        }
        open(file, "event_msg", "token_count")
        file.s(
            "\"info\":{\"total_token_usage\":{\"input_tokens\":\(totals.input),\"cached_input_tokens\":\(totals.cached),\"output_tokens\":\(totals.output),\"reasoning_output_tokens\":\(totals.reasoning),\"total_tokens\":\(totals.input + totals.output)},\"last_token_usage\":{\"input_tokens\":\(last.input),\"cached_input_tokens\":\(last.cached),\"output_tokens\":\(last.output),\"reasoning_output_tokens\":\(last.reasoning),\"total_tokens\":\(last.input + last.output)},\"model_context_window\":258400},\"rate_limits\":{\"limit_id\":\"codex\",\"limit_name\":null,\"primary\":{\"used_percent\":\(random.int(0...90)).0,\"window_minutes\":300,\"resets_at\":\(1_771_864_831 + random.int(0...9000))},\"secondary\":{\"used_percent\":\(random.int(0...60)).0,\"window_minutes\":10080,\"resets_at\":1772355703},\"credits\":{\"has_credits\":false,\"unlimited\":false,\"balance\":null},\"plan_type\":null}}}"
        )
        try file.endLine()
    }
}

/// What was generated: the transcript files under a fake HOME.
struct CorpusInfo: Sendable {
    var home: String
    var files: [String]
    var bytes: Int64
    var claudeBytes: Int64
    var codexBytes: Int64
    /// Of `codexBytes`: compressed `.jsonl.zst` rollouts (their size on disk).
    var zstBytes: Int64 = 0
    var zstFiles = 0
    var seconds: Double
    var reused: Bool

    /// Lists the `.jsonl` and `.jsonl.zst` files under `home/.claude` and `home/.codex`.
    static func describe(home: String, seconds: Double, reused: Bool) -> CorpusInfo {
        var info = CorpusInfo(home: home, files: [], bytes: 0, claudeBytes: 0, codexBytes: 0, seconds: seconds, reused: reused)
        for top in [".claude", ".codex"] {
            guard let enumerator = FileManager.default.enumerator(atPath: home + "/" + top) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let compressed = relative.hasSuffix(".jsonl.zst")
                guard compressed || relative.hasSuffix(".jsonl") else { continue }
                let path = home + "/" + top + "/" + relative
                var status = stat()
                guard stat(path, &status) == 0 else { continue }
                let size = Int64(status.st_size)
                info.files.append(path)
                info.bytes += size
                if top == ".claude" { info.claudeBytes += size } else { info.codexBytes += size }
                if compressed { info.zstBytes += size; info.zstFiles += 1 }
            }
        }
        info.files.sort()
        return info
    }
}

/// Generates the 280-large-file corpus (the first corpus of the bench) under a fake HOME.
struct CorpusGenerator {
    let seed: UInt64

    /// ~`totalBytes` of transcripts, ~60% Claude / 40% Codex by bytes, files 100 KB–20 MB.
    func generateMixed(home: String, totalBytes: Int64) throws -> CorpusInfo {
        let marker = home + "/.bench-corpus"
        let signature = "mixed seed=\(seed) bytes=\(totalBytes) v1"
        if let existing = try? String(contentsOfFile: marker, encoding: .utf8), existing == signature {
            return try describe(home: home, seconds: 0, reused: true)
        }
        try? FileManager.default.removeItem(atPath: home)
        let started = Clock.now()
        var random = SeededRandom(seed: seed)
        let pool = TextPool(random: &random)
        var claude: Int64 = 0
        var codex: Int64 = 0
        let baseMilliseconds: Int64 = 1_767_600_000_000  // 2026-01-05
        var index = 0
        while claude + codex < totalBytes {
            let remaining = totalBytes - claude - codex
            let size = min(remaining < 100_000 ? 100_000 : remaining, Int64(random.logUniform(100_000, 20_000_000)))
            let start = baseMilliseconds + Int64(index) * 3_600_000 * Int64(random.int(1...9))
            let project = "proj\(random.int(1...8))"
            let cwd = "/home/dev/src/\(project)"
            let fileSeed = random.next()
            if Double(claude) <= 0.6 * Double(claude + codex) {
                var writer = ClaudeTranscriptWriter(pool: pool, seed: fileSeed, cwd: cwd, startMilliseconds: start)
                let path = home + "/.claude/projects/-home-dev-src-\(project)/\(writer.sessionId).jsonl"
                let file = try BufferedFile(path: path)
                try writer.write(to: file, targetBytes: size)
                try file.close()
                claude += file.written
            } else {
                var writer = CodexRolloutWriter(pool: pool, seed: fileSeed, cwd: cwd, startMilliseconds: start)
                let (y, m, d) = ISOTime.civil(days: Int(start / 86_400_000))
                let stamp = ISOTime.string(milliseconds: start).prefix(19).replacingOccurrences(of: ":", with: "-")
                let path =
                    home + "/.codex/sessions/\(y)/\(ISOTime.pad(m, 2))/\(ISOTime.pad(d, 2))/rollout-\(stamp)-\(writer.sessionId).jsonl"
                let file = try BufferedFile(path: path)
                try writer.write(to: file, targetBytes: size)
                try file.close()
                codex += file.written
            }
            index += 1
        }
        try signature.write(toFile: marker, atomically: true, encoding: .utf8)
        return try describe(home: home, seconds: Clock.now() - started, reused: false)
    }

    private func describe(home: String, seconds: Double, reused: Bool) throws -> CorpusInfo {
        CorpusInfo.describe(home: home, seconds: seconds, reused: reused)
    }
}
