import DuetCore
import Foundation
import GRDB

extension SQLiteStore {
    /// Appends `annotation` to the log. A submitted or skipped entry with a
    /// task becomes the annotator's current decision for the item; a revoked
    /// entry clears the decision it revokes (if it is still current).
    @discardableResult
    public func record(_ annotation: NewAnnotation) throws -> Int64 {
        try writer.write { db in
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
                try db.execute(sql: """
                    INSERT OR REPLACE INTO decisions
                        (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged,
                         seconds, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [taskID, a.annotator, a.itemRowID, id, a.annotatorKind.rawValue,
                                     a.status.rawValue, a.flagged, a.seconds, Self.seconds(a.createdAt)])
            case .revoked:
                try db.execute(sql: """
                    DELETE FROM decisions
                    WHERE task_id = ? AND annotator = ? AND item_id = ? AND annotation_id = ?
                    """, arguments: [taskID, a.annotator, a.itemRowID, a.revokes])
                if db.changesCount > 0 {
                    try Self.lowerCursor(db, taskID: taskID, below: a.itemRowID)
                }
            }
            if a.annotatorKind == .human { try Self.updatePending(db, taskID: taskID, itemID: a.itemRowID) }
            return id
        }
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
            try db.execute(sql: "DELETE FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = ?",
                           arguments: [taskID, annotator, itemID])
            try Self.lowerCursor(db, taskID: taskID, below: itemID)
            try Self.updatePending(db, taskID: taskID, itemID: itemID)
            return itemID
        }
    }

    /// The first covered item nobody has decided (submitted or skipped) in
    /// `task`; when none is left, `annotator`'s own skipped items that nobody
    /// has submitted since, oldest skip first.
    ///
    /// The undecided scan starts after `queue_cursor` (see `Schema.v2`), so
    /// its cost is the number of items decided since the last call, not the
    /// number decided in total; it moves the cursor forward as it goes.
    /// Tasks with overlap above 1 use a cursor per person (`firstOpen`).
    public func nextItem(for task: TaskSpec, annotator: String) throws -> StoredItem? {
        let filter = ItemFilter(task)
        return try writer.write { db in
            guard let taskID = try Self.taskID(db, name: task.name) else {
                // No task row, so no decisions: the first covered item.
                return try Self.firstUndecided(db, filter: filter, taskID: nil, after: 0)
            }
            // A routed task: people get the items routed to them first, most uncertain first.
            if let routed = try Self.nextRouted(db, taskID: taskID, annotator: annotator) { return routed }
            let overlap = try Int.fetchOne(db, sql: "SELECT overlap FROM tasks WHERE id = ?", arguments: [taskID]) ?? 1
            if overlap > 1 {
                if let next = try Self.firstOpen(db, filter: filter, taskID: taskID, annotator: annotator, overlap: overlap) {
                    return next
                }
                return try Self.ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
            }
            let cursor = try Int64.fetchOne(db, sql: """
                SELECT after_item FROM queue_cursor WHERE task_id = ? AND filter = ?
                """, arguments: [taskID, filter.signature]) ?? 0

            if let next = try Self.firstUndecided(db, filter: filter, taskID: taskID, after: cursor) {
                if next.rowID - 1 != cursor {
                    try Self.setCursor(db, taskID: taskID, filter: filter, to: next.rowID - 1)
                }
                return next
            }
            // Every covered item has a decision: park the cursor at the end.
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM items") ?? 0
            if last != cursor {
                try Self.setCursor(db, taskID: taskID, filter: filter, to: last)
            }

            return try Self.ownSkipped(db, filter: filter, taskID: taskID, annotator: annotator)
        }
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
    /// decided. Moves their cursor (see `Schema.v4`).
    static func firstOpen(_ db: Database, filter: ItemFilter, taskID: Int64, annotator: String, overlap: Int) throws -> StoredItem? {
        let signature = filter.signature + "#\(overlap)"
        let cursor = try Int64.fetchOne(db, sql: """
            SELECT after_item FROM queue_cursor_person WHERE task_id = ? AND annotator = ? AND filter = ?
            """, arguments: [taskID, annotator, signature]) ?? 0
        var arguments: StatementArguments = [cursor]
        arguments += filter.arguments
        arguments += [taskID, annotator, taskID, taskID, overlap]
        let next = try GRDB.Row.fetchOne(db, sql: """
            SELECT \(Rows.itemColumns) FROM items
            WHERE items.id > ? AND \(filter.sql)
              AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = items.id)
              AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND item_id = items.id AND annotator_kind = 'machine'
                                                        AND status = 'submitted')
              AND (SELECT COUNT(*) FROM decisions WHERE task_id = ? AND item_id = items.id AND annotator_kind = 'human') < ?
            ORDER BY items.id LIMIT 1
            """, arguments: arguments).map(Rows.storedItem)
        let after = try next.map { $0.rowID - 1 } ?? (Int64.fetchOne(db, sql: "SELECT MAX(id) FROM items") ?? 0)
        if after != cursor {
            try db.execute(sql: """
                INSERT INTO queue_cursor_person (task_id, annotator, filter, after_item) VALUES (?, ?, ?, ?)
                ON CONFLICT (task_id, annotator) DO UPDATE SET filter = excluded.filter, after_item = excluded.after_item
                """, arguments: [taskID, annotator, signature, after])
        }
        return next
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
    /// the task (`taskID` nil: no decisions at all).
    static func firstUndecided(_ db: Database, filter: ItemFilter, taskID: Int64?, after: Int64) throws
        -> StoredItem?
    {
        var sql = "SELECT \(Rows.itemColumns) FROM items WHERE items.id > ? AND \(filter.sql)"
        var arguments: StatementArguments = [after]
        arguments += filter.arguments
        if let taskID {
            sql += " AND NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = ? AND item_id = items.id)"
            arguments += [taskID]
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
