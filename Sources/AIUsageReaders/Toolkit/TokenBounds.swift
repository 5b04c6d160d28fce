import AIUsageCore

/// Bounds on token counts that every reader shares.
///
/// Records are read from files other programs write, which a crash, a bad disk or a
/// hostile process can corrupt: a count of 9e18 would make one request outweigh a
/// year of real ones, and two of them overflow any sum. No real request comes near a
/// trillion tokens, so a request above that is not a request.
public enum TokenBounds {
    /// The largest count any one field of one request may have.
    public static let perRequest: Int64 = 1_000_000_000_000

    /// Whether every count of `tokens` is one a real request can have.
    public static func plausible(_ tokens: TokenCounts) -> Bool {
        [tokens.input, tokens.output, tokens.cacheWrite, tokens.cacheRead, tokens.reasoning, tokens.cacheWrite1h]
            .allSatisfy { $0 >= 0 && $0 <= perRequest }
    }

    /// `batch` without its implausible requests, each counted as format drift.
    public static func checked(_ batch: ReadBatch) -> ReadBatch {
        guard batch.usage.contains(where: { !plausible($0.tokens) }) else { return batch }
        var result = batch
        result.usage = batch.usage.filter { plausible($0.tokens) }
        for _ in 0..<(batch.usage.count - result.usage.count) { result.noteUnrecognized(.shape, "token-count-out-of-range") }
        return result
    }

    /// `a + b`, held at `Int64.max` instead of trapping, for sums of raw counts a
    /// reader makes before the bounds are applied.
    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}
