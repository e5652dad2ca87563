import DuetCore
import Foundation
import GRDB

extension SQLiteStore {
    /// Appends `annotation` to the log. A submitted or skipped entry with a
    /// task becomes the annotator's current decision for the item; a revoked
    /// entry clears the decision it revokes (if it is still current).
    @discardableResult
    public func record(_ annotation: NewAnnotation) throws -> Int64 {
        try writer.write { db in try Self.record(db, annotation) }
    }

    /// Records `annotations` in one transaction: all of them, or none when one fails. Returns their
    /// log ids, in order (what `revoke` takes to undo them).
    @discardableResult
    public func record(_ annotations: [NewAnnotation]) throws -> [Int64] {
        try writer.write { db in
            try annotations.map { try Self.record(db, $0) }
        }
    }

    /// Undoes the log entries `ids` (a bulk action's decisions) in one transaction: all, or none
    /// when one fails (an id that is not a decision, or was revoked already). Each gets a `revoked`
    /// entry; where it was the current decision, the item's decision becomes what it was before:
    /// the annotator's latest entry still in force (as `Decisions.current` reads the log), or none.
    /// Returns the items' row ids.
    @discardableResult
    public func revoke(_ ids: [Int64], at date: Date) throws -> [Int64] {
        try writer.write { db in
            try ids.map { id in
                guard let row = try GRDB.Row.fetchOne(db, sql: """
                    SELECT a.item_id, a.task_id, t.name, a.annotator, a.annotator_kind, a.status,
                           EXISTS (SELECT 1 FROM annotations r WHERE r.item_id = a.item_id AND r.revokes = a.id AND r.status = 'revoked')
                    FROM annotations a JOIN tasks t ON t.id = a.task_id WHERE a.id = ?
                    """, arguments: [id]),
                    let kind = AnnotatorKind(rawValue: row[4]), (row[5] as String) != AnnotationStatus.revoked.rawValue, !(row[6] as Bool)
                else { throw StoreError.notRevocable(id) }
                let itemID: Int64 = row[0], taskID: Int64 = row[1], annotator: String = row[3]
                _ = try Self.appendLog(db, NewAnnotation(itemRowID: itemID, task: row[2], annotatorKind: kind, annotator: annotator, value: nil,
                                                         status: .revoked, createdAt: date, revokes: id), taskID: taskID)
                try Self.settleDecision(db, taskID: taskID, annotator: annotator, itemID: itemID, revoking: id)
                if kind == .human { try Self.updatePending(db, taskID: taskID, itemID: itemID) }
                return itemID
            }
        }
    }

    /// After `revoking` got its `revoked` entry: when it was the annotator's current decision on the
    /// item, the decision becomes what the log says is in force (as `Decisions.current` reads it): the
    /// annotator's latest submitted or skipped entry on the item not revoked, or none. The one rule
    /// every revocation follows (an undo, a bulk undo, a revoked entry recorded directly), so the
    /// decisions table and an export of the log never disagree.
    static func settleDecision(_ db: Database, taskID: Int64, annotator: String, itemID: Int64, revoking: Int64) throws {
        let current = try Int64.fetchOne(db, sql: "SELECT annotation_id FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = ?",
                                         arguments: [taskID, annotator, itemID])
        guard current == revoking else { return }
        if let previous = try GRDB.Row.fetchOne(db, sql: """
            SELECT a.id, a.annotator_kind, a.status, a.flagged, a.seconds, a.created_at FROM annotations a
            WHERE a.item_id = ? AND a.task_id = ? AND a.annotator = ? AND a.status IN ('submitted', 'skipped')
              AND NOT EXISTS (SELECT 1 FROM annotations r WHERE r.item_id = a.item_id AND r.revokes = a.id AND r.status = 'revoked')
            ORDER BY a.created_at DESC, a.id DESC LIMIT 1
            """, arguments: [itemID, taskID, annotator]) {
            try db.cachedStatement(sql: """
                INSERT INTO decisions
                    (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                \(Self.replacingDecision)
                """).execute(arguments: [taskID, annotator, itemID, previous[0], previous[1], previous[2], previous[3], previous[4], previous[5]])
        } else {
            try db.cachedStatement(sql: "DELETE FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = ?")
                .execute(arguments: [taskID, annotator, itemID])
            try Self.lowerCursor(db, taskID: taskID, below: itemID)
        }
    }

