/// Counts landed AI lines still present (PRODUCT.md, "Surviving AI lines"): by line
/// identity, as a multiset per path, in a later tree.
public enum Survival {
    /// - Parameters:
    ///   - landed: the landed AI lines of one commit;
    ///   - present: significant line hashes of `path` in the later tree (after
    ///     following renames), or nil when the file is gone.
    public static func surviving(_ landed: [PathLine], present: (String) -> [LineHash]?) -> Int {
        var byPath: [String: [LineHash]] = [:]
        for line in landed { byPath[line.path, default: []].append(line.hash) }
        var count = 0
        for (path, hashes) in byPath {
            guard let lines = present(path) else { continue }
            var available: [LineHash: Int] = [:]
            for hash in lines { available[hash, default: 0] += 1 }
            for hash in hashes {
                if let left = available[hash], left > 0 {
                    available[hash] = left - 1
                    count += 1
                }
            }
        }
        return count
    }
}
