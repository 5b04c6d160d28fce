import Foundation
@testable import AIUsageGit
import AIUsageCore
import _AIUsageTestSupport

/// Points libgit2's global/XDG/system config search paths at an empty folder once per
/// test process, so in-process reads never see the developer's own `~/.gitconfig`.
enum LibGit2Isolation {
    static let home: String = {
        let path = NSTemporaryDirectory() + "aiusage-libgit2-home-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try? LibGit2.isolateConfig(in: path)
        return path
    }()
}

/// Opens a repository after making sure libgit2 is isolated from the real config.
func openRepository(_ path: String) throws -> GitRepository {
    _ = LibGit2Isolation.home
    return try GitRepository(discoveringFrom: path)
}

/// Expected hashes of the significant lines of some text.
func hashes(_ lines: String...) -> [LineHash] {
    lines.compactMap { LineIdentity.significantHash($0) }
}
