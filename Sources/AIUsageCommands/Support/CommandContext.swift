import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageReaders
import AIUsageStore
import ArgumentParser
import Foundation

/// What every command needs: the store and the engine over it, for this environment.
struct CommandContext {
    let environment: [String: String]
    let store: Store
    let engine: Engine

    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        GitRepository.prepareInBackground()
        let location = StoreLocation.resolve(environment: environment)
        do {
            store = try Trace.phase("store open") { try Store(location: location) }
        } catch let error as StoreError {
            throw CommandError("\(error)")
        } catch {
            // The folder could not be made: AIUSAGE_HOME names a file, or a parent is read-only.
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: location.directory, isDirectory: &isFolder), !isFolder.boolValue {
                throw CommandError(
                    "cannot open the aiusage store: \(location.directory) is a file, not a folder (set AIUSAGE_HOME to a folder you can write)"
                )
            }
            let reason = (error as NSError).localizedDescription
            throw CommandError(
                "cannot open the aiusage store in \(location.directory): \(reason) (set AIUSAGE_HOME to a folder you can write)")
        }
        let directory = store.location.directory
        engine = Engine(
            store: store, environment: ReaderEnvironment(home: environment["HOME"] ?? NSHomeDirectory(), variables: environment),
            prices: { EffectivePrices.table(storeDirectory: directory) })
    }

    /// An ingestor over every reader (the hook's first step).
    var ingestor: Ingestor { engine.ingestor }

    /// The price table: the copy `aiusage prices update` stored, else the bundled one.
    var prices: PriceTable { engine.prices }

    /// Opens the repository containing `path` (default: the current folder); a bare
    /// repository is refused, since no session can have worked in it.
    func openRepository(_ path: String?) throws -> GitRepository {
        let start = path ?? FileManager.default.currentDirectoryPath
        let git: GitRepository
        do {
            git = try GitRepository(discoveringFrom: start)
        } catch {
            throw ValidationError("not a git repository: \(start) (run inside a repository or pass --repo PATH)")
        }
        guard git.workTreeRoot != nil else {
            throw ValidationError("\(git.gitDirectory) is a bare repository (no work tree): run aiusage in a clone with a work tree")
        }
        return git
    }

    /// What a view covers: `--all-repos` (or a folder outside any repository) is the
    /// whole machine; otherwise the repository the user is in, or `--repo PATH`.
    func coverage(allRepos: Bool, repoPath: String?) throws -> Engine.Coverage {
        if allRepos { return .machine }
        if let repoPath { return .repository(try openRepository(repoPath)) }
        guard let git = try? GitRepository(discoveringFrom: FileManager.default.currentDirectoryPath) else { return .machine }
        guard git.workTreeRoot != nil else {
            throw ValidationError("\(git.gitDirectory) is a bare repository (no work tree): run aiusage in a clone with a work tree")
        }
        return .repository(git)
    }

    /// Reads new session records, places sessions, links commits, with a progress
    /// line on a terminal and one line on stderr for what it found and what failed.
    @discardableResult
    func update(_ coverage: Engine.Coverage, quiet: Bool = false) throws -> Engine.UpdateSummary {
        let progress = ProgressLine(enabled: !quiet && Terminal.stderrIsInteractive(environment))
        let summary = try engine.update(coverage) { label, done, total, bytes in
            progress.update(label, done: done, total: total, unit: bytes ? .bytes : .count)
        }
        progress.finish()
        for error in summary.ingest.errors { Terminal.warn(error) }
        for problem in summary.problems { Terminal.warn(problem) }
        if !summary.discovered.isEmpty && !quiet {
            let names = summary.discovered.map(\.name).sorted()
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
            FileHandle.standardError.write(
                Data(
                    "aiusage: found \(names.count) repositor\(names.count == 1 ? "y" : "ies") where your AI sessions worked (\(shown)); linked in \(String(format: "%.1f", summary.seconds)) s\n"
                        .utf8))
        }
        return summary
    }

    /// What the read-only commands show: update first unless `--no-scan`, then analyse.
    func analysis(_ options: ScopeOptions, quiet: Bool, window: AnalysisWindow = .all, now: Date = Date()) throws -> (
        analysis: Analysis, scope: RepositoryScope
    ) {
        try analysis(
            repoPath: options.repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
            quiet: quiet, window: window, now: now)
    }

    func analysis(
        repoPath: String?, allRepos: Bool, noScan: Bool, survivalDays: Int, quiet: Bool, window: AnalysisWindow = .all, now: Date = Date()
    ) throws -> (analysis: Analysis, scope: RepositoryScope) {
        let coverage = try coverage(allRepos: allRepos, repoPath: repoPath)
        if noScan {
            let scope = try engine.scope(coverage)
            return (try engine.analysis(scope, survivalDays: survivalDays, window: window, now: now), scope)
        }
        return try engine.analysis(coverage, survivalDays: survivalDays, window: window, now: now) {
            _ = try Trace.phase("update") { try update(coverage, quiet: quiet) }
        }
    }
}
