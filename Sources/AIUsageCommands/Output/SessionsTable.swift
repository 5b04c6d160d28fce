import AIUsageCore
import AIUsageEngine
import Foundation

/// `aiusage sessions` for people: a table of sessions with what their spend bought, and
/// one session in detail.
enum SessionsTable {
    /// How an outcome reads in a table cell, with the branches it waits on when it has
    /// any (`unmerged: experiment/pdf`).
    static func outcomeCell(_ session: SessionView) -> String {
        let name = displayName(session.outcome)
        switch session.outcome {
        case .pending where !session.openBranches.isEmpty:
            return name + ": " + session.openBranches.joined(separator: ", ")
        case .unmerged where !SessionsDocument.branches(session).isEmpty:
            return name + ": " + SessionsDocument.branches(session).joined(separator: ", ")
        default:
            return name
        }
    }

    static func displayName(_ outcome: SessionOutcome) -> String { outcome == .noEdits ? "no edits" : outcome.rawValue }

    /// What the outcome means for this session, in a sentence.
    static func outcomeSentence(_ session: SessionView) -> String {
        let branches = SessionsDocument.branches(session).joined(separator: ", ")
        switch session.outcome {
        case .landed: return "landed: some of its AI lines are on the default branch"
        case .pending:
            return
                "pending: committed on \(session.openBranches.joined(separator: ", ")), not landed yet; the branch had a commit in the last \(Int(SessionOutcome.openDays)) days"
        case .unmerged:
            return branches.isEmpty
                ? "unmerged: its commits did not land on the default branch"
                : "unmerged: its commits are only on \(branches), which did not land (no new commit in the last \(Int(SessionOutcome.openDays)) days)"
        case .discarded: return "discarded: it wrote AI lines and none was committed"
        case .reverted: return "reverted: its lines landed, then every one was removed within 21 days"
        case .noEdits: return "no edits: it wrote no line"
        }
    }

