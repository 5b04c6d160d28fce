import Foundation
import PostgresNIO

/// A PostgreSQL failure worded as one line. postgres-nio's errors deliberately describe
/// themselves as a generic "PSQLError" (so they cannot leak into responses by accident); an
/// administrator needs the server's message and SQLSTATE, or why the connection failed, so the
/// store rewords them here. The text never contains the password.
public struct PostgresStoreError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, without the "PostgreSQL: " that `description` puts in front.
    public let reason: String
    /// The server's SQLSTATE when the server refused (for example `23505`, unique violation).
    public let sqlState: String?
    public var description: String { "PostgreSQL: \(reason)" }

    public init(_ reason: String, sqlState: String? = nil) {
        self.reason = reason
        self.sqlState = sqlState
    }

    /// `error` reworded; a `StoreError` or `PostgresStoreError` is returned as it is.
    static func wrapping(_ error: any Error) -> any Error {
        if error is StoreError || error is PostgresStoreError || error is CancellationError { return error }
        return PostgresStoreError(reason(error), sqlState: sqlState(of: error))
    }

    /// The server's SQLSTATE, looking through the transaction wrapper.
    static func sqlState(of error: any Error) -> String? {
        switch error {
        case let error as PSQLError: return error.serverInfo?[.sqlState]
        case let error as PostgresTransactionError:
            return [error.closureError, error.beginError, error.commitError].lazy.compactMap { $0.flatMap(sqlState(of:)) }.first
        default: return nil
        }
    }

    /// Why `error` happened, as a lower-case phrase without a final period.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as PostgresStoreError:
            return error.reason
        case let error as PSQLError:
            if let info = error.serverInfo, let message = info[.message] {
                let detail = info[.detail].map { " (\($0))" } ?? ""
                return message + detail + (info[.sqlState].map { " [SQLSTATE \($0)]" } ?? "")
            }
            switch error.code {
            case .connectionError: return error.underlying.map(reason) ?? "cannot connect"
            case .sslUnsupported: return "the server does not offer TLS (sslmode asks for it)"
            case .authMechanismRequiresPassword: return "the server asks for a password; put it in the URL"
            case .unsupportedAuthMechanism: return "the server asks for an authentication method postgres-nio does not support"
            case .serverClosedConnection: return "the server closed the connection"
            case .clientClosedConnection, .poolClosed: return "the store is closed"
            case .queryCancelled: return "the query was cancelled"
            default: return "\(error.code)" + (error.underlying.map { ": " + reason($0) } ?? "")
            }
        case let error as PostgresTransactionError:
            return (error.closureError ?? error.beginError ?? error.commitError).map(reason) ?? "transaction failed"
        case let error as PostgresDecodingError:
            return "unexpected value in column \(error.columnName) (\(error.postgresType))"
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host \(error.host)" }
            return error.connectionErrors.first.map { reason($0.error) } ?? "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as ChannelError:
            if case .connectTimeout(let time) = error { return "no answer within \(time.nanoseconds / 1_000_000_000) s" }
            return "\(error)"
        default:
            return String(describing: error)
        }
    }
}
