import Foundation

/// Everything `serve` and the admin commands need, resolved from flags, then the environment,
/// then defaults (see `resolve`), so tests can build one directly.
public struct ServerConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Folder holding `aiusage-server.sqlite` when no database URL is given.
    public var dataDirectory: String
    /// `sqlite:///path/file.sqlite`, a plain path, or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
    public var databaseURL: String?
    /// k: team figures are shown only when at least this many developers contributed.
    public var minGroupSize = 5
    public var maxBodyBytes = 1 << 20
    /// The address people and clients use, e.g. `https://aiusage.example.com` behind a TLS
    /// proxy. With `https`, the dashboard's cookies are `Secure` (never sent over plain HTTP).
    public var publicURL: String?
    public var secureCookies: Bool { publicURL?.lowercased().hasPrefix("https://") == true }

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

    /// Default data folder: `$XDG_DATA_HOME/aiusage-server`, else `~/.local/share/aiusage-server`.
    public static func defaultDataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/aiusage-server" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/aiusage-server"
    }

    /// Flags win over `AIUSAGE_SERVER_*` variables, which win over defaults.
    public static func resolve(
        host: String?, port: Int?, dataDirectory: String?, database: String?, minGroupSize: Int?, publicURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServerConfiguration {
        func env(_ name: String) -> String? { environment["AIUSAGE_SERVER_" + name].flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ name: String) throws -> Int? {
            guard let text = env(name) else { return nil }
            guard let value = Int(text) else { throw ConfigurationError("AIUSAGE_SERVER_\(name) must be a whole number; got \"\(text)\".") }
            return value
        }
        var configuration = ServerConfiguration(
            dataDirectory: dataDirectory ?? env("DATA_DIR") ?? defaultDataDirectory(environment: environment))
        configuration.host = host ?? env("HOST") ?? configuration.host
        configuration.port = try port ?? int("PORT") ?? configuration.port
        configuration.databaseURL = database ?? env("DATABASE")
        configuration.minGroupSize = try minGroupSize ?? int("MIN_GROUP_SIZE") ?? configuration.minGroupSize
        if let url = publicURL ?? env("PUBLIC_URL") {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
                components.host?.isEmpty == false
            else {
                throw ConfigurationError("The public URL must be http://HOST or https://HOST (as people reach the server); got \"\(url)\".")
            }
            configuration.publicURL = url
        }
        guard (0...65535).contains(configuration.port) else {
            throw ConfigurationError("The port must be 0 to 65535; got \(configuration.port).")
        }
        guard configuration.minGroupSize >= 1 else { throw ConfigurationError("The minimum group size must be at least 1.") }
        return configuration
    }

    /// Opens and migrates the configured store: PostgreSQL for a `postgres://` URL, else the
    /// SQLite file. The caller closes it (`TeamStore.close()`) once done.
    public func openStore() async throws -> any TeamStore {
        let path: String
        if let url = databaseURL {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                let store = try await PostgresTeamStore.connect(try PostgresDatabaseURL(url))
                do {
                    try await store.migrate()
                } catch {
                    await store.close()
                    throw ConfigurationError(
                        "Cannot prepare the PostgreSQL schema (\(store.url.redacted)): \(PostgresStoreError.reason(error)).")
                }
                return store
            } else if url.hasPrefix("sqlite://") {
                path = String(url.dropFirst("sqlite://".count))
            } else if url.contains("://") {
                throw ConfigurationError(
                    "Unsupported database URL scheme in \"\(Self.redacting(url))\"; use sqlite:///path/file.sqlite or postgres://USER:PASSWORD@HOST:PORT/DATABASE."
                )
            } else {
                path = url
            }
        } else {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            path = dataDirectory + "/aiusage-server.sqlite"
        }
        let store = try SQLiteTeamStore(path: path)
        try await store.migrate()
        return store
    }

    /// `url` with any password replaced by `***`, for messages.
    static func redacting(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}

/// A configuration mistake, worded as one line for stderr.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
