import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

// The labeling queue (LabelingQueue) on PostgreSQL, with SQLite's behaviour (SQLiteStore+Labeling.swift)
// where several people on several machines write at once. SQLite has one writer at a time; here each call
// is one transaction among many, so the queue keeps its promises by three locks:
//
// - Item claims: an item is leased only by a query that locks its `items` row (`FOR NO KEY UPDATE … SKIP
//   LOCKED`: it does not conflict with the key-share locks of foreign keys, so recording is never held up),
//   and only after a later statement (a new snapshot, taken while the lock is held) still finds it open
//   (`claim`). Whoever leased it before committed before the lock was ours, so that snapshot sees their
//   lease; nobody can lease it after without the lock. Two people asking at the same instant therefore never
//   get the same item, and with overlap k never more people than still need it.
// - The queue lock of a task (a transaction-scoped advisory lock, the schema's `duet_queue_lock`): `nextItem`
//   holds it shared, so people ask concurrently; a write that removes a decision takes it exclusively before
//   any row (a batch with a revocation, `duet_apply`; a routing that revoked, before the routes' rows) and until
//   its commit, and lowers the queue cursors under it. A cursor moved forward by a
//   `nextItem` that could not yet see the removal is therefore lowered again, and no `nextItem` moves a
//   cursor between a removal's lowering and its commit. Cursors only move forward otherwise (`GREATEST`).
// - Annotation rows: an undo locks the entry it revokes, so two undos of one decision revoke it once.
//
// Decisions of one transaction are written in item order (the progress counts' trigger, deferred to the commit,
// locks one row per item and one per task, dataset and kind: a common order keeps concurrent writers from
// deadlocking). Recording runs in the server (`duet_append`, `duet_apply`: PostgresSchema.recording): one
// decision is one statement, so a commit holds the shared progress row for the commit alone. `nextItem` and a
// single decision are each one server function called as a statement of its own (`duet_next_item`,
// `duet_record_one`: PostgresSchema.queueInServer), sent as named prepared statements (QueueStatements.swift).

extension PostgresStore: LabelingQueue {
    public func nextItem(for task: TaskSpec, annotator: String) async throws -> StoredItem? {
        try await nextItem(for: task, annotator: annotator, at: Date())
    }

    /// `nextItem` as at `date` (leases live `leaseSeconds` from then): the schema's `duet_next_item`
    /// (PostgresSchema.queueInServer), the statements below run by the server, one round trip and its own
    /// transaction. Its locks are the ones described at the top of this file.
    public func nextItem(for task: TaskSpec, annotator: String, at date: Date) async throws -> StoredItem? {
        let filter = PostgresItemFilter(task)
        let gold = try await honeypotDue(task: task, annotator: annotator)
        let call = NextItemStatement(task: task.name, dataset: filter.dataset, kinds: filter.kinds, signature: filter.signature,
                                     annotator: annotator, now: Self.seconds(date), lease: Self.leaseSeconds,
                                     lockMilliseconds: writeWait.milliseconds.map { Int32(clamping: $0) },
                                     goldOrder: gold ? [Honeypots.multiplier, Honeypots.salt(annotator), Honeypots.modulus] : nil)
        return try await statement("finding the next item of task \(task.name)") { db in
            // Every gold item of a task with honeypots is served blind, however the queue reached it.
            Honeypots.marked(try await db.execute(call, logger: PostgresPool.quiet).firstElement().map(PostgresItemRow.storedItem),
                             task: task)
        }
    }

    public func releaseLeases(task: String?, annotator: String) async throws {
        try await write("releasing \(annotator)'s items") { db in
            if let task {
                guard let taskID = try await Self.taskID(db, name: task) else { return }
                try await db.execute("DELETE FROM leases WHERE task_id = \(taskID) AND annotator = \(annotator)")
            } else {
                try await db.execute("DELETE FROM leases WHERE annotator = \(annotator)")
            }
        }
    }

    @discardableResult
    public func record(_ annotation: NewAnnotation) async throws -> Int64 {
        try await record([annotation])[0]
    }

    @discardableResult
    public func record(_ annotations: [NewAnnotation]) async throws -> [Int64] {
        if annotations.isEmpty { return [] }
        if annotations.count == 1 {
            // One decision: `duet_record_one`, one statement that is its own transaction (one round trip).
            let call = RecordOneStatement(entry: annotations[0], lockMilliseconds: writeWait.milliseconds.map { Int32(clamping: $0) })
            return try await statement("recording a decision") { db in
                guard let id = try await db.execute(call, logger: PostgresPool.quiet).firstElement() else {
                    throw PostgresStoreError.corrupt("the log gave no id for a new entry")
                }
                return [id]
            }
        }
        return try await write("recording \(annotations.count == 1 ? "a decision" : "\(annotations.count) decisions")") { db in
            try await Self.record(db, annotations)
        }
    }

