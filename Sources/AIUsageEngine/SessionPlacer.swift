import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// Finds the repository each session worked in, so that every session counts somewhere.
///
/// A session belongs to the repository whose work tree (or linked worktree) holds one of
/// its working directories; when none does, to the repository holding the files it
/// edited (a session started in a parent folder). A folder inside a repository aiusage
/// has not seen registers that repository — repositories are discovered from where
/// sessions ran, not only from where `aiusage` was run. A session in no repository, or
/// in a folder that no longer exists, is placed nowhere: reports keep its tokens and
/// cost under `(no repository)`.
///
/// Each folder is looked up once (`places`); a folder found in no repository is looked
/// at again after a day, or as soon as a new repository is registered.
struct SessionPlacer {
    let store: Store
    let now: Date
    /// How long "this folder is in no repository" is believed.
    static let negativeLifetime: TimeInterval = 86_400
    /// Edited folders looked at per session, at most (a session that edited files all
    /// over the disk is not worth a thousand lookups).
    static let editedFoldersPerSession = 16

    struct Summary {
        var placed = 0
        var discovered: [RepoRecord] = []
    }

    func place() throws -> Summary {
        var summary = Summary()
        let unplaced = try store.unplacedSessions()
        guard !unplaced.isEmpty else { return summary }
        var repos = try store.repos()
        let known = try store.places()
        var looked: [String: PlaceRecord] = [:]

        func containing(_ path: String) -> RepoRecord? {
            // The deepest root wins: a repository nested in another's work tree.
            var best: (repo: RepoRecord, length: Int)?
            for repo in repos {
                for root in repo.roots where Paths.relative(path, to: root) != nil && root.utf8.count > (best?.length ?? -1) {
                    best = (repo, root.utf8.count)
                }
            }
            return best?.repo
        }
        func discover(_ folder: String) -> RepoRecord? {
            if let place = looked[folder] ?? known[folder],
                place.repoID != nil || now.timeIntervalSince(place.checkedAt) < Self.negativeLifetime
            {
                return place.repoID.flatMap { id in repos.first { $0.id == id } }
            }
            var found: RepoRecord?
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
                let git = try? GitRepository(discoveringFrom: folder),
                let record = try? RepositorySync(store: store, git: git).register()
            {
                found = record
                if !repos.contains(where: { $0.id == record.id }) {
                    repos.append(record)
                    summary.discovered.append(record)
                }
            }
            looked[folder] = PlaceRecord(repoID: found?.id, checkedAt: now)
            return found
        }
        func place(_ path: String) -> RepoRecord? {
            let normal = Paths.normalize(path)
            return containing(normal) ?? discover(normal)
        }

        var placements: [(key: SessionKey, repoID: Int64?)] = []
        var homeless: Set<SessionKey> = []
        for (key, cwds) in unplaced {
            if let repo = cwds.lazy.compactMap(place).first {
                placements.append((key, repo.id))
            } else {
                homeless.insert(key)
            }
        }
        // Sessions whose folders are in no repository: where did they edit?
        for (key, paths) in try store.editedPaths(of: homeless) {
            var folders: [String] = []
            for path in paths {
                let folder = (path as NSString).deletingLastPathComponent
                if !folders.contains(folder) { folders.append(folder) }
            }
            let repo = paths.lazy.compactMap(containing).first ?? folders.prefix(Self.editedFoldersPerSession).lazy.compactMap(place).first
            if let repo {
                placements.append((key, repo.id))
                homeless.remove(key)
            }
        }
        placements += homeless.sorted().map { ($0, nil) }
        try store.savePlaces(looked)
        try store.place(placements)
        summary.placed = placements.count
        return summary
    }
}
