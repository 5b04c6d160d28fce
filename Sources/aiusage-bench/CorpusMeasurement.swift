import Foundation

extension Benchmark {
    /// What one corpus part measured; the hook part reuses the caught-up store.
    struct CorpusOutcome {
        var store: String
        var caughtUp: Bool
    }

    /// `aiusage report --all-repos` on one corpus: cold (fresh store; page cache warm, and
    /// dropped when root), warm (again, nothing new), peak RSS of each, and aiburn on the
    /// same files. `judged`: this corpus carries the aiburn target.
    func measureCorpus(label: String, title: String, corpus: CorpusInfo, describe: String, judged: Bool, aiburn: AIBurn?) throws
        -> CorpusOutcome
    {
        rows.append(Row(name: "\(title): corpus", value: describe))
        let report = ["report", "--all-repos"]

        // Page cache warm: `cat` every file first (and time a second pass, for scale).
        try warmPageCache(corpus.files)
        let catStarted = Clock.now()
        try warmPageCache(corpus.files)
        let cat = Clock.now() - catStarted
        rows.append(
            Row(name: "\(title): cat of every file, page cache warm", value: "\(Format.seconds(cat)) (\(Format.rate(corpus.bytes, cat)))"))

        // Each cold report is followed by an aiburn run on the same files: this machine's
        // speed drifts by a third within minutes, and runs of the two taken minutes apart
        // gave ratios that moved with it. The ratio is the median of the pairs'.
        log("\(label): \(options.coldRuns) cold `aiusage report --all-repos`\(aiburn == nil ? "" : ", each followed by aiburn") …")
        let burnOutput = logs + "/\(label)-aiburn.out"
        if let aiburn { _ = try aiburn.run(home: corpus.home, output: burnOutput) }  // warm-up
        var cold: [CommandRun] = []
        var burns: [ChildRun] = []
        var store = ""
        for index in 0..<options.coldRuns {
            store = freshStore("\(label)-cold")
            let run = try aiusage(report, home: corpus.home, store: store, directory: neutral, label: "\(label)-cold-\(index)")
            log("  cold \(index + 1): \(run.shown), peak RSS \(Format.mb(run.run.peakRSS))\(run.error.map { " — " + $0 } ?? "")")
            cold.append(run)
            if run.run.timedOut || run.error != nil { break }
            if let aiburn {
                let burn = try aiburn.run(home: corpus.home, output: burnOutput)
                guard burn.succeeded else { throw BenchError.message("aiburn exited with status \(burn.status); see \(burnOutput)") }
                log("  aiburn \(index + 1): \(Format.seconds(burn.seconds)); ratio \(Format.ratio(run.seconds / burn.seconds))")
                burns.append(burn)
            }
        }
        let coldMedian = cold.sorted { $0.seconds < $1.seconds }[cold.count / 2]
        let coldOK = cold.allSatisfy { !$0.run.timedOut && $0.error == nil }
        failure("\(title): cold report", coldMedian)
        rows.append(
            Row(
                name: "\(title): cold `report --all-repos`, page cache warm (median of \(cold.count))",
                value: coldOK
                    ? "\(coldMedian.shown) (\(Format.rate(corpus.bytes, coldMedian.seconds)); user \(String(format: "%.2f", coldMedian.run.userSeconds)) s + sys \(String(format: "%.2f", coldMedian.run.systemSeconds)) s)"
                    : coldMedian.shown + (coldMedian.error.map { ", " + $0 } ?? ""),
                target: judged ? "≤ aiburn" : "", verdict: coldOK ? .info : .fail))

        var warm: [CommandRun] = []
        if coldOK {
            log("\(label): \(options.warmRuns) warm runs …")
            for index in 0..<options.warmRuns {
                let run = try aiusage(report, home: corpus.home, store: store, directory: neutral, label: "\(label)-warm-\(index)")
                warm.append(run)
                if run.run.timedOut || run.error != nil { break }
            }
            let median = warm.sorted { $0.seconds < $1.seconds }[warm.count / 2]
            let ok = warm.allSatisfy { !$0.run.timedOut && $0.error == nil }
            failure("\(title): warm report", median)
            log("  warm: median \(median.shown)")
            rows.append(
                Row(
                    name: "\(title): warm `report --all-repos`, nothing new (median of \(warm.count))", value: median.shown,
                    target: "< 100 ms", verdict: ok && median.seconds < 0.1 ? .pass : .fail))
        } else {
            rows.append(
                Row(
                    name: "\(title): warm `report --all-repos`, nothing new", value: "not measured: the cold run did not finish",
                    target: "< 100 ms", verdict: .fail))
        }
        let peak = (cold + warm).map(\.run.peakRSS).max() ?? 0
        rows.append(
            Row(
                name: "\(title): peak RSS of `aiusage` (max of cold and warm runs)",
                value:
                    "\(Format.mb(peak)) (cold \(Format.mb(cold.map(\.run.peakRSS).max() ?? 0)), warm \(Format.mb(warm.map(\.run.peakRSS).max() ?? 0)))",
                target: "< 150 MB", verdict: coldOK && peak < 150 << 20 ? .pass : .fail))

        if aiburn != nil, !burns.isEmpty {
            let seconds = Stats.median(burns.map(\.seconds))
            let scanned = AIBurn.scannedFiles(burnOutput).map { "\($0) files" } ?? "? files"
            log("  aiburn daily: \(Format.seconds(seconds)) (\(scanned))")
            rows.append(
                Row(
                    name: "\(title): `aiburn daily` \(AIBurn.version), page cache warm (median of \(burns.count))",
                    value: "\(Format.seconds(seconds)) (\(scanned) read; peak RSS \(Format.mb(burns.map(\.peakRSS).max() ?? 0)))"))
            let ratios = zip(cold, burns).map { $0.seconds / $1.seconds }
            let ratio = Stats.median(ratios)
            let range = "\(Format.ratio(ratios.min() ?? ratio))–\(Format.ratio(ratios.max() ?? ratio))"
            rows.append(
                Row(
                    name: "\(title): cold report ÷ aiburn, same files, run by run (median of \(ratios.count) pairs)",
                    value: coldOK ? "\(Format.ratio(ratio)) (pairs \(range))" : "≥ \(Format.ratio(ratio)) (report cut off)",
                    target: judged ? "≤ 1.00×" : "",
                    verdict: judged ? (coldOK && ratio <= 1 ? .pass : .fail) : .info))
        }

        if coldOK, options.dropCaches {
            if PageCache.canDrop {
                try pageCacheDropped(label: label, title: title, corpus: corpus, aiburn: aiburn)
            } else {
                notes.append("Page-cache-dropped runs skipped: /proc/sys/vm/drop_caches is not writable (run as root).")
            }
        }
        return CorpusOutcome(store: store, caughtUp: coldOK)
    }

