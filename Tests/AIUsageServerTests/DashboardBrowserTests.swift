import AIUsageServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import _AIUsageTestSupport

/// The dashboard in a real headless Chromium (Debian's `chromium`): a viewer logs in through
/// the form, the page renders its charts without a single console error, it fits a phone
/// screen, and screenshots are written for people to look at.
///
/// Skipped when no Chromium is installed, except on CI (`CI` set), where `.ci/run` installs
/// it and a missing browser must fail rather than pass silently.
@Suite struct DashboardBrowserTests {
    static let runs = HeadlessChromium.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// `AIUSAGE_SCREENSHOT_DIR`, else `.build/screenshots` in the package.
    static var screenshotDirectory: String {
        ProcessInfo.processInfo.environment["AIUSAGE_SCREENSHOT_DIR"] ?? CLI.packageRoot + "/.build/screenshots"
    }

    @Test(.enabled(if: runs, "no Chromium installed (apt install chromium, or set AIUSAGE_CHROMIUM)"))
    func dashboardRendersInChromiumWithoutErrors() async throws {
        let executable = try #require(HeadlessChromium.executable, "CI must have Chromium: .ci/run installs the chromium package")
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "lead@example.com", .viewer)
        let developers = ["a@example.com", "b@example.com", "c@example.com"]
        var issued: [String] = []
        for developer in developers { issued.append(try await fixture.token("web", developer, .member, named: true)) }
        let tokens = issued
        let profile = try TemporaryDirectory(prefix: "aiusage-chromium")
        let screenshots = Self.screenshotDirectory
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)

        try await fixture.app(minGroupSize: 3).test(.live) { client in
            // Six weeks of uploads with changing figures, so every chart has a line to draw.
            for (index, token) in tokens.enumerated() {
                let days = (0..<6).map { week -> (String, [String]) in
                    // Weeks from Monday 2026-10-05 on, everyone on the Monday (the k-rule shows
                    // a tool and model only on days at least k developers used it); the
                    // fixture's today is 2026-11-24.
                    let day = Self.isoDay(1_791_158_400 + week * 7 * 86_400)
                    let landed = 3 + week * 2 + index
                    return (
                        day,
                        [
                            Upload.row(
                                cost: 0.5 + Double(week) * 0.3, landed: landed, written: landed + 8 - week,
                                committed: landed + 1, surviving: landed - 1, pending: 0, wasted: 0.1),
                            Upload.row(
                                cost: 0.2, landed: 1 + week, tool: "codex", written: 4 + week, committed: 2 + week,
                                surviving: 1 + week / 2, pending: 0, wasted: 0.05),
                        ]
                    )
                }
                let response = try await client.call(.post, "/api/v1/uploads", token: token, body: Upload.document(days))
                #expect(response.status == .ok)
            }
            let base = "http://127.0.0.1:\(try #require(client.port))"

            let findings = try await onThread { () throws -> BrowserFindings in
                let browser = try HeadlessChromium(executable: executable, profileDirectory: profile.path)
                defer { browser.quit() }
                return try Self.visit(base: base, viewer: viewer, browser: browser, screenshots: screenshots)
            }

            #expect(findings.errors.isEmpty, "console errors: \(findings.errors)")
            #expect(findings.loginPath == "/dashboard", "the login form did not lead to the dashboard")
            #expect(findings.heading == "Team web")
            #expect(findings.charts == 7, "expected 7 charts, saw \(findings.charts)")
            #expect(findings.chartsWithMarks == 7, "every chart should draw bars or a line; \(findings.chartsWithMarks) did")
            #expect(findings.desktopChartWidth > 200, "charts are too narrow on a desktop: \(findings.desktopChartWidth) px")
            #expect(findings.phoneOverflow <= 0, "the page scrolls sideways at phone width by \(findings.phoneOverflow) px")
            #expect(
                findings.phoneChartWidth > 0 && findings.phoneChartWidth <= 390, "charts do not fit a phone: \(findings.phoneChartWidth) px"
            )
            #expect(findings.selectionShown, "the breakdown link did not lead to one tool and model")
            #expect(findings.selectionCharts == 7, "one tool and model should draw 7 charts, drew \(findings.selectionCharts)")
            for name in ["dashboard-desktop.png", "dashboard-phone.png"] {
                let data = try Data(contentsOf: URL(fileURLWithPath: screenshots + "/" + name))
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is not a PNG")
                #expect(data.count > 10_000, "\(name) is suspiciously small (\(data.count) bytes)")
            }
        }
    }

    /// Issue 9 in a real browser: the window totals equal the bars drawn, the breakdown's rows
    /// (with what is not itemised) equal its total row and the totals, a withheld week is
    /// marked as withheld, named developers are listed, no table header is cut at 1280 px or
    /// on a 390 px phone, and a member's token opens a page of the member's own data only.
    @Test(.enabled(if: runs, "no Chromium installed (apt install chromium, or set AIUSAGE_CHROMIUM)"))
    func dashboardAddsUpMarksWithheldWeeksAndFitsEveryScreen() async throws {
        let executable = try #require(HeadlessChromium.executable, "CI must have Chromium: .ci/run installs the chromium package")
        let fixture = try await ServerFixture()
        let viewer = try await fixture.token("web", "lead@example.com", .viewer)
        // Two named developers, three who are not (k = 3 of them, so their cells can be shown).
        let developers = ["ann@example.com", "bob@example.com", "cat@example.com", "dan@example.com", "eve@example.com"]
        var issued: [String] = []
        for (index, developer) in developers.enumerated() {
            issued.append(try await fixture.token("web", developer, .member, named: index < 2))
        }
        let tokens = issued
        let profile = try TemporaryDirectory(prefix: "aiusage-chromium")
        let screenshots = Self.screenshotDirectory
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)

        try await fixture.app(minGroupSize: 3).test(.live) { client in
            for (index, token) in tokens.enumerated() {
                var days: [(String, [String])] = []
                for week in 0..<7 {
                    // The week of 2026-10-26 (week 3): only ann and bob, fewer than k.
                    if week == 3 && index >= 2 { continue }
                    let day = Self.isoDay(1_791_158_400 + week * 7 * 86_400)
                    var rows = [
                        Upload.row(
                            cost: 0.4 + Double(index) * 0.13 + Double(week) * 0.07, landed: 4 + index + week, written: 12 + index,
                            committed: 6 + index + week, surviving: 3 + week, pending: 0, wasted: 0.05),
                        Upload.row(
                            cost: 0.21 + Double(index) * 0.01, landed: 2 + week % 3, tool: "codex", written: 5, committed: 3,
                            surviving: 1, pending: 0, wasted: 0.02),
                    ]
                    // dan alone with aider, once: a cell the rule withholds, with what protects it.
                    if index == 3 && week == 5 {
                        rows.append(
                            Upload.row(cost: 0.9, landed: 7, tool: "aider", written: 9, committed: 7, surviving: 7, pending: 0, wasted: 0))
                    }
                    days.append((day, rows))
                }
                let response = try await client.call(.post, "/api/v1/uploads", token: token, body: Upload.document(days, named: index < 2))
                #expect(response.status == .ok)
            }
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let member = tokens[3]
            let findings = try await onThread { () throws -> TrustFindings in
                let browser = try HeadlessChromium(executable: executable, profileDirectory: profile.path)
                defer { browser.quit() }
                return try Self.inspect(base: base, viewer: viewer, member: member, browser: browser, screenshots: screenshots)
            }
            #expect(findings.errors.isEmpty, "console errors: \(findings.errors)")
            // Totals are the sum of what the charts draw.
            #expect(findings.totalLanded > 0)
            #expect(findings.totalLanded == findings.landedBars, "landed: totals \(findings.totalLanded), bars \(findings.landedBars)")
            #expect(abs(findings.totalCost - findings.costBars) < 0.006, "cost: totals \(findings.totalCost), bars \(findings.costBars)")
            // The breakdown adds up to its total row, which is the window totals.
            #expect(findings.notItemisedShown, "a withheld cell must show up as the part not itemised")
            #expect(
                findings.tableLanded == findings.footLanded && findings.footLanded == findings.totalLanded,
                "table \(findings.tableLanded), total row \(findings.footLanded), totals \(findings.totalLanded)")
            #expect(
                abs(findings.tableCost - findings.footCost) <= 0.005 * Double(findings.tableRows),
                "cost rows \(findings.tableCost) vs \(findings.footCost)")
            #expect(abs(findings.footCost - findings.totalCost) < 0.001)
            #expect(findings.totalsNote.contains("1 week withheld"), "\(findings.totalsNote)")
            // The withheld week is marked on every chart, and explained.
            #expect(findings.withheldMarks == 7, "withheld marks: \(findings.withheldMarks)")
            #expect(findings.legend.contains("withheld"))
            #expect(findings.firstAxisLabel.contains("2026"), "first x label: \(findings.firstAxisLabel)")
            #expect(findings.axisLabels >= 3 * 7)
            // Named developers listed, the others not.
            #expect(findings.named == ["ann@example.com", "bob@example.com"], "\(findings.named)")
            // Nothing cut: no header at 1280 px, no cell or label on the phone, no sideways scroll.
            #expect(findings.desktopCutHeaders.isEmpty, "cut at 1280 px: \(findings.desktopCutHeaders)")
            #expect(findings.desktopOverflow <= 0, "sideways scroll at 1280 px: \(findings.desktopOverflow)")
            #expect(findings.phoneCutCells.isEmpty, "cut at 390 px: \(findings.phoneCutCells)")
            #expect(findings.phoneUnlabelledCells.isEmpty, "cells without their column's name at 390 px: \(findings.phoneUnlabelledCells)")
            #expect(findings.phoneOverflow <= 0, "sideways scroll at 390 px: \(findings.phoneOverflow)")
            // The member's own page.
            #expect(findings.memberPath == "/me")
            #expect(findings.memberDeveloper == "dan@example.com")
            #expect(findings.memberRows == 13, "dan uploaded 13 rows in the window; the page lists \(findings.memberRows)")
            #expect(findings.memberMentionsOthers.isEmpty, "the member's page shows others: \(findings.memberMentionsOthers)")
            #expect(findings.memberOverflow <= 0)
            for name in ["dashboard-team-desktop.png", "dashboard-team-phone.png", "dashboard-member-phone.png"] {
                let data = try Data(contentsOf: URL(fileURLWithPath: screenshots + "/" + name))
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is not a PNG")
                #expect(data.count > 10_000, "\(name) is suspiciously small (\(data.count) bytes)")
            }
        }
    }

    struct TrustFindings: Sendable {
        var errors: [String] = []
        var totalCost = 0.0, costBars = 0.0, totalLanded = 0, landedBars = 0
        var tableCost = 0.0, tableLanded = 0, tableRows = 0, footCost = 0.0, footLanded = 0, notItemisedShown = false
        var totalsNote = "", legend = "", firstAxisLabel = "", axisLabels = 0, withheldMarks = 0
        var named: [String] = []
        var desktopCutHeaders: [String] = [], desktopOverflow = 0
        var phoneCutCells: [String] = [], phoneUnlabelledCells: [String] = [], phoneOverflow = 0
        var memberPath = "", memberDeveloper = "", memberRows = 0, memberMentionsOthers: [String] = [], memberOverflow = 0
    }

    /// The checks of `dashboardAddsUpMarksWithheldWeeksAndFitsEveryScreen`, read from the
    /// rendered page (layout boxes, not the HTML text).
    static func inspect(base: String, viewer: String, member: String, browser: HeadlessChromium, screenshots: String) throws
        -> TrustFindings
    {
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        let attached = try browser.send("Target.attachToTarget", ["targetId": target["targetId"] as Any, "flatten": true])
        let session = try #require(attached["sessionId"] as? String)
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] { try browser.send(domain, session: session) }
        func size(_ width: Int, _ height: Int, mobile: Bool) throws {
            try browser.send(
                "Emulation.setDeviceMetricsOverride",
                ["width": width, "height": height, "deviceScaleFactor": mobile ? 2 : 1, "mobile": mobile], session: session)
        }
        func load(_ action: () throws -> Void) throws {
            let before = browser.events.count
            try action()
            _ = try browser.waitForEvent("Page.loadEventFired", session: session, after: before)
        }
        func value(_ expression: String) throws -> Any? { try browser.evaluate(expression, session: session) }
        func number(_ expression: String) throws -> Double { (try value(expression) as? NSNumber)?.doubleValue ?? .nan }
        /// A whole number, or -1 when the page has no such figure (NaN).
        func int(_ expression: String) throws -> Int {
            let found = try number(expression)
            return found.isFinite ? Int(found.rounded()) : -1
        }
        func text(_ expression: String) throws -> String { try value(expression) as? String ?? "" }
        func strings(_ expression: String) throws -> [String] { try value(expression) as? [String] ?? [] }
        func screenshot(_ name: String) throws {
            let metrics = try browser.send("Page.getLayoutMetrics", session: session)
            let size = (metrics["cssContentSize"] as? [String: Any]) ?? [:]
            let shot = try browser.send(
                "Page.captureScreenshot",
                [
                    "format": "png", "captureBeyondViewport": true,
                    "clip": ["x": 0, "y": 0, "width": size["width"] ?? 1280, "height": size["height"] ?? 900, "scale": 1],
                ], session: session)
            try #require(Data(base64Encoded: shot["data"] as? String ?? "")).write(to: URL(fileURLWithPath: screenshots + "/" + name))
        }
        func login(_ token: String, button: String) throws {
            try load { try browser.send("Page.navigate", ["url": base + "/"], session: session) }
            try load {
                _ = try value(
                    """
                    document.getElementById('token').value = \(String(reflecting: token));
                    const button = document.querySelector('button[value=\(button)]');
                    if (button) { button.click(); } else { document.querySelector('form[action="/login"]').submit(); } true
                    """)
            }
        }
        /// Dollars or a count from a cell's text ("$1.23", "41").
        let parse = "(t => parseFloat(t.replace(/[$,]/g, '')))"
        var findings = TrustFindings()

        try size(1280, 900, mobile: false)
        try login(viewer, button: "team")
        try load { try browser.send("Page.navigate", ["url": base + "/dashboard?weeks=8"], session: session) }
        findings.totalCost = try number("\(parse)(document.getElementById('total-cost')?.textContent ?? '')")
        findings.totalLanded = try int("\(parse)(document.getElementById('total-landed')?.textContent ?? '')")
        findings.costBars = try number(
            "[...document.querySelectorAll('#chart-cost rect.bar')].reduce((s, r) => s + parseFloat(r.dataset.value), 0)")
        findings.landedBars = try int(
            "[...document.querySelectorAll('#chart-landed rect.bar')].reduce((s, r) => s + parseFloat(r.dataset.value), 0)")
        // Columns 3 and 4 of the breakdown are cost and landed lines (see TeamPage.breakdownColumns).
        findings.tableRows = try int("document.querySelectorAll('#breakdown tbody tr').length")
        findings.tableCost = try number(
            "[...document.querySelectorAll('#breakdown tbody tr')].reduce((s, r) => s + \(parse)(r.cells[2].textContent), 0)")
        findings.tableLanded = try int(
            "[...document.querySelectorAll('#breakdown tbody tr')].reduce((s, r) => s + \(parse)(r.cells[3].textContent), 0)")
        findings.footCost = try number("\(parse)(document.querySelector('#breakdown tfoot tr')?.cells[2].textContent ?? '')")
        findings.footLanded = try int("\(parse)(document.querySelector('#breakdown tfoot tr')?.cells[3].textContent ?? '')")
        findings.notItemisedShown = try number("document.querySelectorAll('#breakdown tbody tr.rest').length") == 1
        findings.totalsNote = try text("document.getElementById('totals-note')?.textContent ?? ''")
        findings.legend = try text("document.querySelector('.legend')?.textContent ?? ''")
        findings.withheldMarks = try int("document.querySelectorAll('figure[id^=chart-] rect.withheld[data-week=\"2026-10-26\"]').length")
        findings.firstAxisLabel = try text("document.querySelector('#chart-cost .x-label')?.textContent ?? ''")
        findings.axisLabels = try int("document.querySelectorAll('.x-label').length")
        findings.named = try strings("[...document.querySelectorAll('#named tbody tr')].map(r => r.cells[0].textContent)")
        // A header is cut when its text needs more room than its box, or its box leaves the page.
        let cutHeaders = """
            [...document.querySelectorAll('th')].filter(th => {
              const box = th.getBoundingClientRect();
              return th.scrollWidth > th.clientWidth + 1 || box.right > document.documentElement.clientWidth + 0.5 || box.left < 0;
            }).map(th => th.closest('table').id + ': ' + th.textContent)
            """
        findings.desktopCutHeaders = try strings(cutHeaders)
        findings.desktopOverflow = try int("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        try screenshot("dashboard-team-desktop.png")

        try size(390, 844, mobile: true)
        try load { try browser.send("Page.reload", session: session) }
        findings.phoneOverflow = try int("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        // On a phone each row is a card: every cell shows its column's name, and fits.
        findings.phoneCutCells = try strings(
            """
            [...document.querySelectorAll('table td')].filter(td => {
              const box = td.getBoundingClientRect();
              return td.scrollWidth > td.clientWidth + 1 || box.right > document.documentElement.clientWidth + 0.5;
            }).map(td => td.closest('table').id + ': ' + td.textContent)
            """)
        findings.phoneUnlabelledCells = try strings(
            """
            [...document.querySelectorAll('table')].flatMap(table => {
              const names = [...table.querySelectorAll('thead th')].map(th => JSON.stringify(th.textContent));
              return [...table.querySelectorAll('tbody tr, tfoot tr')].flatMap(row => [...row.cells].filter((td, i) =>
                getComputedStyle(td, '::before').content !== names[i]).map(td => table.id + ': ' + td.textContent));
            })
            """)
        // Header rows are for screen readers only on a phone (each cell carries its column's
        // name instead); any header row still on screen must not be cut either.
        findings.phoneCutCells += try strings(
            cutHeaders.replacingOccurrences(
                of: "document.querySelectorAll('th')",
                with: "[...document.querySelectorAll('th')].filter(th => th.closest('thead').getBoundingClientRect().height > 1)"))
        try screenshot("dashboard-team-phone.png")

        // The member: log out, then in again with the member token and "My shared data".
        try load { _ = try value("document.querySelector('form[action=\"/logout\"] button').click(); true") }
        try login(member, button: "me")
        findings.memberPath = try text("location.pathname")
        findings.memberDeveloper = try text("document.getElementById('developer')?.textContent ?? ''")
        try load { try browser.send("Page.navigate", ["url": base + "/me?weeks=8"], session: session) }
        findings.memberRows = try int("document.querySelectorAll('#days tbody tr').length")
        let page = try text("document.body.innerText")
        findings.memberMentionsOthers = ["ann@", "bob@", "cat@", "eve@", "lead@", "Team web", "By tool and model"].filter {
            page.contains($0)
        }
        findings.memberOverflow = try int("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        try screenshot("dashboard-member-phone.png")

        findings.errors = browser.events.compactMap { event in
            let params = event["params"] as? [String: Any] ?? [:]
            switch event["method"] as? String {
            case "Runtime.exceptionThrown":
                return "exception: \((params["exceptionDetails"] as? [String: Any])?["text"] ?? params)"
            case "Runtime.consoleAPICalled" where ["error", "assert"].contains(params["type"] as? String):
                return "console.\(params["type"] ?? ""): \(params["args"] ?? "")"
            case "Log.entryAdded":
                let entry = params["entry"] as? [String: Any] ?? [:]
                guard entry["level"] as? String == "error" else { return nil }
                return "\(entry["source"] ?? "log"): \(entry["text"] ?? "") \(entry["url"] ?? "")"
            default:
                return nil
            }
        }
        return findings
    }

    static func isoDay(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// What the browser saw, gathered on the browser thread.
    struct BrowserFindings: Sendable {
        var errors: [String] = []
        var loginPath = ""
        var heading = ""
        var charts = 0
        var chartsWithMarks = 0
        var desktopChartWidth = 0
        var phoneOverflow = 0
        var phoneChartWidth = 0
        var selectionShown = false
        var selectionCharts = 0
    }

    /// Logs in through the form as a person would, then inspects the dashboard at desktop
    /// and phone sizes, taking a screenshot of each.
    static func visit(base: String, viewer: String, browser: HeadlessChromium, screenshots: String) throws -> BrowserFindings {
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        let attached = try browser.send("Target.attachToTarget", ["targetId": target["targetId"] as Any, "flatten": true])
        let session = try #require(attached["sessionId"] as? String)
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] { try browser.send(domain, session: session) }
        try browser.send(
            "Emulation.setDeviceMetricsOverride", ["width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false], session: session)

        func load(_ action: () throws -> Void) throws {
            let before = browser.events.count
            try action()
            _ = try browser.waitForEvent("Page.loadEventFired", session: session, after: before)
        }
        func int(_ expression: String) throws -> Int { (try browser.evaluate(expression, session: session) as? NSNumber)?.intValue ?? -1 }
        func screenshot(_ name: String) throws {
            let metrics = try browser.send("Page.getLayoutMetrics", session: session)
            let size = (metrics["cssContentSize"] as? [String: Any]) ?? [:]
            let shot = try browser.send(
                "Page.captureScreenshot",
                [
                    "format": "png", "captureBeyondViewport": true,
                    "clip": ["x": 0, "y": 0, "width": size["width"] ?? 1280, "height": size["height"] ?? 900, "scale": 1],
                ], session: session)
            let data = try #require(Data(base64Encoded: shot["data"] as? String ?? ""))
            try data.write(to: URL(fileURLWithPath: screenshots + "/" + name))
        }

        var findings = BrowserFindings()
        try load { try browser.send("Page.navigate", ["url": base + "/"], session: session) }
        try load {
            _ = try browser.evaluate(
                """
                document.getElementById('token').value = \(String(reflecting: viewer));
                document.querySelector('form[action="/login"]').submit(); true
                """, session: session)
        }
        findings.loginPath = try browser.evaluate("location.pathname", session: session) as? String ?? ""
        findings.heading = try browser.evaluate("document.querySelector('h1').textContent", session: session) as? String ?? ""
        findings.charts = try int("document.querySelectorAll('figure[id^=chart-] svg').length")
        findings.chartsWithMarks = try int(
            """
            [...document.querySelectorAll('figure[id^=chart-] svg')].filter(s => s.querySelector('rect, polyline, circle')).length
            """)
        findings.desktopChartWidth = try int("Math.round(document.querySelector('figure[id^=chart-] svg').getBoundingClientRect().width)")
        try screenshot("dashboard-desktop.png")

        try browser.send(
            "Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true], session: session)
        try load { try browser.send("Page.reload", session: session) }
        findings.phoneOverflow = try int("document.documentElement.scrollWidth - window.innerWidth")
        findings.phoneChartWidth = try int("Math.round(document.querySelector('figure[id^=chart-] svg').getBoundingClientRect().width)")
        try screenshot("dashboard-phone.png")

        // One tool and model, reached as a person would: its link in the breakdown table.
        try load { _ = try browser.evaluate("document.querySelector('#breakdown a').click(); true", session: session) }
        findings.selectionShown = try int("document.querySelectorAll('#selection').length") == 1
        findings.selectionCharts = try int(
            """
            [...document.querySelectorAll('figure[id^=chart-] svg')].filter(s => s.querySelector('rect, polyline, circle')).length
            """)

        findings.errors = browser.events.compactMap { event in
            let params = event["params"] as? [String: Any] ?? [:]
            switch event["method"] as? String {
            case "Runtime.exceptionThrown":
                return "exception: \((params["exceptionDetails"] as? [String: Any])?["text"] ?? params)"
            case "Runtime.consoleAPICalled" where ["error", "assert"].contains(params["type"] as? String):
                return "console.\(params["type"] ?? ""): \(params["args"] ?? "")"
            case "Log.entryAdded":
                let entry = params["entry"] as? [String: Any] ?? [:]
                guard entry["level"] as? String == "error" else { return nil }
                return "\(entry["source"] ?? "log"): \(entry["text"] ?? "") \(entry["url"] ?? "")"
            default:
                return nil
            }
        }
        return findings
    }
}
