import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageCommands

/// Issue 9: what people read — the tables of `report`, `commits`, `sessions`, `explain`,
/// `demo` and `doctor` — pinned as golden files on the demo world, built at a fixed
/// moment in UTC at 100 columns. A difference is a bug or a deliberate change; a
/// deliberate one is re-recorded with
/// `AIUSAGE_RECORD_GOLDEN=1 swift test --filter HumanOutputGoldenTests` and reviewed in
/// the diff of `Tests/AIUsageCommandsTests/Golden/demo-*.txt`.
@Suite(.serialized) struct HumanOutputGoldenTests {
    static let golden = CLI.packageRoot + "/Tests/AIUsageCommandsTests/Golden"
    /// 2026-06-15 12:00 UTC: every date in the outputs follows from it.
    static let now = Date(timeIntervalSince1970: 1_781_524_800)

    /// The temporary folder of the world, which differs per run, as `<demo>`.
    static func check(_ name: String, _ text: String, world: DemoWorld) throws {
        var actual = text.replacingOccurrences(of: world.folder, with: "<demo>")
        // Doctor's store line: the file's size and the moment of the last ingest.
        for (pattern, replacement) in [(#"size [0-9.]+ [KMG]?B"#, "size <bytes>"), (#"last ingest [0-9T:Z-]+"#, "last ingest <time>")] {
            actual = actual.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        let path = golden + "/" + name + ".txt"
        if ProcessInfo.processInfo.environment["AIUSAGE_RECORD_GOLDEN"] != nil {
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from \(path); the output was:\n\(actual)")
    }

    @Test func demoWorldTablesMatchTheGoldenFiles() throws {
        let world = try DemoWorld.build(now: Self.now)
        defer { world.remove() }
        let context = try CommandContext(environment: world.environment(inheriting: ["NO_COLOR": "1", "COLUMNS": "100"]))
        // The demo scans its world first, as `aiusage demo` does.
        try Self.check(
            "demo-demo",
            try AIUsageCommand.Demo.output(world: world, context: context, format: .table, kept: false, now: Self.now, timeZone: "UTC"),
            world: world)

        var report = ReportOptions(noScan: true)
        report.timezone = "UTC"
        report.since = "90d"
        try Self.check(
            "demo-report", try AIUsageCommand.Report.output(context: context, repoPath: world.repo, options: report, now: Self.now),
            world: world)
        report.grouping = .tool
        try Self.check(
            "demo-report-tool", try AIUsageCommand.Report.output(context: context, repoPath: world.repo, options: report, now: Self.now),
            world: world)
        report.grouping = .week
        try Self.check(
            "demo-report-week", try AIUsageCommand.Report.output(context: context, repoPath: world.repo, options: report, now: Self.now),
            world: world)

        let listing = ListingOptions(repoPath: world.repo, noScan: true, timezone: "UTC")
        try Self.check("demo-commits", try AIUsageCommand.Commits.output(context: context, options: listing, now: Self.now), world: world)
        try Self.check("demo-sessions", try AIUsageCommand.Sessions.output(context: context, options: listing, now: Self.now), world: world)
        try Self.check(
            "demo-sessions-waste",
            try AIUsageCommand.Sessions.output(
                context: context, options: listing, filter: SessionFilter(outcomes: [.discarded, .unmerged]), now: Self.now),
            world: world)
        try Self.check(
            "demo-explain",
            try AIUsageCommand.Explain.output(context: context, revision: "HEAD", repoPath: world.repo, noScan: true, format: .table),
            world: world)
        let doctor = try DoctorDocument.build(context: context, repoPath: world.repo)
        try Self.check("demo-doctor", doctor.text(verbose: false, width: 100), world: world)
    }
}
