import AIUsageCore
import AIUsageEngine
import AIUsageGit
import AIUsageStore
import ArgumentParser
import Foundation

/// What every command needs: the store, the readers, the environment.
struct CommandContext {
    let environment: [String: String]
    let store: Store
    let readerEnvironment: ReaderEnvironment

    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        do {
            store = try Store(location: StoreLocation.resolve(environment: environment))
        } catch {
            throw CleanExit.message("\(error)")
        }
        readerEnvironment = ReaderEnvironment(home: environment["HOME"] ?? NSHomeDirectory(), variables: environment)
    }

    /// An ingestor over every reader; tools that keep records inside repositories see
    /// the work trees of every repository the store knows.
    var ingestor: Ingestor {
        var environment = readerEnvironment
        environment.repositoryRoots = ((try? store.repos()) ?? []).flatMap(\.roots)
        return Ingestor(store: store, readers: SessionReaders.all, environment: environment)
    }

    /// The price table: the copy `aiusage prices update` stored, else the bundled one.
    var prices: PriceTable { EffectivePrices.table(storeDirectory: store.location.directory) }

    /// Opens the repository containing `path` (default: the current folder).
    func openRepository(_ path: String?) throws -> GitRepository {
        let start = path ?? FileManager.default.currentDirectoryPath
        do {
            return try GitRepository(discoveringFrom: start)
        } catch {
            throw ValidationError("not a git repository: \(start) (run inside a repository or pass --repo PATH)")
        }
    }

    /// Reads new transcript bytes, then links this repository's new commits, with a
    /// progress line on a terminal.
    func ingestAndSync(_ repos: [GitRepository], quiet: Bool = false) throws {
        let lock = FileLock(path: store.location.directory + "/sync.lock")
        lock?.lock()
        defer { lock?.unlock() }
        let progress = ProgressLine(enabled: !quiet && Terminal.stderrIsInteractive(environment))
        let summary = try ingestor.run { done, total in
            progress.update("reading AI session records", done: done, total: total, unit: .bytes)
        }
        progress.finish()
        for error in summary.errors { Terminal.warn(error) }
        for git in repos {
            _ = try RepositorySync(store: store, git: git).sync { done, total in
                progress.update("linking commits", done: Int64(done), total: Int64(total), unit: .count)
            }
            progress.finish()
        }
    }

    /// What the read-only commands show: scan first unless `--no-scan`, then analyse.
    func analysis(_ options: ScopeOptions, quiet: Bool, now: Date = Date()) throws -> (analysis: Analysis, scope: RepositoryScope) {
        try analysis(
            repoPath: options.repoPath, allRepos: options.allRepos, noScan: options.noScan, survivalDays: options.survivalDays,
            quiet: quiet, now: now)
    }

    func analysis(
        repoPath: String?, allRepos: Bool, noScan: Bool, survivalDays: Int, quiet: Bool, now: Date = Date()
    ) throws -> (analysis: Analysis, scope: RepositoryScope) {
        let (repositoryScope, repos) = try scope(allRepos: allRepos, repoPath: repoPath)
        if !noScan { try ingestAndSync(repos, quiet: quiet) }
        let analysis = try Analysis(store: store, scope: repositoryScope, prices: prices, survivalDays: survivalDays, now: now)
        return (analysis, repositoryScope)
    }

    /// The repositories a view covers: the current one, or every one the store knows.
    func scope(allRepos: Bool, repoPath: String?) throws -> (RepositoryScope, [GitRepository]) {
        if allRepos {
            var entries: [(record: RepoRecord, git: GitRepository?)] = []
            var opened: [GitRepository] = []
            if let here = try? GitRepository(discoveringFrom: repoPath ?? FileManager.default.currentDirectoryPath) {
                _ = try RepositorySync(store: store, git: here).register()
            }
            for record in try store.repos() {
                let git = record.roots.lazy.compactMap { try? GitRepository(discoveringFrom: $0) }.first
                if let git { opened.append(git) }
                entries.append((record, git))
            }
            return (RepositoryScope(repos: entries), opened)
        }
        let git = try openRepository(repoPath)
        let record = try RepositorySync(store: store, git: git).register()
        return (RepositoryScope(repos: [(record, git)]), [git])
    }
}
