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
    var sql: String {
        if kinds.isEmpty { return "0" }
        let kindList = "items.kind IN (" + kinds.map { _ in "?" }.joined(separator: ",") + ")"
        return dataset == nil ? kindList : "items.dataset = ? AND " + kindList
    }

    var arguments: StatementArguments {
        var args: [(any DatabaseValueConvertible)?] = []
        if kinds.isEmpty { return StatementArguments() }
        if let dataset { args.append(dataset) }
        args += kinds.map { $0.rawValue }
        return StatementArguments(args)
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

    static func storedItem(_ row: GRDB.Row) throws -> StoredItem {
        let id: Int64 = row[0]
        let kindName: String = row[3]
        guard let kind = ItemKind(rawValue: kindName) else {
            throw StoreError.corrupt("item \(id) has unknown kind '\(kindName)'")
        }
        let fields = ItemFields(json: try parse(row[4], "fields of item \(id)"))
        let gold = try (row[5] as String?).map { try parse($0, "gold of item \(id)") }
        var metadata: [String: JSONValue] = [:]
        if let meta = row[6] as String? {
            guard let object = try parse(meta, "metadata of item \(id)").object else {
                throw StoreError.corrupt("metadata of item \(id) is not a JSON object")
            }
            metadata = object
        }
        let item = Item(uid: row[1], dataset: row[2], kind: kind, fields: fields, gold: gold,
                        metadata: metadata, sourceLine: row[7])
        return StoredItem(rowID: id, item: item)
    }

    /// Columns of `annotations a LEFT JOIN tasks t`, in the order `annotation` reads them.
    static let annotationColumns = """
        a.id, a.item_id, t.name, a.annotator_kind, a.annotator, a.value, a.confidence, a.votes, a.entropy, \
        a.status, a.flagged, a.note, a.created_at, a.seconds, a.display, a.revokes
        """

    static func annotation(_ row: GRDB.Row) throws -> Annotation {
        let id: Int64 = row[0]
        let kindName: String = row[3]
        guard let kind = AnnotatorKind(rawValue: kindName) else {
            throw StoreError.corrupt("annotation \(id) has unknown annotator kind '\(kindName)'")
        }
        let statusName: String = row[9]
        guard let status = AnnotationStatus(rawValue: statusName) else {
            throw StoreError.corrupt("annotation \(id) has unknown status '\(statusName)'")
        }
        var display: DisplayOrder?
        if let name = row[14] as String? {
            guard let order = DisplayOrder(rawValue: name) else {
                throw StoreError.corrupt("annotation \(id) has unknown display order '\(name)'")
            }
            display = order
        }
        let entry = NewAnnotation(
            itemRowID: row[1], task: row[2], annotatorKind: kind, annotator: row[4],
            value: try (row[5] as String?).map { try parse($0, "value of annotation \(id)") },
            confidence: row[6],
            votes: try (row[7] as String?).map { try parse($0, "votes of annotation \(id)") },
            entropy: row[8], status: status, flagged: row[10], note: row[11],
            createdAt: Date(timeIntervalSince1970: row[12]), seconds: row[13], display: display,
            revokes: row[15])
        return Annotation(id: id, entry: entry)
    }

    static func parse(_ text: String, _ what: @autoclosure () -> String) throws -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw StoreError.corrupt("\(what()) is not valid JSON (\(error.message))")
        }
    }

    /// Canonical JSON text of the metadata, or nil when there is none.
    static func metaText(_ metadata: [String: JSONValue]) -> String? {
        metadata.isEmpty ? nil : JSONValue.object(metadata).canonicalJSON
    }
}
