internal import CGit2
import Foundation

/// A failed libgit2 call (or a wrapper-level failure such as "not a commit"), with the
/// function that failed so a log line says where, not just what.
///
/// The message is read from `git_error_last()` right after the call on the same
/// thread, because libgit2 keeps it in thread-local storage that the next call
/// overwrites.
public struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The libgit2 function (or wrapper operation) that failed, e.g. `git_commit_lookup`.
    public let function: String
    /// libgit2's message, or the wrapper's own sentence.
    public let message: String
    /// libgit2's return code (`GIT_ENOTFOUND` is -3, ...); -1 for wrapper-level errors.
    public let code: Int32

    public init(function: String, message: String, code: Int32 = -1) {
        self.function = function
        self.message = message
        self.code = code
    }

    /// The object, reference, path or config key did not exist.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    public var description: String { "\(function) failed (\(code)): \(message)" }

    /// Captures the thread's last libgit2 error for a call that returned `code`.
    static func last(function: String, code: Int32) -> GitError {
        var message = "unknown libgit2 error"
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(decoding: UnsafeRawBufferPointer(start: text, count: strlen(text)), as: UTF8.self)
        }
        git_error_clear()
        return GitError(function: function, message: message, code: code)
    }
}

/// Runs one libgit2 call and turns a negative return code into a `GitError`.
///
/// Every call that can fail goes through here so no return code is ignored and the
/// error text is captured before anything else can overwrite it. Codes listed in
/// `allowing` are handed back instead of thrown (e.g. `GIT_ENOTFOUND` when absence is
/// an answer, not a failure).
@discardableResult
func check(_ function: String, allowing: [git_error_code] = [], _ call: () -> Int32) throws(GitError) -> Int32 {
    let code = call()
    guard code < 0 else { return code }
    if allowing.contains(where: { $0.rawValue == code }) {
        git_error_clear()
        return code
    }
    throw GitError.last(function: function, code: code)
}

/// One-time process-wide libgit2 set-up.
enum LibGit2 {
    /// Initialised on first use; never shut down, because handles may outlive any
    /// point where shutting down would be safe and the process exits soon anyway.
    static let ready: Void = {
        _ = git_libgit2_init()
        // Memory stays bounded on long histories: libgit2 keeps up to 256 MB of parsed
        // objects and maps packs up to 8 GB by default, all counted in the process's
        // memory; a first run over 100,000 commits peaked at 280 MB with those.
        _ = aiusage_git_set_cache_max_size(32 << 20)
        _ = aiusage_git_set_mwindow_mapped_limit(64 << 20)
        // Every object read was hashed again (SHA-1 with collision detection) to check it
        // against its id: 8 % of linking's time. git itself checks only in `fsck`; aiusage
        // only reads, and a damaged object still fails to inflate or parse.
        _ = aiusage_git_set_strict_hash_verification(0)
    }()

    /// Starts libgit2's set-up on another thread. It parses the system's CA certificates
    /// (Debian's libgit2 uses mbedTLS), about 5 ms that a command can spend opening its
    /// store meanwhile; the first git call waits for it if it is not done yet.
    static func prepareInBackground() {
        preparing.enter()
        Thread.detachNewThread {
            _ = ready
            preparing.leave()
        }
    }

    /// Waits for a set-up started by `prepareInBackground` (at once if none was). The
    /// process must not exit while it runs: exiting under a thread that is still binding
    /// libgit2's symbols crashed in the dynamic loader (a store error exits within
    /// milliseconds of the start).
    static func waitForBackground() { preparing.wait() }

    private static let preparing = DispatchGroup()

    /// Points libgit2's global, XDG and system config search paths at `path`.
    ///
    /// For tests: keeps the developer's own `~/.gitconfig` out of in-process reads and
    /// makes `setConfig(global: true)` write into a throwaway folder. Process-wide.
    static func isolateConfig(in path: String) throws(GitError) {
        _ = ready
        for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM] {
            try check("git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH)") {
                aiusage_git_set_search_path(level.rawValue, path)
            }
        }
    }

    /// First folder libgit2 searches for the given config level (e.g. `$HOME` for global).
    static func searchPath(level: git_config_level_t) throws(GitError) -> String? {
        _ = ready
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check("git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH)") {
            aiusage_git_get_search_path(level.rawValue, &buffer)
        }
        guard let ptr = buffer.ptr, buffer.size > 0 else { return nil }
        let all = String(decoding: UnsafeRawBufferPointer(start: ptr, count: buffer.size), as: UTF8.self)
        return all.split(separator: ":").first.map(String.init)
    }
}
