import DuetCore
import DuetStoreAPI
import Foundation
import GRDB

/// The project store in one SQLite file (WAL mode), through GRDB.
///
/// Conforms to every role of the store (`DuetStoreBackend`): its synchronous methods satisfy the
/// roles' async requirements, each in one transaction. The class is
/// `Sendable`: GRDB serialises writes and lets reads run concurrently.
public final class SQLiteStore: Sendable {
    /// A `DatabasePool` for files, a `DatabaseQueue` for in-memory stores.
    let writer: any DatabaseWriter
    /// The file path, or nil for an in-memory store.
    public let path: String?
    /// How long an item given by `nextItem` stays reserved for its person.
    public static let leaseSeconds: Double = 15 * 60

    init(writer: any DatabaseWriter, path: String?) {
        self.writer = writer
        self.path = path
    }

    /// Opens the store at `path`, creating it when missing, and migrates it
    /// to the current schema.
    public static func open(path: String) throws -> SQLiteStore {
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration(label: "duet.store"))
            // DatabasePool sets synchronous = NORMAL on its writer when it
            // turns WAL on (after prepareDatabase). NORMAL may lose the last
            // commits on power loss; a decision must be on disk when record()
            // returns, so the writer syncs the WAL on every commit.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: describe(error))
        }
        try migrate(pool, path: path)
        return SQLiteStore(writer: pool, path: path)
    }

    /// Opens the store at `path` for reading only: nothing is written to it,
    /// it is neither created nor migrated (`isCurrent` says whether it needs
    /// to be). SQLite's WAL mode needs the -shm index beside the store; when
    /// the folder is not writable and the index is not there, the store is
    /// opened as immutable (no other process can be changing it: nobody can
    /// write there), unless a -wal file holds commits not yet in the store.
    public static func open(path: String, readOnly: Bool) throws -> SQLiteStore {
        guard readOnly else { return try open(path: path) }
        return try openReadOnly(path: path, folderWritable: access(URL(fileURLWithPath: path).deletingLastPathComponent().path, W_OK) == 0)
    }

    static func openReadOnly(path: String, folderWritable: Bool) throws -> SQLiteStore {
        var config = configuration(label: "duet.store.readonly")
        config.readonly = true
        let fm = FileManager.default
        let walSize = (try? fm.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue
        let immutable = !folderWritable && (walSize == nil || !fm.fileExists(atPath: path + "-shm"))
        let reader: any DatabaseWriter
        do {
            if immutable {
                if let walSize, walSize > 0 {
                    throw StoreError.cannotOpen(path: path, reason: """
                        its folder is not writable and \(path)-wal holds changes not yet written into the store; \
                        open the project once with write access to the folder
                        """)
                }
                reader = try DatabaseQueue(path: "file:\(uriEscaped(path))?immutable=1", configuration: config)
            } else {
                reader = try DatabasePool(path: path, configuration: config)
            }
            if try reader.read({ db in try Schema.migrator().hasBeenSuperseded(db) }) { throw StoreError.newerSchema(path: path) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: describe(error))
        }
        return SQLiteStore(writer: reader, path: path)
    }

    /// A path in a `file:` URI: `%`, `?`, `#` and the like percent-encoded (SQLite decodes them).
    static func uriEscaped(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }

    /// Whether the store needs nothing written to serve `tasks`: every
    /// migration applied, every task in the store as the config defines it.
    public func isCurrent(tasks: [TaskSpec]) throws -> Bool {
        try writer.read { db in
            guard try Schema.migrator().hasCompletedMigrations(db) else { return false }
            for spec in tasks {
                guard let row = try Row.fetchOne(db, sql: "SELECT kind, dataset, labels, overlap, spec FROM tasks WHERE name = ?",
                                                 arguments: [spec.name]) else { return false }
                let kind: String? = row[0], dataset: String? = row[1], stored: String? = row[2], overlap: Int? = row[3]
                if kind != spec.kind.rawValue || dataset != spec.dataset || stored != spec.labelsColumn || overlap != spec.overlap { return false }
                if (row[4] as String?) != spec.storedJSON.canonicalJSON { return false }
            }
            return true
        }
    }

    /// A fresh store in memory (for tests and dry runs).
    public static func inMemory() throws -> SQLiteStore {
        let queue = try DatabaseQueue(configuration: configuration(label: "duet.store.memory"))
        try migrate(queue, path: ":memory:")
        return SQLiteStore(writer: queue, path: nil)
    }

    static func configuration(label: String) -> Configuration {
        var config = Configuration()
        config.label = label
        config.foreignKeysEnabled = true
        // Wait for other writers (another duet process) instead of failing.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // The writer: 8 MiB (negative = KiB); imports raise it for their transaction. Read-only
            // connections keep SQLite's default (2 MB): exports scan the store on two of them at once.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(defaultCacheKiB)") }
        }
        return config
    }

    static let defaultCacheKiB = 8192

    /// An annotator's new decision on an item takes the place of the old one as an update (not
    /// `INSERT OR REPLACE`, whose delete would skip the triggers that keep progress counts).
    static let replacingDecision = """
        ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET
            annotation_id = excluded.annotation_id, annotator_kind = excluded.annotator_kind, status = excluded.status,
            flagged = excluded.flagged, seconds = excluded.seconds, decided_at = excluded.decided_at
        """

    /// Runs `body` with the connection's page cache at `kib` KiB, restored after.
    /// Imports insert into a random-order unique index: a larger cache keeps
    /// it off the disk. Passes over a large table once (routing's votes and
    /// routes) gain nothing from keeping pages: a small cache keeps the
    /// process small.
    static func withCacheSize<T>(_ db: Database, kib: Int, _ body: () throws -> T) throws -> T {
        let previous = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -\(kib)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(previous)") }
        return try body()
    }

    static func migrate(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = Schema.migrator()
        let superseded: Bool
        do {
            superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: describe(error))
        }
        if superseded { throw StoreError.newerSchema(path: path) }
        do {
            try migrator.migrate(writer)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? db.description }
        return String(describing: error)
    }

    // MARK: Shared helpers

    /// The row id of a task, or nil when it is not in the store.
    static func taskID(_ db: Database, name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM tasks WHERE name = ?", arguments: [name])
    }

    static func requireTaskID(_ db: Database, name: String) throws -> Int64 {
        guard let id = try taskID(db, name: name) else { throw StoreError.unknownTask(name) }
        return id
    }

    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
}

