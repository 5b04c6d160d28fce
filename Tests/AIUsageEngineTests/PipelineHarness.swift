import AIUsageCore
import AIUsageEngine
import AIUsageReaders
import AIUsageGit
import AIUsageStore
import Foundation
import _AIUsageTestSupport

/// A throwaway repository, a fake home with transcripts, and a private store: the
/// whole pipeline (ingest → sync → analysis) run in-process, as the hook runs it.
final class PipelineHarness {
    let fixture: GitFixture
    let transcripts: TranscriptWriter
    let storeDirectory: TemporaryDirectory
    let store: Store

    init() throws {
        fixture = try GitFixture()
        transcripts = TranscriptWriter(home: fixture.home)
        storeDirectory = try TemporaryDirectory(prefix: "aiusage-store")
        store = try Store(location: StoreLocation(directory: storeDirectory.path))
    }

    var root: String { fixture.root }
    var now: Int { fixture.clock }

    /// What the hook does: read new transcript bytes, then link new commits.
    @discardableResult
    func sync(repoPath: String? = nil) throws -> SyncSummary {
        let ingestor = Ingestor(store: store, readers: [ClaudeCodeReader(), CodexReader()], environment: ReaderEnvironment(home: fixture.home))
        let summary = try ingestor.run()
        precondition(summary.errors.isEmpty, "\(summary.errors)")
        return try RepositorySync(store: store, git: try GitRepository(discoveringFrom: repoPath ?? root)).sync()
    }

    func analysis(now: Date = Date(), survivalDays: Int = 30) throws -> Analysis {
        let git = try GitRepository(discoveringFrom: root)
        let record = try RepositorySync(store: store, git: git).register()
        return try Analysis(store: store, scope: RepositoryScope(repos: [(record, git)]), prices: .bundled, survivalDays: survivalDays, now: now)
    }

    func commit(_ sha: String, in analysis: Analysis) -> CommitView? {
        analysis.commits.first { $0.sha == sha }
    }

    /// Advances the fixture clock by `seconds` and returns the new time.
    @discardableResult
    func tick(_ seconds: Int = 60) -> Int {
        fixture.clock += seconds
        return fixture.clock
    }
}
