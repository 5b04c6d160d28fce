import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory `flock` on a file in the store's folder, so that background runs of
/// several hooks take turns instead of attributing the same commits twice at once.
public final class FileLock: @unchecked Sendable {
    private let fd: Int32

    /// Opens (creating) the lock file; nil when it cannot be created.
    public init?(path: String) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Waits for the lock.
    public func lock() { while flock(fd, LOCK_EX) != 0 && errno == EINTR {} }

    /// Takes the lock if free; false when another process holds it.
    public func tryLock() -> Bool { flock(fd, LOCK_EX | LOCK_NB) == 0 }

    public func unlock() { _ = flock(fd, LOCK_UN) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
