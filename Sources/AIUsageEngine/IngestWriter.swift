import AIUsageCore
import AIUsageStore
import Foundation

/// The one writer of an ingest run: parsers queue batches and cursors, and a single
/// thread applies everything queued so far in one transaction (group commit).
///
/// One transaction per batch made SQLite write each touched index page to the WAL once
/// per batch, and its checkpoints fsync: measured on 1 GB of transcripts, 115 MB of WAL
/// writes for a 21 MB store and a writer thread busy for the whole run while the parsers
/// waited for it. Taking whatever is queued at once makes the transactions as large as
/// the backlog, so the writer catches up exactly when it falls behind.
///
/// A file's cursor is written only after all of its batches, and only if none failed:
/// should a group fail, its items are applied again one by one, so one bad file cannot
/// hold back the others, and a failed file keeps its old cursor (the next run reads the
/// same bytes again; the upserts absorb the repeat).
final class IngestWriter: @unchecked Sendable {
    /// What one file queued; records the first write that failed.
    final class FileWrites: @unchecked Sendable {
        /// The record file the batches come from; `restart`: it is read from its start,
        /// so what was counted of it before is forgotten first.
        let path: String
        let fileID: Int64
        let takeover: FileTakeover
        let restart: Bool
        init(path: String, fileID: Int64, takeover: FileTakeover, restart: Bool) {
            self.path = path
            self.fileID = fileID
            self.takeover = takeover
            self.restart = restart
        }
        private let lock = NSLock()
        private var stored: Error?
        var failure: Error? { lock.withLock { stored } }
        func fail(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }

    }

    private enum Item {
        /// A file's first item: what becomes of its earlier rows.
        case begin(FileWrites)
        case batch(ReadBatch, FileWrites)
        case cursor(FileCursor, FileWrites)

        var file: FileWrites {
            switch self {
            case .begin(let file), .batch(_, let file), .cursor(_, let file): file
            }
        }
        var records: Int {
            switch self {
            case .batch(let batch, _): batch.count
            case .cursor, .begin: 1
            }
        }
    }

    /// How long the writer waits for a group to gather before it commits what it has
    /// (0 for a run of a few files, which must not wait at all).
    private let linger: TimeInterval
    private let store: Store
    /// Records queued at most before parsers wait: bounds memory while the writer catches up.
    private let capacity: Int
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var queuedRecords = 0
    private var closed = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(store: Store, capacity: Int, linger: TimeInterval = 0) {
        self.store = store
        self.capacity = capacity
        self.linger = linger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "aiusage.ingest-writer"
        thread.start()
        self.thread = thread
    }

    /// Queues the start of `file`'s writes, when its earlier rows must go or move.
    func begin(_ file: FileWrites) {
        guard file.restart || file.takeover != .none else { return }
        put(.begin(file))
    }

    /// Queues a batch of `file`; waits while the queue is full.
    func enqueue(_ batch: ReadBatch, of file: FileWrites) {
        guard !batch.isEmpty else { return }
        put(.batch(batch, file))
    }

    /// Queues the file's cursor, to be written after its batches if they all were.
    func finish(_ cursor: FileCursor, of file: FileWrites) {
        put(.cursor(cursor, file))
    }

    /// Writes what is still queued and stops the thread.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        if thread != nil { done.wait() }
    }

    private func put(_ item: Item) {
        condition.lock()
        // An item larger than the whole capacity still goes in once the queue is empty.
        while queuedRecords > 0, queuedRecords + item.records > capacity { condition.wait() }
        queue.append(item)
        queuedRecords += item.records
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        let cpu = Trace.enabled ? Trace.threadCPU() : 0
        var transactions = 0
        while true {
            condition.lock()
            while queue.isEmpty, !closed { condition.wait() }
            // Many small files each queue a few records: committing as soon as anything
            // is queued made a transaction per file, each writing the same index pages to
            // the WAL again. Lingering a little lets a group gather (a full queue or the
            // end of the run stops the wait at once).
            let until = Date().addingTimeInterval(linger)
            while linger > 0, !closed, queuedRecords < capacity / 2, condition.wait(until: until) {}
            let items = queue
            queue.removeAll(keepingCapacity: true)
            let isLast = closed
            condition.unlock()
            if !items.isEmpty {
                write(items)
                transactions += 1
            }
            condition.lock()
            queuedRecords -= items.reduce(0) { $0 + $1.records }
            condition.broadcast()
            condition.unlock()
            if isLast && items.isEmpty { break }
        }
        Trace.note(String(format: "ingest writer: %.1f ms of CPU in %d transactions", (Trace.threadCPU() - cpu) * 1000, transactions))
        done.signal()
    }

    private func write(_ items: [Item]) {
        do {
            try store.ingestTransaction { transaction in
                for item in items { try apply(item, in: transaction) }
            }
        } catch {
            // Find the culprit: each item alone, so the other files' rows still land.
            for item in items {
                do { try store.ingestTransaction { try apply(item, in: $0) } } catch { item.file.fail(error) }
            }
        }
    }

    private func apply(_ item: Item, in transaction: IngestTransaction) throws {
        guard item.file.failure == nil else { return }
        switch item {
        case .begin(let file):
            // A file read from its start: what was counted of it is forgotten, and a
            // replaced or renamed file's earlier rows go or become its own. Retried in
            // order with the file's other items should the group fail.
            if file.restart { try transaction.forgetFile(file.path) }
            if file.fileID != 0 { try transaction.takeOver(file.takeover, fileID: file.fileID, path: file.path) }
        case .batch(let batch, let file):
            try transaction.apply(batch, from: file.path, fileID: file.fileID == 0 ? nil : file.fileID)
        case .cursor(let cursor, _):
            try transaction.saveCursor(cursor)
        }
    }
}
