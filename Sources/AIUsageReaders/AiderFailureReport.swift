import AIUsageCore
import Foundation

/// Aider's report of a reply it could not fully apply, read from its output lines
/// (`> ` lines) to learn which of the reply's edits were applied all the same.
///
/// `aider/coders/editblock_coder.py` writes every block that matched before raising,
/// then prints (after "The LLM did not conform to the edit format."):
///
///     # 1 SEARCH/REPLACE block failed to match!
///     ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in <path>
///     <<<<<<< SEARCH
///     …
///     =======
///     …
///     >>>>>>> REPLACE
///     …
///     # The other 3 SEARCH/REPLACE blocks were applied successfully.
///
/// and `udiff_coder.py`, after writing the hunks that applied, one
/// `UnifiedDiffNoMatch: hunk failed to apply!` (or `UnifiedDiffNotUnique`) per failed
/// hunk, naming the file and echoing the lines it looked for in a fence. A report with
/// neither (a malformed reply: missing file name, missing divider) applied nothing.
struct AiderFailureReport: Codable, Equatable {
    struct Failed: Codable, Equatable {
        var file: String
        var fingerprint: UInt64
    }

    enum Part: String, Codable { case none, expectSearch, search, replace, expectDiffPath, expectDiffFence, diffLines }

    var failed: [Failed] = []
    /// "# N SEARCH/REPLACE block(s) failed to match!" was printed.
    var blocksFailed = false
    /// A udiff hunk failure was printed.
    var hunksFailed = false
    /// "# The other N SEARCH/REPLACE blocks were applied successfully."
    var othersApplied: Int?
    var part: Part = .none
    var file: String?
    var old: [Int64] = []
    var new: [Int64] = []

    /// Whether the report says that some edits failed to match (others may have applied);
    /// otherwise the reply was malformed and nothing was applied.
    var isPartial: Bool { blocksFailed || hunksFailed }

    mutating func consume(_ content: String, repositoryName: String) {
        let line = content.trimmingCharacters(in: .whitespaces)
        switch part {
        case .search:
            if AiderReplyParser.isDivider(line) {
                part = .replace
            } else if let hash = LineIdentity.significantHash(line) {
                if old.count < AiderReplyParser.lineLimit { old.append(hash.storageValue) }
            }
            return
        case .replace:
            if AiderReplyParser.isMarker(line, ">", "REPLACE") || AiderReplyParser.isDivider(line) {
                record(AiderProposedEdit.fingerprint(old, new))
            } else if let hash = LineIdentity.significantHash(line) {
                if new.count < AiderReplyParser.lineLimit { new.append(hash.storageValue) }
            }
            return
        case .diffLines:
            if line.hasPrefix("```") {
                record(AiderProposedEdit.fingerprint(old, []))
            } else if let hash = LineIdentity.significantHash(line) {
                if old.count < AiderReplyParser.lineLimit { old.append(hash.storageValue) }
            }
            return
        case .expectSearch:
            if AiderReplyParser.isMarker(line, "<", "SEARCH") {
                part = .search
                return
            }
        case .expectDiffPath:
            for marker in [" does not contain these ", " contains multiple copies of these "] {
                if let range = line.range(of: marker), line.hasSuffix(":") {
                    file = AiderPaths.normalized(String(line[..<range.lowerBound]), repositoryName: repositoryName)
                    part = .expectDiffFence
                    return
                }
            }
        case .expectDiffFence:
            if line.hasPrefix("```") {
                part = .diffLines
                return
            }
        case .none:
            break
        }
        let searchPrefix = "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in "
        if line.hasPrefix(searchPrefix) {
            begin(.expectSearch, file: String(line.dropFirst(searchPrefix.count)), repositoryName)
        } else if line.hasPrefix("UnifiedDiffNoMatch: hunk failed to apply") || line.hasPrefix("UnifiedDiffNotUnique: hunk failed to apply")
        {
            hunksFailed = true
            begin(.expectDiffPath, file: nil, repositoryName)
        } else if line.hasPrefix("# "), line.contains("SEARCH/REPLACE block"), line.hasSuffix("failed to match!") {
            blocksFailed = true
        } else if line.hasPrefix("# The other "), line.contains("were applied successfully") {
            let count = line.dropFirst("# The other ".count).prefix { $0.isNumber }
            othersApplied = Int(count)
        }
    }

    private mutating func begin(_ next: Part, file: String?, _ repositoryName: String) {
        part = next
        self.file = file.map { AiderPaths.normalized($0, repositoryName: repositoryName) }
        old = []
        new = []
    }

    private mutating func record(_ fingerprint: UInt64) {
        if let file, failed.count < AiderHistoryParser.proposalLimit { failed.append(Failed(file: file, fingerprint: fingerprint)) }
        part = .none
        file = nil
        old = []
        new = []
    }

    /// The proposed edits that were applied: all but those the report echoes as failed.
    /// `mismatch` is set when Aider's own count of applied blocks disagrees.
    func applied(of proposed: [AiderProposedEdit]) -> (applied: [AiderProposedEdit], mismatch: Bool) {
        guard isPartial else { return ([], false) }
        var remaining = proposed.filter { $0.kind != .listing }
        var unmatched = 0
        for failure in failed {
            if let index = remaining.firstIndex(where: {
                $0.fingerprint == failure.fingerprint && $0.file.map { AiderPaths.sameFile($0, failure.file) } == true
            }) {
                remaining.remove(at: index)
            } else {
                unmatched += 1
            }
        }
        if blocksFailed {
            let blocks = remaining.filter { $0.kind == .block }
            // No "The other N …" line: none of the blocks applied.
            let expected = othersApplied ?? 0
            if blocks.count != expected || unmatched > 0 {
                // Trust Aider's count when ours cannot be squared with it.
                return (blocks.count > expected ? Array(blocks.prefix(expected)) : blocks, true)
            }
            return (blocks, false)
        }
        return (remaining.filter { $0.kind == .hunk }, unmatched > 0)
    }
}
