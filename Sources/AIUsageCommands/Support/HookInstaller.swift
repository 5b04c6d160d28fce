import AIUsageGit
import ArgumentParser
import Foundation

/// Installs aiusage's git hooks without clobbering what is there: an existing hook is
/// kept as `<name>.aiusage-chained` and run first by ours, with its exit status kept;
/// uninstalling puts it back exactly.
struct HookInstaller {
    /// The hooks aiusage acts on.
    static let hookNames = ["post-commit", "post-rewrite", "post-merge"]
    /// Every hook git runs: a global `core.hooksPath` replaces each repository's own
    /// hooks folder, so a global install passes all of them through to it.
    static let allHookNames = [
        "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
        "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "pre-receive", "update",
        "proc-receive", "post-receive", "post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc",
        "post-rewrite", "sendemail-validate", "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist",
        "p4-post-changelist", "p4-pre-submit", "post-index-change",
    ]
    static let marker = "aiusage git hook"
    static let chainedSuffix = ".aiusage-chained"
    static let manifestName = ".aiusage-global"

    let binaryPath: String
    let template: String
    let fileManager = FileManager.default

    init(environment: [String: String]) throws {
        binaryPath = Self.currentExecutable()
        template = try Self.loadTemplate(environment: environment, binaryPath: binaryPath)
    }

    /// Installs into `directory`; returns what it did, one line per hook.
    func install(into directory: String, names: [String], global: Bool) throws -> [String] {
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var report: [String] = []
        let script =
            template
            .replacingOccurrences(of: "@AIUSAGE_BIN@", with: binaryPath)
            .replacingOccurrences(of: "@AIUSAGE_GLOBAL@", with: global ? "1" : "")
        for name in names {
            let path = directory + "/" + name
            let chained = path + Self.chainedSuffix
            if isOurs(path) {
                report.append("\(name): updated")
            } else if fileManager.fileExists(atPath: path) || isSymlink(path) {
                guard !fileManager.fileExists(atPath: chained) else {
                    throw ValidationError("\(chained) already exists; move it away and run again")
                }
                try fileManager.moveItem(atPath: path, toPath: chained)
                report.append("\(name): installed; the existing hook runs first (kept as \(name)\(Self.chainedSuffix))")
            } else {
                report.append("\(name): installed")
            }
            try? fileManager.removeItem(atPath: path)
            try Data(script.utf8).write(to: URL(fileURLWithPath: path))
            try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return report
    }

    /// Removes our hooks from `directory` and restores the chained originals.
    func uninstall(from directory: String, names: [String]) throws -> [String] {
        var report: [String] = []
        for name in names {
            let path = directory + "/" + name
            let chained = path + Self.chainedSuffix
            guard isOurs(path) else { continue }
            try fileManager.removeItem(atPath: path)
            if fileManager.fileExists(atPath: chained) || isSymlink(chained) {
                try fileManager.moveItem(atPath: chained, toPath: path)
                report.append("\(name): removed; the previous hook is back")
            } else {
                report.append("\(name): removed")
            }
        }
        return report
    }

    func isOurs(_ path: String) -> Bool {
        guard let data = fileManager.contents(atPath: path) else { return false }
        return String(decoding: data.prefix(400), as: UTF8.self).contains(Self.marker)
    }

    func installedNames(in directory: String) -> [String] {
        Self.allHookNames.filter { isOurs(directory + "/" + $0) }
    }

    private func isSymlink(_ path: String) -> Bool {
        (try? fileManager.destinationOfSymbolicLink(atPath: path)) != nil
    }

    /// The hooks folder of the repository at `repoPath` (default: the current folder).
    static func localDirectory(repoPath: String?) throws -> String {
        let git: GitRepository
        do { git = try GitRepository(discoveringFrom: repoPath ?? FileManager.default.currentDirectoryPath) } catch {
            throw ValidationError("not a git repository: run inside one, pass --repo PATH, or use --global")
        }
        guard git.workTreeRoot != nil else {
            throw ValidationError(
                "\(git.gitDirectory) is a bare repository (no work tree): nobody commits there, so install the hooks in a clone with a work tree"
            )
        }
        return try git.hooksDirectory()
    }

    /// The folder of the global install: `$XDG_CONFIG_HOME/aiusage/hooks`.
    static func globalDirectory(environment: [String: String]) -> String {
        let config =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return config + "/aiusage/hooks"
    }

    static func currentExecutable() -> String {
        let path = CommandLine.arguments.first ?? "aiusage"
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return real }
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The hook script: `AIUSAGE_HOOKS_DIR`, else `share/aiusage/hooks` beside the
    /// binary's folder (where install.sh puts it), else `hooks/` of the checkout the
    /// binary was built in.
    static func loadTemplate(environment: [String: String], binaryPath: String) throws -> String {
        var candidates: [String] = []
        if let explicit = environment["AIUSAGE_HOOKS_DIR"] { candidates.append(explicit) }
        var dir = URL(fileURLWithPath: binaryPath).deletingLastPathComponent()
        candidates.append(dir.deletingLastPathComponent().appendingPathComponent("share/aiusage/hooks").path)
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("hooks").path)
            dir = dir.deletingLastPathComponent()
        }
        for candidate in candidates {
            if let data = FileManager.default.contents(atPath: candidate + "/aiusage-hook") {
                return String(decoding: data, as: UTF8.self)
            }
        }
        throw ValidationError("cannot find the hook script (hooks/aiusage-hook); reinstall with ./install.sh or set AIUSAGE_HOOKS_DIR")
    }
}
