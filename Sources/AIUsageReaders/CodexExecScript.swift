import AIUsageCore

/// Patches inside the JavaScript that Codex's `exec` tool runs (code mode, 0.15x).
///
/// The model writes a script such as
/// `const patch = "*** Begin Patch\n*** Add File: a.py\n+x = 1\n*** End Patch"; await tools.apply_patch(patch);`
/// (see the real rollout `sessionbin-rollout-2026-09-14T10-20-48-…jsonl`): the patch is
/// a JavaScript string literal, its newlines written as `\n` escapes, so the patch
/// parser cannot read it from the script's text. This finds every string literal of
/// the script that holds a patch and undoes the JavaScript escapes.
///
/// Only literals are read: a patch assembled at run time (concatenation of variables,
/// a template with `${…}`) cannot be known from the script, and is left out; in
/// paginated rollouts the FileChange items record what was applied anyway.
enum CodexExecScript {
    /// The unescaped UTF-8 bytes of each string literal (`"…"`, `'…'`, or a template
    /// without `${…}`) of `script` that contains `*** Begin Patch`, in script order;
    /// none when the script never calls `apply_patch`.
    static func patchLiterals(in script: UnsafeBufferPointer<UInt8>) -> [[UInt8]] {
        guard ApplyPatchParser.find("apply_patch", in: script, from: 0) != nil,
            ApplyPatchParser.find("*** Begin Patch", in: script, from: 0) != nil
        else { return [] }
        var result: [[UInt8]] = []
        var index = 0
        let count = script.count
        while index < count {
            let byte = script[index]
            switch byte {
            case 0x2F where index + 1 < count && script[index + 1] == 0x2F:  // line comment
                while index < count, script[index] != 0x0A { index += 1 }
            case 0x2F where index + 1 < count && script[index + 1] == 0x2A:  // block comment
                index += 2
                while index + 1 < count, !(script[index] == 0x2A && script[index + 1] == 0x2F) { index += 1 }
                index += 2
            case 0x22, 0x27, 0x60:  // " ' `
                let (end, literal) = readLiteral(script, from: index)
                if let literal, literal.withUnsafeBufferPointer({ ApplyPatchParser.find("*** Begin Patch", in: $0, from: 0) }) != nil {
                    result.append(literal)
                }
                index = end
            default:
                index += 1
            }
        }
        return result
    }

    /// The literal opening at `start`: the index just past it, and its value (nil when
    /// it is a template with a substitution, has a bad escape, or is not closed).
    private static func readLiteral(_ script: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, [UInt8]?) {
        let quote = script[start]
        let count = script.count
        var value: [UInt8] = []
        var index = start + 1
        var valid = true
        while index < count {
            let byte = script[index]
            if byte == quote { return (index + 1, valid ? value : nil) }
            if quote != 0x60, byte == 0x0A { return (index, nil) }  // "…" and '…' end at a newline
            if quote == 0x60, byte == 0x24, index + 1 < count, script[index + 1] == 0x7B {  // ${
                valid = false
                index = skipSubstitution(script, from: index + 2)
                continue
            }
            if byte != 0x5C {
                value.append(byte)
                index += 1
                continue
            }
            guard index + 1 < count else { return (count, nil) }
            let escaped = script[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "b"): value.append(0x08)
            case UInt8(ascii: "f"): value.append(0x0C)
            case UInt8(ascii: "v"): value.append(0x0B)
            case UInt8(ascii: "0"): value.append(0x00)
            case 0x0A: break  // line continuation
            case 0x0D:
                if index < count, script[index] == 0x0A { index += 1 }
            case UInt8(ascii: "x"):
                guard let scalar = hex(script, index, 2) else {
                    valid = false
                    continue
                }
                JSONWalk.appendUTF8(scalar, to: &value)
                index += 2
            case UInt8(ascii: "u"):
                guard let (scalar, next) = unicodeEscape(script, index) else {
                    valid = false
                    continue
                }
                JSONWalk.appendUTF8(scalar, to: &value)
                index = next
            default:
                value.append(escaped)  // \" \' \\ \` \/ and any other character stand for themselves
            }
        }
        return (count, nil)
    }

    /// `\u` escapes after the `u` at `index`: `XXXX` (a surrogate pair as two escapes)
    /// or `{X…}`. The scalar and the index after it; nil for a malformed or lone
    /// surrogate escape.
    private static func unicodeEscape(_ script: UnsafeBufferPointer<UInt8>, _ index: Int) -> (UInt32, Int)? {
        if index < script.count, script[index] == 0x7B {
            var end = index + 1
            while end < script.count, script[end] != 0x7D, end - index <= 7 { end += 1 }
            guard end < script.count, script[end] == 0x7D, end > index + 1,
                let scalar = hex(script, index + 1, end - index - 1), scalar <= 0x10FFFF,
                !(0xD800...0xDFFF).contains(scalar)
            else { return nil }
            return (scalar, end + 1)
        }
        guard let high = hex(script, index, 4) else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard index + 10 <= script.count, script[index + 4] == 0x5C, script[index + 5] == UInt8(ascii: "u"),
                let low = hex(script, index + 6, 4), (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), index + 10)
        }
        guard !(0xDC00...0xDFFF).contains(high) else { return nil }
        return (high, index + 4)
    }

    private static func hex(_ script: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> UInt32? {
        guard length > 0, start + length <= script.count else { return nil }
        var value: UInt32 = 0
        for index in start..<(start + length) {
            let byte = script[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The index just past the `}` that closes a `${` substitution whose body starts at
    /// `start` (nested braces counted; strings inside are not special-cased).
    private static func skipSubstitution(_ script: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var depth = 1
        var index = start
        while index < script.count {
            if script[index] == 0x7B { depth += 1 }
            if script[index] == 0x7D {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return script.count
    }
}
