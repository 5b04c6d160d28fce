import AIUsageCore
import Foundation

/// The files and added lines of one edit tool call in the shapes the Anthropic-style
/// agents share (Cursor, Factory Droid): whole-file writes, old → new replacements,
/// lists of replacements, Cursor's sketch edits and `apply_patch` texts. Each reader
/// decides which of its tool names are edits; this reads their input. Field names vary
/// by tool and version (`old_string`, `oldString`, `old_str`; `content`, `contents`,
/// `file_text`), so every known spelling is tried. Added lines follow the exact-text
/// rule (`AddedLines`).
enum EditToolCalls {
    /// The changed files of a call to `tool` (any case) with `input`; empty when the
    /// tool writes no file or its input lacks what is needed.
    static func files(tool name: String, _ input: [String: Any]) -> [(path: String, added: [LineHash])] {
        let path =
            JSONDict.string(input, "path") ?? JSONDict.string(input, "file_path")
            ?? JSONDict.string(input, "target_file") ?? JSONDict.string(input, "filePath")
        switch name.lowercased() {
        case "write", "create", "create_file", "write_file":
            guard let path, let content = (input["contents"] ?? input["content"] ?? input["file_text"]) as? String else { return [] }
            return [(path, LineIdentity.significantHashes(ofText: content))]
        case "strreplace", "str_replace", "edit", "search_replace", "replace":
            guard let path, let added = replacement(input) else { return [] }
            return [(path, added)]
        case "multiedit":
            guard let path, let list = input["edits"] as? [Any] else { return [] }
            return [(path, list.compactMap { $0 as? [String: Any] }.flatMap { replacement($0) ?? [] })]
        case "edit_file":
            // Cursor's sketch edits: the new code with `// ... existing code ...` markers.
            guard let path, let edit = input["code_edit"] as? String else { return [] }
            let lines = edit.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("... existing code ...") }
            return [(path, LineIdentity.significantHashes(ofText: lines.joined(separator: "\n")))]
        case "applypatch", "apply_patch":
            guard let text = (input["patch"] ?? input["input"] ?? input["patchText"]) as? String else { return [] }
            return patchFiles(text)
        default: return []
        }
    }

    /// The files an `apply_patch` text adds lines to (deleted files left out).
    static func patchFiles(_ text: String) -> [(path: String, added: [LineHash])] {
        ApplyPatchParser.extractPatches(from: text).flatMap { ApplyPatchParser.parse(String($0)) }
            .filter { $0.kind != .delete }.map { ($0.destinationPath, $0.addedLines) }
    }

    /// The lines one old → new replacement adds; nil without a new text.
    static func replacement(_ edit: [String: Any]) -> [LineHash]? {
        guard let new = (edit["new_string"] ?? edit["newString"] ?? edit["new_str"]) as? String else { return nil }
        let old = (edit["old_string"] ?? edit["oldString"] ?? edit["old_str"]) as? String ?? ""
        return AddedLines.between(old: old, new: new)
    }
}
