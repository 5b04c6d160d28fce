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
                    return (day, [
                        Upload.row(cost: 0.5 + Double(week) * 0.3, landed: landed, written: landed + 8 - week,
                                   committed: landed + 1, surviving: landed - 1, pending: 0, wasted: 0.1),
                        Upload.row(cost: 0.2, landed: 1 + week, tool: "codex", written: 4 + week, committed: 2 + week,
                                   surviving: 1 + week / 2, pending: 0, wasted: 0.05),
                    ])
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
            #expect(findings.phoneChartWidth > 0 && findings.phoneChartWidth <= 390, "charts do not fit a phone: \(findings.phoneChartWidth) px")
            #expect(findings.selectionShown, "the breakdown link did not lead to one tool and model")
            #expect(findings.selectionCharts == 7, "one tool and model should draw 7 charts, drew \(findings.selectionCharts)")
            for name in ["dashboard-desktop.png", "dashboard-phone.png"] {
                let data = try Data(contentsOf: URL(fileURLWithPath: screenshots + "/" + name))
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is not a PNG")
                #expect(data.count > 10_000, "\(name) is suspiciously small (\(data.count) bytes)")
            }
        }
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
        try browser.send("Emulation.setDeviceMetricsOverride", ["width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false], session: session)

        func load(_ action: () throws -> Void) throws {
            let before = browser.events.count
            try action()
            _ = try browser.waitForEvent("Page.loadEventFired", session: session, after: before)
        }
        func int(_ expression: String) throws -> Int { (try browser.evaluate(expression, session: session) as? NSNumber)?.intValue ?? -1 }
        func screenshot(_ name: String) throws {
            let metrics = try browser.send("Page.getLayoutMetrics", session: session)
            let size = (metrics["cssContentSize"] as? [String: Any]) ?? [:]
            let shot = try browser.send("Page.captureScreenshot", [
                "format": "png", "captureBeyondViewport": true,
                "clip": ["x": 0, "y": 0, "width": size["width"] ?? 1280, "height": size["height"] ?? 900, "scale": 1],
            ], session: session)
            let data = try #require(Data(base64Encoded: shot["data"] as? String ?? ""))
            try data.write(to: URL(fileURLWithPath: screenshots + "/" + name))
        }

        var findings = BrowserFindings()
        try load { try browser.send("Page.navigate", ["url": base + "/"], session: session) }
        try load {
            _ = try browser.evaluate("""
                document.getElementById('token').value = \(String(reflecting: viewer));
                document.querySelector('form[action="/login"]').submit(); true
                """, session: session)
        }
        findings.loginPath = try browser.evaluate("location.pathname", session: session) as? String ?? ""
        findings.heading = try browser.evaluate("document.querySelector('h1').textContent", session: session) as? String ?? ""
        findings.charts = try int("document.querySelectorAll('figure[id^=chart-] svg').length")
        findings.chartsWithMarks = try int("""
            [...document.querySelectorAll('figure[id^=chart-] svg')].filter(s => s.querySelector('rect, polyline, circle')).length
            """)
        findings.desktopChartWidth = try int("Math.round(document.querySelector('figure[id^=chart-] svg').getBoundingClientRect().width)")
        try screenshot("dashboard-desktop.png")

        try browser.send("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true], session: session)
        try load { try browser.send("Page.reload", session: session) }
        findings.phoneOverflow = try int("document.documentElement.scrollWidth - window.innerWidth")
        findings.phoneChartWidth = try int("Math.round(document.querySelector('figure[id^=chart-] svg').getBoundingClientRect().width)")
        try screenshot("dashboard-phone.png")

        // One tool and model, reached as a person would: its link in the breakdown table.
        try load { _ = try browser.evaluate("document.querySelector('#breakdown a').click(); true", session: session) }
        findings.selectionShown = try int("document.querySelectorAll('#selection').length") == 1
        findings.selectionCharts = try int("""
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
