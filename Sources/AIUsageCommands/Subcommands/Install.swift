import AIUsageGit
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage install`: record commits as they are made.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Add aiusage's git hooks (post-commit, post-rewrite, post-merge) to this repository, or to all with --global.",
            discussion: """
                Existing hooks are kept and run first, with their exit status respected; core.hooksPath is honoured. \
                The hooks hand their work to a detached background process, so git never waits for aiusage.

                Examples:
                  aiusage install
                  aiusage install --global      every repository of this user (sets core.hooksPath globally)
                """)

        @Flag(help: "Install for every repository of this user through a managed global hooks folder.")
        var global = false

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to install into.", valueName: "path"))
        var repoPath: String?

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let installer = try HookInstaller(environment: environment)
            if global {
                let directory = HookInstaller.globalDirectory(environment: environment)
                let manifest = directory + "/" + HookInstaller.manifestName
                let previous = GitGlobalConfig.string("core.hooksPath")
                if !FileManager.default.fileExists(atPath: manifest) {
                    // Remember what to restore, once: a second install must not record itself.
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try Data((previous.map { "hooksPath=\($0)\n" } ?? "hooksPath=\n").utf8).write(to: URL(fileURLWithPath: manifest))
                    if let previous, previous != directory {
                        // Hooks of the earlier global folder keep running, chained.
                        for name in HookInstaller.allHookNames where FileManager.default.isExecutableFile(atPath: previous + "/" + name) {
                            try? FileManager.default.createSymbolicLink(
                                atPath: directory + "/" + name + HookInstaller.chainedSuffix, withDestinationPath: previous + "/" + name)
                        }
                    }
                }
                _ = try installer.install(into: directory, names: HookInstaller.allHookNames, global: true)
                try GitGlobalConfig.set("core.hooksPath", directory)
                print("Installed aiusage hooks for every repository: core.hooksPath = \(directory)")
                print("Each repository's own hooks still run. Undo with `aiusage uninstall --global`.")
                return
            }
            let directory = try HookInstaller.localDirectory(repoPath: repoPath)
            for line in try installer.install(into: directory, names: HookInstaller.hookNames, global: false) { print(line) }
            print("Hooks are in \(directory). Commits are now recorded as you make them; `aiusage report` shows the ratios.")
        }
    }

    /// `aiusage uninstall`: restore exactly what was there before `install`.
    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall",
            abstract: "Remove aiusage's git hooks and put back the hooks that were there before.",
            discussion: """
                Examples:
                  aiusage uninstall
                  aiusage uninstall --global
                """)

        @Flag(help: "Remove the global install and restore the previous core.hooksPath.")
        var global = false

        @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to uninstall from.", valueName: "path"))
        var repoPath: String?

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let installer = try HookInstaller(environment: environment)
            if global {
                let directory = HookInstaller.globalDirectory(environment: environment)
                let manifest = directory + "/" + HookInstaller.manifestName
                guard let data = FileManager.default.contents(atPath: manifest) else {
                    throw ValidationError("aiusage is not installed globally (no \(manifest))")
                }
                _ = try installer.uninstall(from: directory, names: HookInstaller.allHookNames)
                // Chained links to the earlier global folder were ours; drop them.
                for name in HookInstaller.allHookNames {
                    try? FileManager.default.removeItem(atPath: directory + "/" + name + HookInstaller.chainedSuffix)
                }
                let text = String(decoding: data, as: UTF8.self)
                let previous =
                    text.split(separator: "\n").first { $0.hasPrefix("hooksPath=") }.map { String($0.dropFirst("hooksPath=".count)) } ?? ""
                try GitGlobalConfig.set("core.hooksPath", previous.isEmpty ? nil : previous)
                try FileManager.default.removeItem(atPath: manifest)
                try? FileManager.default.removeItem(atPath: directory)
                print(
                    previous.isEmpty
                        ? "Removed the global aiusage hooks; core.hooksPath is unset again."
                        : "Removed the global aiusage hooks; core.hooksPath = \(previous) again.")
                return
            }
            let directory = try HookInstaller.localDirectory(repoPath: repoPath)
            let lines = try installer.uninstall(from: directory, names: HookInstaller.hookNames)
            if lines.isEmpty { print("No aiusage hooks in \(directory); nothing to do.") }
            for line in lines { print(line) }
        }
    }
}
