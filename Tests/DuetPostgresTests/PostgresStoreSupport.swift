import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
@testable import DuetPostgres

/// The roles both backends are compared on (SQLite's methods called through them are awaited).
typealias SQLiteRoles = ItemCatalog & TaskCatalog & ImportSink

/// Inputs the PostgreSQL store's tests give both backends, and running them through a store.
enum PGFixture {
    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let preference = TaskSpec(name: "preference", kind: .compare)

    static func text(_ n: Int, _ text: String? = nil, dataset: String = "reviews", line: Int? = nil,
                     sources: [SourceAnnotation] = []) -> ImportedRecord {
        ImportedRecord(item: Item(uid: "t\(n)", dataset: dataset, kind: .text, fields: .text(text ?? "text number \(n)"),
                                  sourceLine: line ?? n),
                       sourceAnnotations: sources)
    }

    static func pair(_ n: Int, dataset: String = "prefs") -> ImportedRecord {
        let fields = ItemFields(prompt: [.user("q\(n)")], responses: [[.assistant("a\(n)")], [.assistant("b\(n)")]])
        return ImportedRecord(item: Item(uid: "p\(n)", dataset: dataset, kind: .pair, fields: fields, sourceLine: n))
    }

    /// One file of an import: its path and its batches.
    struct File {
        var path: String
        var batches: [[ImportedRecord]]
        var dataset = "reviews"
    }

    /// What an import ended with.
    enum Outcome: Equatable {
        case success(ImportCounts)
        case failure(String)
    }

    /// Imports `files` in one session; the counts, or the error it ended with (the session cancelled).
    /// A store on `config` with a pool of `maximumConnections`, `sentiment` synced and `items` texts imported, for
    /// `body`; closed afterwards.
    static func withLoadedStore(_ config: PostgresConfig, items: Int, maximumConnections: Int,
                                _ body: (PostgresStore) async throws -> Void) async throws {
        let store = try await PostgresStore.open(config, intent: .createOrAttach, environment: TestServer.environment,
                                                 maximumConnections: maximumConnections)
        try await PostgresStore.closing([store]) {
            try await store.syncTasks([sentiment])
            guard case .success = await load(store, [File(path: "/data/a.jsonl", batches: [(1...items).map { text($0) }])]) else {
                throw PostgresStoreError("the import failed")
            }
            try await body(store)
        }
    }

    static func load(_ store: any ImportSink, _ files: [File], dryRun: Bool = false,
                     onChange: ChangedRows = .error) async -> Outcome {
        do {
            return .success(try await store.importing(dryRun: dryRun, onChange: onChange) { session in
                for file in files {
                    try await session.beginFile(path: file.path, format: "jsonl", dataset: file.dataset)
                    for batch in file.batches { try await session.add(ImportBatch(batch)) }
                }
            })
        } catch {
            return .failure("\(error)")
        }
    }

    /// Every item, in row order.
    static func items(_ store: any ItemCatalog) async throws -> [StoredItem] {
        try await store.items(for: nil, afterRowID: 0, limit: 1_000_000)
    }

    /// The log of every item without its times (two stores never write at the same instant).
    static func log(_ store: any ItemCatalog, items: [Int64]) async throws -> [Int64: [String]] {
        try await store.annotations(itemRowIDs: items, task: nil).mapValues { entries in
            entries.map { a in
                "\(a.id) \(a.entry.annotator) \(a.entry.annotatorKind) \(a.entry.value?.canonicalJSON ?? "nil") "
                    + "\(a.entry.confidence.map { String($0) } ?? "nil") \(a.entry.note ?? "nil") \(a.entry.status)"
            }
        }
    }
}

extension PostgresStore {
    /// A count read with plain SQL (tests only).
    func count(_ sql: String) async throws -> Int64 { try await pool.count(PostgresQuery(unsafeSQL: sql)) }
}

extension PostgresStore {
    /// Runs `body`, then closes `stores` however it ended.
    static func closing<R>(_ stores: [PostgresStore], _ body: () async throws -> R) async throws -> R {
        let result: Result<R, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        for store in stores { await store.close() }
        return try result.get()
    }
}
