import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Asks the kernel to start reading the run's next files while the current ones are
/// parsed, so disk and CPU work overlap on a first ingest from a cold page cache.
///
/// Without it each parser thread alternates between waiting for the disk and parsing:
/// measured on 1 GB with the page cache dropped, ingest took the parse time *plus* the
/// read time. `POSIX_FADV_WILLNEED` starts asynchronous reads into the page cache; it
/// costs nothing when the pages are already there. The thread reads the files the
/// parsers are on, and at most `window` bytes of the files after them, so a big backlog
/// does not flush the page cache of everything else on the machine. Linux only;
/// elsewhere it does nothing.
final class ReadAhead: @unchecked Sendable {
    private let files: [PendingFile]
    private let window: Int64
    private let step: Int64 = 16 << 20
    private let condition = NSCondition()
    /// Pending bytes of the files parsers have taken so far.
    private var startedBytes: Int64 = 0
    private var stopped = false

    init(files: [PendingFile], window: Int64 = 256 << 20) {
        self.files = files
        self.window = window
    }

    /// Starts the background thread (a no-op for a run with little to read).
    func start() {
        #if os(Linux)
            guard files.reduce(Int64(0), { $0 + $1.pendingBytes }) > 8 << 20 else { return }
            let thread = Thread { [self] in run() }
            thread.name = "aiusage.read-ahead"
            thread.qualityOfService = .utility
            thread.start()
        #endif
    }

    /// A parser took a file of `bytes` pending bytes: the window moves on.
    func started(bytes: Int64) {
        condition.lock()
        startedBytes += bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the thread at its next step (the run is over or failed).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    #if os(Linux)
        private func run() {
            var requested: Int64 = 0
            for file in files where file.pendingBytes > 0 {
                let fd = open(file.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                var offset = file.startOffset
                while offset < file.size {
                    guard waitForRoom(requested: requested) else { return }
                    let length = min(step, file.size - offset)
                    _ = posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_WILLNEED)
                    offset += length
                    requested += length
                }
            }
        }

        /// Waits until the window has room; false once the run stopped.
        private func waitForRoom(requested: Int64) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while !stopped, requested - startedBytes >= window { condition.wait() }
            return !stopped
        }
    #endif
}