    /// The cold report (and aiburn) with the page cache dropped before each run: the first
    /// report after a reboot, transcripts and the binary read from disk.
    private func pageCacheDropped(label: String, title: String, corpus: CorpusInfo, aiburn: AIBurn?) throws {
        var reports: [Double] = []
        var burns: [Double] = []
        for index in 0..<3 {
            let store = freshStore("\(label)-dropped")
            guard PageCache.drop() else { return }
            let run = try aiusage(
                ["report", "--all-repos"], home: corpus.home, store: store, directory: neutral, label: "\(label)-dropped-\(index)")
            guard run.run.succeeded else { failure("\(title): cold report, page cache dropped", run); return }
            reports.append(run.seconds)
            if let aiburn {
                guard PageCache.drop() else { return }
                burns.append(try aiburn.run(home: corpus.home, output: logs + "/\(label)-aiburn-dropped.out").seconds)
            }
        }
        try? FileManager.default.removeItem(atPath: root + "/stores/\(label)-dropped")
        let report = Stats.median(reports)
        log("\(label): page cache dropped: report \(Format.seconds(report))")
        rows.append(
            Row(
                name: "\(title): cold report, page cache dropped (median of 3)",
                value: "\(Format.seconds(report)) (\(Format.rate(corpus.bytes, report)))"))
        if !burns.isEmpty {
            let burn = Stats.median(burns)
            rows.append(
                Row(
                    name: "\(title): aiburn, page cache dropped (median of 3)",
                    value: "\(Format.seconds(burn)); report ÷ aiburn \(Format.ratio(report / burn))"))
        }
    }
}
