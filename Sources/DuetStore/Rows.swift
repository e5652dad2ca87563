import DuetCore
import DuetStoreAPI
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

/// Conversions between stored rows and DuetCore values: DuetStoreAPI's `StoredRows` (shared with every
/// backend), its failures worded as `StoreError.corrupt`.
enum Rows {
    static let itemColumns = StoredRows.itemColumns
    static let itemColumnCount = StoredRows.itemColumnCount
    static let annotationColumns = StoredRows.annotationColumns

    static func storedItem(_ row: GRDB.Row) throws -> StoredItem { try storedItem(reading: GRDBColumns(row: row)) }

    static func storedItem<R: ColumnReader>(reading row: R) throws -> StoredItem {
        do { return try StoredRows.item(reading: row) } catch { throw StoreError.corrupt(error.detail) }
    }

    static func annotation(_ row: GRDB.Row) throws -> Annotation { try annotation(reading: GRDBColumns(row: row)) }

    static func annotation<R: ColumnReader>(reading row: R) throws -> Annotation {
        do { return try StoredRows.annotation(reading: row) } catch { throw StoreError.corrupt(error.detail) }
    }

    /// Canonical JSON text of the metadata, or nil when there is none.
    static func metaText(_ metadata: [String: JSONValue]) -> String? {
        metadata.isEmpty ? nil : JSONValue.object(metadata).canonicalJSON
    }
}
