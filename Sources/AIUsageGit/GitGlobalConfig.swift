import Foundation
internal import CGit2

/// The user's global git config, for `aiusage install --global`, which may run
/// outside any repository.
public enum GitGlobalConfig {
    /// A value of the global config, or nil when unset.
    public static func string(_ key: String) -> String? {
        guard let config = try? GitRepository.globalConfig() else { return nil }
        return withExtendedLifetime(config) {
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            guard git_config_get_string_buf(&buffer, config.pointer, key) == 0, let pointer = buffer.ptr else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size), as: UTF8.self)
        }
    }

    /// Sets, or with nil removes, a value of the global config.
    public static func set(_ key: String, _ value: String?) throws {
        let config = try GitRepository.globalConfig()
        try withExtendedLifetime(config) {
            if let value {
                _ = try check("git_config_set_string") { git_config_set_string(config.pointer, key, value) }
            } else {
                _ = try check("git_config_delete_entry", allowing: [GIT_ENOTFOUND]) { git_config_delete_entry(config.pointer, key) }
            }
        }
    }
}
