/// Which significant lines an edit added, as line hashes with multiplicity.
///
/// Matching is by multiset (PRODUCT.md, "Line identity"), so the lines an edit added
/// are the multiset difference new − old: a line that was already there before the
/// edit is not AI-written just because the edit kept it.
public enum AddedLines {
    /// Significant lines of `new` that `old` did not already have.
    public static func between(old: String, new: String) -> [LineHash] {
        let oldHashes = LineIdentity.significantHashes(ofText: old)
        let newHashes = LineIdentity.significantHashes(ofText: new)
        return difference(newHashes, minus: oldHashes)
    }

    /// Multiset difference `lhs − rhs`, preserving the order of `lhs`.
    public static func difference(_ lhs: [LineHash], minus rhs: [LineHash]) -> [LineHash] {
        guard !rhs.isEmpty else { return lhs }
        var remaining: [LineHash: Int] = [:]
        for hash in rhs { remaining[hash, default: 0] += 1 }
        var result: [LineHash] = []
        result.reserveCapacity(lhs.count)
        for hash in lhs {
            if let count = remaining[hash], count > 0 {
                remaining[hash] = count - 1
            } else {
                result.append(hash)
            }
        }
        return result
    }
}
