/// The contract's limits on one document. The server refuses a document over any of them;
/// the client splits a long window into several documents of whole days to stay under them.
public struct UploadLimits: Sendable, Equatable {
    /// Bytes of one request body; the server refuses a longer body before reading it.
    public var maxBodyBytes = 1 << 20
    public var maxDays = 400
    public var maxRowsPerDay = 2000
    /// Code points of `repo`, `tool` and `model` (as JSON Schema's `maxLength` counts).
    public var maxStringLength = 200

    public init() {}

    /// What the client aims for per document: clear of the server's 1 MiB.
    public static let clientPartBytes = 1_000_000
}
