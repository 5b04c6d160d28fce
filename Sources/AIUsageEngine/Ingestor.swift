import AIUsageCore
import AIUsageReaders
import AIUsageStore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one ingest run did, for progress lines, `doctor` and the benchmark.
public struct IngestSummary: Sendable {
    public var filesSeen = 0
    public var filesRead = 0
    public var filesRestarted = 0
    public var bytesRead: Int64 = 0
    public var linesRead = 0
    public var linesSkipped = 0
    public var usageEvents = 0
    public var edits = 0
    public var errors: [String] = []
    public init() {}
}

/// A record file that has bytes not read yet.
public struct PendingFile: Sendable {
    public var path: String
    public var reader: any SessionReader
    public var startOffset: Int64
    public var state: Data?
    public var size: Int64
    public var inode: Int64
    public var mtime: Double
    public var restarted: Bool
    /// Line counts carried from earlier runs of the same file, for `doctor`.
    public var previousLinesRead = 0
    public var previousLinesSkipped = 0
    /// The store's id of the file: its rows carry it.
    public var fileID: Int64 = 0
    /// What becomes of the file's earlier rows before this read's (see `FileTakeover`).
    public var takeover: FileTakeover = .none
    public var pendingBytes: Int64 { size - startOffset }
}

/// Reads new bytes of every tool's record files into the store.
///
/// A second run reads only what changed: a file whose size, mtime and inode match
/// its cursor is not opened at all. A grown file whose head and last read block are
/// still those it had is read on from its cursor. Any other change — it shrank, its
/// inode changed, the region already read was rewritten — means another version of
/// the file: its rows are replaced by those of a read from 0 (rows know the file they
/// came from), and files that gave the same records are read again, so nothing is
/// lost or counted twice. A file found under a new name with the inode and bytes of
/// one that vanished is that file renamed: it keeps its rows and its cursor. A file
/// that vanished keeps everything already ingested from it.
public final class Ingestor: Sendable {
    public let store: Store
    public let readers: [any SessionReader]
    public let environment: ReaderEnvironment

    /// How many record files the last `pendingFiles()` found, for the summary.
    private let lastDiscoveredCount = LockedCounter()

    public init(store: Store, readers: [any SessionReader], environment: ReaderEnvironment) {
        self.store = store
        self.readers = readers
        self.environment = environment
    }

    /// Files with unread bytes, found with one `stat` per file.
    public func pendingFiles() throws -> [PendingFile] {
        // The store's cursors and the tools' folders are read at the same time.
        let (store, readers, environment) = (self.store, self.readers, self.environment)
        let (cursors, found) = try Concurrently.both(
            { try Trace.phase("cursors") { try store.cursors() } },
            { Trace.phase("discovery") { readers.map { ($0, $0.discoverFiles(in: environment)) } } })
        var pending: [PendingFile] = []
        var seen = 0
        var discovered: Set<String> = []
        var newFiles: [(path: String, reader: any SessionReader, info: FileStat)] = []
        defer { lastDiscoveredCount.value = seen }
        var candidates: [(path: String, reader: any SessionReader)] = []
        for (reader, paths) in found {
            for path in paths {
                seen += 1
                if discovered.insert(path).inserted { candidates.append((path, reader)) }
            }
        }
        // One stat per file, on every core.
        let stats = Concurrently.map(candidates) { candidate -> (info: FileStat, kind: RecordFileKind)? in
            guard var info = FileStat(path: candidate.path) else { return nil }
            let kind = candidate.reader.fileKind(for: candidate.path)
            // A SQLite database changes in its write-ahead log before the file itself.
            if kind == .rewritten, let wal = FileStat(path: candidate.path + "-wal") {
                info.size += wal.size
                info.mtime = max(info.mtime, wal.mtime)
            }
            return (info, kind)
        }
        for ((path, reader), stat) in zip(candidates, stats) {
            guard let (info, kind) = stat else { continue }
            guard let cursor = cursors[path] else {
                newFiles.append((path, reader, info))
                continue
            }
            var file = PendingFile(
                path: path, reader: reader, startOffset: 0, state: nil, size: info.size, inode: info.inode, mtime: info.mtime,
                restarted: false, fileID: cursor.fileID)
            if cursor.size == info.size, cursor.mtime == info.mtime, cursor.inode == info.inode { continue }
            if kind == .rewritten {
                file.state = cursor.state
                pending.append(file)
                continue
            }
            if Self.sameFile(path: path, info: info, cursor: cursor) {
                file.startOffset = cursor.offset
                file.state = cursor.state
                file.previousLinesRead = cursor.linesRead
                file.previousLinesSkipped = cursor.linesSkipped
            } else {
                file.restarted = true
                file.takeover = .replace
            }
            pending.append(file)
        }
        guard !newFiles.isEmpty else { return pending }
        // A new name for a file that vanished under its old one (same inode, same bytes
        // where it was read): a rename, which keeps its rows and cursor.
        var vanished: [Int64: FileCursor] = [:]
        for cursor in cursors.values where !discovered.contains(cursor.path) && FileStat(path: cursor.path) == nil {
            vanished[cursor.inode] = cursor
        }
        let ids = try store.fileIDs(for: newFiles.map(\.path))
        for (path, reader, info) in newFiles {
            var file = PendingFile(
                path: path, reader: reader, startOffset: 0, state: nil, size: info.size, inode: info.inode, mtime: info.mtime,
                restarted: false, fileID: ids[path] ?? 0)
            if reader.fileKind(for: path) == .appendOnly, let old = vanished[info.inode], old.tool == reader.tool,
                Self.sameFile(path: path, info: info, cursor: old)
            {
                vanished[info.inode] = nil
                file.startOffset = old.offset
                file.state = old.state
                file.previousLinesRead = old.linesRead
                file.previousLinesSkipped = old.linesSkipped
                file.takeover = .renamed(from: old.path)
            }
            pending.append(file)
        }
        return pending
    }

