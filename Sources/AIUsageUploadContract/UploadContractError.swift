/// Why a document is not a valid `aiusage.upload/1`: a stable code (the server answers it
/// as `{"error": {"code", "message"}}` with status 400) and a sentence naming the place.
public struct UploadContractError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `malformed_json`, `unsupported_schema`, `invalid_document` or `invalid_value`.
    public let code: String
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ message: String) -> UploadContractError { UploadContractError("invalid_value", message) }
    static func shape(_ message: String) -> UploadContractError { UploadContractError("invalid_document", message) }
}
