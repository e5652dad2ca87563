@testable import DuetCore
import Foundation
import Testing

/// The import's encoded columns and the eight-bytes-at-a-time scans behind them.
@Suite struct EncodedBatchTests {
    static let records: [ImportedRecord] = [
        ImportedRecord(item: Item(uid: "a", dataset: "d", kind: .text, fields: .text("plain"), sourceLine: 1)),
        ImportedRecord(item: Item(uid: "", dataset: "", kind: .text, fields: .text(""))),
        ImportedRecord(
            item: Item(uid: "é🙂", dataset: "データ", kind: .text, fields: .text("q\"b\\n\nr\u{1B}\u{7F}\u{85}\u{2028}é🙂 long enough to span words"),
                       gold: .array(["x", "y"]), metadata: ["z": 1, "a": ["k": nil]], sourceLine: 7),
            sourceAnnotations: [SourceAnnotation(value: "pos")]),
        ImportedRecord(item: Item(uid: "m", dataset: "d", kind: .demonstration,
                                  fields: ItemFields(messages: [.user("hi"), .assistant("there")]), gold: "ok")),
        ImportedRecord(item: Item(uid: "p", dataset: "d", kind: .pair,
                                  fields: ItemFields(prompt: [.user("q")], responses: [[.assistant("a")], [.assistant("b")]]))),
    ]

    @Test func columnsAreTheCanonicalJSON() {
        let batch = EncodedBatch(Self.records)
        #expect(batch.count == Self.records.count)
        for (row, record) in zip(batch.rows, Self.records) {
            let item = record.item
            #expect(batch.string(row.uid) == item.uid)
            #expect(batch.string(row.dataset) == item.dataset)
            #expect(row.kind == item.kind)
            #expect(batch.string(row.fields) == item.fields.json.canonicalJSON)
            #expect(batch.string(row.gold) == item.gold?.canonicalJSON)
            #expect(batch.string(row.meta) == (item.metadata.isEmpty ? nil : JSONValue.object(item.metadata).canonicalJSON))
            #expect(row.sourceLine == item.sourceLine)
            #expect(row.hasSourceAnnotations == !record.sourceAnnotations.isEmpty)
        }
        #expect(batch.annotations == [[SourceAnnotation(value: "pos")]])
    }

    /// What needs escaping, by scalar: quote, backslash, C0, DEL, C1, U+2028/U+2029.
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