    /// Whether `path` still holds, where it was read, the bytes `cursor` saw: same inode,
    /// not shorter, same head and same last read block.
    static func sameFile(path: String, info: FileStat, cursor: FileCursor) -> Bool {
        cursor.inode == info.inode && info.size >= cursor.offset
            && Fingerprint.of(path: path, length: cursor.offset) == cursor.fingerprint
            && Fingerprint.tail(path: path, end: cursor.offset) == cursor.tailFingerprint
    }

    /// Ingests every pending file, spreading files over the machine's cores; parsing
    /// and database writes overlap, with at most a few batches in flight per file.
    public func run(
        files: [PendingFile]? = nil,
        progress: (@Sendable (_ doneBytes: Int64, _ totalBytes: Int64) -> Void)? = nil
    ) throws -> IngestSummary {
        try runOnce(files: files, progress: progress)
    }

    /// Reads `ordered` on every core into one writer (see `IngestWriter`); returns each
    /// file's result with what it queued.
    private func parse(
        _ ordered: [PendingFile], totalBytes: Int64, shared: SharedIngestState,
        progress: (@Sendable (_ doneBytes: Int64, _ totalBytes: Int64) -> Void)?
    ) -> FinishedFiles {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ordered.count))
        // One writer for the whole run (SQLite takes one writer at a time anyway), which
        // commits whatever the parsers queued meanwhile in one transaction. Parsers never
        // wait for a file's writes before the next file; they wait only when the queue is
        // full (memory stays bounded).
        // Many files: the writer gathers groups for up to 50 ms (see IngestWriter).
        let writer = IngestWriter(store: store, capacity: (2 * workers + 2) * 5000, linger: ordered.count > 16 ? 0.05 : 0)
        writer.start()
        let finished = FinishedFiles()
        let readAhead = ReadAhead(files: ordered)
        readAhead.start()
        defer { readAhead.stop() }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let file = shared.next(from: ordered) {
                readAhead.started(bytes: file.pendingBytes)
                let (result, writes) = ingest(file, writer: writer)
                finished.add(result, writes)
                let done = shared.advance(bytes: file.pendingBytes)
                progress?(done, totalBytes)
            }
        }
        writer.close()
        return finished
    }

    private func runOnce(
        files: [PendingFile]?, progress: (@Sendable (_ doneBytes: Int64, _ totalBytes: Int64) -> Void)?
    ) throws -> IngestSummary {
        let files = try files ?? pendingFiles()
        // Largest first, so one big file does not start last and run alone.
        let ordered = files.sorted { $0.pendingBytes > $1.pendingBytes }
        let totalBytes = ordered.reduce(Int64(0)) { $0 + $1.pendingBytes }
        let shared = SharedIngestState()
        // A large read gets a larger page cache, and a first one its indexes after (see `Store.withLargeIngest`).
        let finished =
            totalBytes > 64 << 20
            ? store.withLargeIngest(cacheMegabytes: 32) { parse(ordered, totalBytes: totalBytes, shared: shared, progress: progress) }
            : parse(ordered, totalBytes: totalBytes, shared: shared, progress: progress)
        for (result, writes) in finished.all {
            var result = result
            if result.error == nil, let failure = writes.failure {
                result = FileResult(path: result.path, restarted: result.restarted, error: "\(result.path): \(failure)")
            }
            if let error = result.error, let file = ordered.first(where: { $0.path == result.path }) {
                try? store.recordFileError(path: file.path, tool: file.reader.tool, message: error)
            }
            shared.record(result)
        }
        var summary = shared.summary
        if !ordered.isEmpty {
            try? store.setLastIngest(Date())
        }
        summary.filesSeen = lastDiscoveredCount.value
        return summary
    }

    /// Parses one file, queueing its batches and then its cursor on the writer; the
    /// cursor is written only if every batch before it was.
    private func ingest(_ file: PendingFile, writer: IngestWriter) -> (FileResult, IngestWriter.FileWrites) {
        var result = FileResult(path: file.path)
        result.restarted = file.restarted
        let writes = IngestWriter.FileWrites(path: file.path, fileID: file.fileID, takeover: file.takeover, restart: file.startOffset == 0)
        writer.begin(writes)
        do {
            let progress = try file.reader.read(path: file.path, from: file.startOffset, state: file.state) { batch in
                result.usage += batch.usage.count
                result.edits += batch.edits.count
                writer.enqueue(batch, of: writes)
            }
            let cursor = FileCursor(
                path: file.path, tool: file.reader.tool, offset: progress.offset, size: file.size, inode: file.inode,
                mtime: file.mtime, fingerprint: Fingerprint.of(path: file.path, length: progress.offset),
                state: progress.state, linesRead: file.previousLinesRead + progress.linesRead,
                linesSkipped: file.previousLinesSkipped + progress.linesSkipped,
                tailFingerprint: Fingerprint.tail(path: file.path, end: progress.offset), fileID: file.fileID)
            writer.finish(cursor, of: writes)
            result.bytes = progress.offset - file.startOffset
            result.lines = progress.linesRead
            result.skipped = progress.linesSkipped
        } catch {
            // Nothing of this file is lost: its cursor is not moved, so the next run
            // reads the same bytes again and the upserts absorb the repeat.
            result.error = "\(file.path): \(error)"
        }
        return (result, writes)
    }
}

