import DuetCore

/// A column's value as every backend can hold it: what `duet store copy` moves.
public enum ColumnValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// One table of a project's store as both backends lay it out (same table and column names; SQLite
/// keeps flags as 0/1 integers, PostgreSQL as BOOLEAN: `ColumnType.flag` says which columns).
public struct StoreTable: Sendable, Hashable {
    public enum ColumnType: Sendable, Hashable {
        case integer, real, text
        /// A true/false column: `.integer(0/1)` here, BOOLEAN in PostgreSQL.
        case flag
    }

    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: ColumnType
    }

    public let name: String
    public let columns: [Column]
    /// The primary key's columns: rows are read in this order, a page at a time after the last key.
    public let key: [String]
    /// Whether `id` comes from a sequence the backend must move past the copied ids.
    public let identity: Bool

    init(_ name: String, key: [String], identity: Bool = false, _ columns: [(String, ColumnType)]) {
        self.name = name
        self.key = key
        self.identity = identity
        self.columns = columns.map { Column(name: $0.0, type: $0.1) }
    }

    /// The positions of the key's columns in `columns`.
    public var keyPositions: [Int] { key.map { k in columns.firstIndex { $0.name == k }! } }
}

/// The tables a copy moves, and those it leaves.
public enum StoreTables {
    /// Every table that holds what people and machines did, in an order where each table's references
    /// come before it. The copy writes them in this order.
    public static let copied: [StoreTable] = [
        StoreTable("imports", key: ["id"], identity: true,
                   [("id", .integer), ("path", .text), ("format", .text), ("dataset", .text), ("imported_at", .real)]),
        StoreTable("items", key: ["id"], identity: true,
                   [("id", .integer), ("uid", .text), ("dataset", .text), ("kind", .text), ("fields", .text), ("gold", .text),
                    ("meta", .text), ("import_id", .integer), ("source_line", .integer), ("content_hash", .integer)]),
        StoreTable("dataset_counts", key: ["dataset", "kind"], [("dataset", .text), ("kind", .text), ("items", .integer)]),
        StoreTable("tasks", key: ["id"], identity: true,
                   [("id", .integer), ("name", .text), ("kind", .text), ("dataset", .text), ("labels", .text),
                    ("created_at", .real), ("overlap", .integer), ("spec", .text)]),
        log,
        StoreTable("decisions", key: ["task_id", "annotator", "item_id"],
                   [("task_id", .integer), ("annotator", .text), ("item_id", .integer), ("annotation_id", .integer),
                    ("annotator_kind", .text), ("status", .text), ("flagged", .flag), ("seconds", .real), ("decided_at", .real)]),
        StoreTable("queue_cursor", key: ["task_id"], [("task_id", .integer), ("filter", .text), ("after_item", .integer)]),
        StoreTable("queue_cursor_person", key: ["task_id", "annotator"],
                   [("task_id", .integer), ("annotator", .text), ("filter", .text), ("after_item", .integer)]),
        StoreTable("votes", key: ["id"], identity: true,
                   [("id", .integer), ("task_id", .integer), ("item_id", .integer), ("annotator", .text), ("variant", .text),
                    ("label", .text), ("confidence", .real), ("raw", .text), ("prompt_tokens", .integer),
                    ("completion_tokens", .integer), ("created_at", .real), ("no_vote", .flag)]),
        StoreTable("routes", key: ["task_id", "item_id"],
                   [("task_id", .integer), ("item_id", .integer), ("route", .text), ("score", .real), ("machine_label", .text),
                    ("annotator", .text), ("pending", .flag), ("routed_at", .real), ("audit_probability", .real)]),
        StoreTable("llm_cache", key: ["key"],
                   [("key", .text), ("text", .text), ("prompt_tokens", .integer), ("completion_tokens", .integer),
                    ("logprobs", .text), ("created_at", .real)]),
    ]

    /// The log: every decision ever made, the table whose checksum proves a copy.
    public static let log = StoreTable("annotations", key: ["id"], identity: true,
        [("id", .integer), ("item_id", .integer), ("task_id", .integer), ("annotator_kind", .text), ("annotator", .text),
         ("value", .text), ("confidence", .real), ("votes", .text), ("entropy", .real), ("status", .text), ("flagged", .flag),
         ("note", .text), ("created_at", .real), ("seconds", .real), ("display", .text), ("revokes", .integer)])

    /// Not copied: the progress counts (`item_progress`, `progress`) are kept by the target's own
    /// triggers as the decisions are written, and leases are a session's, not the project's.
    public static let notCopied = ["item_progress", "progress", "leases"]
}

/// Reading and writing a store table by table: what `duet store copy` needs of a backend.
public protocol TableAccess: AnyObject, Sendable {
    /// Up to `limit` rows of `table` in key order, after the row whose key values are `after` (from the
    /// first row when nil); each row holds the table's columns in order.
    func rows(of table: StoreTable, after: [ColumnValue]?, limit: Int) async throws -> [[ColumnValue]]
    /// How many rows `table` holds.
    func rowCount(of table: StoreTable) async throws -> Int
    /// Opens a copy into this store, which must hold no project data yet (no tasks, items or log): a
    /// session that keeps everything added at `commit`, or nothing.
    func beginTableCopy() async throws -> any TableCopySession
}

/// A copy into a store in progress (see `TableAccess.beginTableCopy`).
public protocol TableCopySession: AnyObject, Sendable {
    /// Adds rows to `table` (columns in the table's order), ids kept.
    func add(_ rows: [[ColumnValue]], to table: StoreTable) async throws
    /// Makes the copy durable at once (sequences moved past the copied ids).
    func commit() async throws
    /// Keeps nothing.
    func cancel() async
}
