import DuetCore
import Foundation
import GRDB

/// Which items a task covers, as an SQL condition on the `items` table.
struct ItemFilter {
    var dataset: String?
    var kinds: [ItemKind]

    init(_ task: TaskSpec) {
        dataset = task.dataset
        kinds = task.kind.itemKinds
    }

    /// A condition on columns of `items` (no leading AND); see `arguments`.
    var sql: String { sql(table: "items") }

    /// The condition on the `dataset` and `kind` columns of `table`.
    func sql(table: String) -> String {
        if kinds.isEmpty { return "0" }
        let kindList = "\(table).kind IN (" + kinds.map { _ in "?" }.joined(separator: ",") + ")"
        return dataset == nil ? kindList : "\(table).dataset = ? AND " + kindList
    }

    var arguments: StatementArguments { StatementArguments(values) }

    /// The values `sql`'s placeholders take, in order.
    var values: [String] {
        if kinds.isEmpty { return [] }
        return (dataset.map { [$0] } ?? []) + kinds.map(\.rawValue)
    }

    /// A stable key for `queue_cursor` (the filter the cursor is valid for).
    var signature: String {
        let kindNames = kinds.map { JSONValue.string($0.rawValue) }
        return JSONValue.object([
            "dataset": dataset.map { .string($0) } ?? .null,
            "kinds": .array(kindNames),
        ]).canonicalJSON
    }
}

/// Conversions between stored rows and DuetCore values.
enum Rows {
    /// Columns of `items`, in the order `storedItem` reads them.
    static let itemColumns =
        "items.id, items.uid, items.dataset, items.kind, items.fields, items.gold, items.meta, items.source_line"
    /// How many columns `itemColumns` selects (later columns of a query follow them).
    static let itemColumnCount = 8

    static func storedItem(_ row: GRDB.Row) throws -> StoredItem { try storedItem(reading: row) }

    static func storedItem<R: ColumnReader>(reading row: R) throws -> StoredItem {
        let id = try required(row.int64(0), "item id")
        let kindName = try required(row.text(3), "kind of item \(id)")
        guard let kind = ItemKind(rawValue: kindName) else {
            throw StoreError.corrupt("item \(id) has unknown kind '\(kindName)'")
        }
        let fields = ItemFields(json: try required(json(row, 4, "fields of item \(id)"), "fields of item \(id)"))
        let gold = try json(row, 5, "gold of item \(id)")
        var metadata: [String: JSONValue] = [:]
        if let meta = try json(row, 6, "metadata of item \(id)") {
            guard let object = meta.object else {
                throw StoreError.corrupt("metadata of item \(id) is not a JSON object")
            }
            metadata = object
        }
        let item = Item(uid: try required(row.text(1), "uid of item \(id)"), dataset: try required(row.text(2), "dataset of item \(id)"),
                        kind: kind, fields: fields, gold: gold, metadata: metadata, sourceLine: row.int64(7).map { Int($0) })
        return StoredItem(rowID: id, item: item)
    }

    static func required<T>(_ value: T?, _ what: @autoclosure () -> String) throws -> T {
        guard let value else { throw StoreError.corrupt("\(what()) is missing") }
        return value
    }

    /// Columns of `annotations a LEFT JOIN tasks t`, in the order `annotation` reads them.
    static let annotationColumns = """
        a.id, a.item_id, t.name, a.annotator_kind, a.annotator, a.value, a.confidence, a.votes, a.entropy, \
        a.status, a.flagged, a.note, a.created_at, a.seconds, a.display, a.revokes
        """

    static func annotation(_ row: GRDB.Row) throws -> Annotation { try annotation(reading: row) }

    static func annotation<R: ColumnReader>(reading row: R) throws -> Annotation {
        let id = try required(row.int64(0), "annotation id")
        let kindName = try required(row.text(3), "annotator kind of annotation \(id)")
        guard let kind = AnnotatorKind(rawValue: kindName) else {
            throw StoreError.corrupt("annotation \(id) has unknown annotator kind '\(kindName)'")
        }
        let statusName = try required(row.text(9), "status of annotation \(id)")
        guard let status = AnnotationStatus(rawValue: statusName) else {
            throw StoreError.corrupt("annotation \(id) has unknown status '\(statusName)'")
        }
        var display: DisplayOrder?
        if let name = row.text(14) {
            guard let order = DisplayOrder(rawValue: name) else {
                throw StoreError.corrupt("annotation \(id) has unknown display order '\(name)'")
            }
            display = order
        }
        let entry = NewAnnotation(
            itemRowID: try required(row.int64(1), "item of annotation \(id)"), task: row.text(2), annotatorKind: kind,
            annotator: try required(row.text(4), "annotator of annotation \(id)"),
            value: try json(row, 5, "value of annotation \(id)"),
            confidence: row.double(6),
            votes: try json(row, 7, "votes of annotation \(id)"),
            entropy: row.double(8), status: status, flagged: (row.int64(10) ?? 0) != 0, note: row.text(11),
            createdAt: Date(timeIntervalSince1970: try required(row.double(12), "time of annotation \(id)")), seconds: row.double(13),
            display: display, revokes: row.int64(15))
        return Annotation(id: id, entry: entry)
    }

    /// Column `i` read as JSON (nil when NULL).
    static func json<R: ColumnReader>(_ row: R, _ i: Int32, _ what: @autoclosure () -> String) throws -> JSONValue? {
        do {
            return try row.json(i)
        } catch {
            throw StoreError.corrupt("\(what()) is not valid JSON (\(error.message))")
        }
    }

    /// Canonical JSON text of the metadata, or nil when there is none.
    static func metaText(_ metadata: [String: JSONValue]) -> String? {
        metadata.isEmpty ? nil : JSONValue.object(metadata).canonicalJSON
    }
}
