import Foundation

/// File names as Aider's replies and messages write them.
///
/// Aider takes the line just before an edit block (or before its opening fence) as the
/// file name and cleans it the way `strip_filename` in `aider/coders/editblock_coder.py`
/// does (`#`, backticks, `*`, a trailing `:`, `\_` for `_`). Real histories hold
/// Windows paths (`src\app\x.cs`) and web-framework routes (`src/pages/[...slug].astro`,
/// `app/(auth)/login/page.tsx`, `routes/+page.svelte`, `$lib/x.ts`), so only what cannot
/// be a path is refused — prose and code — never a character a path may hold.
enum AiderPaths {
    /// Root files commonly edited that have neither an extension nor a folder.
    static let extensionless: Set<String> = [
        "Makefile", "Dockerfile", "Gemfile", "Rakefile", "Procfile", "Justfile", "LICENSE", "Containerfile",
        "Jenkinsfile", "Vagrantfile", "Brewfile", "Podfile", "CODEOWNERS",
    ]

    /// The file name a reply line gives, cleaned like Aider cleans it, or nil when the
    /// line cannot be one (prose, code, a bare fence).
    static func candidate(_ line: String) -> String? {
        // Most reply lines are prose or code: turn them away before any string work.
        let pathLike = line.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }
        guard line.utf8.count <= 300, pathLike || line.utf8.count <= 40 else { return nil }
        var name = line.trimmingCharacters(in: .whitespaces)
        // "```path/to/file.py" (a fence opening right before the name): Aider takes the rest.
        if let rest = AiderReplyParser.afterOpeningFence(name) {
            name = String(rest)
            guard name.contains(where: { $0 == "." || $0 == "/" || $0 == "\\" }) else { return nil }
        }
        while name.hasSuffix(":") { name.removeLast() }
        name = String(name.drop { $0 == "#" })
        name = name.trimmingCharacters(in: decoration)
        name = name.replacingOccurrences(of: "\\_", with: "_")
        return plausible(name) ? name : nil
    }

    private static let decoration = CharacterSet(charactersIn: "`*").union(.whitespaces)

    /// Whether a cleaned name can be a path (and is not a line of prose or code).
    static func plausible(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, name != "..." else { return false }
        let hasSeparator = name.contains("/") || name.contains("\\")
        // Characters no real path in a repository holds, and that mark code or prose.
        if name.contains(where: { "\"'<>|;=,?!".contains($0) || $0 == "\t" }) { return false }
        if name.contains(" ") {
            // "docs/My Notes.md" is a path; "Update main.py" is a sentence.
            guard hasSeparator, hasExtension(name), !name.contains("  ") else { return false }
        }
        // Parentheses belong to route groups ("app/(auth)/page.tsx"), not to calls ("f(x).y").
        if name.contains("("), !hasSeparator { return false }
        if hasSeparator { return name.last != "/" && name.last != "\\" }
        return hasExtension(name) || extensionless.contains(name)
    }

    /// A last path component of the form `name.ext` (or a dotfile such as `.env`).
    static func hasExtension(_ name: String) -> Bool {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? name
        guard let dot = last.lastIndex(of: ".") else { return false }
        let ext = last[last.index(after: dot)...]
        return !ext.isEmpty && ext.count <= 16 && ext.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "+" }
            && ext.contains(where: { $0.isLetter || $0.isNumber })
    }

    /// The repository-relative, `/`-separated form of a path Aider printed, used both for
    /// the edit's path and to pair a reply's blocks with Aider's `Applied edit to` lines.
    ///
    /// Windows separators become `/`; `./` is dropped; an absolute Windows path is cut
    /// after the repository folder's name when it holds it (`C:\work\shop\src\x.cs` in
    /// the history of `/home/me/shop` → `src/x.cs`).
    static func normalized(_ path: String, repositoryName: String) -> String {
        var result = path.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\", with: "/")
        while result.hasPrefix("./") { result.removeFirst(2) }
        let bytes = Array(result.utf8)
        let windowsAbsolute =
            bytes.count >= 3 && bytes[1] == UInt8(ascii: ":") && bytes[2] == UInt8(ascii: "/")
            && ((bytes[0] >= 0x41 && bytes[0] <= 0x5A) || (bytes[0] >= 0x61 && bytes[0] <= 0x7A))
        if windowsAbsolute || result.hasPrefix("//") {
            if !repositoryName.isEmpty, let range = result.range(of: "/" + repositoryName + "/", options: .backwards) {
                result = String(result[range.upperBound...])
            }
        }
        return result
    }

    /// Whether two normalized paths name the same file: equal, or one is the other with
    /// folders in front (Aider resolves a bare `utils.py` to the chat file `aider/utils.py`).
    static func sameFile(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        return lhs.hasSuffix("/" + rhs) || rhs.hasSuffix("/" + lhs)
    }
}
