import AIUsageCore
import Foundation

/// What a reader keeps of a `JSONWalker`'s pass: told of every string the walk goes
/// over (keys and values, read or skipped), so that a reader can flag the few words
/// that decide how it reads a line without a second pass.
protocol JSONWalkNotes {
    mutating func saw(_ range: Range<Int>, in p: UnsafePointer<UInt8>)
}

/// Keeps nothing: a walk that only checks the grammar (`StrictLine`, `JSONDocument`).
struct NoWalkNotes: JSONWalkNotes {
    @inline(__always) mutating func saw(_ range: Range<Int>, in p: UnsafePointer<UInt8>) {}
}

private let quote: UInt8 = 0x22
private let colon: UInt8 = 0x3A
private let comma: UInt8 = 0x2C
private let openBrace: UInt8 = 0x7B
private let closeBrace: UInt8 = 0x7D
private let openBracket: UInt8 = 0x5B
private let closeBracket: UInt8 = 0x5D

/// The toolkit's structural walk over one JSON text held in bytes: objects, arrays,
/// strings with their escapes (`JSONStringScan`), bare values, each key handed to the
/// reader at its depth, and nothing built. Readers read what they need as they go
/// (`ClaudeLineScan`, `ClaudeEditScan`), or only check that a whole line or document is
/// JSON (`StrictLine`, `JSONDocument`). A text that breaks the grammar is refused (false
/// or nil); with `strictScalars`, so is a bare value that is not one of JSON's, so that
/// what such a walk accepts is what a JSON parser would.
struct JSONWalker<Notes: JSONWalkNotes> {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    /// What the reader keeps of the walk (see `JSONWalkNotes`).
    var out: Notes
    /// Nesting beyond this is refused (and left to `JSONDecoder`), bounding recursion.
    let maxDepth = 256
    /// When set, `skipValue` also checks that bare values are `true`, `false`, `null` or
    /// a JSON number (`ClaudeEditScan`, which must refuse what `JSONDecoder` refuses).
    var strictScalars = false
    /// Set when the walk gave up at `maxDepth` rather than on a fault of the line.
    var tooDeep = false

    init(p: UnsafePointer<UInt8>, n: Int, out: Notes) {
        self.p = p
        self.n = n
        self.out = out
    }

    @inline(__always) mutating func skipSpace() {
        while i < n {
            let byte = p[i]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            i += 1
        }
    }

    @inline(__always) func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && memcmp(p + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// A string at `i` (which must be a quote): its content range, escapes left as is.
    /// Nil when it is not closed or holds what JSON forbids in a string (an escape it
    /// does not allow, a control byte): the line is malformed (skipped and counted), as
    /// the decoder would judge it.
    mutating func string() -> Range<Int>? {
        guard i < n, p[i] == quote else { return nil }
        let start = i + 1
        guard let end = JSONStringScan.end(p, from: start, count: n) else { return nil }
        i = end + 1
        let range = start..<end
        out.saw(range, in: p)
        return range
    }

    /// Walks an object at `i`, calling `member` with each key; `member` must consume
    /// the value (at `i`, after the colon and white space) and return success.
    mutating func object(depth: Int, _ member: (inout JSONWalker, Range<Int>) -> Bool) -> Bool {
        if depth >= maxDepth { tooDeep = true }
        guard depth < maxDepth, i < n, p[i] == openBrace else { return false }
        i += 1
        skipSpace()
        if i < n, p[i] == closeBrace {
            i += 1
            return true
        }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard i < n, p[i] == colon else { return false }
            i += 1
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            guard i < n else { return false }
            if p[i] == comma {
                i += 1
                continue
            }
            if p[i] == closeBrace {
                i += 1
                return true
            }
            return false
        }
    }

