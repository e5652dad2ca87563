import DuetCore
import Foundation

/// Reading the current row's columns (0-based), whatever the backend: SQLite's statements and rows,
/// PostgreSQL's rows. `StoredRows` decodes items and log entries through it, so every backend reads
/// stored values with one set of rules.
public protocol StoredColumns {
    func text(_ i: Int32) -> String?
    /// Integers (and booleans, as 0 or 1).
    func int64(_ i: Int32) -> Int64?
    func double(_ i: Int32) -> Double?
    /// The column's text parsed as JSON; nil when NULL.
    func json(_ i: Int32) throws(JSONSyntaxError) -> JSONValue?
}

extension StoredColumns {
    public func json(_ i: Int32) throws(JSONSyntaxError) -> JSONValue? {
        guard let text = text(i) else { return nil }
        return try JSONValue.parse(text)
    }
}

/// Stored data that cannot be read back (a backend words it as its own error).
public struct CorruptStoredData: Error, Sendable, Equatable {
    public let detail: String
    public init(_ detail: String) { self.detail = detail }
}

/// Stored rows as DuetCore values: the columns each decoder reads, in order, and the decoders.
public enum StoredRows {
    /// Columns of `items`, in the order `item(reading:)` reads them.
    public static let itemColumns =
        "items.id, items.uid, items.dataset, items.kind, items.fields, items.gold, items.meta, items.source_line"
    /// How many columns `itemColumns` selects (later columns of a query follow them).
    public static let itemColumnCount = 8

    public static func item<R: StoredColumns>(reading row: R) throws(CorruptStoredData) -> StoredItem {
        let id = try required(row.int64(0), "item id")
        let kindName = try required(row.text(3), "kind of item \(id)")
        guard let kind = ItemKind(rawValue: kindName) else {
            throw CorruptStoredData("item \(id) has unknown kind '\(kindName)'")
        }
        let fields = ItemFields(json: try required(json(row, 4, "fields of item \(id)"), "fields of item \(id)"))
        let gold = try json(row, 5, "gold of item \(id)")
        var metadata: [String: JSONValue] = [:]
        if let meta = try json(row, 6, "metadata of item \(id)") {
            guard let object = meta.object else {
                throw CorruptStoredData("metadata of item \(id) is not a JSON object")
            }
            metadata = object
        }
        let item = Item(uid: try required(row.text(1), "uid of item \(id)"), dataset: try required(row.text(2), "dataset of item \(id)"),
                        kind: kind, fields: fields, gold: gold, metadata: metadata, sourceLine: row.int64(7).map { Int($0) })
        return StoredItem(rowID: id, item: item)
    }

    public static func required<T>(_ value: T?, _ what: @autoclosure () -> String) throws(CorruptStoredData) -> T {
        guard let value else { throw CorruptStoredData("\(what()) is missing") }
        return value
    }

    /// Columns of `annotations a LEFT JOIN tasks t`, in the order `annotation(reading:)` reads them.
    public static let annotationColumns = """
        a.id, a.item_id, t.name, a.annotator_kind, a.annotator, a.value, a.confidence, a.votes, a.entropy, \
        a.status, a.flagged, a.note, a.created_at, a.seconds, a.display, a.revokes
        """

    public static func annotation<R: StoredColumns>(reading row: R) throws(CorruptStoredData) -> Annotation {
        let id = try required(row.int64(0), "annotation id")
        let kindName = try required(row.text(3), "annotator kind of annotation \(id)")
        guard let kind = AnnotatorKind(rawValue: kindName) else {
            throw CorruptStoredData("annotation \(id) has unknown annotator kind '\(kindName)'")
        }
        let statusName = try required(row.text(9), "status of annotation \(id)")
        guard let status = AnnotationStatus(rawValue: statusName) else {
            throw CorruptStoredData("annotation \(id) has unknown status '\(statusName)'")
        }
        var display: DisplayOrder?
        if let name = row.text(14) {
            guard let order = DisplayOrder(rawValue: name) else {
                throw CorruptStoredData("annotation \(id) has unknown display order '\(name)'")
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
    public static func json<R: StoredColumns>(_ row: R, _ i: Int32, _ what: @autoclosure () -> String) throws(CorruptStoredData) -> JSONValue? {
        do {
            return try row.json(i)
        } catch {
            throw CorruptStoredData("\(what()) is not valid JSON (\(error.message))")
        }
    }
}

extension StoredRows {
    /// What a search looks for in the stored fields: the query as canonical JSON writes it inside a string
    /// (a quote as \", a line break as \n), since every backend stores fields as canonical JSON; so text
    /// with quotes, backslashes or line breaks is found as typed. (Ids are looked for as typed.)
    public static func fieldsNeedle(_ query: String) -> String {
        String(JSONValue.string(query).canonicalJSON.dropFirst().dropLast())
    }
}

extension TaskSpec {
    /// The task's labels as every backend's `tasks.labels` column holds them (canonical JSON array).
    public var labelsColumn: String { JSONValue.array(labels.map { .string($0) }).canonicalJSON }

    /// A `tasks` row as every backend reads it: the whole task from `spec`, or, for a task stored before
    /// specs were kept, from the other columns. Nil when neither reads.
    public init?(storedRow row: (name: String, kind: String, dataset: String?, labels: String, overlap: Int, spec: String?)) {
        if let text = row.spec, let json = try? JSONValue.parse(text), let spec = TaskSpec(storedJSON: json) {
            self = spec
            return
        }
        guard let kind = TaskKind(rawValue: row.kind) else { return nil }
        let labels = (try? JSONValue.parse(row.labels))?.array?.compactMap(\.string) ?? []
        self.init(name: row.name, kind: kind, labels: labels, dataset: row.dataset, overlap: row.overlap)
    }
}