    /// How long a write waits for another process's write lock before it fails
    /// (`StoreFailure.busy`); the screens wait briefly and retry instead of freezing.
    public func setWriteWait(seconds: Double) throws {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = \(Int((max(0, seconds) * 1000).rounded()))")
        }
    }

    static func record(_ db: Database, _ annotation: NewAnnotation) throws -> Int64 {
        let a = annotation
        var taskID: Int64?
        if let task = a.task {
            taskID = try Self.requireTaskID(db, name: task)
        } else if a.annotatorKind != .source {
            throw StoreError.taskRequired(annotator: a.annotator, kind: a.annotatorKind)
        }
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM items WHERE id = ?)",
                                arguments: [a.itemRowID]) == true else {
            throw StoreError.unknownItem(a.itemRowID)
        }
        if a.status == .revoked, a.revokes == nil {
            throw StoreError.revokeWithoutTarget(annotator: a.annotator)
        }
        if a.annotatorKind == .source {
            let taken = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM annotations
                               WHERE item_id = ? AND annotator = ? AND annotator_kind = 'source')
                """, arguments: [a.itemRowID, a.annotator])
            if taken == true {
                throw StoreError.duplicateSourceAnnotation(item: a.itemRowID, annotator: a.annotator)
            }
        }

        let id = try Self.appendLog(db, a, taskID: taskID)
        guard let taskID else { return id }
        switch a.status {
        case .submitted, .skipped:
            // Cached: preparing it compiles the progress triggers too (0.6 ms a decision).
            try db.cachedStatement(sql: """
                INSERT INTO decisions
                    (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged,
                     seconds, decided_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                \(Self.replacingDecision)
                """).execute(arguments: [taskID, a.annotator, a.itemRowID, id, a.annotatorKind.rawValue,
                                         a.status.rawValue, a.flagged, a.seconds, Self.seconds(a.createdAt)])
        case .revoked:
            if let target = a.revokes {
                try Self.settleDecision(db, taskID: taskID, annotator: a.annotator, itemID: a.itemRowID, revoking: target)
            }
        }
        if a.annotatorKind == .human { try Self.updatePending(db, taskID: taskID, itemID: a.itemRowID) }
        return id
    }

    /// Revokes `annotator`'s most recent current decision in `task`.
    @discardableResult
    public func undoLast(task: String, annotator: String, at date: Date) throws -> Int64? {
        try writer.write { db in
            let taskID = try Self.requireTaskID(db, name: task)
            guard let row = try GRDB.Row.fetchOne(db, sql: """
                SELECT item_id, annotation_id, annotator_kind FROM decisions
                WHERE task_id = ? AND annotator = ?
                ORDER BY decided_at DESC, annotation_id DESC LIMIT 1
                """, arguments: [taskID, annotator])
            else { return nil }
            let itemID: Int64 = row[0]
            let annotationID: Int64 = row[1]
            let kindName: String = row[2]
            guard let kind = AnnotatorKind(rawValue: kindName) else {
                throw StoreError.corrupt("decision on item \(itemID) has unknown annotator kind '\(kindName)'")
            }
            let entry = NewAnnotation(itemRowID: itemID, task: task, annotatorKind: kind, annotator: annotator,
                                      value: nil, status: .revoked, createdAt: date, revokes: annotationID)
            _ = try Self.appendLog(db, entry, taskID: taskID)
            try Self.settleDecision(db, taskID: taskID, annotator: annotator, itemID: itemID, revoking: annotationID)
            if kind == .human { try Self.updatePending(db, taskID: taskID, itemID: itemID) }
            return itemID
        }
    }

    /// The first covered item nobody has decided (submitted or skipped) in
    /// `task` and nobody else has open; when none is left, `annotator`'s own
    /// skipped items that nobody has submitted since, oldest skip first. The
    /// item is leased to `annotator` (see `Schema.v5`) until they ask for the
    /// next one, quit, or `leaseSeconds` pass; their earlier lease in the
    /// task ends.
    ///
    /// The undecided scan starts after `queue_cursor` (see `Schema.v2`), so
    /// its cost is the number of items decided since the last call, not the
    /// number decided in total; it moves the cursor forward as it goes.
    /// Tasks with overlap above 1 use a cursor per person (`firstOpen`).
    public func nextItem(for task: TaskSpec, annotator: String) throws -> StoredItem? {
        try nextItem(for: task, annotator: annotator, at: Date())
    }

    public func nextItem(for task: TaskSpec, annotator: String, at date: Date) throws -> StoredItem? {
        let filter = ItemFilter(task)
        let now = Self.seconds(date)
        return try writer.write { db in
            guard let taskID = try Self.taskID(db, name: task.name) else {
                // No task row, so no decisions: the first covered item.
                return try Self.firstUndecided(db, filter: filter, taskID: nil, after: 0)
            }
            try db.execute(sql: "DELETE FROM leases WHERE expires_at <= ? OR (task_id = ? AND annotator = ?)",
                           arguments: [now, taskID, annotator])
            let next = try Self.honeypot(db, task: task, filter: filter, taskID: taskID, annotator: annotator, now: now)
                ?? Honeypots.marked(try Self.pickNext(db, filter: filter, taskID: taskID, annotator: annotator, now: now), task: task)
            if let next {
                try db.execute(sql: "INSERT OR REPLACE INTO leases (task_id, item_id, annotator, expires_at) VALUES (?, ?, ?, ?)",
                               arguments: [taskID, next.rowID, annotator, now + Self.leaseSeconds])
            }
            return next
        }
    }

    /// Ends `annotator`'s leases (in `task`, or in every task): their open items go back to the others.
    public func releaseLeases(task: String?, annotator: String) throws {
        try writer.write { db in
            if let task {
                guard let taskID = try Self.taskID(db, name: task) else { return }
                try db.execute(sql: "DELETE FROM leases WHERE task_id = ? AND annotator = ?", arguments: [taskID, annotator])
            } else {
                try db.execute(sql: "DELETE FROM leases WHERE annotator = ?", arguments: [annotator])
            }
        }
    }

    static func pickNext(_ db: Database, filter: ItemFilter, taskID: Int64, annotator: String, now: Double) throws -> StoredItem? {
        // A routed task: people get the items routed to them first, most uncertain first.
        if let routed = try nextRouted(db, taskID: taskID, annotator: annotator, now: now) { return routed }
        let overlap = try Int.fetchOne(db, sql: "SELECT overlap FROM tasks WHERE id = ?", arguments: [taskID]) ?? 1
        if overlap > 1 {
            if let next = try firstOpen(db, filter: filter, taskID: taskID, annotator: annotator, overlap: overlap, now: now) {
                return next
            }
            return try ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
        }
        let cursor = try Int64.fetchOne(db, sql: """
            SELECT after_item FROM queue_cursor WHERE task_id = ? AND filter = ?
            """, arguments: [taskID, filter.signature]) ?? 0

        if let next = try firstUndecided(db, filter: filter, taskID: taskID, after: cursor) {
            if next.rowID - 1 != cursor {
                try setCursor(db, taskID: taskID, filter: filter, to: next.rowID - 1)
            }
            // The cursor stops at the first undecided item even when someone
            // has it open; the person asking gets the first one nobody has.
            if try hasOpenSeat(db, taskID: taskID, itemID: next.rowID, annotator: annotator, now: now) { return next }
            if let free = try firstUndecided(db, filter: filter, taskID: taskID, after: next.rowID, openFor: (annotator, now)) {
                return free
            }
        } else {
            // Every covered item has a decision: park the cursor at the end.
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM items") ?? 0
            if last != cursor {
                try setCursor(db, taskID: taskID, filter: filter, to: last)
            }
        }
        return try ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
    }

    /// Whether one more person may have the item: see `openSeats`.
    static func hasOpenSeat(_ db: Database, taskID: Int64, itemID: Int64, annotator: String, now: Double) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT \(openSeats("?", "?"))",
                          arguments: [taskID, itemID, taskID, itemID, annotator, now, taskID]) ?? false
    }

    /// `annotator`'s skipped items that nobody has submitted since, oldest skip first.
    static func ownSkipped(_ db: Database, filter: ItemFilter, taskID: Int64, annotator: String) throws -> StoredItem? {
        var arguments: StatementArguments = [taskID, annotator]
        arguments += filter.arguments
        return try GRDB.Row.fetchOne(db, sql: """
            SELECT \(Rows.itemColumns)
            FROM decisions d JOIN items ON items.id = d.item_id
            WHERE d.task_id = ? AND d.annotator = ? AND d.status = 'skipped' AND \(filter.sql)
              AND NOT EXISTS (SELECT 1 FROM decisions s
                              WHERE s.task_id = d.task_id AND s.item_id = d.item_id
                                AND s.status = 'submitted')
            ORDER BY d.decided_at, d.annotation_id
            LIMIT 1
            """, arguments: arguments).map(Rows.storedItem)
    }

    /// Overlap above 1: the first item after `annotator`'s cursor that they
    /// have not decided, no machine decided, and fewer than `overlap` people
    /// decided or have open. Moves their cursor (see `Schema.v4`) past items
    /// closed for them only (not past items others merely have open).
    static func firstOpen(_ db: Database, filter: ItemFilter, taskID: Int64, annotator: String, overlap: Int, now: Double) throws -> StoredItem? {
        let signature = filter.signature + "#\(overlap)"
        let cursor = try Int64.fetchOne(db, sql: """
            SELECT after_item FROM queue_cursor_person WHERE task_id = ? AND annotator = ? AND filter = ?
            """, arguments: [taskID, annotator, signature]) ?? 0
        func first(after: Int64, seats: Bool) throws -> StoredItem? {
            var arguments: StatementArguments = [after]
            arguments += filter.arguments
            arguments += [taskID, annotator, taskID, taskID, overlap]
            if seats { arguments += [annotator, now] }
            return try GRDB.Row.fetchOne(db, sql: """
                SELECT \(Rows.itemColumns) FROM items
                WHERE items.id > ? AND \(filter.sql)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = items.id)
                  AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND item_id = items.id AND annotator_kind = 'machine'
                                                            AND status = 'submitted')
                  AND (SELECT COUNT(*) FROM decisions WHERE task_id = ? AND item_id = items.id AND annotator_kind = 'human') < ?
                  \(seats ? "AND " + openSeats("\(taskID)", "items.id") : "")
                ORDER BY items.id LIMIT 1
                """, arguments: arguments).map(Rows.storedItem)
        }
        let next = try first(after: cursor, seats: false)
        let after = try next.map { $0.rowID - 1 } ?? (Int64.fetchOne(db, sql: "SELECT MAX(id) FROM items") ?? 0)
        if after != cursor {
            try db.execute(sql: """
                INSERT INTO queue_cursor_person (task_id, annotator, filter, after_item) VALUES (?, ?, ?, ?)
                ON CONFLICT (task_id, annotator) DO UPDATE SET filter = excluded.filter, after_item = excluded.after_item
                """, arguments: [taskID, annotator, signature, after])
        }
        guard let next else { return nil }
        if try hasOpenSeat(db, taskID: taskID, itemID: next.rowID, annotator: annotator, now: now) { return next }
        return try first(after: next.rowID, seats: true)
    }

    // MARK: Helpers

    /// Inserts one log entry and returns its id.
    static func appendLog(_ db: Database, _ a: NewAnnotation, taskID: Int64?) throws -> Int64 {
        // A cached statement: routing appends thousands of entries in one transaction.
        try db.cachedStatement(sql: """
            INSERT INTO annotations
                (item_id, task_id, annotator_kind, annotator, value, confidence, votes, entropy, status,
                 flagged, note, created_at, seconds, display, revokes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                a.itemRowID, taskID, a.annotatorKind.rawValue, a.annotator, a.value?.canonicalJSON,
                a.confidence, a.votes?.canonicalJSON, a.entropy, a.status.rawValue, a.flagged, a.note,
                seconds(a.createdAt), a.seconds, a.display?.rawValue, a.revokes,
            ])
        return db.lastInsertedRowID
    }

    /// The first item matching `filter` after `after` with no decision in
    /// the task (`taskID` nil: no decisions at all); with `openFor`, only
    /// items nobody but that annotator has open.
    static func firstUndecided(_ db: Database, filter: ItemFilter, taskID: Int64?, after: Int64,
                               openFor: (annotator: String, now: Double)? = nil) throws -> StoredItem? {
        var sql = "SELECT \(Rows.itemColumns) FROM items WHERE items.id > ? AND \(filter.sql)"
        var arguments: StatementArguments = [after]
        arguments += filter.arguments
        if let taskID {
            sql += " AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND item_id = items.id)"
            arguments += [taskID]
            if let openFor {
                sql += " AND NOT EXISTS (SELECT 1 FROM leases WHERE task_id = ? AND item_id = items.id AND annotator <> ? AND expires_at > ?)"
                arguments += [taskID, openFor.annotator, openFor.now]
            }
        }
        sql += " ORDER BY items.id LIMIT 1"
        return try GRDB.Row.fetchOne(db, sql: sql, arguments: arguments).map(Rows.storedItem)
    }

    static func setCursor(_ db: Database, taskID: Int64, filter: ItemFilter, to value: Int64) throws {
        try db.execute(sql: """
            INSERT INTO queue_cursor (task_id, filter, after_item) VALUES (?, ?, ?)
            ON CONFLICT (task_id) DO UPDATE SET filter = excluded.filter, after_item = excluded.after_item
            """, arguments: [taskID, filter.signature, value])
    }

    /// Keeps the cursor invariants after the decision on `itemID` was removed
    /// (the item may be open again, for its annotator and, with overlap, for others).
    static func lowerCursor(_ db: Database, taskID: Int64, below itemID: Int64) throws {
        try db.execute(sql: """
            UPDATE queue_cursor SET after_item = ? WHERE task_id = ? AND after_item >= ?
            """, arguments: [itemID - 1, taskID, itemID])
        try db.execute(sql: """
            UPDATE queue_cursor_person SET after_item = ? WHERE task_id = ? AND after_item >= ?
            """, arguments: [itemID - 1, taskID, itemID])
    }
}
