import AIUsageCore
import Foundation

/// The price table the commands use: the copy `aiusage prices update` stored in the
/// store folder when there is one that is valid and not older than the bundled table
/// (unless it was forced), else the bundled table.
///
/// Reading files is the commands' job (`AIUsageCore` has no file system). Only commands
/// that price something call this; the bundled table costs nothing until a price is
/// asked for, a stored copy is read and checked when it is loaded.
struct EffectivePrices {
    enum Origin: Equatable {
        case bundled
        /// The copy stored by `aiusage prices update` at this path.
        case updated(String)
    }

    var table: PriceTable
    var origin: Origin
    /// Why a stored copy was not used, when there is one that was not: a sentence.
    var problem: String?

    static let fileName = "prices.json"

    static func path(in storeDirectory: String) -> String { storeDirectory + "/" + fileName }

    /// Loads the effective table for the store folder `storeDirectory`.
    static func load(storeDirectory: String) -> EffectivePrices {
        let path = path(in: storeDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return EffectivePrices(table: .bundled, origin: .bundled) }
        do {
            let stored = try StoredPrices.read(path)
            if !stored.pinned, PriceVersions.isOlder(stored.table, than: .bundled) {
                return EffectivePrices(
                    table: .bundled, origin: .bundled,
                    problem:
                        "the stored prices (\(stored.table.label), \(path)) are older than the bundled \(PriceTable.bundled.label); the bundled table is used"
                )
            }
            return EffectivePrices(table: stored.table, origin: .updated(path))
        } catch {
            return EffectivePrices(
                table: .bundled, origin: .bundled,
                problem:
                    "the stored prices at \(path) cannot be used (\(error)); the bundled table is used. Run `aiusage prices update FILE` again or `aiusage prices reset`"
            )
        }
    }

    private static let memo = Memo()

    /// `load(storeDirectory:)` once per process and folder, warning once on stderr when
    /// a stored copy had to be ignored.
    static func table(storeDirectory: String) -> PriceTable {
        memo.value(for: storeDirectory) {
            let loaded = load(storeDirectory: storeDirectory)
            if let problem = loaded.problem { Terminal.warn(problem) }
            return loaded.table
        }
    }

    private final class Memo: @unchecked Sendable {
        // `tables` is only touched under `lock`.
        private let lock = NSLock()
        private var tables: [String: PriceTable] = [:]

        func value(for key: String, _ make: () -> PriceTable) -> PriceTable {
            lock.lock()
            defer { lock.unlock() }
            if let known = tables[key] { return known }
            let table = make()
            tables[key] = table
            return table
        }
    }
}

/// The file `aiusage prices update` writes: an `aiusage.prices/1` document, plus
/// `"pinned": true` when it was stored with `--force` (kept even when older than the
/// bundled table).
struct StoredPrices {
    var table: PriceTable
    var pinned: Bool

    static func read(_ path: String) throws -> StoredPrices {
        let document = try PriceDataParser.parse(try PriceFile.read(path))
        guard let name = document.datasetName, let version = document.version, let date = document.date else {
            throw PriceDataError("", "not an \(PriceDataParser.schema) document")
        }
        return StoredPrices(
            table: PriceTable(source: name, version: version, date: date, dataset: document.dataset), pinned: document.pinned)
    }
}

/// Reads a price data file with a size bound and a sentence when it cannot be read.
enum PriceFile {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws -> Data {
        let url = URL(fileURLWithPath: path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw ReadError(description: "\(path) does not exist or cannot be read") }
        if attributes[.type] as? FileAttributeType == .typeDirectory { throw ReadError(description: "\(path) is a folder, not a file") }
        if let size = attributes[.size] as? Int, size > PriceDataParser.maximumBytes {
            throw ReadError(description: "\(path) is \(Format.bytes(Int64(size))): too large for price data")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ReadError(description: "\(path) cannot be read")
        }
    }
}

/// Ordering of dataset releases: by publication date, then by version number.
enum PriceVersions {
    static func isOlder(_ table: PriceTable, than other: PriceTable) -> Bool {
        if table.date != other.date { return table.date < other.date }
        return compare(table.version, other.version) == .orderedAscending
    }

    /// "0.2.10" > "0.2.9"; a version that is not dotted numbers compares as equal.
    static func compare(_ a: String, _ b: String) -> ComparisonResult {
        let leftParts = a.split(separator: ".")
        let rightParts = b.split(separator: ".")
        let left = leftParts.compactMap { Int($0) }
        let right = rightParts.compactMap { Int($0) }
        guard left.count == leftParts.count, right.count == rightParts.count else { return .orderedSame }
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            if x != y { return x < y ? .orderedAscending : .orderedDescending }
        }
        return .orderedSame
    }
}
