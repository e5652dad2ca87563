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
//   it lowers the queue cursors, after the removal and until its commit. A cursor moved forward by a
//   `nextItem` that could not yet see the removal is therefore lowered again, and no `nextItem` moves a
//   cursor between a removal's lowering and its commit. Cursors only move forward otherwise (`GREATEST`).
// - Annotation rows: an undo locks the entry it revokes, so two undos of one decision revoke it once.
//
// Decisions of one transaction are written in item order (the progress counts' trigger, deferred to the commit,
// locks one row per item and one per task, dataset and kind: a common order keeps concurrent writers from
// deadlocking). Recording runs in the server (`duet_append`, `duet_apply`: PostgresSchema.recording): one
// decision is one statement, so a commit holds the shared progress row for the commit alone.

extension PostgresStore: LabelingQueue {
    public func nextItem(for task: TaskSpec, annotator: String) async throws -> StoredItem? {
        try await nextItem(for: task, annotator: annotator, at: Date())
    }

    /// `nextItem` as at `date` (leases live `leaseSeconds` from then).
    public func nextItem(for task: TaskSpec, annotator: String, at date: Date) async throws -> StoredItem? {
        let filter = PostgresItemFilter(task)
        let now = Self.seconds(date)
        return try await write("finding the next item of task \(task.name)") { db in
            // The task, its queue lock taken shared (`duet_queue_lock`, PostgresSchema.recording) in the same statement.
            guard let (taskID, overlap) = try await db.rows("""
                SELECT id, overlap FROM tasks WHERE name = \(task.name) AND duet_queue_lock(id, false)
                """).decode((Int64, Int).self).firstElement()
            else {
                // No task row, so no decisions: the first covered item.
                return try await Self.firstUndecided(db, filter: filter, taskID: nil, after: 0)
            }
            // The asker's leases, and others' expired ones: only those nobody else is deleting right now (no waits,
            // no deadlocks).
            try await db.execute("""
                DELETE FROM leases WHERE (task_id = \(taskID) AND annotator = \(annotator))
                   OR ctid IN (SELECT ctid FROM leases WHERE expires_at <= \(now) FOR UPDATE SKIP LOCKED)
                """)
            var next = try await Self.honeypot(db, task: task, filter: filter, taskID: taskID, annotator: annotator)
            if next == nil {
                next = Honeypots.marked(try await Self.pickNext(db, filter: filter, taskID: taskID, overlap: overlap, annotator: annotator, now: now),
                                        task: task)
            }
            if let next {
                try await db.execute("""
                    INSERT INTO leases (task_id, item_id, annotator, expires_at) VALUES (\(taskID), \(next.rowID), \(annotator), \(now + Self.leaseSeconds))
                    ON CONFLICT (task_id, item_id, annotator) DO UPDATE SET expires_at = excluded.expires_at
                    """)
            }
            return next
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

    /// SQLite's `pickNext`: routed items first, then the queue (one cursor, or one per person with overlap), then
    /// the annotator's own skipped items. Items are claimed (`claim`), never merely read.
    static func pickNext(_ db: PostgresConnection, filter: PostgresItemFilter, taskID: Int64, overlap: Int, annotator: String,
                         now: Double) async throws -> StoredItem? {
        if let routed = try await claim({ try await nextRouted(db, taskID: taskID, annotator: annotator, now: now) }) { return routed }
        if overlap > 1 {
            if let next = try await firstOpen(db, filter: filter, taskID: taskID, annotator: annotator, overlap: overlap, now: now) {
                return next
            }
            return try await ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
        }
        let cursor = try await db.rows("""
            SELECT after_item FROM queue_cursor WHERE task_id = \(taskID) AND filter = \(filter.signature)
            """).decode(Int64.self).firstElement() ?? 0
        if let next = try await firstUndecided(db, filter: filter, taskID: taskID, after: cursor) {
            if next.rowID - 1 != cursor {
                try await moveCursor(db, taskID: taskID, annotator: nil, filter: filter.signature, to: next.rowID - 1)
            }
            // The cursor stops at the first undecided item even when someone has it open; the person asking gets
            // the first one nobody has.
            let free = try await claim {
                try await firstUndecided(db, filter: filter, taskID: taskID, after: next.rowID - 1, openFor: (annotator, now))
            }
            if let free { return free }
        } else {
            // Every covered item has a decision: park the cursor at the end.
            let last = try await lastItem(db)
            if last != cursor {
                try await moveCursor(db, taskID: taskID, annotator: nil, filter: filter.signature, to: last)
            }
        }
        return try await ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
    }

    /// Runs `pick` (a query that locks the item it returns, skipping items others hold) until it returns the
    /// same item twice in a row: the second run's snapshot was taken while the item was locked, so every lease
    /// committed on it before is seen, and nobody else can lease it until this transaction ends.
    static func claim(_ pick: () async throws -> StoredItem?) async throws -> StoredItem? {
        var candidate = try await pick()
        for _ in 0..<64 {
            guard let item = candidate else { return nil }
            let again = try await pick()
            if again?.rowID == item.rowID { return item }
            candidate = again
        }
        throw PostgresStoreError("finding the next item: the queue changed under every attempt", sqlState: "40001")
    }

    /// The highest item row id (0 when there are none).
    static func lastItem(_ db: PostgresConnection) async throws -> Int64 {
        try await db.rows("SELECT COALESCE(MAX(id), 0) FROM items").decode(Int64.self).firstElement() ?? 0
    }

    /// Moves a queue cursor (the task's, or with `annotator` that person's). Concurrent askers may both move it:
    /// it keeps the furthest (both saw only decided items below theirs, and a removal lowers it again under the
    /// exclusive queue lock); a cursor kept for another filter is replaced. The task's cursor is not waited for.
    static func moveCursor(_ db: PostgresConnection, taskID: Int64, annotator: String?, filter: String, to value: Int64) async throws {
        func furthest(_ table: String) -> String {
            """
            after_item = CASE WHEN \(table).filter = excluded.filter THEN GREATEST(\(table).after_item, excluded.after_item)
                              ELSE excluded.after_item END,
            filter = excluded.filter
            """
        }
        if let annotator {
            try await db.execute("""
                INSERT INTO queue_cursor_person (task_id, annotator, filter, after_item) VALUES (\(taskID), \(annotator), \(filter), \(value))
                ON CONFLICT (task_id, annotator) DO UPDATE SET \(unescaped: furthest("queue_cursor_person"))
                """)
        } else {
            // The task's cursor is everyone's: while another asker holds its row (moving it too, until their commit),
            // it is left as it is rather than waited for. A cursor need only be at or below the first undecided item;
            // one left lower costs the next asker a longer scan, never a wrong item. (Waiting here queued 8 labelers'
            // `nextItem`s one behind the other.)
            try await db.execute("""
                WITH held AS (SELECT task_id FROM queue_cursor WHERE task_id = \(taskID) FOR UPDATE SKIP LOCKED),
                     moved AS (UPDATE queue_cursor c
                               SET after_item = CASE WHEN c.filter = \(filter) THEN GREATEST(c.after_item, \(value)) ELSE \(value) END,
                                   filter = \(filter)
                               FROM held WHERE c.task_id = held.task_id)
                INSERT INTO queue_cursor (task_id, filter, after_item)
                SELECT \(taskID), \(filter), \(value) WHERE NOT EXISTS (SELECT 1 FROM queue_cursor WHERE task_id = \(taskID))
                ON CONFLICT (task_id) DO NOTHING
                """)
        }
    }

    /// The first item matching `filter` after `after` with no decision in the task (`taskID` nil: no decisions
    /// at all); with `openFor`, only items nobody but that annotator has open, claimed (see `claim`).
    static func firstUndecided(_ db: PostgresConnection, filter: PostgresItemFilter, taskID: Int64?, after: Int64,
                               openFor: (annotator: String, now: Double)? = nil) async throws -> StoredItem? {
        let query: PostgresQuery
        if let taskID, let openFor {
            query = """
                SELECT \(unescaped: PostgresItemRow.itemColumns) FROM items WHERE items.id > \(after) AND \(covers: filter)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = \(taskID) AND item_id = items.id)
                  AND NOT EXISTS (SELECT 1 FROM leases WHERE task_id = \(taskID) AND item_id = items.id AND annotator <> \(openFor.annotator)
                                                       AND expires_at > \(openFor.now))
                ORDER BY items.id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED
                """
        } else if let taskID {
            query = """
                SELECT \(unescaped: PostgresItemRow.itemColumns) FROM items WHERE items.id > \(after) AND \(covers: filter)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = \(taskID) AND item_id = items.id)
                ORDER BY items.id LIMIT 1
                """
        } else {
            query = """
                SELECT \(unescaped: PostgresItemRow.itemColumns) FROM items WHERE items.id > \(after) AND \(covers: filter)
                ORDER BY items.id LIMIT 1
                """
        }
        return try await db.rows(query).decode(PostgresItemRow.Columns.self).firstElement().map(PostgresItemRow.storedItem)
    }

    /// `annotator`'s skipped items that nobody has submitted since, oldest skip first.
    static func ownSkipped(_ db: PostgresConnection, filter: PostgresItemFilter, taskID: Int64, annotator: String) async throws -> StoredItem? {
        try await db.rows("""
            SELECT \(unescaped: PostgresItemRow.itemColumns)
            FROM decisions d JOIN items ON items.id = d.item_id
            WHERE d.task_id = \(taskID) AND d.annotator = \(annotator) AND d.status = 'skipped' AND \(covers: filter)
              AND NOT EXISTS (SELECT 1 FROM decisions s WHERE s.task_id = d.task_id AND s.item_id = d.item_id AND s.status = 'submitted')
            ORDER BY d.decided_at, d.annotation_id
            LIMIT 1
            """).decode(PostgresItemRow.Columns.self).firstElement().map(PostgresItemRow.storedItem)
    }

    /// Overlap above 1 (SQLite's `firstOpen`): the first item after `annotator`'s cursor that they have not
    /// decided, no machine decided, and fewer than `overlap` people decided or have open, claimed. Moves their
    /// cursor past items closed for them only (not past items others merely have open).
    static func firstOpen(_ db: PostgresConnection, filter: PostgresItemFilter, taskID: Int64, annotator: String, overlap: Int,
                          now: Double) async throws -> StoredItem? {
        let signature = filter.signature + "#\(overlap)"
        let cursor = try await db.rows("""
            SELECT after_item FROM queue_cursor_person WHERE task_id = \(taskID) AND annotator = \(annotator) AND filter = \(signature)
            """).decode(Int64.self).firstElement() ?? 0
        func first(after: Int64, seats: Bool) async throws -> StoredItem? {
            try await db.rows("""
                SELECT \(unescaped: PostgresItemRow.itemColumns) FROM items
                WHERE items.id > \(after) AND \(covers: filter)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = \(taskID) AND annotator = \(annotator) AND item_id = items.id)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = \(taskID) AND item_id = items.id AND annotator_kind = 'machine'
                                                            AND status = 'submitted')
                  AND (SELECT COUNT(*) FROM decisions WHERE task_id = \(taskID) AND item_id = items.id AND annotator_kind = 'human') < \(overlap)
                  AND \(seatsOpenIn: "\(taskID)", item: "items.id", for: seats ? (annotator, now) : nil)
                ORDER BY items.id LIMIT 1 \(unescaped: seats ? "FOR NO KEY UPDATE OF items SKIP LOCKED" : "")
                """).decode(PostgresItemRow.Columns.self).firstElement().map(PostgresItemRow.storedItem)
        }
        let next = try await first(after: cursor, seats: false)
        var after = next.map { $0.rowID - 1 } ?? 0
        if next == nil { after = try await lastItem(db) }
        if after != cursor {
            try await moveCursor(db, taskID: taskID, annotator: annotator, filter: signature, to: after)
        }
        guard let next else { return nil }
        return try await claim { try await first(after: next.rowID - 1, seats: true) }
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

    /// SQLite's `openSeats`: true while the item has room for one more person: people who decided it plus
    /// others holding a live lease on it are fewer than the task's overlap. `task` and `item` are SQL
    /// expressions; without an asker, true.
    mutating func appendInterpolation(seatsOpenIn task: String, item: String, for asker: (annotator: String, now: Double)?) {
        guard let asker else { return appendLiteral("TRUE") }
        appendLiteral("((SELECT COUNT(*) FROM decisions h WHERE h.task_id = \(task) AND h.item_id = \(item) AND h.annotator_kind = 'human')")
        appendLiteral(" + (SELECT COUNT(*) FROM leases l WHERE l.task_id = \(task) AND l.item_id = \(item) AND l.annotator <> ")
        appendInterpolation(asker.annotator)
        appendLiteral(" AND l.expires_at > ")
        appendInterpolation(asker.now)
        appendLiteral(")) < (SELECT overlap FROM tasks WHERE id = \(task))")
    }
}

extension PostgresStoreError {
    static func notRevocable(_ id: Int64) -> PostgresStoreError {
        PostgresStoreError("annotation \(id) cannot be undone (it is not a decision, or was undone already)")
    }
}
