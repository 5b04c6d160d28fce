import Crypto
import Foundation

/// Bearer tokens and team keys: 32 random bytes from the system's secure generator.
///
/// A token is shown once as `aiu_<64 hex>` and stored only as its SHA-256, so a copy of the
/// database does not let anyone call the API. SHA-256 (not a slow password hash) is enough
/// because the token has 256 bits of entropy: there is nothing to brute-force.
public enum Tokens {
    public static let scheme = "aiu_"

    public static func randomHex() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { hex($0) }
    }

    public static func generate() -> String { scheme + randomHex() }

    public static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// What lists show and what `token revoke` matches: the scheme and 8 hex digits.
    public static func prefix(_ token: String) -> String { String(token.prefix(scheme.count + 8)) }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
