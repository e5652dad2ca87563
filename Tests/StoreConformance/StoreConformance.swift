import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// One behaviour every store backend must have, written against the roles only.
public struct ConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    /// Runs on a fresh, empty backend (schema made, no tasks, no items); failures are recorded as issues
    /// of the running test (`#expect`), or thrown.
    public let run: @Sendable (any DuetStoreBackend) async throws -> Void

    public init(_ name: String, _ run: @escaping @Sendable (any DuetStoreBackend) async throws -> Void) {
        self.name = name
        self.run = run
    }

    public var description: String { name }
}

/// The store's conformance suite: what the product relies on from any backend (issue 16). A backend's
/// test target runs every case on a store of its own:
///
///     @Test(arguments: StoreConformance.names)
///     func conformance(_ name: String) async throws {
///         try await StoreConformance.run(name, on: freshStore())
///     }
public enum StoreConformance {
    public static let cases: [ConformanceCase] =
        importCases + catalogCases + taskCases + queueCases + leaseCases + recordCases + progressCases + voteCases + routeCases
        + cacheCases + honeypotCases

    public static var names: [String] { cases.map(\.name) }

    /// A case by name.
    public static func named(_ name: String) throws -> ConformanceCase {
        guard let found = cases.first(where: { $0.name == name }) else { throw UnknownCase(name: name) }
        return found
    }

    /// Runs the case `name` on `store`.
    public static func run(_ name: String, on store: any DuetStoreBackend) async throws {
        try await named(name).run(store)
    }

    struct UnknownCase: Error, CustomStringConvertible {
        var name: String
        var description: String { "no conformance case named \(name)" }
    }
}

/// An error a case throws on purpose (to see what a failing import keeps).
struct PlannedFailure: Error {}

/// Builders the cases share: tasks, rows, imports and decisions, all through the roles.
enum Setup {
    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let preference = TaskSpec(name: "preference", kind: .compare)

    static func text(_ n: Int, dataset: String = "reviews", text: String? = nil, line: Int? = nil,
                     sources: [SourceAnnotation] = []) -> ImportedRecord {
        ImportedRecord(
            item: Item(uid: "t\(n)", dataset: dataset, kind: .text, fields: .text(text ?? "text number \(n)"), sourceLine: line ?? n),
            sourceAnnotations: sources)
    }

    static func pair(_ n: Int, dataset: String = "prefs") -> ImportedRecord {
        let fields = ItemFields(prompt: [.user("q\(n)")], responses: [[.assistant("a\(n)")], [.assistant("b\(n)")]])
        return ImportedRecord(item: Item(uid: "p\(n)", dataset: dataset, kind: .pair, fields: fields))
    }

    /// Imports `records` from one file, in batches of `batch` rows.
    @discardableResult
    static func load(_ store: any DuetStoreBackend, _ records: [ImportedRecord], file: String = "/data/reviews.jsonl",
                     dataset: String = "reviews", dryRun: Bool = false, onChange: ChangedRows = .error,
                     batch: Int = 1000) async throws -> ImportCounts {
        try await store.importing(dryRun: dryRun, onChange: onChange) { session in
            try await session.beginFile(path: file, format: "jsonl", dataset: dataset)
            for start in stride(from: 0, to: records.count, by: batch) {
                try await session.add(ImportBatch(Array(records[start..<min(start + batch, records.count)])))
            }
        }
    }

    /// The two tasks synced and texts t1…tN in "reviews".
    static func texts(_ store: any DuetStoreBackend, _ count: Int, tasks: [TaskSpec] = [sentiment, preference]) async throws {
        try await store.syncTasks(tasks)
        if count > 0 { try await load(store, (1...count).map { text($0) }) }
    }

    /// Row ids of texts t`n` in `dataset`.
    static func ids(_ store: any DuetStoreBackend, _ numbers: ClosedRange<Int>, dataset: String = "reviews") async throws -> [Int64] {
        var out: [Int64] = []
        for n in numbers { out.append(try await id(store, "t\(n)", dataset: dataset)) }
        return out
    }

    static func id(_ store: any DuetStoreBackend, _ uid: String, dataset: String = "reviews") async throws -> Int64 {
        try #require(try await store.item(dataset: dataset, uid: uid), "item \(dataset)/\(uid)").rowID
    }

    static func date(_ t: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + t) }

    @discardableResult
    static func decide(_ store: any DuetStoreBackend, item: Int64, task: String = "sentiment", by annotator: String,
                       kind: AnnotatorKind = .human, status: AnnotationStatus = .submitted, label: JSONValue? = "pos",
                       at t: Double, seconds: Double? = nil, flagged: Bool = false) async throws -> Int64 {
        try await store.record(annotation(item: item, task: task, by: annotator, kind: kind, status: status, label: label, at: t,
                                          seconds: seconds, flagged: flagged))
    }

    static func annotation(item: Int64, task: String = "sentiment", by annotator: String, kind: AnnotatorKind = .human,
                           status: AnnotationStatus = .submitted, label: JSONValue? = "pos", at t: Double,
                           seconds: Double? = nil, flagged: Bool = false) -> NewAnnotation {
        NewAnnotation(itemRowID: item, task: task, annotatorKind: kind, annotator: annotator,
                      value: status == .submitted ? label : nil, status: status, flagged: flagged, createdAt: date(t), seconds: seconds)
    }

    /// The row id of the next item `annotator` is given in `task` (sentiment when not named).
    static func next(_ store: any DuetStoreBackend, _ task: TaskSpec, _ annotator: String) async throws -> Int64? {
        try await store.nextItem(for: task, annotator: annotator)?.rowID
    }

    static func next(_ store: any DuetStoreBackend, _ annotator: String) async throws -> Int64? {
        try await next(store, sentiment, annotator)
    }

    static func vote(_ label: String?, _ variant: String = "v1", by who: String = "m", confidence: Double? = 0.8) -> MachineVote {
        MachineVote(annotator: who, variant: variant, label: label, confidence: confidence)
    }

    static func route(_ id: Int64, _ route: Route, score: Double, label: String? = "pos", by who: String = "m") -> RouteEntry {
        RouteEntry(itemRowID: id, route: route, score: score, machineLabel: label, annotator: who, votes: [vote(label, by: who)],
                   entropy: score, confidence: 0.8)
    }

    /// Every log entry of these items in the task (source annotations included).
    static func logCount(_ store: any DuetStoreBackend, _ ids: [Int64], task: String?) async throws -> Int {
        try await store.annotations(itemRowIDs: ids, task: task).values.reduce(0) { $0 + $1.count }
    }

    /// The value in force per annotator on `item`, from `currentDecisions`.
    static func current(_ store: any DuetStoreBackend, _ task: TaskSpec = sentiment, item: Int64) async throws -> [String: JSONValue?] {
        var out: [String: JSONValue?] = [:]
        for d in try await store.currentDecisions(task: task) where d.itemRowID == item { out[d.annotator] = d.value }
        return out
    }
}
