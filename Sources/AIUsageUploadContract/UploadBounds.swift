/// The largest value each number of an upload row may take: far above what one developer's
/// day with one tool and model reaches, and far enough below the limits of `Int64` and
/// `Double` that no sum the server computes can trap or become infinite.
///
/// Why these bounds matter: uploads come from members, and a member is not trusted with the
/// server's arithmetic. Before the bounds, one row with `tokens.input = 2^63 - 1` was
/// accepted and then crashed `GET /api/v1/me` (the token total overflowed), and two such
/// days crashed every summary of the team, after every restart.
///
/// A row from a database written before these bounds existed is checked again on reading
/// (`isWithinBounds`): it is left out of team figures instead of poisoning them.
public enum UploadBounds {
    /// Tokens per row, each kind: a developer-day reaching 10^12 tokens would cost millions.
    public static let maxTokens: Int64 = 1_000_000_000_000
    /// Dollars per row (`cost_usd`, and `wasted_cost_usd`, which may not exceed it).
    public static let maxCostUSD = 1_000_000.0
    /// Lines per row, each kind (written, committed, landed, surviving, pending, churned, human).
    public static let maxLines: Int64 = 100_000_000
    /// Sessions and commits per row.
    public static let maxCount: Int64 = 1_000_000

    /// The first violated bound of `row`, worded for an error message whose subject is the
    /// field (as `at.field must ...`); nil when the row is within every bound.
    public static func violation(in row: UsageRow) -> (field: String, problem: String)? {
        for (field, value) in row.counts {
            guard value >= 0 else { return (field.rawValue, "must be zero or more") }
            guard value < field.bound else { return (field.rawValue, "must be below \(field.bound)") }
        }
        for field in DollarField.allCases {
            let value = row[keyPath: field.keyPath]
            guard value.isFinite, value >= 0 else { return (field.rawValue, "must be a finite number, zero or more") }
            guard value < maxCostUSD else { return (field.rawValue, "must be below \(Int(maxCostUSD)) dollars") }
        }
        if row.wastedCostUSD > row.costUSD {
            return (DollarField.wastedCostUSD.rawValue, "must not exceed \(DollarField.costUSD.rawValue) (\(row.costUSD))")
        }
        return nil
    }

    public static func isWithinBounds(_ row: UsageRow) -> Bool { violation(in: row) == nil }
}

/// Addition that stops at a ceiling instead of trapping, for sums over stored rows (the
/// server's team figures) and for a row's token total.
///
/// Rows within `UploadBounds` keep every real sum far below the ceiling; it is there because
/// the number of rows a sum covers is not bounded (developers, days, rows per day), and a
/// team figure that saturates is better than a server that dies. The ceiling is a quarter of
/// `Int64.max` so that adding the four token kinds into a total (as `TokenCounts.total` and
/// the JSON writers do, with plain `+`) cannot overflow either.
public enum Saturating {
    public static let ceiling: Int64 = Int64.max / 4

    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? ceiling : 0 }
        return min(max(sum, 0), ceiling)
    }

    public static func add(_ a: Int, _ b: Int64) -> Int { Int(add(Int64(a), b)) }

    /// Dollars: finite and at most `Double.greatestFiniteMagnitude / 4`, so JSON can encode
    /// the value and rounding it to a millionth cannot overflow to infinity.
    public static func add(_ a: Double, _ b: Double) -> Double {
        let sum = a + b
        guard sum.isFinite else { return b.isNaN ? a : dollarCeiling }
        return min(max(sum, 0), dollarCeiling)
    }

    public static let dollarCeiling = 1e300
}
