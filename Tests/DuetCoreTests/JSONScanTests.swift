@testable import DuetCore
import Foundation
import Testing

/// The import's encoded columns and the eight-bytes-at-a-time scans behind them.
/// The eight-bytes-at-a-time scans behind the import's encoded columns.
@Suite struct JSONScanTests {
    static func needsEscapingReference(_ s: String) -> Bool {
        s.unicodeScalars.contains { c in
            c.value < 0x20 || c == "\"" || c == "\\" || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
        }
    }

    static let specials = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}",
                           "é", "🙂", " ", "~", "\u{A0}", "\u{2027}"]

    /// Every special character at every offset of a few words, alone and after another.
    @Test func wordScansAgreeWithByteScans() throws {
        for special in Self.specials {
            for offset in 0..<20 {
                for tail in ["", "abc", "é", String(repeating: "x", count: 9)] {
                    let s = String(repeating: "a", count: offset) + special + tail
                    #expect(JSONValue.needsEscaping(s) == Self.needsEscapingReference(s), "\(s.debugDescription)")
                    let quoted = JSONValue.string(s).canonicalJSON
                    #expect(try JSONValue.parse(quoted) == .string(s), "\(quoted)")
                    #expect(try JSONValue.parse(quoted) == JSONValue.parseWithFoundation(Data(quoted.utf8)))
                }
            }
        }
    }

    @Test func randomStringsAgree() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("ab \"\\\n\t\u{1}\u{7F}é\u{85}\u{2028}🙂xyz0123456789")
        for _ in 0..<2_000 {
            let s = String((0..<rng.next(40)).map { _ in alphabet[rng.next(alphabet.count)] })
            #expect(JSONValue.needsEscaping(s) == Self.needsEscapingReference(s), "\(s.debugDescription)")
        }
    }

    /// Raw control characters and bad bytes in a JSON string are errors wherever they sit.
    @Test func parserRejectsControlsAtEveryOffset() {
        for offset in 0..<20 {
            let prefix = Array(String(repeating: "a", count: offset).utf8)
            for bad: [UInt8] in [[0x01], [0x0A], [0xFF], [0xC3]] {
                let doc = [0x22] + prefix + bad + Array("bcdefgh\"".utf8)
                #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(bytes: doc[...]) }
            }
        }
    }
}
