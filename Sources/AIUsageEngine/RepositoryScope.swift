import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// What a view covers: one repository (or a few), or the whole machine — every
/// session ingested, in a repository or not, and every repository known.
public struct RepositoryScope: Sendable {
    public var repos: [(record: RepoRecord, git: GitRepository?)]
    /// Every session counts, including those that worked in no repository.
    public var wholeMachine: Bool
    /// The developer of sessions that link to nothing and worked in no repository
    /// (the global `user.email`, lower-cased).
    public var globalEmail: String?

    public init(repos: [(record: RepoRecord, git: GitRepository?)], wholeMachine: Bool = false, globalEmail: String? = nil) {
        self.repos = repos
        self.wholeMachine = wholeMachine
        self.globalEmail = globalEmail
    }
}