// The roles of the store port: today's synchronous methods satisfy the async requirements (they run
// on GRDB's threads; the import session is `SQLiteImportSession`).
extension SQLiteStore: TaskCatalog, ItemCatalog, LabelingQueue, ProgressCounts, VoteStore, RouteStore {}

// The roles' conveniences, synchronous on the concrete store (tests and tools that hold an `SQLiteStore`).
extension SQLiteStore {
    /// Every item the task covers, read in pages of `page` (row order).
    public func allItems(for task: TaskSpec, page: Int = 5000) throws -> [StoredItem] {
        var items: [StoredItem] = []
        var after: Int64 = 0
        while true {
            let batch = try self.items(for: task, afterRowID: after, limit: page)
            guard let last = batch.last else { return items }
            items += batch
            after = last.rowID
        }
    }

    /// The task's routes per item.
    public func routes(task: TaskSpec) throws -> [Int64: RouteRecord] { try routes(task: task, route: nil) }

    /// Every annotator's votes in the task.
    public func votes(task: TaskSpec) throws -> VoteTable { try votes(task: task, annotator: nil) }

    /// Every annotator's current decision in the task.
    public func currentDecisions(task: TaskSpec) throws -> [CurrentDecision] { try currentDecisions(task: task, kind: nil) }
}
