import Foundation

/// What a session's spend bought (PRODUCT.md, "Session outcomes"), from its lines.
public enum SessionOutcome: String, Sendable, CaseIterable, Codable {
    /// Some AI line landed on the default branch (and not all of them went again).
    case landed
    /// Lines committed, none landed yet, on a branch still open (a new commit in the
    /// last `openDays`).
    case pending
    /// Lines committed only on branches that did not land and are not open any more.
    case unmerged
    /// Lines written, none committed.
    case discarded
    /// Landed, then every landed line removed within 21 days.
    case reverted
    /// No edit at all (questions, reviews, reading code).
    case noEdits = "no-edits"

    /// A branch without a new commit for this many days is not open any more.
    public static let openDays = 14.0

    /// - Parameters:
    ///   - written: AI lines the session's edits added;
    ///   - lines: its AI lines as commits hold them (committed, landed, churned);
    ///   - onOpenBranch: one of its commits not landed is on a branch still open.
    public static func of(written: Int, lines: LineCounts, onOpenBranch: Bool) -> SessionOutcome {
        if lines.landed > 0 { return lines.churned >= lines.landed ? .reverted : .landed }
        if lines.committed > 0 { return onOpenBranch ? .pending : .unmerged }
        return written > 0 ? .discarded : .noEdits
    }
}
