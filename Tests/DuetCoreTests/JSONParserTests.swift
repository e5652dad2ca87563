import Foundation
import Testing
@testable import DuetCore

/// `JSONParser` checked against Foundation's `JSONSerialization`.
@Suite struct JSONParserTests {
    func ours(_ s: String) throws(JSONSyntaxError) -> JSONValue { try JSONValue.parse(s) }
    func foundation(_ s: String) -> JSONValue? { try? JSONValue.parseWithFoundation(Data(s.utf8)) }

    @Test(arguments: [
        #"{"a": [1, -2, 3.5, -0.25e2, 1E3, 0, 123456789012345678], "b": {"c": null, "d": true, "e": false}}"#,
        #"  [ ]  "#, #"{}"#, #""plain""#, #"17"#, #"-0"#, #"1.7976931348623157e308"#, #"5e-324"#,
        #"{"esc": "q\" b\\ s\/ \b\f\n\r\t u\u00e9 \u4f60\u597d pair\ud83d\ude00 nul\u0000 esc\u001b"}"#,
        #"{"k":"你好 😀 café e\u0301"}"#,
        "{\"deep\": [[[[[[[[[[{\"x\": [1]}]]]]]]]]]]}",
        "{\"ws\"\t:\r\n[1 ,2\n,3]}",
    ])
    func agreesWithFoundation(_ doc: String) throws {
        let mine = try ours(doc)
        let reference = try #require(foundation(doc))
        #expect(mine == reference)
    }

    @Test func values() throws {
        #expect(try ours(#"{"a":[true,1,"x",null]}"#) == ["a": [true, 1, "x", nil]])
        #expect(try ours(#""\ud83d\ude00""#) == "😀")
        #expect(try ours("123456789012345678") == .number(Double("123456789012345678")!))
        #expect(try ours("-12") == -12)
        #expect(try ours("0.1") == 0.1)
    }

    @Test(arguments: [
        ("[1,]", "expected"), ("{\"a\":1,}", "expected a quoted key"), ("01", "leading zero"), ("1.", "after '.'"),
        (".5", "unexpected character '.'"), ("+1", "unexpected character '+'"), ("\"abc", "unterminated string"),
        ("\"a\nb\"", "control character"), ("\"\\ud800\"", "lone surrogate"), ("\"\\x\"", "unknown escape"),
        ("{'a': 1}", "quoted key"), ("NaN", "unexpected character 'N'"), ("tru", "unexpected end"), ("[1 2]", "expected ',' or ']'"),
        ("{\"a\" 1}", "expected ':'"), ("{} {}", "unexpected text after"), ("1e", "exponent"), ("", "unexpected end"),
        // Found by FuzzImportTests: these parsed as ±infinity, stored as `inf`, and the item no longer read back.
        ("1e999", "number out of range"), ("[-1e999]", "number out of range"), ("{\"a\": 123456789e400}", "number out of range"),
    ])
    func rejects(_ doc: String, _ message: String) {
        let e = #expect(throws: JSONSyntaxError.self) { try ours(doc) }
        #expect(e?.message.contains(message) == true, "\(doc): \(e?.message ?? "-")")
    }

    @Test func errorsSayWhere() {
        let e = #expect(throws: JSONSyntaxError.self) { try ours(#"{"a": 1, "b" 2}"#) }
        #expect(e?.message == #"invalid JSON at byte 14: expected ':' after the key "b""#)
    }

    @Test func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a\xC3(" – a broken 2-byte sequence
        let e = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(bytes: bytes[...]) }
        #expect(e?.message.contains("invalid UTF-8") == true)
    }

    @Test func depthIsBounded() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try ours(ok) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let e = #expect(throws: JSONSyntaxError.self) { try ours(deep) }
        #expect(e?.message.contains("nested deeper than 512") == true)
    }

    /// Random documents, printed with random whitespace, read back equal by both parsers.
    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<400 {
            let v = randomValue(&rng, depth: 0)
            let text = spaced(v.canonicalJSON, &rng)
            #expect(try ours(text) == v)
            #expect(foundation(text) == v)
        }
    }

    /// Mutated documents: never a crash; whatever we accept, Foundation accepts
    /// with the same value (Foundation is laxer, e.g. trailing commas, not stricter).
    @Test func mutationsNeverDisagree() throws {
        var rng = SplitMix64(seed: 7)
        var tried = 0, accepted = 0
        for _ in 0..<3000 {
            var bytes = Array(randomValue(&rng, depth: 0).canonicalJSON.utf8)
            mutate(&bytes, &rng)
            tried += 1
            guard let mine = try? JSONValue.parse(bytes: bytes[...]) else { continue }
            accepted += 1
            let reference = try? JSONValue.parseWithFoundation(Data(bytes))
            #expect(reference == mine, "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(tried == 3000)
        #expect(accepted > 0 && accepted < tried)
    }

    // MARK: - generators

    func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next(depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(rng.next(2) == 1)
        case 2: return .number(rng.next(2) == 1 ? Double(Int(rng.next(2_000_001)) - 1_000_000) : Double(rng.next(1_000_000)) / 64)
        case 3: return .string(randomString(&rng))
        case 4: return .array((0..<rng.next(4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<rng.next(4) { o[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(o)
        }
    }

    func randomString(_ rng: inout SplitMix64) -> String {
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{1B}", "\u{0}", "é", "e\u{301}", "你", "😀", "\u{2028}", "\u{7F}", "\u{9B}"]
        return (0..<rng.next(6)).map { _ in pieces[rng.next(pieces.count)] }.joined()
    }

    func spaced(_ s: String, _ rng: inout SplitMix64) -> String {
        // Whitespace only outside strings: after structural characters.
        var out = "", inString = false, escaped = false
        for ch in s {
            out.append(ch)
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
            } else if ch == "\"" {
                inString = true
            } else if "{}[],:".contains(ch), rng.next(3) == 0 {
                out += [" ", "\n", "\t", "\r\n"][rng.next(4)]
            }
        }
        return out
    }

    func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        switch rng.next(4) {
        case 0: bytes.removeLast(rng.next(bytes.count) + 1)
        case 1: bytes[rng.next(bytes.count)] ^= UInt8(1 << rng.next(8))
        case 2: bytes.insert([0x2C, 0x5D, 0x7D, 0x22, 0x5C, 0xFF, 0x30][rng.next(7)], at: rng.next(bytes.count + 1))
        default: bytes.remove(at: rng.next(bytes.count))
        }
    }
}

extension SplitMix64 {
    /// A number in 0..<n (0 when n ≤ 0), for reproducible random tests.
    mutating func next(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
