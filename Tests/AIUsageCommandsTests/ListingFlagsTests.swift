import Foundation
import Testing
import _AIUsageTestSupport

/// Issue 9: one flag vocabulary on every listing command — `--format table|json|csv`,
/// `--json` for short — and `--since`/`--until` where rows have times.
@Suite(.serialized) struct ListingFlagsTests {
    /// The report's window as fixed dates: with the default window (ending now) its
    /// per-week rates move with the clock between two runs a second apart.
    static let reportWindow: [String] = {
        let now = Date()
        let iso = ISO8601DateFormatter()
        return ["--since", iso.string(from: now.addingTimeInterval(-90 * 86_400)), "--until", iso.string(from: now)]
    }()

    static let listings: [(arguments: [String], schema: String)] = [
        (["report"] + reportWindow, "aiusage.report/1"), (["commits"], "aiusage.commits/1"), (["sessions"], "aiusage.sessions/1"),
        (["explain", "HEAD"], "aiusage.explain/1"), (["doctor"], "aiusage.doctor/1"),
    ]

    /// Fields that depend on the moment of the run.
    static func stable(_ json: String) throws -> String {
        guard var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return json }
        object["generated_at"] = nil
        // The report's window ends now: two runs a second apart differ there.
        object["window"] = nil
        if var store = object["store"] as? [String: Any] {
            store["size_bytes"] = nil
            object["store"] = store
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func everyListingTakesFormatJSONAndItsShorthandAndCSV() throws {
        let demo = try DemoFixture()
        for (arguments, schema) in Self.listings {
            let name = arguments.joined(separator: " ")
            let short = try demo.run(arguments + ["--json"])
            let long = try demo.run(arguments + ["--format", "json"])
            #expect(short.status == 0, "\(name) --json: \(short.stderr)")
            #expect(long.status == 0, "\(name) --format json: \(long.stderr)")
            #expect(short.stdout.contains("\"schema\" : \"\(schema)\""), "\(name)")
            #expect(try Self.stable(short.stdout) == Self.stable(long.stdout), "\(name)")

            let csv = try demo.run(arguments + ["--format", "csv"])
            #expect(csv.status == 0, "\(name) --format csv: \(csv.stderr)")
            let lines = csv.stdout.split(separator: "\n")
            #expect(lines.count >= 2, "\(name)")
            #expect(lines.first?.contains(",") == true && lines.first?.contains(" ") == false, "\(name): a header of field names")

            let table = try demo.run(arguments + ["--format", "table"])
            #expect(table.status == 0, "\(name)")
            #expect(table.stdout == (try demo.run(arguments)).stdout, "\(name): table is the default")

            let both = try demo.run(arguments + ["--json", "--format", "csv"])
            #expect(both.status != 0 && both.stderr.contains("ask for two formats"), "\(name)")
        }
    }

    @Test func commitsAndSessionsTakeSinceAndUntil() throws {
        let demo = try DemoFixture()
        func commitTimes(_ arguments: [String]) throws -> [String] {
            try ((demo.json(["commits", "--json"] + arguments)["commits"] as? [[String: Any]]) ?? []).compactMap { $0["time"] as? String }
        }
        let all = try commitTimes([])
        let recent = try commitTimes(["--since", "10d"])
        let older = try commitTimes(["--until", "10d"])
        #expect(recent.count == 2)  // 6 and 2 days ago
        #expect(recent.count + older.count == all.count)
        #expect(Set(recent).isDisjoint(with: older))
        let day = ISO8601DateFormatter()
        let since = demo.now.addingTimeInterval(-10 * 86_400)
        #expect(recent.allSatisfy { (day.date(from: $0) ?? .distantPast) >= since })

        func sessionIDs(_ arguments: [String]) throws -> [String] {
            try ((demo.json(["sessions", "--json"] + arguments)["sessions"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try sessionIDs([]).count == 6)
        #expect(try sessionIDs(["--since", "10d"]).count == 2)
        #expect(try sessionIDs(["--until", "40d"]).count == 3)
        #expect(try sessionIDs(["--since", "50d", "--until", "40d"]).count == 1)

        // The table says what it is a list of.
        let table = try demo.run(["sessions", "--since", "10d"])
        #expect(table.stdout.hasPrefix("Sessions active since "))
        let none = try demo.run(["commits", "--since", "1h"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("No linked commit in this window"))
    }
}
