import AIUsageCore
import Foundation

/// Reads OpenCode's older `storage/` JSON tree
/// (`${XDG_DATA_HOME:-~/.local/share}/opencode/storage/`):
/// `session/<project>/<session>.json`, `message/<session>/<message>.json`,
/// `part/<message>/<part>.json`. Current OpenCode keeps the same documents in
/// `opencode.db` (see `OpenCodeDatabaseReader`); machines upgraded from older versions
/// still have this tree.
///
/// Each file is one small JSON document, rewritten while the message streams, so the
/// file kind is `.rewritten` and every read hands out the whole record again under
/// deterministic keys (`<session>:<message>` for usage, `<callID>:<index>` for edits).
/// A part file does not always name its session, and never its working directory:
/// for edit parts only, the reader looks up the part's message file (and the session
/// file) in the same tree. An assistant message's tokens are raised to the sum of its
/// `step-finish` parts (`part/<message>/`; see `OpenCodeRecords`). Unknown part types,
/// tool names and roles, and a file that is no JSON object, are counted as format
/// drift (`ReadBatch.drift`). Child sessions are not folded into their parent here (the
/// tree does not say a message's parent session without a lookup per file); OpenCode
/// 1.16 and later write only `opencode.db`, where they are.
public struct OpenCodeStorageReader: SessionReader {
    public let tool: ToolKind = .opencode

    public init() {}

    public var fileKind: RecordFileKind { .rewritten }

    /// `$XDG_DATA_HOME/opencode` (default `~/.local/share/opencode`, on macOS too:
    /// OpenCode uses XDG folders everywhere).
    public static func dataFolder(in environment: ReaderEnvironment) -> String {
        var base = environment.variables["XDG_DATA_HOME"] ?? ""
        if base.isEmpty || !base.hasPrefix("/") {
            base = trimmingSlash(environment.home) + "/.local/share"
        }
        return trimmingSlash(base) + "/opencode"
    }

    static func trimmingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [Self.dataFolder(in: environment) + "/storage"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var files: [String] = []
        for root in searchRoots(in: environment) {
            // Only the three record folders: storage/ also holds snapshots (git
            // objects), project and todo documents that carry no usage.
            for folder in ["session", "message", "part"] {
                files += RecordFileWalker.files(under: root + "/" + folder, maxDepth: 4) { $0.hasSuffix(".json") }.files
            }
        }
        return files
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONLinesFile.Failure.cannotOpen(path: path, errno: errno)
        }
        let size = Int64(data.count)
        if data.isEmpty { return ReadProgress(offset: 0, state: nil) }
        let document = JSONDocument(data)
        guard let json = JSONDict.object(document.bytes) else {
            var drift = ReadBatch()
            drift.noteUnrecognized(.shape, "storage-file-not-object")
            try sink(drift)
            return ReadProgress(offset: size, state: nil, linesRead: 0, linesSkipped: 1)
        }
        let location = Location(path: path)
        let fileTime = Self.modificationTime(path) ?? Date(timeIntervalSince1970: 0)
        var batch = ReadBatch()
        var skipped = 0
        let tail = document.noteTrailing("storage-file", into: &batch)