    /// Walks an array at `i`, calling `element` at each element; `element` must consume
    /// it and return success.
    mutating func array(depth: Int, _ element: (inout JSONWalker) -> Bool) -> Bool {
        if depth >= maxDepth { tooDeep = true }
        guard depth < maxDepth, i < n, p[i] == openBracket else { return false }
        i += 1
        skipSpace()
        if i < n, p[i] == closeBracket {
            i += 1
            return true
        }
        while true {
            skipSpace()
            guard element(&self) else { return false }
            skipSpace()
            guard i < n else { return false }
            if p[i] == comma {
                i += 1
                continue
            }
            if p[i] == closeBracket {
                i += 1
                return true
            }
            return false
        }
    }

    mutating func skipValue(depth: Int) -> Bool {
        skipSpace()
        guard i < n else { return false }
        switch p[i] {
        case quote:
            return string() != nil
        case openBrace:
            return object(depth: depth + 1) { walker, _ in walker.skipValue(depth: depth + 1) }
        case openBracket:
            return array(depth: depth) { walker in walker.skipValue(depth: depth + 1) }
        default:
            // Number, true, false or null.
            let start = i
            while i < n {
                let byte = p[i]
                if byte == comma || byte == closeBrace || byte == closeBracket || byte == 0x20 || byte == 0x0A
                    || byte == 0x0D || byte == 0x09
                {
                    break
                }
                i += 1
            }
            guard i > start else { return false }
            return !strictScalars || JSONScalar.isValid(UnsafeBufferPointer(start: p + start, count: i - start))
        }
    }

    /// A non-negative integer value (token counts); anything else counts as zero.
    mutating func integerValue(depth: Int) -> (ok: Bool, value: Int64) {
        var value: Int64 = 0
        var digits = 0
        while i < n, p[i] >= 0x30, p[i] <= 0x39, digits < 18 {
            value = value * 10 + Int64(p[i] - 0x30)
            digits += 1
            i += 1
        }
        // JSON has no leading zeros (`09`): such a number is not read, and the line falls
        // to the strict path, which counts it as malformed.
        if digits > 1, p[i - digits] == 0x30 { return (false, 0) }
        if digits > 0, i < n, p[i] != 0x2E, p[i] != 0x65, p[i] != 0x45, p[i] < 0x30 || p[i] > 0x39 {
            return (true, value)
        }
        // Fractions, exponents, null, negative or huge values: skip, keep what parsed.
        return (skipValue(depth: depth), digits > 0 ? value : 0)
    }
}

extension JSONWalker where Notes == NoWalkNotes {
    init(p: UnsafePointer<UInt8>, n: Int) { self.init(p: p, n: n, out: NoWalkNotes()) }
}

/// JSON's bare values.
enum JSONScalar {
    /// Whether `token` is `true`, `false`, `null` or a number in JSON's grammar.
    static func isValid(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        switch token.first {
        case UInt8(ascii: "t"): return token.elementsEqual("true".utf8)
        case UInt8(ascii: "f"): return token.elementsEqual("false".utf8)
        case UInt8(ascii: "n"): return token.elementsEqual("null".utf8)
        default: break
        }
        var k = 0
        let n = token.count
        @inline(__always) func digits() -> Int {
            let from = k
            while k < n, token[k] >= 0x30, token[k] <= 0x39 { k += 1 }
            return k - from
        }
        if k < n, token[k] == UInt8(ascii: "-") { k += 1 }
        guard k < n else { return false }
        if token[k] == 0x30 {
            k += 1
        } else if digits() == 0 {
            return false
        }
        if k < n, token[k] == UInt8(ascii: ".") {
            k += 1
            guard digits() > 0 else { return false }
        }
        if k < n, token[k] == UInt8(ascii: "e") || token[k] == UInt8(ascii: "E") {
            k += 1
            if k < n, token[k] == UInt8(ascii: "+") || token[k] == UInt8(ascii: "-") { k += 1 }
            guard digits() > 0 else { return false }
        }
        return k == n
    }
}
