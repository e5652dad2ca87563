import PostgresNIO
@testable import DuetPostgres

/// One representative row per table of `PostgresSchema`, as the Swift values the store will bind
/// (Int64, Double, String, Bool, NULL), in an order the foreign keys accept.
enum SchemaRows {
    enum Value: Equatable, CustomStringConvertible {
        case int(Int64), double(Double), text(String), bool(Bool), null(Kind)
        enum Kind { case int, double, text }
        var description: String {
            switch self {
            case .int(let v): "\(v)"
            case .double(let v): "\(v)"
            case .text(let v): "'\(v)'"
            case .bool(let v): "\(v)"
            case .null: "NULL"
            }
        }
    }

    struct Row {
        let table: String
        let columns: [(String, Value)]
        var values: [Value] { columns.map(\.1) }
    }

    static let json = #"{"text":"caf\u00e9 ☕ \"quoted\"","n":[1,2.5,null]}"#
    static let rows: [Row] = [
        Row(table: "imports", columns: [("id", .int(7)), ("path", .text("data/a b.jsonl.gz")), ("format", .text("jsonl")),
                                        ("dataset", .text("main")), ("imported_at", .double(1_764_700_000.125))]),
        Row(table: "items", columns: [("id", .int(11)), ("uid", .text("row-11")), ("dataset", .text("main")), ("kind", .text("text")),
                                      ("fields", .text(json)), ("gold", .text(#""pos""#)), ("meta", .null(.text)),
                                      ("import_id", .int(7)), ("source_line", .int(4_000_000_001)),
                                      ("content_hash", .int(-8_070_450_532_247_928_832))]),
        Row(table: "dataset_counts", columns: [("dataset", .text("main")), ("kind", .text("text")), ("items", .int(1))]),
        Row(table: "tasks", columns: [("id", .int(3)), ("name", .text("sentiment")), ("kind", .text("classify")),
                                      ("dataset", .null(.text)), ("labels", .text(#"["neg","pos"]"#)),
                                      ("created_at", .double(1_764_700_001.5)), ("overlap", .int(2))]),
        Row(table: "annotations", columns: [("id", .int(21)), ("item_id", .int(11)), ("task_id", .int(3)),
                                            ("annotator_kind", .text("human")), ("annotator", .text("ann")),
                                            ("value", .text(#""pos""#)), ("confidence", .double(0.75)), ("votes", .null(.text)),
                                            ("entropy", .double(0.5)), ("status", .text("submitted")), ("flagged", .bool(true)),
                                            ("note", .text("sarcasm?")), ("created_at", .double(1_764_700_002.25)),
                                            ("seconds", .double(3.5)), ("display", .text("BA")), ("revokes", .null(.int))]),
        Row(table: "decisions", columns: [("task_id", .int(3)), ("annotator", .text("ann")), ("item_id", .int(11)),
                                          ("annotation_id", .int(21)), ("annotator_kind", .text("human")),
                                          ("status", .text("submitted")), ("flagged", .bool(true)), ("seconds", .double(3.5)),
                                          ("decided_at", .double(1_764_700_002.25))]),
        Row(table: "queue_cursor", columns: [("task_id", .int(3)), ("filter", .text("main")), ("after_item", .int(11))]),
        Row(table: "queue_cursor_person", columns: [("task_id", .int(3)), ("annotator", .text("bob")), ("filter", .text("main")),
                                                    ("after_item", .int(10))]),
        Row(table: "votes", columns: [("id", .int(31)), ("task_id", .int(3)), ("item_id", .int(11)), ("annotator", .text("llm")),
                                      ("variant", .text("base:AB")), ("label", .null(.text)), ("confidence", .double(0.25)),
                                      ("raw", .text("I think… neither")), ("prompt_tokens", .int(120)),
                                      ("completion_tokens", .null(.int)), ("created_at", .double(1_764_700_003)),
                                      ("no_vote", .bool(true))]),
        Row(table: "routes", columns: [("task_id", .int(3)), ("item_id", .int(11)), ("route", .text("audit")),
                                       ("score", .double(0.875)), ("machine_label", .text("pos")), ("annotator", .text("panel")),
                                       ("pending", .bool(true)), ("routed_at", .double(1_764_700_004))]),
        Row(table: "llm_cache", columns: [("key", .text("9f86d081884c7d65")), ("text", .text("pos")), ("prompt_tokens", .int(99)),
                                          ("completion_tokens", .int(1)), ("logprobs", .text("[-0.01]")),
                                          ("created_at", .double(1_764_700_005))]),
        Row(table: "leases", columns: [("task_id", .int(3)), ("item_id", .int(11)), ("annotator", .text("bob")),
                                       ("expires_at", .double(1_764_700_905))]),
        // Kept by the trigger for (task 3, item 11) already: a row of another task, as a copy would write it.
        Row(table: "item_progress", columns: [("task_id", .int(99)), ("item_id", .int(11)), ("submitted", .int(2)),
                                              ("human", .int(1)), ("machine", .int(1)), ("skipped", .int(0)), ("flagged", .int(1)),
                                              ("human_seconds", .double(12.5)), ("timed", .int(1))]),
        Row(table: "progress", columns: [("task_id", .int(99)), ("dataset", .text("main")), ("kind", .text("text")),
                                         ("human", .int(1)), ("machine_only", .int(0)), ("skipped_only", .int(0)),
                                         ("submitted", .int(1)), ("flagged", .int(1)), ("human_seconds", .double(12.5)),
                                         ("complete", .int(0)), ("timed", .int(1))]),
    ]

    static func insertAll(_ pool: PostgresPool) async throws {
        for row in rows {
            var binds = PostgresBindings()
            for (_, value) in row.columns {
                switch value {
                case .int(let v): binds.append(v)
                case .double(let v): binds.append(v)
                case .text(let v): binds.append(v)
                case .bool(let v): binds.append(v)
                case .null: binds.appendNull()
                }
            }
            let names = row.columns.map(\.0).joined(separator: ", ")
            let marks = (1...row.columns.count).map { "$\($0)" }.joined(separator: ", ")
            try await pool.run(PostgresQuery(unsafeSQL: "INSERT INTO \(row.table) (\(names)) VALUES (\(marks))", binds: binds))
        }
    }

    /// The row read back (the only row of its table whose first key matches).
    static func readBack(_ row: Row, _ pool: PostgresPool) async throws -> [Value] {
        let (key, keyValue) = row.columns[0]
        let names = row.columns.map(\.0).joined(separator: ", ")
        var binds = PostgresBindings()
        switch keyValue {
        case .int(let v): binds.append(v)
        case .text(let v): binds.append(v)
        default: binds.appendNull()
        }
        let query = PostgresQuery(unsafeSQL: "SELECT \(names) FROM \(row.table) WHERE \(key) = $1", binds: binds)
        return try await pool.withConnection { db in
            var out: [Value] = []
            let rows = try await db.query(query, logger: PostgresPool.quiet)
            for try await found in rows {
                let cells = found.makeRandomAccess()
                for (index, (_, expected)) in row.columns.enumerated() {
                    let cell = cells[index]
                    switch expected {
                    case .int, .null(.int): out.append(try cell.decode(Int64?.self).map(Value.int) ?? .null(.int))
                    case .double, .null(.double): out.append(try cell.decode(Double?.self).map(Value.double) ?? .null(.double))
                    case .text, .null(.text): out.append(try cell.decode(String?.self).map(Value.text) ?? .null(.text))
                    case .bool: out.append(.bool(try cell.decode(Bool.self)))
                    }
                }
            }
            return out
        }
    }

    /// "table:rows" for every table.
    static func counts(_ pool: PostgresPool) async throws -> [String] {
        var out: [String] = []
        for table in PostgresSchema.tableNames where table != "item_progress" && table != "progress" {
            out.append("\(table):\(try await pool.count(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")))")
        }
        return out
    }
}
