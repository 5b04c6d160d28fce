import ArgumentParser
import Foundation

/// Options shared by the commands that look at attributed data.
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: ArgumentHelp("Repository to look at.", valueName: "path"))
    var repoPath: String?

    @Flag(name: .customLong("all-repos"), help: "Cover every repository aiusage has seen, not just the current one.")
    var allRepos = false

    @Flag(name: .customLong("no-scan"), help: "Do not read new session records or commits first; show what is stored.")
    var noScan = false

    // `.unconditional`: `--survival-days -3` is a bad value, not a missing one.
    @Option(name: .customLong("survival-days"), parsing: .unconditional, help: "Days after landing at which survival is measured.")
    var survivalDays = 30

    func validate() throws {
        guard survivalDays > 0 else {
            throw ValidationError("--survival-days must be a positive number of days, not \(survivalDays)")
        }
    }
}

/// How a listing is printed: `--format table|json|csv`, `--json` for short. The same on
/// every listing command (`report`, `commits`, `sessions`, `explain`, `doctor`).
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat?

    @Flag(help: "Same as --format json.")
    var json = false

    var resolved: OutputFormat { json ? .json : format ?? .table }

    func validate() throws {
        if json, let format, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) ask for two formats: pass one")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// The time window of a listing: `--since`, `--until` and the time zone their dates and
/// the table's dates are read in.
struct WindowOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Start of the window: YYYY-MM-DD, ISO 8601, or a duration back from now such as 30d, 12h, 2w.", valueName: "when"))
    var since: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("End of the window (exclusive): same forms as --since. Default: now.", valueName: "when"))
    var until: String?

    @Option(
        help: ArgumentHelp("Time zone of dates, and of day, week and month groups (IANA name). Default: this machine's.", valueName: "zone")
    )
    var timezone: String?

    func validate() throws { _ = try resolve(now: Date()) }

    func resolve(now: Date) throws -> ResolvedWindow {
        try ResolvedWindow(since: since, until: until, timezone: timezone, now: now)
    }
}

/// `--since`/`--until`/`--timezone` read as dates, checked once for every command.
struct ResolvedWindow {
    var since: Date?
    var until: Date
    var timeZone: TimeZone
    /// Whether `--until` was given (else `until` is now).
    var untilGiven: Bool

    init(since sinceText: String?, until untilText: String?, timezone: String?, now: Date) throws {
        let zone = try TimeWindow.timeZone(timezone)
        timeZone = zone
        until = try untilText.map { try TimeWindow.parse($0, timeZone: zone, now: now) } ?? now
        untilGiven = untilText != nil
        since = try sinceText.map { try TimeWindow.parse($0, timeZone: zone, now: now) }
        if let since, let sinceText, since > until {
            let shown = TimeWindow.describe(since, timeZone: timeZone)
            if let untilText {
                throw ValidationError(
                    "--since \(sinceText) (\(shown)) is after --until \(untilText) (\(TimeWindow.describe(until, timeZone: timeZone))): the window would be empty"
                )
            }
            throw ValidationError(
                "--since \(sinceText) (\(shown)) is in the future (now is \(TimeWindow.describe(now, timeZone: timeZone))): give a start in the past, or an --until after it"
            )
        }
    }

    /// Whether `date` is in `[since, until)`.
    func contains(_ date: Date) -> Bool {
        if let since, date < since { return false }
        return date < until
    }

    /// Whether something active from `start` to `end` overlaps the window.
    func overlaps(start: Date, end: Date) -> Bool {
        if let since, end < since { return false }
        return start < until
    }
}

/// The settings of one `commits` or `sessions` run, apart from the store: what `aiusage
/// demo` and the tests pass without parsing a command line.
struct ListingOptions {
    var repoPath: String?
    var allRepos = false
    var noScan = false
    var survivalDays = 30
    var since: String?
    var until: String?
    var timezone: String?
    var format: OutputFormat = .table

    init(
        repoPath: String? = nil, allRepos: Bool = false, noScan: Bool = false, survivalDays: Int = 30, since: String? = nil,
        until: String? = nil, timezone: String? = nil, format: OutputFormat = .table
    ) {
        self.repoPath = repoPath
        self.allRepos = allRepos
        self.noScan = noScan
        self.survivalDays = survivalDays
        self.since = since
        self.until = until
        self.timezone = timezone
        self.format = format
    }

    init(scope: ScopeOptions, window: WindowOptions, format: OutputFormat) {
        self.init(
            repoPath: scope.repoPath, allRepos: scope.allRepos, noScan: scope.noScan, survivalDays: scope.survivalDays,
            since: window.since, until: window.until, timezone: window.timezone, format: format)
    }

    func window(now: Date) throws -> ResolvedWindow {
        try ResolvedWindow(since: since, until: until, timezone: timezone, now: now)
    }
}
