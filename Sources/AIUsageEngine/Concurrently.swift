import Foundation

/// Two independent steps run at once, for steps that wait on different things (SQLite
/// and the file system) at the start of every command.
enum Concurrently {
    /// Runs `first` on another thread while `second` runs on this one; returns both
    /// results, or rethrows `first`'s error.
    static func both<A: Sendable, B: Sendable>(_ first: @Sendable () throws -> A, _ second: @Sendable () -> B) throws -> (A, B) {
        let slots = Slots<A, B>()
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            if lane == 0 {
                slots.first = Result { try first() }
            } else {
                slots.second = second()
            }
        }
        guard let one = slots.first, let two = slots.second else { preconditionFailure("both lanes ran") }
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

    /// Each lane writes its own slot once; `concurrentPerform` returns after both.
    private final class Slots<A, B>: @unchecked Sendable {
        var first: Result<A, Error>?
        var second: B?
    }
}
