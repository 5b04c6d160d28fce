import Foundation

/// Two independent steps run at once, for steps that wait on different things (SQLite
/// and the file system) at the start of every command.
enum Concurrently {
    /// Runs `second` on another thread while `first` runs on this one; returns both
    /// results, or rethrows `first`'s error (once `second` is done). `first` may spread
    /// over the cores itself (`concurrentPerform` inside `concurrentPerform` ran the inner
    /// work on one thread: a first ingest lost a third of its speed).
    static func both<A: Sendable, B: Sendable>(_ first: () throws -> A, _ second: @escaping @Sendable () -> B) throws -> (A, B) {
        let other = Handoff<B>()
        Thread.detachNewThread { other.set(second()) }
        let one = Result { try first() }
        let two = other.wait()
        return (try one.get(), two)
    }

    /// `transform` of every item, in order, computed on every core for long lists (one
    /// `stat` per record file: thousands on a heavy user's disk, on every command).
    static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @Sendable (T) -> U) -> [U] {
        let lanes = min(ProcessInfo.processInfo.activeProcessorCount, 4)
        guard items.count >= 512, lanes > 1 else { return items.map(transform) }
        let results = Results<U>(count: items.count)
        let chunk = (items.count + lanes - 1) / lanes
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for index in (lane * chunk)..<min(items.count, (lane + 1) * chunk) { results.set(index, transform(items[index])) }
        }
        return results.values
    }

    /// Slots written by index, each by one lane only.
    private final class Results<U>: @unchecked Sendable {
        private let buffer: UnsafeMutableBufferPointer<U?>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }

        deinit {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }

        func set(_ index: Int, _ value: U) { buffer[index] = value }

        var values: [U] { buffer.compactMap { $0 } }
    }

    /// A value another thread hands over once.
    final class Handoff<T: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private var value: T?

        func set(_ newValue: T) {
            condition.lock()
            value = newValue
            condition.broadcast()
            condition.unlock()
        }

        func wait() -> T {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let value { return value }
                condition.wait()
            }
        }
    }
}
