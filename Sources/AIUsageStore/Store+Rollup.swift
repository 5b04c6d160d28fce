import AIUsageCore
import Foundation
internal import GRDB
internal import GRDBSQLite

/// Usage of one session on one model in one quarter hour: what reports read.
///
/// A report used to load every billed request into Swift (130,000 of them for a heavy
/// user's gigabyte of transcripts, a second on every run). Requests are folded once,
/// when their session changes, priced one by one (long-context tiers depend on the
/// request), into rows per quarter hour — a grain fine enough for every time zone's
/// day boundaries (all UTC offsets are whole quarter hours) and for `--since`/`--until`
/// windows (a row a window boundary cuts through is read again request by request).
public struct UsageAggregate: Sendable, Equatable {
    public var session: SessionKey
    public var model: String
    /// Start of the quarter hour (or of the earliest one, when several were summed).
    public var bucketStart: Date
    public var requests: Int
    public var tokens: TokenCounts
    /// Cost of the requests that have a price (recorded by the tool, or from the table).
    public var costUSD: Double
    /// Tokens of requests without any price: never counted as $0.
    public var unpricedTokens: Int64
    /// Requests whose cost the tool recorded itself.
    public var recordedRequests: Int
    /// Earliest and latest request inside.
    public var first: Date
    public var last: Date

    public init(
        session: SessionKey, model: String, bucketStart: Date, requests: Int, tokens: TokenCounts, costUSD: Double,
        unpricedTokens: Int64, recordedRequests: Int, first: Date, last: Date
    ) {
        self.session = session
        self.model = model
        self.bucketStart = bucketStart
        self.requests = requests
        self.tokens = tokens
        self.costUSD = costUSD
        self.unpricedTokens = unpricedTokens
        self.recordedRequests = recordedRequests
        self.first = first
        self.last = last
    }

    /// Adds one request.
    mutating func add(_ record: UsageRecord, cost: Double?) {
        requests += 1
        tokens += record.tokens
        if let cost { costUSD += cost } else { unpricedTokens += record.tokens.total }
        if record.recordedCostUSD != nil { recordedRequests += 1 }
        first = min(first, record.timestamp)
        last = max(last, record.timestamp)
    }

    /// Adds another aggregate of the same session and model.
    mutating func add(_ other: UsageAggregate) {
        requests += other.requests
        tokens += other.tokens
        costUSD += other.costUSD
        unpricedTokens += other.unpricedTokens
        recordedRequests += other.recordedRequests
        bucketStart = min(bucketStart, other.bucketStart)
        first = min(first, other.first)
        last = max(last, other.last)
    }

    static func empty(_ record: UsageRecord, bucket: Int64) -> UsageAggregate {
        UsageAggregate(
            session: record.session, model: record.model, bucketStart: Date(timeIntervalSince1970: Double(bucket) * Store.bucketSeconds),
            requests: 0, tokens: TokenCounts(), costUSD: 0, unpricedTokens: 0, recordedRequests: 0, first: record.timestamp,
            last: record.timestamp)
    }
}

/// Lines one session's edits wrote where it worked, in one quarter hour (or summed).
public struct EditAggregate: Sendable, Equatable {
    public var session: SessionKey
    public var bucketStart: Date
    public var edits: Int
    public var lines: Int
    public var first: Date
    public var last: Date

    mutating func add(_ other: EditAggregate) {
        edits += other.edits
        lines += other.lines
        bucketStart = min(bucketStart, other.bucketStart)
        first = min(first, other.first)
        last = max(last, other.last)
    }
}

/// How a report asks for usage: which sessions, which window, and whether rows must
/// stay apart by quarter hour (time groupings) or may be summed per session and model.
public struct UsageQuery: Sendable {
    public var sessions: Set<SessionKey>?
    public var since: Date?
    public var until: Date?
    public var byBucket: Bool

    public init(sessions: Set<SessionKey>? = nil, since: Date? = nil, until: Date? = nil, byBucket: Bool) {
        self.sessions = sessions
        self.since = since
        self.until = until
        self.byBucket = byBucket
    }
}