    @discardableResult
    public func revoke(_ ids: [Int64], at date: Date) async throws -> [Int64] {
        try await write("undoing \(ids.count) decisions") { db in
            var entries: [NewAnnotation] = []
            var seen = Set<Int64>()
            for id in ids {
                // Locked first: of two undos of one entry, the second sees the first's revocation.
                try await Self.lockEntry(db, id)
                guard seen.insert(id).inserted,
                      let (itemID, task, kindName, annotator, status, revoked) = try await db.rows("""
                          SELECT a.item_id, t.name, a.annotator_kind, a.annotator, a.status,
                                 EXISTS (SELECT 1 FROM annotations r WHERE r.item_id = a.item_id AND r.revokes = a.id AND r.status = 'revoked')
                          FROM annotations a JOIN tasks t ON t.id = a.task_id WHERE a.id = \(id)
                          """).decode((Int64, String, String, String, String, Bool).self).firstElement(),
                      let kind = AnnotatorKind(rawValue: kindName), status != AnnotationStatus.revoked.rawValue, !revoked
                else { throw PostgresStoreError.notRevocable(id) }
                entries.append(NewAnnotation(itemRowID: itemID, task: task, annotatorKind: kind, annotator: annotator, value: nil,
                                             status: .revoked, createdAt: date, revokes: id))
            }
            _ = try await Self.record(db, entries)
            return entries.map(\.itemRowID)
        }
    }

    @discardableResult
    public func undoLast(task: String, annotator: String, at date: Date) async throws -> Int64? {
        try await write("undoing \(annotator)'s last decision") { db in
            let taskID = try await Self.requireTaskID(db, name: task)
            func latest() async throws -> (item: Int64, annotation: Int64, kind: String)? {
                try await db.rows("""
                    SELECT item_id, annotation_id, annotator_kind FROM decisions WHERE task_id = \(taskID) AND annotator = \(annotator)
                    ORDER BY decided_at DESC, annotation_id DESC LIMIT 1
                    """).decode((Int64, Int64, String).self).firstElement()
            }
            // The latest decision, read again once its entry is locked, until it holds still: two undos at once
            // undo the two latest decisions, as one after the other would.
            var found = try await latest()
            while let candidate = found {
                try await Self.lockEntry(db, candidate.annotation)
                let again = try await latest()
                if again?.annotation == candidate.annotation { break }
                found = again
            }
            guard let found else { return nil }
            guard let kind = AnnotatorKind(rawValue: found.kind) else {
                throw PostgresStoreError.corrupt("decision on item \(found.item) has unknown annotator kind '\(found.kind)'")
            }
            _ = try await Self.record(db, [NewAnnotation(itemRowID: found.item, task: task, annotatorKind: kind, annotator: annotator,
                                                         value: nil, status: .revoked, createdAt: date, revokes: found.annotation)])
            return found.item
        }
    }

    public func currentDecisions(task: TaskSpec, kind: AnnotatorKind?) async throws -> [CurrentDecision] {
        let filter = PostgresItemFilter(task)
        return try await read("reading the decisions of task \(task.name)") { db in
            var out: [CurrentDecision] = []
            let rows = try await db.rows("""
                SELECT d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged
                FROM decisions d
                JOIN tasks t ON t.id = d.task_id
                JOIN annotations a ON a.id = d.annotation_id
                JOIN items ON items.id = d.item_id
                WHERE t.name = \(task.name) AND (\(kind?.rawValue)::text IS NULL OR d.annotator_kind = \(kind?.rawValue))
                  AND \(covers: filter)
                ORDER BY d.item_id, d.annotator COLLATE "C"
                """)
            for try await row in rows.decode(DecisionColumns.self) { out.append(try Self.currentDecision(row)) }
            return out
        }
    }

    public func setWriteWait(seconds: Double) async throws {
        writeWait.set(seconds: seconds)
    }

    // MARK: Recording

