import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

// The router's decisions (RouteStore) on PostgreSQL, as SQLiteStore+Routing.swift: routes, the machine's
// decisions on the items it keeps, revoking them on items now sent to people; people's decisions never touched.

extension PostgresStore: RouteStore {
    /// How many entries a routing reads from its sequence before it loads what is stored for them.
    static let routingChunk = 2000

    public func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date) async throws {
        try await applyRouting(entries, task: task, at: date, chunk: Self.routingChunk) { _ in }
    }

    /// `applyRouting` in chunks of `size` entries; `staged(n)` runs once the n-th chunk is staged, inside the
    /// routing's transaction (tests: what a person can do while a routing is under way).
    ///
    /// A routing is one transaction (all or nothing) in two phases. Staging, a chunk at a time: what is stored
    /// for the chunk's items is read in a few queries, the machine's new log entries go in by one `COPY` and its
    /// decisions by two set-based statements (rows nobody else writes), and the changed routes go to a temporary
    /// table. People's transactions wait on the routes' rows (`duet_apply` locks an item's route row to count
    /// its pending flag), so those are written last, in one statement, and counted in another
    /// (`RoutingWrite.finish`): a person deciding an item of a routing waits for those statements and the
    /// commit, not for the whole routing.
    func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date, chunk size: Int,
                                                     staged: @escaping @Sendable (Int) async throws -> Void) async throws {
        // Handed to the write's body, which runs while this call waits for it (`PostgresPool.withConnection`).
        let entries = CallerOwned(AnyIterator(entries.makeIterator()))
        let written = try await write("storing the routing of task \(task)") { db in
            let taskID = try await Self.requireTaskID(db, name: task)
            // The machine's decision takes the shape a person's would (a pair judgment, a label list, …).
            let kind = try await db.rows("SELECT kind FROM tasks WHERE id = \(taskID)").decode(String.self).firstElement()
                .flatMap(TaskKind.init(rawValue:)) ?? .classify
            var routing = RoutingWrite(db: db, taskID: taskID, task: task, kind: kind, date: date)
            try await routing.begin()
            // The entries are read once, in order, a chunk at a time.
            var chunk: [RouteEntry] = []
            chunk.reserveCapacity(size)
            var chunks = 0
            while let e = entries.value.next() {
                chunk.append(e)
                if chunk.count == size {
                    try await routing.stage(chunk)
                    chunks += 1
                    try await staged(chunks)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty {
                try await routing.stage(chunk)
                chunks += 1
                try await staged(chunks)
            }
            try await routing.finish()
            return routing.written
        }
        await PostgresStatistics.refresh(pool, written: written)
    }

    public func routes(task: TaskSpec, route: Route?) async throws -> [Int64: RouteRecord] {
        try await read("reading the routes of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return [:] }
            var out: [Int64: RouteRecord] = [:]
            let rows = try await db.rows("""
                SELECT item_id, route, score, machine_label, annotator, pending, audit_probability FROM routes
                WHERE task_id = \(taskID) AND (\(route?.rawValue)::text IS NULL OR route = \(route?.rawValue))
                """)
            for try await r in rows.decode(RouteColumnsWithProbability.self) { out[r.0] = Self.routeRecord(r) }
            return out
        }
    }

    public func triage(task: TaskSpec, filter: TriageFilter, limit: Int) async throws -> [TriageRow] {
        try await read("reading the triage of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return [] }
            let blind = "(r.route = 'audit' AND r.pending)"
            // Filters on what the machine said never pick out a blind audit (RouteRecord.isBlind); nor does the
            // order: blind audits come last, in item order, whatever their score.
            let rows = try await db.rows("""
                SELECT \(unescaped: PostgresItemRow.itemColumns), r.route, r.score, r.machine_label, r.annotator, r.pending,
                       r.audit_probability
                FROM routes r JOIN items ON items.id = r.item_id
                WHERE r.task_id = \(taskID) AND (NOT \(filter.pendingOnly) OR r.pending)
                  AND (\(filter.route?.rawValue)::text IS NULL OR r.route = \(filter.route?.rawValue))
                  AND (\(filter.label)::text IS NULL OR (r.machine_label = \(filter.label) AND NOT \(unescaped: blind)))
                  AND (\(filter.minScore)::float8 IS NULL OR (r.score >= \(filter.minScore) AND NOT \(unescaped: blind)))
                  AND (NOT \(filter.flaggedOnly)
                       OR EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id AND d.flagged))
                ORDER BY \(unescaped: blind), CASE WHEN \(unescaped: blind) THEN 0 ELSE r.score END \(unescaped: filter.ascending ? "" : "DESC"),
                         r.item_id
                LIMIT \(limit)
                """)
            var out: [TriageRow] = []
            for try await (id, uid, dataset, kind, fields, gold, meta, line, route, score, label, annotator, pending, probability)
                in rows.decode((Int64, String, String, String, String, String?, String?, Int64?, String, Double, String?, String, Bool,
                                Double?).self) {
                let item = try PostgresItemRow.storedItem((id, uid, dataset, kind, fields, gold, meta, line))
                out.append(TriageRow(item: item, route: Self.routeRecord((id, route, score, label, annotator, pending, probability)), votes: []))
            }
            // The router's votes for the listed items only.
            for i in out.indices where !out[i].route.isBlind {
                out[i].setVotes(try await Self.routerVotes(db, taskID: taskID, item: out[i].item.rowID, annotator: out[i].route.annotator))
            }
            return out
        }
    }

    public func routing(task: TaskSpec, itemRowID: Int64) async throws -> (route: RouteRecord, votes: [MachineVote])? {
        try await read("reading the routing of item \(itemRowID)") { db -> Routing? in
            guard let taskID = try await Self.taskID(db, name: task.name),
                  let r = try await db.rows("""
                      SELECT item_id, route, score, machine_label, annotator, pending, audit_probability FROM routes
                      WHERE task_id = \(taskID) AND item_id = \(itemRowID)
                      """).decode(RouteColumnsWithProbability.self).firstElement()
            else { return nil }
            let route = Self.routeRecord(r)
            return Routing(route: route, votes: try await Self.routerVotes(db, taskID: taskID, item: itemRowID, annotator: route.annotator))
        }.map { ($0.route, $0.votes) }
    }

    private struct Routing: Sendable {
        var route: RouteRecord
        var votes: [MachineVote]
    }

    typealias RouteColumns = (Int64, String, Double, String?, String, Bool)

    static func routeRecord(_ r: RouteColumns) -> RouteRecord {
        RouteRecord(itemRowID: r.0, route: Route(rawValue: r.1) ?? .human, score: r.2, machineLabel: r.3, annotator: r.4, pending: r.5)
    }

    /// A route row with its audit's inclusion probability (`RouteRecord.auditProbability`).
    typealias RouteColumnsWithProbability = (Int64, String, Double, String?, String, Bool, Double?)

    static func routeRecord(_ r: RouteColumnsWithProbability) -> RouteRecord {
        var record = routeRecord((r.0, r.1, r.2, r.3, r.4, r.5))
        record.auditProbability = r.6
        return record
    }

    /// The counted votes of `annotator` on the item, in storage order (without raw answers).
    static func routerVotes(_ db: PostgresConnection, taskID: Int64, item: Int64, annotator: String?) async throws -> [MachineVote] {
        var votes: [MachineVote] = []
        let rows = try await db.rows("""
            SELECT annotator, variant, label, confidence FROM votes
            WHERE task_id = \(taskID) AND item_id = \(item) AND (\(annotator)::text IS NULL OR annotator = \(annotator)) AND NOT no_vote
            ORDER BY id
            """)
        for try await (annotator, variant, label, confidence) in rows.decode((String, String, String?, Double?).self) {
            votes.append(MachineVote(annotator: annotator, variant: variant, label: label, confidence: confidence))
        }
        return votes
    }
}

