import AIUsageCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds record files below a folder with `opendir`/`readdir`.
///
/// Foundation's directory enumerator is slow on Linux and gives up on a name that is
/// not UTF-8, losing every file after it. Here such a name is skipped and counted, and
/// the rest of the tree is still found. Symbolic links to folders are not followed (no
/// cycles); links to files are.
public enum RecordFileWalker {
    public struct Result: Sendable, Equatable {
        /// Absolute paths, sorted.
        public var files: [String]
        /// Entries skipped because their name is not valid UTF-8.
        public var skippedNames: Int
    }

    /// Files below `root` whose name satisfies `accept`, at most `maxDepth` folders deep.
    public static func files(under root: String, maxDepth: Int = 16, accept: (String) -> Bool) -> Result {
        var result = Result(files: [], skippedNames: 0)
        walk(
            root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root, depth: 0, maxDepth: maxDepth, accept: accept,
            into: &result)
        result.files.sort()
        return result
    }

    private static func walk(_ folder: String, depth: Int, maxDepth: Int, accept: (String) -> Bool, into result: inout Result) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[..<length])
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                result.skippedNames += 1
                continue
            }
            let path = folder + "/" + name
            var kind = Int32(entry.pointee.d_type)
            if kind == Int32(DT_UNKNOWN) || kind == Int32(DT_LNK) {
                var info = stat()
                guard stat(path, &info) == 0 else { continue }
                kind = (info.st_mode & S_IFMT) == S_IFDIR ? (entry.pointee.d_type == UInt8(DT_LNK) ? -1 : Int32(DT_DIR)) : Int32(DT_REG)
            }
            if kind == Int32(DT_DIR) {
                if depth < maxDepth { walk(path, depth: depth + 1, maxDepth: maxDepth, accept: accept, into: &result) }
            } else if kind == Int32(DT_REG), accept(name) {
                result.files.append(path)
            }
        }
    }
}

/// FNV-1a of a file's first `min(length, 4096)` bytes: the part an append-only file
/// never changes, so a different value means the file was replaced or rewritten.
/// 0 when the file cannot be read that far.
public enum FileHeadFingerprint {
    public static func of(path: String, length: Int64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let count = Int(min(max(length, 0), 4096))
        guard count > 0 else { return hash }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard got == count else { return 0 }
        for byte in buffer {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
