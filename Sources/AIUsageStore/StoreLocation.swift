import Foundation

/// Where the local store lives (PRODUCT.md, "Privacy"): `AIUSAGE_HOME`, else
/// `$XDG_DATA_HOME/aiusage`, else `~/.local/share/aiusage`.
public struct StoreLocation: Sendable, Equatable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        if let explicit = environment["AIUSAGE_HOME"], !explicit.isEmpty {
            return StoreLocation(directory: explicit)
        }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return StoreLocation(directory: xdg + "/aiusage")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return StoreLocation(directory: home + "/.local/share/aiusage")
    }

    public var databasePath: String { directory + "/aiusage.sqlite" }
    /// Errors from hooks go here, never to the terminal of a git command.
    public var logPath: String { directory + "/aiusage.log" }
    /// Held by the detached background run so that only one works at a time.
    public var backgroundLockPath: String { directory + "/background.lock" }
}
