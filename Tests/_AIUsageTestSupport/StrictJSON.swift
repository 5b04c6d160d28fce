/// An RFC 8259 grammar check, independent of every reader and of Foundation: the
/// oracle that says which record lines are malformed (a reader must skip and count
/// those). UTF-8 must be valid; control bytes are allowed only as white space outside
/// strings; escapes, numbers and literals follow the grammar exactly.
public enum StrictJSON {
    public enum Verdict: Sendable, Equatable {
        case valid
        case malformed
        /// Nested deeper than the check goes: neither called valid nor malformed.
        case tooDeep
    }

    public static let maxDepth = 256

    public static func check(_ bytes: [UInt8]) -> Verdict {
        bytes.withUnsafeBufferPointer { check($0) }
    }

    public static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Verdict {
        guard String(validating: bytes, as: UTF8.self) != nil else { return .malformed }
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        guard parser.value(depth: 0) else { return parser.deep ? .tooDeep : .malformed }
        parser.skipSpace()
        return parser.index == bytes.count ? .valid : .malformed
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var deep = false

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < StrictJSON.maxDepth else {
                deep = true
                return false
            }
            switch current {
            case 0x7B: return object(depth: depth)
            case 0x5B: return array(depth: depth)
            case 0x22: return string()
            case 0x74: return literal("true")
            case 0x66: return literal("false")
            case 0x6E: return literal("null")
            case .some(let byte) where byte == 0x2D || (0x30...0x39).contains(byte): return number()
            default: return false
            }
        }

        mutating func object(depth: Int) -> Bool {
            index += 1
            skipSpace()
            if current == 0x7D {
                index += 1
                return true
            }
            while true {
                skipSpace()
                guard current == 0x22, string() else { return false }
                skipSpace()
                guard current == 0x3A else { return false }
                index += 1
                skipSpace()
                guard value(depth: depth + 1) else { return false }
                skipSpace()
                switch current {
                case 0x2C: index += 1
                case 0x7D:
                    index += 1
                    return true
                default: return false
                }
            }
        }

        mutating func array(depth: Int) -> Bool {
            index += 1
            skipSpace()
            if current == 0x5D {
                index += 1
                return true
            }
            while true {
                skipSpace()
                guard value(depth: depth + 1) else { return false }
                skipSpace()
                switch current {
                case 0x2C: index += 1
                case 0x5D:
                    index += 1
                    return true
                default: return false
                }
            }
        }

        mutating func string() -> Bool {
            index += 1
            while let byte = current {
                index += 1
                switch byte {
                case 0x22: return true
                case 0x5C:
                    guard let escape = current else { return false }
                    index += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: continue
                    case 0x75:
                        for _ in 0..<4 {
                            guard let hex = current, isHex(hex) else { return false }
                            index += 1
                        }
                    default: return false
                    }
                case 0x00..<0x20: return false  // control bytes must be escaped
                default: continue
                }
            }
            return false
        }

        mutating func number() -> Bool {
            if current == 0x2D { index += 1 }
            guard let first = current, isDigit(first) else { return false }
            index += 1
            if first != 0x30 { while let byte = current, isDigit(byte) { index += 1 } }
            if current == 0x2E {
                index += 1
                guard let byte = current, isDigit(byte) else { return false }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            if current == 0x65 || current == 0x45 {
                index += 1
                if current == 0x2B || current == 0x2D { index += 1 }
                guard let byte = current, isDigit(byte) else { return false }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            return true
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
        func isHex(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
        }
    }
}
