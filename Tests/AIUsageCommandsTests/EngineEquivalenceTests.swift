import Foundation
import Testing
import _AIUsageTestSupport

/// Pins what `commits --json`, `sessions --json` and `report --format json` print on a
/// deterministic history with merges, a long-lived side branch, squash and rebase
/// merges and a cherry-pick, against JSON recorded before the engine moved to landing
/// in one walk and to a report computed by the store (issue 8). A difference is either
/// a bug or a deliberate change; a deliberate one is re-recorded with
/// `AIUSAGE_RECORD_GOLDEN=1 swift test --filter EngineEquivalenceTests`, and the
/// commit says why.
@Suite(.serialized) struct EngineEquivalenceTests {
    static let golden = CLI.packageRoot + "/Tests/AIUsageCommandsTests/Golden"

    /// Fields that depend on when the test runs.
    static func normalised(_ json: String) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        if var document = object as? [String: Any] {
            document["generated_at"] = nil
            object = document
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func check(_ name: String, _ output: CLI.Result) throws {
        #expect(output.status == 0, "\(name): \(output.stderr)")
        let actual = try normalised(output.stdout)
        let path = golden + "/" + name + ".json"
        if ProcessInfo.processInfo.environment["AIUSAGE_RECORD_GOLDEN"] != nil {
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from \(path)")
    }

    @Test func commitsSessionsAndReportsMatchTheRecordedJSON() throws {
        let world = try HistoryWorld.build()
        let env = world.environment
        try Self.check("history-commits", try CLI.run(["commits", "--json"], in: world.root, environment: env))
        // A second run reads nothing new and must print the same.
        try Self.check("history-commits", try CLI.run(["commits", "--json"], in: world.root, environment: env))
        try Self.check("history-sessions", try CLI.run(["sessions", "--json"], in: world.root, environment: env))
        for grouping in ["developer", "day", "week", "month", "tool", "model", "session", "repo"] {
            try Self.check(
                "history-report-\(grouping)",
                try CLI.run(
                    ["report", "--format", "json", "--by", grouping, "--until", HistoryWorld.until], in: world.root, environment: env))
        }
        try Self.check(
            "history-report-window",
            try CLI.run(
                ["report", "--format", "json", "--by", "week", "--since", "2024-01-01T00:20:00Z", "--until", "2024-02-20T10:00:00Z"],
                in: world.root, environment: env))
        try Self.check(
            "history-report-survival-7",
            try CLI.run(
                ["report", "--format", "json", "--survival-days", "7", "--until", HistoryWorld.until], in: world.root, environment: env))
    }
}