extension Store {
    static let bucketSeconds = 900.0

    static func bucket(_ time: Double) -> Int64 { Int64((time / bucketSeconds).rounded(.down)) }

    /// Folds the usage of every session marked since the last call into the rollup,
    /// pricing each request with `price` (nil: unpriced). `pricing` names the price table:
    /// when it differs from the one the rollup was built with, everything is folded again.
    /// Returns how many sessions were folded.
    @discardableResult
    public func refreshUsageRollup(pricing: String, price: (UsageRecord) -> Double?) throws -> Int {
        try write { db in
            let built = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rollup_prices'")
            if built != pricing {
                try db.execute(sql: "DELETE FROM usage_rollup")
                try db.execute(sql: "DELETE FROM usage_totals")
                try db.execute(sql: "INSERT OR IGNORE INTO dirty_sessions SELECT DISTINCT tool, session_id FROM usage")
                try db.execute(sql: "INSERT OR IGNORE INTO dirty_sessions SELECT DISTINCT tool, session_id FROM edits")
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('rollup_prices', ?)", arguments: [pricing])
            }
            var dirty: Set<SessionKey> = []
            for row in try Row.fetchAll(db, sql: "SELECT tool, session_id FROM dirty_sessions") {
                dirty.insert(SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1]))
            }
            guard !dirty.isEmpty else { return 0 }
            var folded: [RollupKey: UsageAggregate] = [:]
            func fold(_ record: UsageRecord) {
                let bucket = Self.bucket(record.timestamp.timeIntervalSince1970)
                let key = RollupKey(session: record.session, model: record.model, bucket: bucket)
                var aggregate = folded[key] ?? .empty(record, bucket: bucket)
                aggregate.add(record, cost: price(record))
                folded[key] = aggregate
            }
            // Many sessions: one pass over the table; a few: through the session index.
            if dirty.count > 200 {
                var fold = UsageFold(wanted: dirty)
                var rows = UsageRowStream(try db.makeStatement(sql: "SELECT \(Self.usageColumns) FROM usage_effective"), in: db)
                while let record = try rows.next() { fold.add(record, sessionChanged: rows.sessionChanged, cost: price) }
                folded = fold.result
            } else {
                let statement = try db.cachedStatement(
                    sql: "SELECT \(Self.usageColumns) FROM usage_effective WHERE tool = ? AND session_id = ?")
                for session in dirty {
                    let cursor = try Row.fetchCursor(statement, arguments: [session.tool.rawValue, session.id])
                    while let row = try cursor.next() { fold(Self.usageRecord(row)) }
                }
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM usage_rollup WHERE tool = ? AND session_id = ?")
            let clean = try db.cachedStatement(sql: "DELETE FROM dirty_sessions WHERE tool = ? AND session_id = ?")
            for session in dirty {
                try delete.execute(arguments: [session.tool.rawValue, session.id])
                try clean.execute(arguments: [session.tool.rawValue, session.id])
            }
            try foldEdits(of: dirty, in: db)
            // Each folded session's primary model, from all its requests.
            var requests: [SessionKey: [String: Int]] = [:]
            for aggregate in folded.values { requests[aggregate.session, default: [:]][aggregate.model, default: 0] += aggregate.requests }
            let primary = try db.cachedStatement(sql: "UPDATE sessions SET primary_model = ? WHERE tool = ? AND id = ?")
            for session in dirty {
                let models = requests[session] ?? [:]
                let best = models.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
                try primary.execute(arguments: [best, session.tool.rawValue, session.id])
            }
            var insert = BulkStatement(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO usage_rollup (tool, session_id, model, bucket, requests, input, output, cache_write, cache_write_1h,
                          cache_read, reasoning, cost, unpriced_tokens, recorded_requests, min_ts, max_ts)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """), in: db)
            defer { insert.finish() }
            for (key, aggregate) in folded {
                insert.bind(key.session.tool.rawValue)
                insert.bind(key.session.id)
                insert.bind(key.model)
                insert.bind(key.bucket)
                insert.bind(aggregate.requests)
                insert.bind(aggregate.tokens.input)
                insert.bind(aggregate.tokens.output)
                insert.bind(aggregate.tokens.cacheWrite)
                insert.bind(aggregate.tokens.cacheWrite1h)
                insert.bind(aggregate.tokens.cacheRead)
                insert.bind(aggregate.tokens.reasoning)
                insert.bind(aggregate.costUSD)
                insert.bind(aggregate.unpricedTokens)
                insert.bind(aggregate.recordedRequests)
                insert.bind(aggregate.first.timeIntervalSince1970)
                insert.bind(aggregate.last.timeIntervalSince1970)
                try insert.step()
            }
            try refreshTotals(of: dirty, in: db)
            return dirty.count
        }
    }

    /// Usage in the rollup matching `query`: per session, model and quarter hour, or
    /// summed per session and model. A row that a window boundary cuts through is read
    /// again from the requests, so windows are exact to the second. `price` prices those
    /// requests the same way `refreshUsageRollup` did.
    public func usage(_ query: UsageQuery, price: (UsageRecord) -> Double?) throws -> [UsageAggregate] {
        try read { db in
            let since = query.since?.timeIntervalSince1970 ?? -.infinity
            let until = query.until?.timeIntervalSince1970 ?? .infinity
            let window = Self.windowFilters(query)
            let (inside, edges, arguments) = (window.inside, window.edges, window.arguments)
            // Rows wholly inside the window, in key order. Without quarter hours: a session
            // (and model) the window holds whole is one row of the totals; one it holds in
            // part is summed from its rollup rows inside.
            var ordered: [UsageAggregate] = []
            var sessionRows = SessionRows(wanted: query.sessions)
            func collect(_ sql: String) throws {
                try sessionRows.read(db, sql, arguments, into: &ordered) { session, row in
                    let bucket: Int64 = row[3]
                    return UsageAggregate(
                        session: session, model: row[2], bucketStart: Date(timeIntervalSince1970: Double(bucket) * Self.bucketSeconds),
                        requests: row[4],
                        tokens: TokenCounts(
                            input: row[5], output: row[6], cacheWrite: row[7], cacheRead: row[9], reasoning: row[10],
                            cacheWrite1h: row[8]),
                        costUSD: row[11], unpricedTokens: row[12], recordedRequests: row[13],
                        first: Date(timeIntervalSince1970: row[14]), last: Date(timeIntervalSince1970: row[15]))
                }
            }
            let counts =
                "requests, input, output, cache_write, cache_write_1h, cache_read, reasoning, cost, unpriced_tokens, recorded_requests, min_ts, max_ts"
            if query.byBucket {
                try collect(
                    "SELECT tool, session_id, model, bucket, \(counts) FROM usage_rollup\(inside) ORDER BY tool, session_id, model, bucket")
            } else {
                let totals = Self.windowFilters(query, table: "t")
                try collect(
                    "SELECT tool, session_id, model, first_bucket, \(counts) FROM usage_totals t\(totals.inside) ORDER BY tool, session_id, model"
                )
                if let overlap = totals.overlap {
                    let sums = counts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map {
                        $0 == "min_ts" ? "min(r.min_ts)" : $0 == "max_ts" ? "max(r.max_ts)" : "sum(r.\($0))"
                    }
                    let parts = ordered.count
                    try collect(
                        """
                        SELECT r.tool, r.session_id, r.model, min(r.bucket), \(sums.joined(separator: ", "))
                        FROM usage_totals t CROSS JOIN usage_rollup r ON r.tool = t.tool AND r.session_id = t.session_id AND r.model = t.model
                        WHERE NOT (\(totals.conditions)) AND \(overlap) AND \(Self.windowFilters(query, table: "r").conditions)
                        GROUP BY r.tool, r.session_id, r.model
                        """)
                    if ordered.count > parts { ordered.sort { ($0.session, $0.model) < ($1.session, $1.model) } }
                }
            }
            // Rows a window boundary cuts through, by session: (model, bucket).
            var cut: [SessionKey: Set<RollupKey>] = [:]
            if let edges {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT tool, session_id, model, bucket FROM usage_rollup WHERE \(edges)", arguments: arguments)
                while let row = try rows.next() {
                    let session = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                    if let wanted = query.sessions, !wanted.contains(session) { continue }
                    cut[session, default: []].insert(RollupKey(session: session, model: row[2], bucket: row[3]))
                }
            }
            guard !cut.isEmpty else { return ordered }
            var whole: [RollupKey: UsageAggregate] = [:]
            for aggregate in ordered {
                let bucket = query.byBucket ? Self.bucket(aggregate.bucketStart.timeIntervalSince1970) : 0
                whole[RollupKey(session: aggregate.session, model: aggregate.model, bucket: bucket)] = aggregate
            }
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.usageColumns) FROM usage_effective WHERE tool = ? AND session_id = ? AND ts >= ? AND ts < ?")
            for (session, buckets) in cut {
                let rows = try Row.fetchCursor(statement, arguments: [session.tool.rawValue, session.id, since, until])
                while let row = try rows.next() {
                    let record = Self.usageRecord(row)
                    let bucket = Self.bucket(record.timestamp.timeIntervalSince1970)
                    guard buckets.contains(RollupKey(session: session, model: record.model, bucket: bucket)) else { continue }
                    let key = RollupKey(session: session, model: record.model, bucket: query.byBucket ? bucket : 0)
                    var aggregate = whole[key] ?? .empty(record, bucket: bucket)
                    aggregate.add(record, cost: price(record))
                    aggregate.bucketStart = min(aggregate.bucketStart, Date(timeIntervalSince1970: Double(bucket) * Self.bucketSeconds))
                    whole[key] = aggregate
                }
            }
            return whole.values.sorted { ($0.session, $0.model, $0.bucketStart) < ($1.session, $1.model, $1.bucketStart) }
        }
    }

    /// The rollups summed per session (and model), as `usage_totals` and `edit_totals`
    /// hold them: append `WHERE` and `GROUP BY`.
    static let usageTotalsSelect = """
        SELECT tool, session_id, model, min(bucket), sum(requests), sum(input), sum(output), sum(cache_write), sum(cache_write_1h),
          sum(cache_read), sum(reasoning), sum(cost), sum(unpriced_tokens), sum(recorded_requests), min(min_ts), max(max_ts)
        FROM usage_rollup
        """
    static let editTotalsSelect = """
        SELECT tool, session_id, min(bucket), sum(edits), sum(lines), min(min_ts), max(max_ts) FROM edit_rollup
        """

    /// Brings the totals of `sessions` in line with their rollup rows (all of them again
    /// when many sessions were folded: one pass is cheaper than thousands of lookups).
    private func refreshTotals(of sessions: Set<SessionKey>, in db: Database) throws {
        if sessions.count > 200 {
            try db.execute(sql: "DELETE FROM usage_totals")
            try db.execute(sql: "INSERT INTO usage_totals \(Self.usageTotalsSelect) GROUP BY tool, session_id, model")
            try db.execute(sql: "DELETE FROM edit_totals")
            try db.execute(sql: "INSERT INTO edit_totals \(Self.editTotalsSelect) GROUP BY tool, session_id")
            return
        }
        let statements = try [
            "DELETE FROM usage_totals WHERE tool = ?1 AND session_id = ?2",
            "INSERT INTO usage_totals \(Self.usageTotalsSelect) WHERE tool = ?1 AND session_id = ?2 GROUP BY tool, session_id, model",
            "DELETE FROM edit_totals WHERE tool = ?1 AND session_id = ?2",
            "INSERT INTO edit_totals \(Self.editTotalsSelect) WHERE tool = ?1 AND session_id = ?2 GROUP BY tool, session_id",
        ].map { sql in try db.cachedStatement(sql: sql) }
        for session in sessions {
            for statement in statements { try statement.execute(arguments: [session.tool.rawValue, session.id]) }
        }
    }

    /// Folds the edits of `sessions` into `edit_rollup`: per quarter hour, the lines of
    /// the edits made where the session worked.
    private func foldEdits(of sessions: Set<SessionKey>, in db: Database) throws {
        let places = try Self.places(of: sessions, in: db)
        var folded: [SessionKey: [Int64: EditAggregate]] = [:]
        func fold(_ row: Row) {
            let session = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
            guard sessions.contains(session) else { return }
            let path: String = row[3]
            guard Self.counts(path, in: places[session]) else { return }
            let time: Double = row[2]
            let lines: Int = row[4]
            let bucket = Self.bucket(time)
            let date = Date(timeIntervalSince1970: time)
            var aggregate =
                folded[session]?[bucket]
                ?? EditAggregate(
                    session: session, bucketStart: Date(timeIntervalSince1970: Double(bucket) * Self.bucketSeconds), edits: 0, lines: 0,
                    first: date, last: date)
            aggregate.edits += 1
            aggregate.lines += lines
            aggregate.first = min(aggregate.first, date)
            aggregate.last = max(aggregate.last, date)
            folded[session, default: [:]][bucket] = aggregate
        }
        if sessions.count > 200 {
            let cursor = try Row.fetchCursor(db, sql: "SELECT tool, session_id, ts, path, line_count FROM edits")
            while let row = try cursor.next() { fold(row) }
        } else {
            let statement = try db.cachedStatement(
                sql: "SELECT tool, session_id, ts, path, line_count FROM edits WHERE tool = ? AND session_id = ?")
            for session in sessions {
                let cursor = try Row.fetchCursor(statement, arguments: [session.tool.rawValue, session.id])
                while let row = try cursor.next() { fold(row) }
            }
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM edit_rollup WHERE tool = ? AND session_id = ?")
        for session in sessions { try delete.execute(arguments: [session.tool.rawValue, session.id]) }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO edit_rollup (tool, session_id, bucket, edits, lines, min_ts, max_ts) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for (session, buckets) in folded {
            for (bucket, aggregate) in buckets {
                try insert.execute(arguments: [
                    session.tool.rawValue, session.id, bucket, aggregate.edits, aggregate.lines,
                    aggregate.first.timeIntervalSince1970, aggregate.last.timeIntervalSince1970,
                ])
            }
        }
    }

    /// Where each session worked: its repository's work trees, else its own folders
    /// (nil: no folder known, every edit counts).
    static func places(of sessions: Set<SessionKey>, in db: Database) throws -> [SessionKey: [String]?] {
        var roots: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, roots FROM repos") {
            let text: String = row[1]
            roots[row[0]] = text.split(separator: "\n").map(String.init)
        }
        var cwds: [SessionKey: [String]] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT tool, session_id, cwd FROM session_cwds")
        while let row = try cursor.next() {
            let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
            if sessions.contains(key) { cwds[key, default: []].append(row[2]) }
        }
        var result: [SessionKey: [String]?] = [:]
        let placed = try Row.fetchCursor(db, sql: "SELECT tool, id, repo_id FROM sessions")
        while let row = try placed.next() {
            let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
            guard sessions.contains(key) else { continue }
            let repo: Int64? = row[2]
            if let repo, let repoRoots = roots[repo] {
                result[key] = .some(repoRoots)
            } else if let own = cwds[key], !own.isEmpty {
                result[key] = .some(own)
            } else {
                result[key] = .some(nil)
            }
        }
        return result
    }

    /// Whether an edit of `path` counts for a session that worked in `place`: inside one
    /// of its roots; anywhere when nothing is known of where it worked.
    static func counts(_ path: String, in place: [String]??) -> Bool {
        guard let place, let roots = place else { return true }
        return roots.contains { Paths.relative(path, to: $0) != nil }
    }

    /// SQL conditions over a rollup's `min_ts`/`max_ts` for a window: rows wholly inside
    /// it, rows a boundary cuts through (nil without a window), and their arguments (the
    /// same for both: since, until, as given).
    /// A query's window as SQL over rows with `min_ts` and `max_ts` (of `table` when
    /// given); `?1` is the window's start, `?2` its end (`?1` when it has no start).
    struct WindowFilter {
        /// Rows wholly inside: `" WHERE …"`, or nothing without a window.
        var inside: String
        /// The same conditions without `WHERE` (`1` without a window).
        var conditions: String
        /// Rows with some time inside (nil without a window).
        var overlap: String?
        /// Rows a boundary cuts through (nil without a window).
        var edges: String?
        var arguments: StatementArguments
    }

    static func windowFilters(_ query: UsageQuery, table: String? = nil) -> WindowFilter {
        let prefix = table.map { $0 + "." } ?? ""
        let (low, high) = (prefix + "min_ts", prefix + "max_ts")
        var inside: [String] = []
        var overlap: [String] = []
        var edges: [String] = []
        var arguments: StatementArguments = []
        if let since = query.since {
            arguments += [since.timeIntervalSince1970]
            inside.append("\(low) >= ?1")
            overlap.append("\(high) >= ?1")
            edges.append("(\(low) < ?1 AND \(high) >= ?1)")
        }
        if let until = query.until {
            arguments += [until.timeIntervalSince1970]
            let index = query.since == nil ? 1 : 2
            inside.append("\(high) < ?\(index)")
            overlap.append("\(low) < ?\(index)")
            edges.append("(\(low) < ?\(index) AND \(high) >= ?\(index))")
        }
        let conditions = inside.joined(separator: " AND ")
        return WindowFilter(
            inside: inside.isEmpty ? "" : " WHERE " + conditions, conditions: inside.isEmpty ? "1" : conditions,
            overlap: overlap.isEmpty ? nil : overlap.joined(separator: " AND "),
            edges: edges.isEmpty ? nil : edges.joined(separator: " OR "),
            arguments: arguments)
    }

    /// Written lines of the rollup matching `query` (per quarter hour or per session),
    /// exact at window boundaries like `usage(_:price:)`.
    public func edits(_ query: UsageQuery) throws -> [EditAggregate] {
        try read { db in
            let since = query.since?.timeIntervalSince1970 ?? -.infinity
            let until = query.until?.timeIntervalSince1970 ?? .infinity
            let window = Self.windowFilters(query)
            let (inside, edges, arguments) = (window.inside, window.edges, window.arguments)
            // As for usage: whole sessions from the totals, the others from their rollup rows.
            var ordered: [EditAggregate] = []
            var sessionRows = SessionRows(wanted: query.sessions)
            func collect(_ sql: String) throws {
                try sessionRows.read(db, sql, arguments, into: &ordered) { session, row in
                    let bucket: Int64 = row[2]
                    return EditAggregate(
                        session: session, bucketStart: Date(timeIntervalSince1970: Double(bucket) * Self.bucketSeconds), edits: row[3],
                        lines: row[4], first: Date(timeIntervalSince1970: row[5]), last: Date(timeIntervalSince1970: row[6]))
                }
            }
            if query.byBucket {
                try collect(
                    "SELECT tool, session_id, bucket, edits, lines, min_ts, max_ts FROM edit_rollup\(inside) ORDER BY tool, session_id, bucket"
                )
            } else {
                let totals = Self.windowFilters(query, table: "t")
                try collect(
                    "SELECT tool, session_id, first_bucket, edits, lines, min_ts, max_ts FROM edit_totals t\(totals.inside) ORDER BY tool, session_id"
                )
                if let overlap = totals.overlap {
                    let parts = ordered.count
                    try collect(
                        """
                        SELECT r.tool, r.session_id, min(r.bucket), sum(r.edits), sum(r.lines), min(r.min_ts), max(r.max_ts)
                        FROM edit_totals t CROSS JOIN edit_rollup r ON r.tool = t.tool AND r.session_id = t.session_id
                        WHERE NOT (\(totals.conditions)) AND \(overlap) AND \(Self.windowFilters(query, table: "r").conditions)
                        GROUP BY r.tool, r.session_id
                        """)
                    if ordered.count > parts { ordered.sort { $0.session < $1.session } }
                }
            }
            var cut: [SessionKey: Set<Int64>] = [:]
            if let edges {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT tool, session_id, bucket FROM edit_rollup WHERE \(edges)", arguments: arguments)
                while let row = try rows.next() {
                    let session = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                    if let wanted = query.sessions, !wanted.contains(session) { continue }
                    cut[session, default: []].insert(row[2])
                }
            }
            guard !cut.isEmpty else { return ordered }
            var whole: [SessionKey: [Int64: EditAggregate]] = [:]
            for aggregate in ordered {
                let key = query.byBucket ? Self.bucket(aggregate.bucketStart.timeIntervalSince1970) : 0
                whole[aggregate.session, default: [:]][key] = aggregate
            }
            let places = try Self.places(of: Set(cut.keys), in: db)
            let statement = try db.cachedStatement(
                sql: "SELECT ts, path, line_count FROM edits WHERE tool = ? AND session_id = ? AND ts >= ? AND ts < ?")
            for (session, buckets) in cut {
                let rows = try Row.fetchCursor(statement, arguments: [session.tool.rawValue, session.id, since, until])
                while let row = try rows.next() {
                    let time: Double = row[0]
                    let bucket = Self.bucket(time)
                    let path: String = row[1]
                    guard buckets.contains(bucket), Self.counts(path, in: places[session]) else { continue }
                    let date = Date(timeIntervalSince1970: time)
                    let key = query.byBucket ? bucket : 0
                    var aggregate =
                        whole[session]?[key]
                        ?? EditAggregate(
                            session: session, bucketStart: Date(timeIntervalSince1970: Double(bucket) * Self.bucketSeconds), edits: 0,
                            lines: 0, first: date, last: date)
                    aggregate.edits += 1
                    aggregate.lines += row[2] as Int
                    aggregate.first = min(aggregate.first, date)
                    aggregate.last = max(aggregate.last, date)
                    whole[session, default: [:]][key] = aggregate
                }
            }
            return whole.values.flatMap(\.values).sorted { ($0.session, $0.bucketStart) < ($1.session, $1.bucketStart) }
        }
    }

    static let usageColumns =
        "tool, session_id, ts, model, input, output, cache_write, cache_read, reasoning, recorded_cost, cache_write_1h"

    static func usageRecord(_ row: Row) -> UsageRecord {
        UsageRecord(
            session: SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1]), timestamp: Date(timeIntervalSince1970: row[2]),
            model: row[3],
            tokens: TokenCounts(
                input: row[4], output: row[5], cacheWrite: row[6], cacheRead: row[7], reasoning: row[8], cacheWrite1h: row[10]),
            recordedCostUSD: row[9])
    }
}

private struct RollupKey: Hashable {
    var session: SessionKey
    var model: String
    var bucket: Int64
}

/// Reads rows whose first two columns are a session's tool and id, in key order: rows of
/// sessions the query does not want are passed over, and consecutive rows of one session
/// share one key instead of making two Strings per row (most sessions have many).
struct SessionRows {
    let wanted: Set<SessionKey>?
    private var last = SessionKey(tool: ToolKind(rawValue: ""), id: "")

    init(wanted: Set<SessionKey>?) { self.wanted = wanted }

    /// Appends `make(session, row)` to `result` for every wanted row of `sql`.
    mutating func read<Aggregate>(
        _ db: Database, _ sql: String, _ arguments: StatementArguments, into result: inout [Aggregate],
        _ make: (SessionKey, Row) -> Aggregate
    ) throws {
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let tool: String = row[0]
            let id: String = row[1]
            if tool != last.tool.rawValue || id != last.id { last = SessionKey(tool: ToolKind(rawValue: tool), id: id) }
            if let wanted, !wanted.contains(last) { continue }
            result.append(make(last, row))
        }
    }
}

/// The rollup's fold over a whole-table pass: the aggregate a row adds to is found
/// through small integer keys, and the `RollupKey` (two Strings to hash) only once per
/// run of rows of the same session, not per row. Each aggregate sums its rows in table
/// order, as a dictionary keyed by row would.
private struct UsageFold {
    let wanted: Set<SessionKey>
    private var aggregates: [UsageAggregate] = []
    private var index: [RollupKey: Int] = [:]
    /// For the current run of one session's rows: (model number, bucket) to aggregate.
    private var run: [ModelBucket: Int] = [:]
    private var inRun = false
    private var models: [String: Int] = [:]
    private var lastModel: String?
    private var lastModelNumber = 0

    private struct ModelBucket: Hashable {
        var model: Int
        var bucket: Int64
    }

    init(wanted: Set<SessionKey>) { self.wanted = wanted }

    mutating func add(_ record: UsageRecord, sessionChanged: Bool, cost: (UsageRecord) -> Double?) {
        if sessionChanged {
            run.removeAll(keepingCapacity: true)
            inRun = wanted.contains(record.session)
        }
        guard inRun else { return }
        if record.model != lastModel {
            lastModel = record.model
            if let number = models[record.model] {
                lastModelNumber = number
            } else {
                lastModelNumber = models.count
                models[record.model] = lastModelNumber
            }
        }
        let bucket = Store.bucket(record.timestamp.timeIntervalSince1970)
        let local = ModelBucket(model: lastModelNumber, bucket: bucket)
        let slot: Int
        if let known = run[local] {
            slot = known
        } else {
            let key = RollupKey(session: record.session, model: record.model, bucket: bucket)
            if let known = index[key] {
                slot = known
            } else {
                slot = aggregates.count
                aggregates.append(.empty(record, bucket: bucket))
                index[key] = slot
            }
            run[local] = slot
        }
        aggregates[slot].add(record, cost: cost(record))
    }

    var result: [RollupKey: UsageAggregate] { index.mapValues { aggregates[$0] } }
}

/// Usage rows read straight from a statement through SQLite's C API (the columns of
/// `Store.usageColumns`, in order). A row's tool, session and model are the previous
/// row's Strings when their bytes are the same — rows of a session come together — so a
/// fold over 130,000 rows makes a few thousand Strings instead of 400,000: the Strings,
/// their hashing and GRDB's row boxing were three quarters of a first report's fold.
struct UsageRowStream {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var tool: [UInt8] = []
    private var session: [UInt8] = []
    private var model: [UInt8] = []
    private var key = SessionKey(tool: ToolKind(rawValue: ""), id: "")
    private var modelName = ""
    private var started = false
    /// Whether the last row returned is of another session than the one before it.
    private(set) var sessionChanged = true

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.connection = db.sqliteConnection
        sqlite3_reset(handle)
    }

    mutating func next() throws -> UsageRecord? {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE {
            sqlite3_reset(handle)
            return nil
        }
        guard code == SQLITE_ROW else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        let toolChanged = Self.update(&tool, handle, 0)
        let sessionBytesChanged = Self.update(&session, handle, 1)
        sessionChanged = !started || toolChanged || sessionBytesChanged
        if sessionChanged {
            key = SessionKey(tool: ToolKind(rawValue: String(decoding: tool, as: UTF8.self)), id: String(decoding: session, as: UTF8.self))
        }
        if Self.update(&model, handle, 3) || !started { modelName = String(decoding: model, as: UTF8.self) }
        started = true
        return UsageRecord(
            session: key, timestamp: Date(timeIntervalSince1970: sqlite3_column_double(handle, 2)), model: modelName,
            tokens: TokenCounts(
                input: sqlite3_column_int64(handle, 4), output: sqlite3_column_int64(handle, 5),
                cacheWrite: sqlite3_column_int64(handle, 6), cacheRead: sqlite3_column_int64(handle, 7),
                reasoning: sqlite3_column_int64(handle, 8), cacheWrite1h: sqlite3_column_int64(handle, 10)),
            recordedCostUSD: sqlite3_column_type(handle, 9) == SQLITE_NULL ? nil : sqlite3_column_double(handle, 9))
    }

    /// Copies column `column`'s text into `bytes` when it differs; whether it did.
    private static func update(_ bytes: inout [UInt8], _ handle: OpaquePointer, _ column: Int32) -> Bool {
        // The text first, then its length (SQLite's documented order).
        guard let text = sqlite3_column_text(handle, column) else {
            defer { bytes.removeAll(keepingCapacity: true) }
            return !bytes.isEmpty
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        let same =
            bytes.count == count
            && bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return true }
                return memcmp(base, text, count) == 0
            }
        if same { return false }
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: count))
        return true
    }
}
