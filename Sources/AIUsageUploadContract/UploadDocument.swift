import Foundation

/// The upload document, schema `aiusage.upload/1`: the body of `POST /api/v1/uploads`.
///
/// One type for both sides: `aiusage` fills it and sends `encoded()`, the server reads it
/// with `parse` (the same field names, bounds and limits), stores its rows and hands them
/// back from `GET /api/v1/me`. Per local day, one row per repository, tool and model of one
/// developer; no path, line hash, commit, message, prompt or person's name.
public struct UploadDocument: Sendable, Equatable {
    public static let schema = "aiusage.upload/1"

    /// `hashed`: each `repo` is the hex HMAC-SHA256 of the repository's name under the team
    /// key (64 hex digits, checked by the server); `plain`: the name itself.
    public enum RepoNames: String, Sendable, Codable { case hashed, plain }

    /// Whether the developer chose to be listed by name on the team's pages.
    public var named: Bool
    public var repoNames: RepoNames
    /// Each day present replaces the developer's rows of that day on the server.
    public var days: [UploadDay]
    /// Informative (ISO 8601), not stored.
    public var generatedAt: String?
    /// Informative (`aiusage 0.1`), not stored.
    public var client: String?

    public init(named: Bool, repoNames: RepoNames, days: [UploadDay], generatedAt: String? = nil, client: String? = nil) {
        self.named = named
        self.repoNames = repoNames
        self.days = days
        self.generatedAt = generatedAt
        self.client = client
    }

    public var rowCount: Int { days.reduce(0) { $0 + $1.rows.count } }

    /// The exact bytes sent (and what `--dry-run` prints): compact JSON with sorted keys and
    /// unescaped slashes, then one newline. Stable, so two runs differ only in `generated_at`.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Documents of whole days, each encoded in at most `maximumBytes` (a single day over it
    /// stays alone); usually just `self`. The server replaces rows per day, so splitting by
    /// day changes nothing in what it ends up holding.
    public func parts(maximumBytes: Int = UploadLimits.clientPartBytes) throws -> [UploadDocument] {
        guard days.count > 1, try encoded().count > maximumBytes else { return [self] }
        var first = self, second = self
        first.days = Array(days.prefix(days.count / 2))
        second.days = Array(days.dropFirst(days.count / 2))
        return try first.parts(maximumBytes: maximumBytes) + second.parts(maximumBytes: maximumBytes)
    }
}

extension UploadDocument: Codable {
    enum CodingKeys: String, CodingKey { case schema, named, repoNames = "repo_names", days, generatedAt = "generated_at", client }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try container.decode(String.self, forKey: .schema)
        guard schema == Self.schema else {
            throw DecodingError.dataCorruptedError(forKey: .schema, in: container, debugDescription: "unsupported schema \(schema)")
        }
        named = try container.decode(Bool.self, forKey: .named)
        repoNames = try container.decode(RepoNames.self, forKey: .repoNames)
        days = try container.decode([UploadDay].self, forKey: .days)
        // Optional, but a string when present: `null` is refused as the document says.
        generatedAt = container.contains(.generatedAt) ? try container.decode(String.self, forKey: .generatedAt) : nil
        client = container.contains(.client) ? try container.decode(String.self, forKey: .client) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        try container.encode(named, forKey: .named)
        try container.encode(repoNames, forKey: .repoNames)
        try container.encode(days, forKey: .days)
        try container.encodeIfPresent(generatedAt, forKey: .generatedAt)
        try container.encodeIfPresent(client, forKey: .client)
    }
}
