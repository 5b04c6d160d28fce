import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps a deeply nested value in a field nobody reads from costing a whole record.
///
/// Foundation's `JSONSerialization` and `JSONDecoder` refuse any document nested more
/// than 512 levels deep: a tool output or pasted JSON 100,000 levels deep inside one
/// message made the whole Gemini or Amp session (a single document) unreadable. The
/// fields readers need sit a few levels down, so when a parse fails, the reader parses
/// again a copy in which every array or object opening deeper than `keptDepth` is
/// replaced by `null`. Only documents that failed pay for the copy.
enum JSONDepthLimit {
    /// Depth (1 = the top-level container) past which containers are dropped: far
    /// below Foundation's 512, far above any field a reader reads.
    static let keptDepth = 128

    /// A copy of `bytes` with every array or object that opens deeper than `keptDepth`
    /// replaced by `null`. Nil when nothing is nested that deep (a second parse could
    /// not help) or when a string or container never ends.
    static func pruned(_ bytes: UnsafeBufferPointer<UInt8>, keptDepth: Int = keptDepth) -> Data? {
        guard bytes.count > 0 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var depth = 0
        var prunedAny = false
        var index = 0
        var copiedFrom = 0  // bytes before this index are in `output` or dropped
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(bytes, openingQuote: index) else { return nil }
                index = end
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth >= keptDepth {
                    guard let end = containerEnd(bytes, opening: index) else { return nil }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedFrom..<index]))
                    output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
                    copiedFrom = end
                    index = end
                    prunedAny = true
                } else {
                    depth += 1
                    index += 1
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                index += 1
            default:
                index += 1
            }
        }
        guard prunedAny else { return nil }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedFrom..<bytes.count]))
        return Data(output)
    }

    static func pruned(_ data: Data, keptDepth: Int = keptDepth) -> Data? {
        data.withUnsafeBytes { raw in pruned(raw.bindMemory(to: UInt8.self), keptDepth: keptDepth) }
    }

    /// Index just past the string whose opening quote is at `openingQuote`: a quote
    /// ends it when an even number of backslashes precedes it. Found with `memchr`.
    static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, openingQuote: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var search = openingQuote + 1
        while search < bytes.count {
            guard let hit = memchr(base + search, 0x22, bytes.count - search) else { return nil }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            var before = quote - 1
            while before > openingQuote, bytes[before] == 0x5C {
                backslashes += 1
                before -= 1
            }
            if backslashes % 2 == 0 { return quote + 1 }
            search = quote + 1
        }
        return nil
    }

    /// Index just past the container opening at `opening`, skipping strings; brackets
    /// of either kind are counted together (a structural skip, not a validation).
    static func containerEnd(_ bytes: UnsafeBufferPointer<UInt8>, opening: Int) -> Int? {
        var nesting = 0
        var index = opening
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(bytes, openingQuote: index) else { return nil }
                index = end
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                nesting += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                nesting -= 1
                if nesting == 0 { return index + 1 }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// Decodes `T`, retrying on the pruned copy when the first decode fails.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, using decoder: JSONDecoder) -> T? {
        // The decoder checks only what it reads (and takes `04751`): the text as a whole
        // must be JSON.
        guard StrictLine.isJSON(data) else { return nil }
        if let value = try? decoder.decode(T.self, from: data) { return value }
        guard let copy = pruned(data) else { return nil }
        return try? decoder.decode(T.self, from: copy)
    }

    /// `JSONSerialization` with the same retry.
    static func jsonObject(_ data: Data) -> Any? {
        if let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) { return value }
        guard let copy = pruned(data) else { return nil }
        return try? JSONSerialization.jsonObject(with: copy, options: [.fragmentsAllowed])
    }
}
