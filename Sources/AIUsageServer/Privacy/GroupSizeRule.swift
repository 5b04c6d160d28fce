import AIUsageUploadContract
import Foundation

/// The k-rule: the one place that decides which team figures a viewer may see. The JSON
/// summary and the dashboard both show only cells of the `PublishedCells` this returns, and
/// sums of them; neither applies a threshold of its own.
///
/// What it guarantees: no figure a viewer can see, or compute from any number of answers
/// (different windows, `by=day` and `by=week`, the dashboard's tool and model pages, totals
/// minus rows), is built from fewer than k developers. How:
///
/// 1. **One hierarchy, fixed by the data and not by the question.** Cells are nested:
///    ISO week ⊃ calendar day ⊃ (day, tool, model). Every cell covers a whole period, so the
///    cells do not depend on the window asked for; a window only selects whole cells, and
///    every figure shown (window totals, per-tool rows, week trends) is a sum of published
///    cells. Two windows therefore differ by whole cells, each of which passed the rule.
/// 2. **Primary suppression.** A cell is published only if at least k developers contributed
///    to it, and its parent is published.
/// 3. **Complementary suppression.** A published parent minus its published children is
///    computable (a week minus its shown days, a day minus its shown tools), so that
///    remainder must pass the rule too: when it does not, more children are withheld (the
///    smallest first) until it does. With cells nested, the figures a viewer can derive are
///    exactly sums of these remainders and published cells — each one built from at least k
///    developers (a laminar family: remainders are disjoint, so no combination isolates less).
/// 4. **Named developers.** A developer who shared `named` is listed with their own figures,
///    so their part of a cell is known; the developers who did not must then be none or at
///    least k in every cell and remainder, or those few could be had as the cell minus the
///    listed developers.
///
/// What it does not hide: which periods have data but are withheld, how many developers
/// contributed in a window, and what changed between two looks at data that was uploaded in
/// between. k - 1 members who pool their own figures can subtract them from a cell of k.
public struct GroupSizeRule: Sendable {
    public let minGroupSize: Int

    public init(minGroupSize: Int) { self.minGroupSize = max(1, minGroupSize) }

    /// Applies the rule to `rows`, which must hold every row of each ISO week they touch: the
    /// decisions for a week depend on all of its days, never on the window a viewer asked for.
    /// Rows outside `UploadBounds` (stored before the bounds existed) are left out.
    public func publish(_ rows: [TeamRow]) -> PublishedCells {
        var weekOf: [String: String] = [:]
        var weeks: [String: Node] = [:]
        for stored in rows where UploadBounds.isWithinBounds(stored.row) {
            let week =
                weekOf[stored.day]
                ?? {
                    let week = DayMath.week(stored.day)
                    weekOf[stored.day] = week
                    return week
                }()
            weeks[week, default: Node()].add(stored, path: [stored.day, stored.row.tool + "\u{0}" + stored.row.model])
        }
        var published = PublishedCells(minGroupSize: minGroupSize)
        for (week, node) in weeks {
            published.dataWeeks.insert(week)
            guard isSafe(node) else { continue }
            published.weeks[week] = node.row(key: ["week": week], windowDays: 7)
            for (day, dayNode) in publishedChildren(of: node) {
                published.days[day] = dayNode.row(key: ["day": day], windowDays: 1)
                for (pair, pairNode) in publishedChildren(of: dayNode) {
                    let parts = pair.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    let key = PairDay(day: day, tool: parts[0], model: parts.count > 1 ? parts[1] : "")
                    published.pairDays[key] = pairNode.row(key: ["tool": key.tool, "model": key.model], windowDays: 1)
                }
            }
            for (day, dayNode) in node.children { published.dataDays[day] = dayNode.developers }
        }
        for stored in rows { published.dataPairs.insert(PairDay(day: stored.day, tool: stored.row.tool, model: stored.row.model)) }
        return published
    }

    /// At least k developers, and the developers who did not share `named` are none or at least k.
    func isSafe(_ node: Node) -> Bool { isSafe(developers: node.developers, unnamed: node.unnamed) }

    func isSafe(developers: Set<String>, unnamed: Set<String>) -> Bool {
        developers.count >= minGroupSize && (unnamed.isEmpty || unnamed.count >= minGroupSize)
    }

