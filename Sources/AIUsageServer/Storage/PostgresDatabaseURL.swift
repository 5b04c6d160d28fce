import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, parsed into what
/// postgres-nio needs. It keeps libpq's form so a URL can be pasted from `psql` or a hosting
/// panel; the query parameters this server does not honour are refused by name rather than
/// silently ignored, because an ignored `sslmode` would weaken a connection without notice.
public struct PostgresDatabaseURL: Sendable, Equatable {
    /// libpq's `sslmode`, as far as postgres-nio can honour it (`allow` behaves as `prefer`).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Host name or address; for a Unix socket, the socket's folder (a path starting with `/`).
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    public var connectTimeoutSeconds: Int

    /// Parameters accepted after `?`; anything else is refused.
    static let parameters = ["sslmode", "host", "port", "user", "password", "dbname", "connect_timeout"]

    /// Parses `text`; `defaultUser` stands in when the URL names none (libpq uses the login name).
    public init(_ text: String, defaultUser: String = ProcessInfo.processInfo.environment["USER"] ?? "postgres") throws {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let components = URLComponents(string: text) else {
            throw ConfigurationError("Invalid PostgreSQL URL; use postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.parameters.contains(item.name) else {
                throw ConfigurationError(
                    "Unsupported parameter \"\(item.name)\" in the PostgreSQL URL; supported: \(Self.parameters.joined(separator: ", ")).")
            }
            query[item.name] = item.value ?? ""
        }
        var host = components.host.flatMap { $0.removingPercentEncoding } ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = query["host"] ?? (host.isEmpty ? "localhost" : host)
        if let portText = query["port"] {
            guard let port = Int(portText) else { throw ConfigurationError("The PostgreSQL port must be a number; got \"\(portText)\".") }
            self.port = port
        } else {
            self.port = components.port ?? 5432
        }
        guard (1...65535).contains(port) else { throw ConfigurationError("The PostgreSQL port must be 1 to 65535; got \(port).") }
        user = query["user"] ?? components.user.flatMap { $0.isEmpty ? nil : $0 } ?? defaultUser
        password = query["password"] ?? components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? user : path)
        guard !database.contains("/") else {
            throw ConfigurationError("The PostgreSQL URL names a database with a \"/\": \"\(database)\".")
        }
        let mode = query["sslmode"] ?? TLSMode.prefer.rawValue
        guard let tlsMode = TLSMode(rawValue: mode) else {
            throw ConfigurationError(
                "Unsupported sslmode \"\(mode)\"; use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self.tlsMode = tlsMode
        let timeout = query["connect_timeout"] ?? "10"
        guard let seconds = Int(timeout), seconds > 0 else {
            throw ConfigurationError("connect_timeout must be a whole number of seconds above 0; got \"\(timeout)\".")
        }
        connectTimeoutSeconds = seconds
        if isUnixSocket, tlsMode == .require || tlsMode == .verifyCA || tlsMode == .verifyFull {
            throw ConfigurationError("sslmode=\(tlsMode.rawValue) cannot apply to a Unix socket (host \(self.host)).")
        }
    }

    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// Where and as whom, never the password: for messages and logs.
    public var redacted: String {
        let place = isUnixSocket ? "\(host)/.s.PGSQL.\(port)" : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        return "database \"\(database)\" at \(place) as \(user)"
    }

    /// libpq's socket file name inside the socket folder.
    var socketPath: String { "\(host)/.s.PGSQL.\(port)" }

    /// The TLS settings of libpq's `sslmode`: `prefer` and `require` encrypt without checking the
    /// certificate (as libpq does), `verify-ca` checks the chain, `verify-full` the host name too.
    var tlsConfiguration: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable: return nil
        case .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    /// For a pool (what the store uses).
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if isUnixSocket {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch (tlsMode, tlsConfiguration) {
            case (_, nil): tls = .disable
            case (.allow, let settings?), (.prefer, let settings?): tls = .prefer(settings)
            case (_, let settings?): tls = .require(settings)
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
        return configuration
    }

    /// For a single connection (the store's first check, tools and tests).
    public var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            var configuration: PostgresConnection.Configuration
            if isUnixSocket {
                configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
            } else {
                let tls: PostgresConnection.Configuration.TLS
                switch (tlsMode, tlsConfiguration) {
                case (_, nil): tls = .disable
                case (.allow, let settings?), (.prefer, let settings?): tls = .prefer(try NIOSSLContext(configuration: settings))
                case (_, let settings?): tls = .require(try NIOSSLContext(configuration: settings))
                }
                configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
            }
            configuration.options.connectTimeout = .seconds(Int64(connectTimeoutSeconds))
            return configuration
        }
    }
}
