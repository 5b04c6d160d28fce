import Foundation
import Testing
@testable import AIUsageCommands

/// Runs the demo's world building and the real pipeline in-process, and checks the
/// report shows each situation the demo is meant to show, with real numbers.
@Suite struct DemoTests {
    @Test func demoReportShowsLandedSquashUnlandedWasteAndPending() throws {
        let now = Date()
        let world = try DemoWorld.build(now: now)
        defer { world.remove() }
        let context = try CommandContext(environment: world.environment(inheriting: [:]))
        #expect(context.store.location.directory.hasPrefix(world.folder))

        let text = try AIUsageCommand.Demo.output(world: world, context: context, format: .json, kept: false, now: now)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["schema"] as? String == "aiusage.demo/1")

        let report = try #require(json["report"] as? [String: Any])
        #expect(report["schema"] as? String == "aiusage.report/1")
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(
            rows.compactMap { ($0["key"] as? [String: Any])?["developer"] as? String }.sorted() == ["ada@example.com", "ben@example.com"])
        let totals = try #require(report["totals"] as? [String: Any])
        let written = try #require(totals["ai_lines_written"] as? Int)
        let landed = try #require(totals["ai_lines_landed"] as? Int)
        let surviving = try #require(totals["ai_lines_surviving"] as? Int)
        let pending = try #require(totals["ai_lines_pending"] as? Int)
        let churned = try #require(totals["ai_lines_churned"] as? Int)
        #expect(landed > 0)
        #expect(written > landed)  // the PDF experiment never landed
        #expect(pending > 0)  // changes of the last 30 days
        #expect(churned > 0)  // the VAT rewrite 10 days after landing
        #expect(surviving > 0 && surviving < landed - pending)
        let ratios = try #require(totals["ratios"] as? [String: Any])
        let waste = try #require(ratios["waste_share"] as? Double)
        #expect(waste > 0 && waste < 1)
        let cost = try #require(totals["cost_usd"] as? Double)
        #expect(cost > 0)
        #expect((totals["unpriced_tokens"] as? Int ?? 0) == 0)

        let commits = try #require((json["commits"] as? [String: Any])?["commits"] as? [[String: Any]])
        func how(_ commit: [String: Any]) -> String? { (commit["landed"] as? [String: Any])?["how"] as? String }
        let squashed = commits.filter { how($0) == "squash" }
        #expect(squashed.count == 2)
        #expect(squashed.allSatisfy { ($0["landed_ai_lines"] as? Int ?? 0) > 0 })
        let unlanded = commits.filter { how($0) == nil }
        #expect(unlanded.count == 1)
        #expect((unlanded.first?["ai_lines"] as? Int ?? 0) > 0)
        #expect(commits.contains { how($0) == "ancestor" && ($0["landed_ai_lines"] as? Int ?? 0) > 0 })
        // The trailer-only commit: AI-assisted, no AI line.
        #expect(
            commits.contains {
                $0["ai_trailer"] as? String == "claude-code" && $0["ai_lines"] as? Int == 0 && $0["ai_assisted"] as? Bool == true
            })
        // Hand-changed lines of an AI-written file count as human.
        #expect(commits.contains { ($0["ai_lines"] as? Int ?? 0) > 0 && ($0["human_lines"] as? Int ?? 0) > 0 })
    }

    @Test func demoEnvironmentNeverPointsAtTheRealHomeOrStore() {
        let world = DemoWorld(folder: "/tmp/d", home: "/tmp/d/home", store: "/tmp/d/store", repo: "/tmp/d/home/code/invoicer")
        let environment = world.environment(inheriting: [
            "HOME": "/home/real", "AIUSAGE_HOME": "/real/store", "XDG_DATA_HOME": "/real/data",
            "CLAUDE_CONFIG_DIR": "/real/claude", "CODEX_HOME": "/real/codex", "TERM": "xterm",
        ])
        #expect(environment["HOME"] == "/tmp/d/home")
        #expect(environment["AIUSAGE_HOME"] == "/tmp/d/store")
        #expect(environment["XDG_DATA_HOME"] == nil)
        #expect(environment["CLAUDE_CONFIG_DIR"] == nil)
        #expect(environment["CODEX_HOME"] == nil)
        #expect(environment["TERM"] == "xterm")
    }

    @Test func tableOutputHasIntroReportCommitsAndInstallLine() throws {
        let world = try DemoWorld.build()
        defer { world.remove() }
        let context = try CommandContext(environment: world.environment(inheriting: ["NO_COLOR": "1"]))
        let text = try AIUsageCommand.Demo.output(world: world, context: context, format: .table, kept: true)
        #expect(text.contains("This is a throwaway repository in \(world.repo)"))
        #expect(text.contains("nothing of yours was read"))
        #expect(text.contains("ada@example.com"))
        #expect(text.contains("squash"))
        #expect(text.contains("AIUSAGE_HOME=\(world.store) HOME=\(world.home) aiusage report"))
        #expect(text.hasSuffix("then `aiusage report`.\n"))
    }
}
