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
    var engine: Engine {
        Engine(store: store, environment: ReaderEnvironment(home: fixture.home), readers: [ClaudeCodeReader(), CodexReader()])
    }

    @discardableResult
    func sync(repoPath: String? = nil) throws -> SyncSummary {
        let summary = try engine.update(.repository(try GitRepository(discoveringFrom: repoPath ?? root)))
        precondition(summary.ingest.errors.isEmpty && summary.problems.isEmpty, "\(summary.ingest.errors) \(summary.problems)")
        return summary.syncs[0]
    }

    func analysis(now: Date = Date(), survivalDays: Int = 30) throws -> Analysis {
        let engine = self.engine
        return try engine.analysis(
            try engine.scope(.repository(try GitRepository(discoveringFrom: root))), survivalDays: survivalDays, now: now)
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
