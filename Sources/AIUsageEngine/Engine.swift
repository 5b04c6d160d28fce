import AIUsageCore
import AIUsageGit
import AIUsageReaders
import AIUsageStore
import Foundation

/// The one wiring point between the commands and the work: reading new session
/// records, placing sessions in repositories, linking commits, and the numbers the
/// views show. Commands parse their arguments, call this, and print.
public final class Engine {
    public let store: Store
    public let readers: [any SessionReader]
    private let baseEnvironment: ReaderEnvironment
    private let priceSource: () -> PriceTable

    /// The price table, made on first use: the hook never prices anything, and should
    /// not pay for reading a table.
    public private(set) lazy var prices: PriceTable = priceSource()

    public init(
        store: Store, environment: ReaderEnvironment, readers: [any SessionReader] = SessionReaders.all,
        prices: @escaping () -> PriceTable = { .bundled }
    ) {
        self.store = store
        self.baseEnvironment = environment
        self.readers = readers
        self.priceSource = prices
    }

    /// Where readers look; tools that keep records inside repositories (Aider) see the
    /// work trees of every repository the store knows.
    public var readerEnvironment: ReaderEnvironment {
        var environment = baseEnvironment
        environment.repositoryRoots = ((try? store.repos()) ?? []).flatMap(\.roots)
        return environment
    }

    public var ingestor: Ingestor { Ingestor(store: store, readers: readers, environment: readerEnvironment) }

    /// What a view covers.
    public enum Coverage: Sendable {
        /// One repository (the one the user is in, or `--repo`).
        case repository(GitRepository)
        /// A few repositories (those the hook queued).
        case repositories([GitRepository])
        /// Every session and every repository known (`--all-repos`, or outside a repository).
        case machine

        var isMachine: Bool {
            if case .machine = self { return true }
            return false
        }
    }

    /// What `update` did, for progress lines, `doctor` and the hook's log.
    public struct UpdateSummary: Sendable {
        public var ingest = IngestSummary()
        /// Repositories registered because a session worked in them.
        public var discovered: [RepoRecord] = []
        public var syncs: [SyncSummary] = []
        /// Repositories that could not be linked, with why (the view still shows them).
        public var problems: [String] = []
        public var seconds = 0.0
    }

    /// Progress of a long step: a label, done and total, in bytes or in items.
    public typealias Progress = @Sendable (_ label: String, _ done: Int64, _ total: Int64, _ bytes: Bool) -> Void

