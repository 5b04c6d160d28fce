import AIUsageCore
import AIUsageReaders
import AIUsageStore
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageEngine

/// Issue 8: a view's numbers are computed while the update runs, from the store as it
/// was. They may be shown only when the update changed nothing; records that arrived
/// during the run must be in what is shown.
@Suite struct SpeculativeAnalysisTests {
    struct Setup {
        let home: TemporaryDirectory
        let storeDirectory: TemporaryDirectory
        let engine: Engine
        let transcripts: TranscriptWriter

        init() throws {
            home = try TemporaryDirectory(prefix: "aiusage-home")
            storeDirectory = try TemporaryDirectory(prefix: "aiusage-store")
            let store = try Store(location: StoreLocation(directory: storeDirectory.path))
            engine = Engine(store: store, environment: ReaderEnvironment(home: home.path), readers: [ClaudeCodeReader(), CodexReader()])
            transcripts = TranscriptWriter(home: home.path)
        }

        func inputTokens(_ analysis: Analysis) -> Int64 { analysis.usageFacts.reduce(0) { $0 + $1.tokens.input } }
    }

    @Test func recordsArrivingDuringTheUpdateAreShown() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/nowhere", at: 1_000, input: 10, output: 1)
        _ = try s.engine.update(.machine)
        // The analysis made meanwhile sees 10 tokens; the update reads 30 more.
        let (analysis, _) = try s.engine.analysis(.machine, survivalDays: 30) {
            Thread.sleep(forTimeInterval: 0.2)
            try s.transcripts.claudeUsage(session: "a", cwd: "/nowhere", at: 2_000, input: 30, output: 3)
            _ = try s.engine.update(.machine)
        }
        #expect(s.inputTokens(analysis) == 40)
    }

    @Test func withNothingNewTheNumbersAreTheSameAsAfterTheUpdate() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/nowhere", at: 1_000, input: 10, output: 1)
        try s.transcripts.claudeUsage(session: "b", cwd: "/elsewhere", at: 5_000, input: 7, output: 2)
        _ = try s.engine.update(.machine)
        let (speculated, _) = try s.engine.analysis(.machine, survivalDays: 30) { _ = try s.engine.update(.machine) }
        let after = try s.engine.analysis(try s.engine.scope(.machine), survivalDays: 30)
        #expect(s.inputTokens(speculated) == 17)
        #expect(speculated.usageFacts.map(\.session) == after.usageFacts.map(\.session))
        #expect(speculated.sessions == after.sessions)
    }

    /// The usage rollup is folded during the update, beside the repository links: a view
    /// that follows has nothing left to fold, and the folded rows hold the new records.
    @Test func theUpdateFoldsTheUsageRollup() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/nowhere", at: 1_000, input: 10, output: 1)
        try s.transcripts.claudeUsage(session: "b", cwd: "/elsewhere", at: 5_000, input: 7, output: 2)
        _ = try s.engine.update(.machine)
        let prices = s.engine.prices
        let left = try s.engine.store.refreshUsageRollup(
            pricing: Analysis.pricingIdentity(prices), price: Analysis.sequentialPricer(prices))
        #expect(left == 0)
        let rows = try s.engine.store.usage(UsageQuery(byBucket: false)) { _ in nil }
        #expect(rows.map(\.tokens.input).sorted() == [7, 10])
    }

    /// A failing update fails the view; nothing of it goes on afterwards.
    @Test func aFailingUpdateFailsTheView() throws {
        struct Broken: Error {}
        let s = try Setup()
        #expect(throws: Broken.self) { try s.engine.analysis(.machine, survivalDays: 30) { throw Broken() } }
    }
}
