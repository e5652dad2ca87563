import DuetCore
/// Imported records with their stored columns already encoded, for the
/// store's bulk insert: every text column of every row is UTF-8 in one
/// buffer, so the writer binds pointers into it (no copy, no per-row
/// strings to free) and a batch is freed as a few buffers. Built on the
/// import's reader thread, off the writer's (the bottleneck).
public struct ImportBatch: Sendable {
    /// A column's bytes in `bytes`; `count` -1 is SQL NULL.
    public struct Span: Sendable, Hashable {
        public var start: Int
        public var count: Int
        public static let null = Span(start: 0, count: -1)
        public var isNull: Bool { count < 0 }
    }

    /// One item's columns (plain values: a batch's rows are freed at once).
    public struct Row: Sendable, Hashable {
        public var uid: Span
        public var dataset: Span
        public var kind: ItemKind
        /// Canonical JSON of the item's fields, gold label and metadata (nil
        /// when the item has none, as in `items.meta`).
        public var fields: Span
        public var gold: Span
        public var meta: Span
        public var sourceLine: Int?
        /// `ImportBatch.contentHash` of the row: a repeated id with another
        /// hash is a changed row, not a duplicate.
        public var contentHash: Int64
        /// Whether `annotations` holds this row's source annotations.
        public var hasSourceAnnotations: Bool
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var rows: [Row] = []
    /// Source annotations of the rows that have any, in row order (most rows have none).
    public private(set) var annotations: [[SourceAnnotation]] = []

    public init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 128)
    }

    public init(_ records: [ImportedRecord]) {
        self.init(capacity: records.count)
        for r in records { append(r) }
    }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    public mutating func append(_ record: ImportedRecord) {
        let item = record.item
        let uid = text(item.uid)
        let dataset = text(item.dataset)
        let fields = json { item.fields.writeJSON(into: &$0) }
        let gold = item.gold.map { g in json { g.write(into: &$0) } } ?? .null
        let meta = item.metadata.isEmpty ? .null : json { JSONValue.object(item.metadata).write(into: &$0) }
        let hasSources = !record.sourceAnnotations.isEmpty
        if hasSources { annotations.append(record.sourceAnnotations) }
        let sources = record.sourceAnnotations.map { StoredSource(value: $0.value.canonicalJSON, confidence: $0.confidence, note: $0.note) }
        let hash = bytes.withUnsafeBufferPointer { b in
            Self.contentHash(kind: item.kind.rawValue, fields: Self.slice(fields, b), gold: Self.slice(gold, b),
                             meta: Self.slice(meta, b), sources: sources)
        }
        rows.append(Row(uid: uid, dataset: dataset, kind: item.kind, fields: fields, gold: gold, meta: meta,
                        sourceLine: item.sourceLine, contentHash: hash, hasSourceAnnotations: hasSources))
    }

    /// A source annotation as the store keeps it (value as canonical JSON).
    public struct StoredSource: Sendable, Hashable {
        public var value: String
        public var confidence: Double?
        public var note: String?
        public init(value: String, confidence: Double?, note: String?) {
            self.value = value
            self.confidence = confidence
            self.note = note
        }
    }

    /// What makes two rows with one id the same row: kind, the stored
    /// columns' bytes (canonical JSON of fields, gold and metadata) and the
    /// source annotations in order. Computed here for new rows and by the
    /// store for rows stored before hashes were kept.
    public static func contentHash(kind: String, fields: UnsafeBufferPointer<UInt8>?, gold: UnsafeBufferPointer<UInt8>?,
                                   meta: UnsafeBufferPointer<UInt8>?, sources: [StoredSource]) -> Int64 {
        var h = ContentHash.Hasher64()
        h.combine(kind)
        h.combine(fields)
        h.combine(gold)
        h.combine(meta)
        h.combine(Int64(sources.count))
        for s in sources {
            h.combine(s.value)
            h.combine(s.confidence.map { Int64(bitPattern: $0.bitPattern) } ?? Int64.min)
            h.combine(s.note)
        }
        return h.finalize()
    }

    /// `contentHash` of a row as stored (columns as text): for items stored before hashes were kept.
    public static func contentHash(kind: String, fields: String?, gold: String?, meta: String?, sources: [StoredSource]) -> Int64 {
        func part(_ text: String?, _ body: (UnsafeBufferPointer<UInt8>?) -> Int64) -> Int64 {
            guard var text else { return body(nil) }
            return text.withUTF8 { body($0) }
        }
        return part(fields) { fields in
            part(gold) { gold in
                part(meta) { meta in contentHash(kind: kind, fields: fields, gold: gold, meta: meta, sources: sources) }
            }
        }
    }

    private static func slice(_ span: Span, _ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        span.isNull ? nil : UnsafeBufferPointer(rebasing: bytes[span.start..<span.start + span.count])
    }

    /// The text of a span (for tests and messages; the store binds the bytes).
    public func string(_ span: Span) -> String? {
        span.isNull ? nil : String(decoding: bytes[span.start..<span.start + span.count], as: UTF8.self)
    }

    private mutating func text(_ s: String) -> Span {
        let start = bytes.count
        bytes.append(contentsOf: s.utf8)
        return Span(start: start, count: bytes.count - start)
    }

    private mutating func json(_ write: (inout [UInt8]) -> Void) -> Span {
        let start = bytes.count
        write(&bytes)
        return Span(start: start, count: bytes.count - start)
    }
}

/// How an import words a row whose id is known with other content (every backend words it alike).
public enum ChangedRowReport {
    /// Where a stored row came from: `path:line`, or "an earlier import" when its file is unknown.
    public static func place(path: String?, line: Int64?) -> String {
        (path ?? "an earlier import") + (line.map { ":\($0)" } ?? "")
    }

    /// The error for `ChangedRows.error`: `earlier` when the kept row was read by this import.
    public static func error(uid: String, file: String, line: Int?, storedPlace: String, earlier: Bool) -> ImportError {
        let what = earlier ? "was read before at \(storedPlace)" : "is already in the store from \(storedPlace)"
        let keep = earlier ? "keep the first and skip this one" : "keep the stored item and skip this row"
        return ImportError(file: file, line: line ?? 0, message: """
            id "\(uid)" \(what) with different content \
            (rows repeated unchanged are fine; --on-change skip would \(keep))
            """)
    }

    /// `ImportCounts.firstChangedSkipped` for a row of `file` skipped under `ChangedRows.skip`.
    public static func skipped(uid: String, file: String, line: Int?, storedPlace: String) -> String {
        let here = line.map { "\(file):\($0)" } ?? file
        return "\(here) (id \"\(uid)\", kept from \(storedPlace))"
    }
}