    /// What every read-only command does first: read new records, place new sessions
    /// (registering the repositories they worked in), then link the commits of the
    /// repositories the view covers while the usage rollup folds what was read.
    public func update(_ coverage: Coverage, progress: Progress? = nil) throws -> UpdateSummary {
        let started = Date()
        let lock = FileLock(path: store.location.directory + "/sync.lock")
        lock?.lock()
        defer { lock?.unlock() }
        var summary = UpdateSummary()
        var repositories: [GitRepository]
        switch coverage {
        case .repository(let git): repositories = [git]
        case .repositories(let list): repositories = list
        case .machine: repositories = []
        }
        // Registered first: some tools keep their records in the work tree (Aider).
        var snapshots: [RepositorySync.Snapshot?] = repositories.map { try? RepositorySync.Snapshot($0) }
        for (git, snapshot) in zip(repositories, snapshots) {
            _ = try? RepositorySync(store: store, git: git).register(snapshot ?? RepositorySync.Snapshot(git))
        }
        // The whole machine: the known repositories are opened and their refs read while
        // the ingest looks for new records (git and the record files, on both cores).
        let (ingestor, database, machine) = (self.ingestor, store, coverage.isMachine)
        let (ingested, known) = try Concurrently.both(
            {
                try Trace.phase("ingest") {
                    try ingestor.run { done, total in progress?("reading AI session records", done, total, true) }
                }
            },
            { () -> [(GitRepository, RepositorySync.Snapshot?)] in
                Trace.phase("repository snapshots") {
                    guard machine, let known = try? Self.openRepositories(database) else { return [] }
                    return known.compactMap(\.git).map { ($0, try? RepositorySync.Snapshot($0)) }
                }
            })
        summary.ingest = ingested
        summary.discovered = try Trace.phase("placing sessions") { try SessionPlacer(store: store, now: Date()).place().discovered }
        if !summary.discovered.isEmpty {
            // The repositories just found may hold records of their own.
            let again = try ingestor.run()
            summary.ingest.errors += again.errors
            summary.discovered += try SessionPlacer(store: store, now: Date()).place().discovered
        }
        if case .machine = coverage {
            if summary.discovered.isEmpty {
                (repositories, snapshots) = (known.map(\.0), known.map(\.1))
            } else {
                repositories = try openRepositories().compactMap(\.git)
                snapshots = repositories.map { try? RepositorySync.Snapshot($0) }
            }
        }
        // Repositories are linked two at a time: each is diffs in libgit2 (one lock per
        // repository) and a few transactions, so two cores finish a machine of them in
        // about half the time. Each lane takes the next repository when it is done, the
        // busiest first (most refs, a fair guess at most commits): with a fixed split one
        // lane sat idle for a second of a first run. Results keep the order of `repositories`.
        let linked = repositories
        let taken = snapshots
        // The usage rollup needs only what the ingest and the placing wrote, so it folds
        // on a third thread while the repositories are linked: on a first run it was
        // 0.3 s on one core after the links, the other core idle. Links read through
        // their own connections and write only after their diffs, so at most one of their
        // transactions waits for the fold's. What the links change is folded by the
        // view's own call (nothing to do when nothing changed); an error here is met
        // again there, and reported.
        let prices = self.prices
        let folded = Concurrently.Handoff<Bool>()
        Thread.detachNewThread {
            folded.set((try? Trace.phase("usage rollup (beside the links)") { try Engine.foldUsage(database, prices) }) != nil)
        }
        let outcomes = SyncOutcomes(
            order: linked.indices.sorted { (taken[$0]?.tips.count ?? 0, $1) > (taken[$1]?.tips.count ?? 0, $0) })
        DispatchQueue.concurrentPerform(iterations: min(2, linked.count)) { _ in
            while let index = outcomes.next() {
                let git = linked[index]
                do {
                    let synced = try Trace.phase("sync \(git.workTreeRoot ?? "?")") {
                        var sync = RepositorySync(store: database, git: git)
                        sync.diffWorkers = linked.count == 1 ? min(ProcessInfo.processInfo.activeProcessorCount, 4) - 1 : 0
                        return try sync.sync(snapshot: taken[index]) { done, total in
                            outcomes.progress(index, done: done, total: total) { done, total in
                                progress?("linking commits", done, total, false)
                            }
                        }
                    }
                    outcomes.set(index, .success(synced))
                } catch {
                    outcomes.set(index, .failure("\(git.workTreeRoot ?? git.gitDirectory): \(error)"))
                }
            }
        }
        _ = folded.wait()
        for outcome in outcomes.all {
            switch outcome {
            case .success(let synced): summary.syncs.append(synced)
            case .failure(let problem): summary.problems.append(problem)
            case nil: break
            }
        }
        Trace.phase("checkpoint") { store.checkpointIfLarge() }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Every repository the store knows, opened when its work tree is still there.
    public func openRepositories() throws -> [(record: RepoRecord, git: GitRepository?)] { try Self.openRepositories(store) }

    static func openRepositories(_ store: Store) throws -> [(record: RepoRecord, git: GitRepository?)] {
        try store.repos().map { record in
            (
                record,
                record.roots.lazy.compactMap { root in
                    FileManager.default.fileExists(atPath: root) ? try? GitRepository(discoveringFrom: root) : nil
                }.first
            )
        }
    }

    /// The scope of a view: the repository (registered if new), or the whole machine.
    public func scope(_ coverage: Coverage) throws -> RepositoryScope { try Self.scope(coverage, store: store) }

    static func scope(_ coverage: Coverage, store: Store) throws -> RepositoryScope {
        let globalEmail = GitGlobalConfig.string("user.email")?.lowercased()
        switch coverage {
        case .repository(let git):
            let record = try RepositorySync(store: store, git: git).register()
            return RepositoryScope(repos: [(record, git)], wholeMachine: false, globalEmail: globalEmail)
        case .repositories(let list):
            let repos = try list.map { (record: try RepositorySync(store: store, git: $0).register(), git: Optional($0)) }
            return RepositoryScope(repos: repos, wholeMachine: false, globalEmail: globalEmail)
        case .machine:
            return RepositoryScope(repos: try openRepositories(store), wholeMachine: true, globalEmail: globalEmail)
        }
    }

    /// Folds the usage of sessions that changed into the store's rollup, priced with
    /// this engine's table (everything again when the table changed).
    public func foldUsage() throws { try Self.foldUsage(store, prices) }

    static func foldUsage(_ store: Store, _ prices: PriceTable) throws {
        try store.refreshUsageRollup(pricing: Analysis.pricingIdentity(prices), price: Analysis.sequentialPricer(prices))
    }

    /// `update`, then the numbers of the view — computed while the update runs, from
    /// the store as it was, and kept when the update changed no row of the store (the
    /// usual case of a report run again: nothing new). A warm report's analysis then costs
    /// no wall time beyond the update's. Any change (a record, a commit, a placement, a
    /// rollup folded) means the numbers are computed again, after the update.
    public func analysis(
        _ coverage: Coverage, survivalDays: Int, window: AnalysisWindow = .all, now: Date = Date(), update: () throws -> Void
    ) throws -> (analysis: Analysis, scope: RepositoryScope) {
        let (store, prices) = (self.store, self.prices)
        let before = store.changeCount()
        let early = Concurrently.Handoff<Result<(Analysis, RepositoryScope), Error>>()
        Thread.detachNewThread {
            early.set(
                Result {
                    let scope = try Engine.scope(coverage, store: store)
                    try Engine.foldUsage(store, prices)
                    let analysis = try Analysis(
                        store: store, scope: scope, prices: prices, survivalDays: survivalDays, window: window, now: now)
                    return (analysis, scope)
                })
        }
        do {
            try update()
        } catch {
            _ = early.wait()  // nothing of this run goes on behind the caller's back
            throw error
        }
        let speculated = early.wait()
        if case .success(let (analysis, scope)) = speculated, let before, store.changeCount() == before {
            Trace.note("analysis made during the update kept: nothing changed")
            return (analysis, scope)
        }
        let scope = try self.scope(coverage)
        return (try self.analysis(scope, survivalDays: survivalDays, window: window, now: now), scope)
    }

    /// The numbers of a view, from the store (usage folded first if it changed).
    public func analysis(
        _ scope: RepositoryScope, survivalDays: Int, window: AnalysisWindow = .all, now: Date = Date()
    ) throws -> Analysis {
        try Trace.phase("usage rollup") { try foldUsage() }
        return try Trace.phase("analysis") {
            try Analysis(store: store, scope: scope, prices: prices, survivalDays: survivalDays, window: window, now: now)
        }
    }
}

/// What the repositories linked in parallel gave, in their order, and their progress
/// summed into one line.
private final class SyncOutcomes: @unchecked Sendable {
    enum Outcome {
        case success(SyncSummary)
        case failure(String)
    }
    private let lock = NSLock()
    private var outcomes: [Outcome?]
    private var done: [Int]
    private var totals: [Int]
    /// Indices not taken yet, in the order they are handed out.
    private var queue: ArraySlice<Int>

    /// - Parameter order: every index once, in the order lanes should take them.
    init(order: [Int]) {
        outcomes = Array(repeating: nil, count: order.count)
        done = Array(repeating: 0, count: order.count)
        totals = Array(repeating: 0, count: order.count)
        queue = order[...]
    }

    /// The next repository for a lane that is free, or nil when all are taken.
    func next() -> Int? { lock.withLock { queue.popFirst() } }

    func set(_ index: Int, _ outcome: Outcome) { lock.withLock { outcomes[index] = outcome } }

    var all: [Outcome?] { lock.withLock { outcomes } }

    func progress(_ index: Int, done value: Int, total: Int, report: (Int64, Int64) -> Void) {
        let (sum, whole) = lock.withLock {
            done[index] = value
            totals[index] = total
            return (done.reduce(0, +), totals.reduce(0, +))
        }
        report(Int64(sum), Int64(whole))
    }
}
