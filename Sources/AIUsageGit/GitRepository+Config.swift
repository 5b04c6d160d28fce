import Foundation
internal import CGit2

extension GitRepository {
    /// A config value as git would see it from this repository (local, worktree,
    /// global, system merged), or nil when unset or unreadable.
    public func configString(_ key: String) -> String? {
        locked {
            guard
                let snapshot = try? make(
                    ConfigHandle.self, "git_repository_config_snapshot", owner: handle,
                    {
                        git_repository_config_snapshot($0, raw)
                    })
            else { return nil }
            return withExtendedLifetime(snapshot) {
                var value: UnsafePointer<CChar>?
                guard
                    (try? check("git_config_get_string", allowing: [GIT_ENOTFOUND]) {
                        git_config_get_string(&value, snapshot.pointer, key)
                    }) == 0
                else { return nil }
                return decode(value)
            }
        }
    }

    /// The branch "landed" is measured against (PRODUCT.md "Default branch"):
    /// `configured` (a branch name such as `main` or `origin/main`, or a full ref; a bare
    /// name is tried as a local branch, then a remote-tracking one, then `origin/<name>`), else
    /// the target of `refs/remotes/origin/HEAD`, else the first of `origin/main`,
    /// `origin/master`, `main`, `master` that exists; nil when none does.
    ///
    /// A configured name that resolves to nothing throws rather than falling back, so a
    /// typo in `aiusage.defaultbranch` is reported instead of silently measuring
    /// against another branch.
    public func defaultBranch(configured: String?) throws -> DefaultBranch? {
        try locked {
            if let configured = configured?.trimmingCharacters(in: .whitespaces), !configured.isEmpty {
                let candidates =
                    configured.hasPrefix("refs/")
                    ? [configured]
                    : [
                        "refs/heads/\(configured)", "refs/remotes/\(configured)",
                        "refs/remotes/origin/\(configured)", "refs/\(configured)",
                    ]
                for name in candidates {
                    if let branch = try branchIfPresent(name) { return branch }
                }
                throw GitError(
                    function: "defaultBranch",
                    message: "configured default branch '\(configured)' does not exist",
                    code: GIT_ENOTFOUND.rawValue)
            }
            if let originHead = try makeIfPresent(
                ReferenceHandle.self, "git_reference_lookup", owner: handle,
                {
                    git_reference_lookup($0, raw, "refs/remotes/origin/HEAD")
                })
            {
                let target: String? = withExtendedLifetime(originHead) {
                    git_reference_type(originHead.pointer) == GIT_REFERENCE_SYMBOLIC
                        ? decode(git_reference_symbolic_target(originHead.pointer)) : nil
                }
                if let target, let branch = try branchIfPresent(target) { return branch }
            }
            for name in ["refs/remotes/origin/main", "refs/remotes/origin/master", "refs/heads/main", "refs/heads/master"] {
                if let branch = try branchIfPresent(name) { return branch }
            }
            return nil
        }
    }

    /// The reference `name` and the commit it peels to, or nil when it does not exist.
    private func branchIfPresent(_ name: String) throws -> DefaultBranch? {
        guard
            let reference = try makeIfPresent(
                ReferenceHandle.self, "git_reference_lookup", owner: handle,
                allowing: [GIT_ENOTFOUND, GIT_EINVALIDSPEC], { git_reference_lookup($0, raw, name) }
            )
        else { return nil }
        return try withExtendedLifetime(reference) {
            guard
                let commit = try makeIfPresent(
                    ObjectHandle.self, "git_reference_peel", owner: handle,
                    {
                        git_reference_peel($0, reference.pointer, GIT_OBJECT_COMMIT)
                    })
            else { return nil }
            let fullName = decode(git_reference_name(reference.pointer)) ?? name
            return withExtendedLifetime(commit) {
                DefaultBranch(name: fullName, tip: hex(git_object_id(commit.pointer)))
            }
        }
    }

    /// Where git runs hooks from for this repository: `core.hooksPath` (a relative
    /// value is taken from the work tree root, as git does; `~/` is expanded), else
    /// `<common dir>/hooks`, which linked worktrees share.
    public func hooksDirectory() throws -> String {
        if let configured = configString("core.hooksPath")?.trimmingCharacters(in: .whitespaces), !configured.isEmpty {
            var path = configured
            if path == "~" || path.hasPrefix("~/") {
                let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
                path = home + path.dropFirst()
            }
            if !path.hasPrefix("/") {
                path = (workTreeRoot ?? gitDirectory) + "/" + path
            }
            return (path as NSString).standardizingPath
        }
        return commonDirectory + "/hooks"
    }

    /// Sets (or with nil, removes) `key` in this repository's own config, or with
    /// `global` in the user's global config, creating `~/.gitconfig` when the user has
    /// none. Removing a key that is not set is not an error.
    public func setConfig(_ key: String, _ value: String?, global: Bool) throws {
        try locked {
            let config: ConfigHandle
            if global {
                config = try Self.globalConfig()
            } else {
                let all = try make(ConfigHandle.self, "git_repository_config", owner: handle) {
                    git_repository_config($0, raw)
                }
                config = try withExtendedLifetime(all) {
                    try make(ConfigHandle.self, "git_config_open_level", owner: all) {
                        git_config_open_level($0, all.pointer, GIT_CONFIG_LEVEL_LOCAL)
                    }
                }
            }
            _ = try withExtendedLifetime(config) {
                if let value {
                    try check("git_config_set_string") { git_config_set_string(config.pointer, key, value) }
                } else {
                    try check("git_config_delete_entry", allowing: [GIT_ENOTFOUND]) {
                        git_config_delete_entry(config.pointer, key)
                    }
                }
            }
        }
    }

    /// The global config level git writes to with `--global`: `~/.gitconfig`, else an
    /// existing XDG `~/.config/git/config`, else a newly created `~/.gitconfig`.
    static func globalConfig() throws -> ConfigHandle {
        _ = LibGit2.ready
        let all = try make(ConfigHandle.self, "git_config_open_default", owner: nil) { git_config_open_default($0) }
        return try withExtendedLifetime(all) {
            for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG] {
                if let config = try makeIfPresent(
                    ConfigHandle.self, "git_config_open_level", owner: all,
                    {
                        git_config_open_level($0, all.pointer, level)
                    })
                {
                    return config
                }
            }
            guard let home = try LibGit2.searchPath(level: GIT_CONFIG_LEVEL_GLOBAL) else {
                throw GitError(function: "setConfig", message: "no home folder for the global git config")
            }
            let path = home + "/.gitconfig"
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: Data()) else {
                    throw GitError(function: "setConfig", message: "cannot create \(path)")
                }
            }
            return try make(ConfigHandle.self, "git_config_open_ondisk", owner: nil) {
                git_config_open_ondisk($0, path)
            }
        }
    }
}