    static func render(
        _ sessions: [SessionView], filter: SessionFilter, developer: String?, window: ResolvedWindow, idLength: Int, prices: PriceTable,
        width: Int
    ) -> String {
        var out = ""
        let day = formatter("yyyy-MM-dd", window.timeZone)
        var what: [String] = []
        if let developer { what.append("of \(developer)") }
        if let outcomes = filter.outcomes {
            let names = SessionOutcome.allCases.filter(outcomes.contains).map(displayName)
            what.append(
                "with outcome "
                    + (names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "") : names.joined()))
        }
        var when: [String] = []
        if let since = window.since { when.append("active since \(day.string(from: since))") }
        if window.untilGiven { when.append("before \(day.string(from: window.until))") }
        let described = ([what.joined(separator: " ")].filter { !$0.isEmpty } + when).joined(separator: ", ")
        guard !sessions.isEmpty else {
            let text =
                described.isEmpty
                ? "No AI session found for this repository. `aiusage doctor` shows where aiusage looked."
                : "No session " + described + "."
            return Text.paragraph(text, width: width) + "\n"
        }
        if !described.isEmpty {
            let order = filter.outcomes == nil ? "" : ", costliest first"
            out += Text.paragraph("Sessions " + described + order + ":", width: width) + "\n\n"
        }
        let showRepo = Set(sessions.map { $0.repo ?? "" }).count > 1
        var columns: [TextTable.Column] = [.left("TOOL"), .left("SESSION")]
        if showRepo { columns.append(.left("REPO")) }
        columns += [
            .left("STARTED"), .right("COST"), .right("WRITTEN"), .right("COMMITTED"), .right("LANDED"), .right("SURVIVING"),
            .wrapping("OUTCOME"),
        ]
        var table = TextTable(columns, lead: 2)
        for session in sessions {
            var cells = [session.tool.rawValue, String(session.id.prefix(idLength))]
            if showRepo { cells.append(session.repo ?? "(no repository)") }
            let measured = session.lines.landed - session.lines.pending
            cells += [
                day.string(from: session.start), ReportTable.costCell(usd: session.costUSD, unpricedTokens: session.unpricedTokens),
                "\(session.aiLinesWritten)", "\(session.lines.committed)", "\(session.lines.landed)",
                measured > 0 ? "\(session.lines.surviving)" : "–", outcomeCell(session),
            ]
            table.append(cells)
        }
        out += table.render(width: width).joined(separator: "\n") + "\n"
        if filter.outcomes != nil {
            let cost = sessions.reduce(0) { $0 + $1.costUSD }
            let unpriced = sessions.reduce(Int64(0)) { $0 + $1.unpricedTokens }
            out +=
                "\n"
                + Text.paragraph(
                    "\(sessions.count) session\(sessions.count == 1 ? "" : "s"), \(ReportTable.costCell(usd: cost, unpricedTokens: unpriced)) in all.",
                    width: width) + "\n"
        }
        out +=
            "\n"
            + Text.paragraph(
                "WRITTEN to SURVIVING count AI lines (SURVIVING: still on the default branch after the survival days; – while none "
                    + "has been measured yet). `aiusage sessions ID` shows one session's commits and branches.",
                width: width) + "\n"
        if let footer = unpricedFooter(sessions, prices: prices, width: width) { out += footer + "\n" }
        return out
    }

    /// Which models left costs out, so that `unpriced` and `$x+` cells are explained.
    static func unpricedFooter(_ sessions: [SessionView], prices: PriceTable, width: Int) -> String? {
        let affected = sessions.filter { $0.unpricedTokens > 0 }
        guard !affected.isEmpty else { return nil }
        let models = Set(affected.flatMap(\.models)).filter { prices.price(for: $0) == nil }.sorted()
        var out = "\n" + Text.paragraph("COST unpriced (or $x+): tokens on models without a price are counted, not costed.", width: width)
        if !models.isEmpty {
            out +=
                "\n"
                + Text.paragraph(
                    "Unpriced models: \(models.joined(separator: ", ")). `aiusage prices MODEL` says why.", width: width)
        }
        return out
    }

    /// One session: where and when it worked, what it cost, its lines, its outcome and
    /// its commits.
    static func detail(_ session: SessionView, commits: [CommitView], survivalDays: Int, timeZone: TimeZone, width: Int) -> String {
        let time = formatter("yyyy-MM-dd HH:mm", timeZone)
        let day = formatter("yyyy-MM-dd", timeZone)
        var out = "\(session.tool.rawValue) session \(session.id)\n"
        func field(_ name: String, _ value: String) {
            out +=
                Text.paragraph(value, width: width, indent: "  " + Format.pad(name, 12), hanging: String(repeating: " ", count: 14)) + "\n"
        }
        field("repository", session.repo ?? "(no repository)")
        field("developer", session.developer)
        field("time", "\(time.string(from: session.start)) to \(time.string(from: session.end)) (\(TimeWindow.name(timeZone)))")
        field("models", session.models.isEmpty ? "(none recorded)" : session.models.joined(separator: ", "))
        field(
            "cost",
            "\(ReportTable.costCell(usd: session.costUSD, unpricedTokens: session.unpricedTokens)) for \(Format.compact(session.tokens.total)) tokens"
        )
        let lines = session.lines
        field(
            "AI lines",
            "written \(session.aiLinesWritten), committed \(lines.committed), landed \(lines.landed), surviving \(lines.surviving), "
                + "pending \(lines.pending), churned \(lines.churned)")
        field("outcome", outcomeSentence(session))
        if commits.isEmpty {
            field("commits", "none")
        } else {
            out += "  commits\n"
            var table = TextTable([
                .left("COMMIT"), .left("DATE"), .right("AI"), .left("LANDED"), .right("AI LANDED"), .right("SURVIVING"), .right("PENDING"),
            ])
            for commit in commits.sorted(by: { ($0.time, $0.sha) < ($1.time, $1.sha) }) {
                let measured = commit.landedAILines - commit.pendingAILines
                table.append([
                    String(commit.sha.prefix(8)), day.string(from: commit.time), "\(commit.aiLines)", commit.landedHow?.rawValue ?? "no",
                    "\(commit.landedAILines)", measured > 0 ? "\(commit.survivingAILines)" : "–", "\(commit.pendingAILines)",
                ])
            }
            out += table.render(width: width - 4).map { "    " + $0 }.joined(separator: "\n") + "\n"
            out +=
                "\n"
                + Text.paragraph(
                    "A commit's AI column counts all its AI lines, of every session; `aiusage explain COMMIT` shows whose. SURVIVING: "
                        + "after \(survivalDays) days; PENDING: landed lines whose \(survivalDays) days have not passed.",
                    width: width) + "\n"
        }
        return out
    }

    private static func formatter(_ format: String, _ timeZone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        return formatter
    }
}
