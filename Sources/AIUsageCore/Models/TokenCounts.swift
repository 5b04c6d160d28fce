/// Tokens of one or more model requests, split by how they are billed.
///
/// Normalised for every tool (PRODUCT.md, "Tokens and cost"): `input` is *uncached*
/// input, `cacheRead` is cached input, `cacheWrite` is cache creation, `output`
/// includes reasoning, and `reasoning` is the part of `output` spent on reasoning —
/// shown, never added again. Likewise `cacheWrite1h` is the part of `cacheWrite` written
/// with a one-hour time to live, which providers charge more for: a detail of
/// `cacheWrite`, never added to `total`.
public struct TokenCounts: Hashable, Sendable, Codable {
    public var input: Int64
    public var output: Int64
    public var cacheWrite: Int64
    public var cacheRead: Int64
    public var reasoning: Int64
    /// The part of `cacheWrite` written with a 1-hour time to live (Claude's
    /// `ephemeral_1h_input_tokens`), priced at its own rate; a detail, like `reasoning`,
    /// never added to `total` again (0 when the record does not say).
    public var cacheWrite1h: Int64 = 0

    public init(
        input: Int64 = 0, output: Int64 = 0, cacheWrite: Int64 = 0, cacheRead: Int64 = 0, reasoning: Int64 = 0,
        cacheWrite1h: Int64 = 0
    ) {
        self.input = input
        self.output = output
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
        self.reasoning = reasoning
        self.cacheWrite1h = cacheWrite1h
    }

    enum CodingKeys: String, CodingKey {
        case input, output, cacheWrite, cacheRead, reasoning, cacheWrite1h
    }

    /// Counts encoded before `cacheWrite1h` existed still decode (as 0).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(Int64.self, forKey: .input)
        output = try container.decode(Int64.self, forKey: .output)
        cacheWrite = try container.decode(Int64.self, forKey: .cacheWrite)
        cacheRead = try container.decode(Int64.self, forKey: .cacheRead)
        reasoning = try container.decode(Int64.self, forKey: .reasoning)
        cacheWrite1h = try container.decodeIfPresent(Int64.self, forKey: .cacheWrite1h) ?? 0
    }

    public static let zero = TokenCounts()

    /// input + output + cache_write + cache_read (reasoning is inside output, 1-hour cache
    /// writes inside cache_write).
    public var total: Int64 { input + output + cacheWrite + cacheRead }

    public var isZero: Bool { total == 0 && reasoning == 0 && cacheWrite1h == 0 }

    public static func + (lhs: TokenCounts, rhs: TokenCounts) -> TokenCounts {
        TokenCounts(
            input: lhs.input + rhs.input, output: lhs.output + rhs.output,
            cacheWrite: lhs.cacheWrite + rhs.cacheWrite, cacheRead: lhs.cacheRead + rhs.cacheRead,
            reasoning: lhs.reasoning + rhs.reasoning, cacheWrite1h: lhs.cacheWrite1h + rhs.cacheWrite1h)
    }

    public static func += (lhs: inout TokenCounts, rhs: TokenCounts) { lhs = lhs + rhs }

    /// Field-wise maximum: Claude Code repeats a request's usage on every content
    /// block, sometimes with growing counts, and the largest is the billed one.
    public func fieldwiseMax(_ other: TokenCounts) -> TokenCounts {
        TokenCounts(
            input: max(input, other.input), output: max(output, other.output),
            cacheWrite: max(cacheWrite, other.cacheWrite), cacheRead: max(cacheRead, other.cacheRead),
            reasoning: max(reasoning, other.reasoning), cacheWrite1h: max(cacheWrite1h, other.cacheWrite1h))
    }
}
