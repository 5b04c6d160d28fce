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

    /// Each lane writes its own slot once; `concurrentPerform` returns after both.
    private final class Slots<A, B>: @unchecked Sendable {
        var first: Result<A, Error>?
        var second: B?
    }
}
