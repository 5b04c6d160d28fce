import Foundation
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// One read merged the way the store merges it, plus the format drift it counted
/// (`ReadBatch.drift`, summed over batches).
struct DriftRead {
    var merged = MergedRead()
    var drift: [FormatDrift: Int] = [:]

    static func read(_ reader: some SessionReader, _ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> DriftRead {
        var result = DriftRead()
        result.merged.progress = try reader.read(path: path, from: offset, state: state) { batch in
            result.merged.add(batch)
            result.drift.merge(batch.drift, uniquingKeysWith: +)
        }
        return result
    }

    var usage: [String: UsageEvent] { merged.usage }
    var edits: [String: EditEvent] { merged.edits }
    var progress: ReadProgress { merged.progress }

    /// The count for one kind and name (0 when not counted).
    func count(_ kind: FormatDrift.Kind, _ name: String) -> Int { drift[FormatDrift(kind: kind, name: name)] ?? 0 }
}

/// A JSON array `depth` levels deep: past Foundation's 512-level limit for depth > 512.
func deeplyNested(_ depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
}
