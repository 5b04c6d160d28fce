internal import CZstd
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The decompressed bytes of a zstd file, read as a stream in fixed-size pieces.
///
/// Codex (since 0.137) rewrites every rollout idle for a week as `rollout-*.jsonl.zst`
/// and deletes the `.jsonl`; `JSONLinesFile` reads those through this type, with the
/// same line callback as plain files. This is the only Swift file that imports
/// libzstd (`CZstd`), and it does so internally: no `ZSTD_*` type leaves it.
///
/// Memory is bounded: one input buffer of `ZSTD_DStreamInSize()` bytes (128 KB), the
/// caller's output buffer, and the decoder's window, which is capped at 2^27 bytes
/// (libzstd's own default, stated here so that a hostile frame asking for a larger
/// window is refused instead of allocated). Every return code is checked: a damaged
/// or truncated stream throws an error naming the file and libzstd's reason.
final class ZstdStream {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var function: String
        var reason: String
        var description: String { "cannot decompress \(path): \(function): \(reason)" }
    }

    /// Largest decoder window accepted, as a power of two (128 MiB).
    static let windowLogMax: Int32 = 27

    private let context: OpaquePointer
    private let fd: Int32
    private let path: String
    private let input: UnsafeMutableRawPointer
    private let inputCapacity: Int
    private var inputFilled = 0
    private var inputPosition = 0
    private var inputEnded = false
    /// Whether the last frame that data went into is complete and flushed
    /// (`ZSTD_decompressStream` returned 0 and nothing was read or written since).
    private var frameComplete = true
    /// Compressed bytes read from the file so far.
    private(set) var compressedBytesRead: Int64 = 0

    /// A stream over the already opened `fd` (which the caller keeps and closes).
    init(fd: Int32, path: String) throws {
        guard let context = ZSTD_createDCtx() else {
            throw Failure(path: path, function: "ZSTD_createDCtx", reason: "out of memory")
        }
        self.context = context
        self.fd = fd
        self.path = path
        inputCapacity = max(ZSTD_DStreamInSize(), 4096)
        input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
        try check(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.windowLogMax), "ZSTD_DCtx_setParameter")
    }

    deinit {
        ZSTD_freeDCtx(context)
        input.deallocate()
    }

    /// Decompresses into `buffer` (at most `count` bytes) and returns how many bytes
    /// were written: at least one, or 0 once the stream has ended cleanly. Throws on a
    /// read error, a damaged frame, or input that ends inside a frame.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        while true {
            if inputPosition == inputFilled, !inputEnded { try refill() }
            var inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input), size: inputFilled, pos: inputPosition)
            var outBuffer = ZSTD_outBuffer(dst: buffer, size: count, pos: 0)
            let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            try check(result, "ZSTD_decompressStream")
            let consumed = inBuffer.pos > inputPosition
            inputPosition = inBuffer.pos
            // 0: a frame ended and is flushed. A call that neither reads nor writes (no
            // input left) says how much the *next* frame would need: not a truncation.
            if result == 0 {
                frameComplete = true
            } else if consumed || outBuffer.pos > 0 {
                frameComplete = false
            }
            if outBuffer.pos > 0 { return outBuffer.pos }
            if inputEnded, inputPosition == inputFilled {
                // Nothing more will come out. An empty file is an empty stream; input
                // that stops inside a frame is a cut-off file.
                if !frameComplete {
                    throw Failure(
                        path: path, function: "ZSTD_decompressStream",
                        reason: "the compressed data ends inside a frame (the file is truncated)")
                }
                return 0
            }
        }
    }

    private func refill() throws {
        while true {
            let got = systemRead(fd, input, inputCapacity)
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, function: "read", reason: String(cString: strerror(errno)))
            }
            if got == 0 {
                inputEnded = true
            } else {
                inputFilled = got
                inputPosition = 0
                compressedBytesRead += Int64(got)
            }
            return
        }
    }

    /// Throws when `code` is one of libzstd's error codes, read at once with the reason.
    private func check(_ code: Int, _ function: String) throws {
        guard ZSTD_isError(code) != 0 else { return }
        let reason = ZSTD_getErrorName(code).map { String(cString: $0) } ?? "error \(code)"
        throw Failure(path: path, function: function, reason: reason)
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.read(fd, pointer, count)
    #else
        return Darwin.read(fd, pointer, count)
    #endif
}
