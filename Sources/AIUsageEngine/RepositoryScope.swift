import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// The repositories a view covers, with their git handles opened once.
public struct RepositoryScope {
    public var repos: [(record: RepoRecord, git: GitRepository?)]

    public init(repos: [(record: RepoRecord, git: GitRepository?)]) { self.repos = repos }

    /// The repository whose roots contain `cwd`, if any.
    func repo(containing cwd: String) -> RepoRecord? {
        for (record, _) in repos where record.roots.contains(where: { Paths.relative(cwd, to: $0) != nil }) {
            return record
        }
        return nil
    }
}