/// Files parsed so far, with what they queued, to check once the writer is done.
final class FinishedFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(FileResult, IngestWriter.FileWrites)] = []
    func add(_ result: FileResult, _ writes: IngestWriter.FileWrites) { lock.withLock { entries.append((result, writes)) } }
    var all: [(FileResult, IngestWriter.FileWrites)] { lock.withLock { entries } }
}

struct FileResult {
    var path = ""
    var bytes: Int64 = 0
    var lines = 0
    var skipped = 0
    var usage = 0
    var edits = 0
    var restarted = false
    var error: String?
}

/// An integer shared between threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Work queue and totals shared by the ingest workers.
final class SharedIngestState: @unchecked Sendable {
    private let lock = NSLock()
    private var index = 0
    private var doneBytes: Int64 = 0
    private(set) var summary = IngestSummary()

    func next(from files: [PendingFile]) -> PendingFile? {
        lock.lock()
        defer { lock.unlock() }
        guard index < files.count else { return nil }
        defer { index += 1 }
        return files[index]
    }

    func advance(bytes: Int64) -> Int64 {
        lock.withLock {
            doneBytes += bytes
            return doneBytes
        }
    }

    func record(_ result: FileResult) {
        lock.lock()
        defer { lock.unlock() }
        summary.filesRead += 1
        if result.restarted { summary.filesRestarted += 1 }
        summary.bytesRead += result.bytes
        summary.linesRead += result.lines
        summary.linesSkipped += result.skipped
        summary.usageEvents += result.usage
        summary.edits += result.edits
        if let error = result.error { summary.errors.append(error) }
    }
}

/// Size, inode and modification time of a file, from one `stat` call.
struct FileStat {
    var size: Int64
    var inode: Int64
    var mtime: Double

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int64(info.st_size)
        inode = Int64(bitPattern: UInt64(info.st_ino))
        #if canImport(Darwin)
            mtime = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
            mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }
}

/// The cursor's fingerprints, as signed integers for SQLite: the file's head, and the
/// last block read.
enum Fingerprint {
    static let block: Int64 = 4096

    static func of(path: String, length: Int64) -> Int64 {
        Int64(bitPattern: FileHeadFingerprint.of(path: path, length: length))
    }

    /// FNV-1a of the `min(end, 4096)` bytes before `end`; 0 when they cannot be read.
    static func tail(path: String, end: Int64) -> Int64 {
        let start = max(0, end - block)
        let count = Int(end - start)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        guard count > 0 else { return Int64(bitPattern: hash) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(start)) }
        guard got == count else { return 0 }
        for byte in buffer {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}