    /// The children of a published `parent` that may be published: each safe on its own
    /// (primary), and the withheld ones together safe too (complementary), since the parent
    /// minus the published children is their sum.
    func publishedChildren(of parent: Node) -> [(String, Node)] {
        var shown = parent.children.filter { isSafe($0.value) }
        var hiddenDevelopers = Set<String>(), hiddenUnnamed = Set<String>()
        for (key, child) in parent.children where shown[key] == nil {
            hiddenDevelopers.formUnion(child.developers)
            hiddenUnnamed.formUnion(child.unnamed)
        }
        // Nothing withheld: the children add up to the parent, which is published anyway.
        guard shown.count < parent.children.count else { return shown.sorted { $0.key < $1.key } }
        while !isSafe(developers: hiddenDevelopers, unnamed: hiddenUnnamed) {
            // Withhold one more child: the smallest that brings a developer the remainder lacks.
            // One always exists, since withholding every child leaves the parent, which is safe.
            let needsUnnamed = hiddenDevelopers.count >= minGroupSize
            let candidates = shown.filter { _, child in
                needsUnnamed ? !child.unnamed.isSubset(of: hiddenUnnamed) : !child.developers.isSubset(of: hiddenDevelopers)
            }
            guard let next = candidates.min(by: { ($0.value.developers.count, $0.key) < ($1.value.developers.count, $1.key) })
            else { return [] }
            shown[next.key] = nil
            hiddenDevelopers.formUnion(next.value.developers)
            hiddenUnnamed.formUnion(next.value.unnamed)
        }
        return shown.sorted { $0.key < $1.key }
    }

    /// One cell of the hierarchy with its sum, its contributors and its children.
    struct Node {
        var sum = SummaryRow(key: [:], windowDays: 0)
        var developers = Set<String>()
        var unnamed = Set<String>()
        var children: [String: Node] = [:]

        mutating func add(_ stored: TeamRow, path: ArraySlice<String>) {
            sum.add(stored.row)
            developers.insert(stored.developer)
            if !stored.named { unnamed.insert(stored.developer) }
            if let first = path.first { children[first, default: Node()].add(stored, path: path.dropFirst()) }
        }

        func row(key: [String: String], windowDays: Double) -> SummaryRow {
            var row = sum
            row.report.key = key
            row.report.windowDays = windowDays
            return row
        }
    }
}

/// One tool and model on one day: the finest published cell.
public struct PairDay: Hashable, Sendable {
    public var day: String
    public var tool: String
    public var model: String
}

/// The cells the k-rule lets a viewer see, with what each view needs to tell a withheld
/// period from an empty one. Every figure of a summary or a dashboard page is one of these
/// cells or a sum of them.
public struct PublishedCells: Sendable {
    public let minGroupSize: Int
    /// Published ISO weeks (by Monday), days, and (day, tool, model) cells.
    public var weeks: [String: SummaryRow] = [:]
    public var days: [String: SummaryRow] = [:]
    public var pairDays: [PairDay: SummaryRow] = [:]
    /// Periods that hold data, published or not; with the developers of each day.
    var dataWeeks = Set<String>()
    var dataDays: [String: Set<String>] = [:]
    /// Every (day, tool, model) with data, published or not.
    var dataPairs = Set<PairDay>()

    init(minGroupSize: Int) { self.minGroupSize = minGroupSize }

    /// The published weeks whose Monday lies in the window, in order; and the weeks with data
    /// that were withheld.
    func weekSeries(since: String, until: String) -> (shown: [SummaryRow], withheld: [String]) {
        let inWindow = dataWeeks.filter { $0 >= since && $0 <= until }.sorted()
        return (inWindow.compactMap { weeks[$0] }, inWindow.filter { weeks[$0] == nil })
    }

    func daySeries(since: String, until: String) -> (shown: [SummaryRow], withheld: [String]) {
        let inWindow = dataDays.keys.filter { $0 >= since && $0 <= until }.sorted()
        return (inWindow.compactMap { days[$0] }, inWindow.filter { days[$0] == nil })
    }

    /// Sums of the published (day, tool, model) cells of the window, one row per tool and
    /// model, sorted by tool then model (never by cost or tokens); and how many tools and
    /// models with data have no published cell at all.
    func pairRows(since: String, until: String, windowDays: Double) -> (rows: [SummaryRow], hidden: Int) {
        var sums: [[String]: SummaryRow] = [:]
        for (cell, row) in pairDays where cell.day >= since && cell.day <= until {
            sums[[cell.tool, cell.model], default: SummaryRow(key: ["tool": cell.tool, "model": cell.model], windowDays: windowDays)]
                .add(row)
        }
        let ordered = sums.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let withData = Set(dataPairs.filter { $0.day >= since && $0.day <= until }.map { [$0.tool, $0.model] })
        return (ordered.compactMap { sums[$0] }, withData.subtracting(sums.keys).count)
    }

    /// One tool and model by week: each week the sum of its published (day, tool, model) cells.
    func pairWeeks(tool: String, model: String, since: String, until: String) -> [SummaryRow] {
        var sums: [String: SummaryRow] = [:]
        for (cell, row) in pairDays where cell.tool == tool && cell.model == model && cell.day >= since && cell.day <= until {
            let week = DayMath.week(cell.day)
            sums[week, default: SummaryRow(key: ["week": week], windowDays: 7)].add(row)
        }
        return sums.keys.sorted().compactMap { sums[$0] }
    }
}
