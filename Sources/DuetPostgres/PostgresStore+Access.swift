import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

// What the roles' extensions share: one transaction per write (with the store's lock wait), reads, the
// item filter of a task, item rows, task lookups and the domain errors (worded as SQLite's StoreError).

extension PostgresStore {
    /// Runs `body` as one transaction: committed when it returns, rolled back when it throws. A lock wait
    /// longer than `setWriteWait` fails the call with SQLSTATE 55P03 (`StoreFailure.busy`).
    func write<R: Sendable>(_ doing: @autoclosure () -> String, _ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        let wait = writeWait.milliseconds
        do {
            return try await pool.withTransaction { db in
                if let wait { try await db.execute(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(wait)")) }
                return try await body(db)
            }
        } catch {
            throw Self.storeError(error, doing: doing())
        }
    }

    /// Runs `body` on one connection of the pool (its statements each see what was committed when they began).
    func read<R: Sendable>(_ doing: @autoclosure () -> String, _ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        do {
            return try await pool.withConnection(body)
        } catch {
            throw Self.storeError(error, doing: doing())
        }
    }

    /// `read` for rows streamed to a consumer in the caller's task (a callback that cannot leave it): `produce`
    /// runs as a `read` (protected like every call: it ends as `unreachable` once its connection closes) and hands
    /// its pages one at a time to `consume`, waiting until the consumer has taken a page before it reads the next
    /// (two pages in memory at most). An error of either side ends both; so does cancelling the caller.
    func readStreamed<Page: Sendable>(_ doing: @autoclosure () -> String,
                                      produce: @escaping @Sendable (PostgresConnection, _ emit: @Sendable (Page) async throws -> Void) async throws -> Void,
                                      consume: (Page) throws -> Void) async throws {
        let what = doing()
        let (pages, pageInput) = AsyncThrowingStream.makeStream(of: Page.self)
        let (acks, ackInput) = AsyncStream.makeStream(of: Void.self)
        let handoff = PageHandoff(acks: acks)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                do {
                    try await read(what) { db in
                        try await produce(db) { page in
                            pageInput.yield(page)
                            // The consumer takes it (or went away: then this read stops here).
                            guard await handoff.taken() else { throw CancellationError() }
                        }
                    }
                    handoff.complete()
                    pageInput.finish()
                } catch {
                    pageInput.finish(throwing: error)
                }
            }
            defer { ackInput.finish() }
            for try await page in pages {
                try consume(page)
                ackInput.yield(())
            }
            // A stream that ended without the producer's end was cut short (the caller was cancelled).
            guard handoff.completed else { throw CancellationError() }
        }
    }

    /// Runs `body`, one statement that writes, on one connection of the pool outside an explicit transaction:
    /// the statement is its own transaction (a server function that does the whole call), so the call is one
    /// round trip, committed when it returned. The lock wait is the function's to set (`set_config`).
    func statement<R: Sendable>(_ doing: @autoclosure () -> String, _ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await read(doing(), body)
    }

    /// The task's row id (nil when the store has no such task).
    static func taskID(_ db: PostgresConnection, name: String) async throws -> Int64? {
        try await db.rows("SELECT id FROM tasks WHERE name = \(name)").decode(Int64.self).firstElement()
    }

    static func requireTaskID(_ db: PostgresConnection, name: String) async throws -> Int64 {
        guard let id = try await taskID(db, name: name) else { throw PostgresStoreError.unknownTask(name) }
        return id
    }
}

/// How long a write of the store waits for a lock (`setWriteWait`); nil: the server's `lock_timeout`.
final class PostgresWriteWait: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?

    init() {}

    /// The wait in whole milliseconds (0 would mean "forever" to PostgreSQL: at least 1).
    var milliseconds: Int? { lock.withLock { value } }

    func set(seconds: Double) {
        let ms = max(1, Int((max(0, seconds) * 1000).rounded()))
        lock.withLock { value = ms }
    }
}

extension PostgresConnection {
    /// Runs one statement to its end; rows it returns are read and dropped. (postgres-nio's `query` returns once
    /// the statement's row description arrives, before a statement that returns rows has run: a result left
    /// unread loses the statement's error, e.g. the server ending the session under it.)
    func execute(_ query: PostgresQuery) async throws {
        for try await _ in try await self.query(query, logger: PostgresPool.quiet) {}
    }

    /// The rows of one statement, streamed: returned to the caller, who reads them (`execute` when no row is wanted).
    func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        return try await self.query(query, logger: PostgresPool.quiet)
    }
}

