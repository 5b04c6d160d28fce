import Foundation

extension Benchmark {
    /// The first and a later `aiusage report` inside the generated long history, against
    /// `git log -p` over the window the sessions cover, in the same run.
    func measureHistory() throws {
        let history = HistoryCase(root: root, commits: options.historyCommits, seed: options.seed)
        let info = try history.prepare(log: log)
        log(info.reused ? "history: reusing \(history.directory)" : String(format: "history: generated in %.1f s", info.seconds))
        let git = RepositoryMaker.gitEnvironment(scratch: history.directory)
        let total =
            (try? Spawner.output(["git", "rev-list", "--count", "--all"], environment: git, directory: history.repo))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        let since = history.since(info)
        let window =
            (try? Spawner.output(["git", "rev-list", "--count", "--since=\(since)", "HEAD"], environment: git, directory: history.repo))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        rows.append(
            Row(
                name: "History: repository",
                value: "\(total) commits reachable (\(info.counts)); \(window) on main since \(since)"
                    + "; \(info.sessions) sessions (\(Format.mb(info.sessionBytes))) wrote the lines of \(info.matchedCommits) commits"
                    + (info.reused ? "" : String(format: "; generated in %.0f s", info.seconds))))

        // git log -p over the same window: one untimed pass, then the median of three.
        let gitLog = ["git", "log", "-p", "--since=\(since)"]
        _ = try Spawner.run(gitLog, SpawnOptions(environment: git, directory: history.repo))
        var times: [Double] = []
        for _ in 0..<3 {
            let run = try Spawner.run(gitLog, SpawnOptions(environment: git, directory: history.repo))
            guard run.succeeded else { throw BenchError.message("git log -p failed with status \(run.status)") }
            times.append(run.seconds)
        }
        let gitSeconds = Stats.median(times)
        log("history: git log -p --since=\"\(since)\": \(Format.seconds(gitSeconds))")
        rows.append(
            Row(name: "History: `git log -p --since=<a day before the first session>` (median of 3)", value: Format.seconds(gitSeconds)))

        let store = freshStore("history")
        log("history: first `aiusage report` (time limit \(Int(options.timeout)) s) …")
        let first = try aiusage(["report"], home: history.home, store: store, directory: history.repo, label: "history-first")
        log("  first: \(first.shown)\(first.error.map { " — " + $0 } ?? "")")
        failure("History: first report", first)
        let finished = first.run.succeeded
        let ratio = first.seconds / gitSeconds
        rows.append(
            Row(
                name: "History: first `aiusage report` (fresh store)",
                value: first.shown + (first.error.map { ", " + $0 } ?? "")
                    + "; peak RSS \(Format.mb(first.run.peakRSS))\(first.run.timedOut ? " when cut off" : "")"))
        rows.append(
            Row(
                name: "History: first report ÷ `git log -p` over the window",
                value: finished ? Format.ratio(ratio) : "≥ \(Format.ratio(ratio)) (cut off)", target: "≤ 10×",
                verdict: finished && ratio <= 10 ? .pass : .fail))
        guard finished else {
            rows.append(
                Row(
                    name: "History: later `aiusage report`", value: "not measured: the first run did not finish", target: "< 100 ms",
                    verdict: .fail))
            return
        }
        var later: [CommandRun] = []
        for index in 0..<options.warmRuns {
            let run = try aiusage(["report"], home: history.home, store: store, directory: history.repo, label: "history-later-\(index)")
            later.append(run)
            if !run.run.succeeded { break }
        }
        let median = later.sorted { $0.seconds < $1.seconds }[later.count / 2]
        let ok = later.allSatisfy(\.run.succeeded)
        failure("History: later report", median)
        log("  later: median \(median.shown)")
        rows.append(
            Row(
                name: "History: later `aiusage report`, nothing new (median of \(later.count))",
                value: median.shown + "; peak RSS \(Format.mb(later.map(\.run.peakRSS).max() ?? 0))", target: "< 100 ms",
                verdict: ok && median.seconds < 0.1 ? .pass : .fail))
    }
}
