@testable import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// The import's encoded columns.
@Suite struct ImportBatchTests {
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
        let batch = ImportBatch(Self.records)
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
}