        if json["role"] != nil {
            if var message = OpenCodeRecords.message(
                json, fallbackID: location.baseName, fallbackSessionID: location.parentIf("message"), fallbackTime: fileTime)
            {
                message.noteDrift(into: &batch)
                if message.role == "assistant", let root = location.storageRoot {
                    OpenCodeRecords.raise(
                        &message, toSteps: OpenCodeRecords.stepTotals(Self.parts(ofMessage: message.id, storageRoot: root)))
                }
                batch.observations.append(message.observation)
                if let usage = message.usage { batch.usage.append(usage) }
            } else {
                skipped = 1
            }
        } else if json["type"] != nil, JSONDict.string(json, "messageID") != nil || location.parentIf("part") != nil {
            OpenCodeRecords.noteDrift(ofPart: json, into: &batch)
            if OpenCodeRecords.isEditPart(json) {
                let messageID = JSONDict.string(json, "messageID") ?? location.parentIf("part")
                let context = lookUpContext(
                    storageRoot: location.storageRoot, sessionID: JSONDict.string(json, "sessionID"), messageID: messageID)
                if let sessionID = JSONDict.string(json, "sessionID") ?? context.sessionID {
                    batch.edits = OpenCodeRecords.edits(
                        part: json, sessionID: sessionID, cwd: context.cwd, fallbackTime: context.time ?? fileTime)
                } else {
                    skipped = 1  // an edit we cannot place in any session
                }
            }
        } else if let sessionID = JSONDict.string(json, "id"), json["directory"] != nil || json["projectID"] != nil {
            batch.observations.append(
                SessionObservation(
                    tool: .opencode, sessionID: sessionID, cwd: JSONDict.string(json, "directory"),
                    timestamp: JSONDict.date(json, "time", "created") ?? fileTime))
        } else {
            batch.noteUnrecognized(.shape, "storage-record")  // no message, part or session
        }
        if !batch.isEmpty { try sink(batch) }
        return ReadProgress(offset: size, state: nil, linesRead: skipped == 0 ? 1 : 0, linesSkipped: skipped + tail)
    }

    /// Where a record file sits in the tree: `<root>/storage/<kind>/<parent>/<name>.json`.
    struct Location {
        var baseName: String
        var parentName: String?
        var kindName: String?
        var storageRoot: String?

        init(path: String) {
            var components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let file = components.popLast() ?? ""
            baseName = file.hasSuffix(".json") ? String(file.dropLast(5)) : file
            parentName = components.last
            kindName = components.count >= 2 ? components[components.count - 2] : nil
            if let index = components.lastIndex(of: "storage") {
                storageRoot = components[...index].joined(separator: "/")
            }
        }

        /// The parent folder's name when the file sits in `<kind>/<parent>/`.
        func parentIf(_ kind: String) -> String? { kindName == kind ? parentName : nil }
    }

    struct Context {
        var sessionID: String?
        var cwd: String?
        var time: Date?
    }

    /// The session, working directory and time of an edit part, from its message file
    /// (and the session file when the message has no `path`). Costs a few directory
    /// listings when the part does not name its session: only done for edit parts.
    func lookUpContext(storageRoot: String?, sessionID: String?, messageID: String?) -> Context {
        var context = Context(sessionID: sessionID)
        guard let storageRoot, let messageID else { return context }
        let messageRoot = storageRoot + "/message"
        var messagePath: String?
        if let sessionID {
            messagePath = messageRoot + "/" + sessionID + "/" + messageID + ".json"
        } else if let sessions = try? FileManager.default.contentsOfDirectory(atPath: messageRoot) {
            messagePath = sessions.sorted().lazy.map { messageRoot + "/" + $0 + "/" + messageID + ".json" }
                .first { FileManager.default.fileExists(atPath: $0) }
        }
        if let messagePath, let data = FileManager.default.contents(atPath: messagePath), let json = JSONDict.object(data) {
            let parent = (messagePath as NSString).deletingLastPathComponent
            if let message = OpenCodeRecords.message(
                json, fallbackID: messageID, fallbackSessionID: (parent as NSString).lastPathComponent,
                fallbackTime: Date(timeIntervalSince1970: 0))
            {
                context.sessionID = context.sessionID ?? message.sessionID
                context.cwd = message.cwd ?? message.projectRoot
                context.time = message.timestamp.timeIntervalSince1970 > 0 ? message.timestamp : nil
            }
        }
        if context.cwd == nil, let session = context.sessionID {
            let sessionRoot = storageRoot + "/session"
            let projects = (try? FileManager.default.contentsOfDirectory(atPath: sessionRoot)) ?? []
            for project in projects.sorted() {
                let candidate = sessionRoot + "/" + project + "/" + session + ".json"
                if let data = FileManager.default.contents(atPath: candidate), let json = JSONDict.object(data) {
                    context.cwd = JSONDict.string(json, "directory")
                    break
                }
            }
        }
        return context
    }

    /// The `step-finish` part documents of one message (`part/<message>/*.json`); other
    /// parts (a text part can be large) are skipped after a look at their first bytes.
    static func parts(ofMessage messageID: String, storageRoot: String) -> [[String: Any]] {
        let folder = storageRoot + "/part/" + messageID
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.sorted().compactMap { name -> [String: Any]? in
            guard name.hasSuffix(".json"), let handle = FileHandle(forReadingAtPath: folder + "/" + name) else { return nil }
            defer { try? handle.close() }
            guard let head = try? handle.read(upToCount: 4096),
                String(decoding: head, as: UTF8.self).contains("\"step-finish\"")
            else { return nil }
            // At the end of the file `read` gives nil: the head was all of it.
            let rest = (try? handle.read(upToCount: 1 << 20)) ?? nil
            return JSONDict.object(head + (rest ?? Data()))
        }
    }

    static func modificationTime(_ path: String) -> Date? {
        FileModificationTime.of(path)
    }
}