extension AsyncSequence {
    /// The first element (nil when there is none); the rest is not read.
    func firstElement() async throws -> Element? {
        for try await element in self { return element }
        return nil
    }

    /// Every element, in order.
    func all() async throws -> [Element] {
        var out: [Element] = []
        for try await element in self { out.append(element) }
        return out
    }
}

/// Which items a task covers (as DuetStore's `ItemFilter`): its dataset, when it names one, and the item
/// kinds its kind labels. Interpolated into a query as a condition on `items` (`\(covers: filter)`).
struct PostgresItemFilter: Sendable {
    var dataset: String?
    var kinds: [String]

    init(_ task: TaskSpec) {
        dataset = task.dataset
        kinds = task.kind.itemKinds.map(\.rawValue)
    }

    /// The key the queue cursors are valid for: the same text as SQLite's, so a copied store keeps them.
    var signature: String {
        JSONValue.object([
            "dataset": dataset.map { .string($0) } ?? .null,
            "kinds": .array(kinds.map { .string($0) }),
        ]).canonicalJSON
    }
}

extension PostgresItemFilter {
    /// The filter as a condition on the columns of `table` (no leading AND), its values bound into
    /// `statement`; no kinds covers nothing.
    func condition(table: String = "items", binding statement: inout PostgresStatement) -> String {
        if kinds.isEmpty { return "false" }
        let kindList = "\(table).kind = ANY(\(statement.bind(kinds)))"
        guard let dataset else { return kindList }
        return "\(table).dataset = \(statement.bind(dataset)) AND " + kindList
    }
}

extension PostgresQuery.StringInterpolation {
    /// The filter as a condition on the columns of `table` (no leading AND); no kinds covers nothing.
    mutating func appendInterpolation(covers filter: PostgresItemFilter, table: String = "items") {
        if let dataset = filter.dataset {
            appendLiteral("\(table).dataset = ")
            appendInterpolation(dataset)
            appendLiteral(" AND ")
        }
        appendLiteral("\(table).kind = ANY(")
        appendInterpolation(filter.kinds)
        appendLiteral(")")
    }
}

/// Item rows as DuetCore values (the columns `itemColumns` selects, in its order).
enum PostgresItemRow {
    static let itemColumns = StoredRows.itemColumns
    typealias Columns = (Int64, String, String, String, String, String?, String?, Int64?)

    static func storedItem(_ c: Columns) throws -> StoredItem {
        do {
            return try StoredRows.item(reading: TupleColumns(c: c))
        } catch {
            throw PostgresStoreError.corrupt(error.detail)
        }
    }

    /// The typed row as `StoredRows` reads columns.
    struct TupleColumns: StoredColumns {
        let c: Columns
        func text(_ i: Int32) -> String? {
            switch i {
            case 1: c.1
            case 2: c.2
            case 3: c.3
            case 4: c.4
            case 5: c.5
            case 6: c.6
            default: nil
            }
        }
        func int64(_ i: Int32) -> Int64? { i == 0 ? c.0 : i == 7 ? c.7 : nil }
        func double(_ i: Int32) -> Double? { nil }
    }

    /// Stored JSON text parsed (a clear error naming `what` when it is not JSON).
    static func json(_ text: String, _ what: @autoclosure () -> String) throws -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw PostgresStoreError.corrupt("\(what()) is not valid JSON (\(error.message))")
        }
    }
}

extension PostgresStoreError {
    // The domain errors, worded as SQLite's `StoreError` words them.
    static func unknownTask(_ name: String) -> PostgresStoreError {
        PostgresStoreError("unknown task '\(name)' (is it declared in duet.toml?)")
    }

    static func unknownItem(_ id: Int64) -> PostgresStoreError {
        PostgresStoreError("no item with row id \(id) in the store")
    }

    static func corrupt(_ detail: String) -> PostgresStoreError {
        PostgresStoreError("the store is damaged: \(detail)")
    }
}

/// The producer's side of `readStreamed`'s acknowledgements (used by its one producer task, one call at a time)
/// and whether the producer reached its end.
private final class PageHandoff: @unchecked Sendable {
    private var acks: AsyncStream<Void>.Iterator
    private let lock = NSLock()
    private var done = false

    init(acks: AsyncStream<Void>) { self.acks = acks.makeAsyncIterator() }

    /// Waits for the consumer to take the page just sent: false when it went away.
    func taken() async -> Bool { await acks.next() != nil }

    func complete() { lock.withLock { done = true } }
    var completed: Bool { lock.withLock { done } }
}
