import DuetCore
import PostgresNIO

// The labeling queue's two hot calls as named prepared statements: postgres-nio prepares each once per
// connection (`PostgresConnection.execute(_:logger:)`), so a call is Bind/Execute of a plan the connection
// already holds. The functions they call are the schema's (PostgresSchema.queueInServer). The parameter
// types are given, not inferred from the first call's values (a NULL has no type).

/// `duet_next_item(…)`: the next item of a task for a person, leased (`PostgresStore.nextItem`).
struct NextItemStatement: PostgresPreparedStatement {
    static let name = "duet_next_item_1"
    static let sql = "SELECT \(PostgresItemRow.itemColumns) FROM duet_next_item($1, $2, $3, $4, $5, $6, $7, $8, $9) AS items"
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .textArray, .text, .text, .float8, .float8, .int4, .int8Array]
    typealias Row = PostgresItemRow.Columns

    var task: String
    var dataset: String?
    var kinds: [String]
    var signature: String
    var annotator: String
    var now: Double
    var lease: Double
    /// The call's `lock_timeout` (nil: the server's).
    var lockMilliseconds: Int32?
    /// A honeypot is due: the person's order of the gold items, `[multiplier, salt, modulus]` (`Honeypots`).
    var goldOrder: [Int64]?

    func makeBindings() throws -> PostgresBindings {
        var b = PostgresBindings(capacity: 9)
        b.append(task)
        b.append(dataset)
        b.append(kinds)
        b.append(signature)
        b.append(annotator)
        b.append(now)
        b.append(lease)
        b.append(lockMilliseconds)
        b.append(goldOrder)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// `duet_record_one(…)`: one decision, checked, logged and applied; its log id (`PostgresStore.record`).
struct RecordOneStatement: PostgresPreparedStatement {
    static let name = "duet_record_one_1"
    static let sql = "SELECT duet_record_one($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    static let bindingDataTypes: [PostgresDataType] = [.int4, .int8, .text, .text, .text, .text, .float8, .text, .float8, .text, .bool,
                                                       .text, .float8, .float8, .text, .int8]
    typealias Row = Int64

    var entry: NewAnnotation
    var lockMilliseconds: Int32?

    func makeBindings() throws -> PostgresBindings {
        let a = entry
        var b = PostgresBindings(capacity: 16)
        b.append(lockMilliseconds)
        b.append(a.itemRowID)
        b.append(a.task)
        b.append(a.annotatorKind.rawValue)
        b.append(a.annotator)
        b.append(a.value?.canonicalJSON)
        b.append(a.confidence)
        b.append(a.votes?.canonicalJSON)
        b.append(a.entropy)
        b.append(a.status.rawValue)
        b.append(a.flagged)
        b.append(a.note)
        b.append(PostgresStore.seconds(a.createdAt))
        b.append(a.seconds)
        b.append(a.display?.rawValue)
        b.append(a.revokes)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}