    /// Appends `entries` to the log one by one in their order (so their ids are in that order, as SQLite's),
    /// each checked first, then makes each one's effect on the decisions in item order (stable: one item's
    /// entries keep their order): the schema's `duet_append` and `duet_apply` (PostgresSchema.recording). Every
    /// effect is local to its item, and an entry's revocation reads the log as it stood when it was appended, so
    /// the result is the one of writing the entries one by one. One entry is one statement.
    static func record(_ db: PostgresConnection, _ entries: [NewAnnotation]) async throws -> [Int64] {
        if entries.count == 1 {
            let ids = try await db.rows("SELECT duet_apply(ARRAY[\(appending: entries[0])])").decode([Int64].self).firstElement()
            guard let ids, ids.count == 1 else { throw PostgresStoreError.corrupt("the log gave no id for a new entry") }
            return ids
        }
        var ids: [Int64] = []
        ids.reserveCapacity(entries.count)
        for a in entries {
            guard let id = try await db.rows("SELECT \(appending: a)").decode(Int64.self).firstElement() else {
                throw PostgresStoreError.corrupt("the log gave no id for a new entry")
            }
            ids.append(id)
        }
        try await db.execute("SELECT duet_apply(\(ids))")
        return ids
    }

    /// The decision upsert of a routing's machine decisions (recording's is in `duet_apply`).
    static let replacingDecision = """
        ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET
            annotation_id = excluded.annotation_id, annotator_kind = excluded.annotator_kind, status = excluded.status,
            flagged = excluded.flagged, seconds = excluded.seconds, decided_at = excluded.decided_at
        """

    /// Inserts one log entry of a routing and returns its id (recording's go through `duet_append`).
    static func appendLog(_ db: PostgresConnection, _ a: NewAnnotation, taskID: Int64?) async throws -> Int64 {
        let id = try await db.rows("""
            INSERT INTO annotations
                (item_id, task_id, annotator_kind, annotator, value, confidence, votes, entropy, status, flagged, note, created_at, seconds,
                 display, revokes)
            VALUES (\(a.itemRowID), \(taskID), \(a.annotatorKind.rawValue), \(a.annotator), \(a.value?.canonicalJSON), \(a.confidence),
                    \(a.votes?.canonicalJSON), \(a.entropy), \(a.status.rawValue), \(a.flagged), \(a.note), \(seconds(a.createdAt)), \(a.seconds),
                    \(a.display?.rawValue), \(a.revokes))
            RETURNING id
            """).decode(Int64.self).firstElement()
        guard let id else { throw PostgresStoreError.corrupt("the log gave no id for a new entry") }
        return id
    }

    /// Locks a log entry (an undo's target) until the transaction ends.
    static func lockEntry(_ db: PostgresConnection, _ id: Int64) async throws {
        try await db.execute("SELECT 1 FROM annotations WHERE id = \(id) FOR NO KEY UPDATE")
    }

    // MARK: The queue

    /// Keeps the cursor invariants after the decision on `itemID` was removed (the item may be open again, for
    /// its annotator and, with overlap, for others). Holds the task's queue lock exclusively to the commit
    /// (the schema's `duet_lower_cursor`, which recording's revocations call too).
    static func lowerCursor(_ db: PostgresConnection, taskID: Int64, below itemID: Int64) async throws {
        try await db.execute("SELECT duet_lower_cursor(\(taskID), \(itemID))")
    }
}

extension PostgresQuery.StringInterpolation {
    /// `duet_append(…)` of one log entry, its values bound (PostgresSchema.recording).
    mutating func appendInterpolation(appending a: NewAnnotation) {
        appendLiteral("duet_append(")
        appendInterpolation(a.itemRowID); appendLiteral(", ")
        appendInterpolation(a.task); appendLiteral(", ")
        appendInterpolation(a.annotatorKind.rawValue); appendLiteral(", ")
        appendInterpolation(a.annotator); appendLiteral(", ")
        appendInterpolation(a.value?.canonicalJSON); appendLiteral(", ")
        appendInterpolation(a.confidence); appendLiteral(", ")
        appendInterpolation(a.votes?.canonicalJSON); appendLiteral(", ")
        appendInterpolation(a.entropy); appendLiteral(", ")
        appendInterpolation(a.status.rawValue); appendLiteral(", ")
        appendInterpolation(a.flagged); appendLiteral(", ")
        appendInterpolation(a.note); appendLiteral(", ")
        appendInterpolation(PostgresStore.seconds(a.createdAt)); appendLiteral(", ")
        appendInterpolation(a.seconds); appendLiteral(", ")
        appendInterpolation(a.display?.rawValue); appendLiteral(", ")
        appendInterpolation(a.revokes); appendLiteral(")")
    }
}

extension PostgresStoreError {
    static func notRevocable(_ id: Int64) -> PostgresStoreError {
        PostgresStoreError("annotation \(id) cannot be undone (it is not a decision, or was undone already)")
    }
}
