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
        try await write("storing the routing of task \(task)") { db in
            let taskID = try await Self.requireTaskID(db, name: task)
            // The machine's decision takes the shape a person's would (a pair judgment, a label list, …).
            let kind = try await db.rows("SELECT kind FROM tasks WHERE id = \(taskID)").decode(String.self).firstElement()
                .flatMap(TaskKind.init(rawValue:)) ?? .classify
            var routing = RoutingWrite(db: db, taskID: taskID, task: task, kind: kind, date: date)
            // The entries are read once, in order, a chunk at a time: what is stored for a chunk's items is read
            // in one query each (routes, the machine's decisions), so a re-route that changes little writes little.
            var chunk: [RouteEntry] = []
            chunk.reserveCapacity(Self.routingChunk)
            for e in entries {
                chunk.append(e)
                if chunk.count == Self.routingChunk {
                    try await routing.apply(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            try await routing.apply(chunk)
            try await routing.countPending()
            if let lowest = routing.lowest { try await Self.lowerCursor(db, taskID: taskID, below: lowest) }
        }
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
                SELECT \(unescaped: PostgresItemRow.itemColumns), r.route, r.score, r.machine_label, r.annotator, r.pending
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
            for try await (id, uid, dataset, kind, fields, gold, meta, line, route, score, label, annotator, pending)
                in rows.decode((Int64, String, String, String, String, String?, String?, Int64?, String, Double, String?, String, Bool).self) {
                let item = try PostgresItemRow.storedItem((id, uid, dataset, kind, fields, gold, meta, line))
                out.append(TriageRow(item: item, route: Self.routeRecord((id, route, score, label, annotator, pending)), votes: []))
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

    /// The next routed item for people: pending, most uncertain first, claimed (see `claim`). With overlap above 1
    /// an item stays pending until enough people decided it; it is never served twice to the same person, nor to
    /// more people at once than still need to label it.
    static func nextRouted(_ db: PostgresConnection, taskID: Int64, annotator: String, now: Double) async throws -> StoredItem? {
        try await db.rows("""
            SELECT \(unescaped: PostgresItemRow.itemColumns) FROM routes r JOIN items ON items.id = r.item_id
            WHERE r.task_id = \(taskID) AND r.pending
              AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.annotator = \(annotator) AND d.item_id = r.item_id)
              AND \(seatsOpenIn: "r.task_id", item: "r.item_id", for: (annotator, now))
            ORDER BY r.score DESC, r.item_id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED
            """).decode(PostgresItemRow.Columns.self).firstElement().map(PostgresItemRow.storedItem)
    }
}

/// One routing being written: SQLite's `applyRouting` loop, fed a chunk of entries at a time.
private struct RoutingWrite {
    let db: PostgresConnection
    let taskID: Int64
    let task: String
    let kind: TaskKind
    let date: Date
    /// The first item whose machine decision was revoked.
    var lowest: Int64?
    /// Items whose route this write changed: their pending flags are counted by `countPending`.
    private var pendingToCount: [Int64] = []
    /// Per annotator: whether its votes keep raw answers (asked once).
    private var keepsRaw: [String: Bool] = [:]

    init(db: PostgresConnection, taskID: Int64, task: String, kind: TaskKind, date: Date) {
        self.db = db
        self.taskID = taskID
        self.task = task
        self.kind = kind
        self.date = date
    }

    private struct StoredRoute: Equatable {
        var route: String
        var score: Double
        var label: String?
        var annotator: String
        var probability: Double?
    }

    private struct MachineKey: Hashable {
        var item: Int64
        var annotator: String
    }

    mutating func apply(_ entries: [RouteEntry]) async throws {
        if entries.isEmpty { return }
        let items = Array(Set(entries.map(\.itemRowID)))
        // What is stored for these items: their routes and the machine's decisions (log entry and value).
        var routes: [Int64: StoredRoute] = [:]
        for try await (item, route, score, label, annotator, probability) in try await db.rows("""
            SELECT item_id, route, score, machine_label, annotator, audit_probability FROM routes
            WHERE task_id = \(taskID) AND item_id = ANY(\(items))
            """).decode((Int64, String, Double, String?, String, Double?).self) {
            routes[item] = StoredRoute(route: route, score: score, label: label, annotator: annotator, probability: probability)
        }
        var machine: [MachineKey: (id: Int64, value: String?)] = [:]
        for try await (item, annotator, id, value) in try await db.rows("""
            SELECT d.item_id, d.annotator, a.id, a.value FROM decisions d JOIN annotations a ON a.id = d.annotation_id
            WHERE d.task_id = \(taskID) AND d.annotator_kind = 'machine' AND d.item_id = ANY(\(items))
            """).decode((Int64, String, Int64, String?).self) {
            machine[MachineKey(item: item, annotator: annotator)] = (id, value)
        }
        let now = PostgresStore.seconds(date)
        let (db, taskID) = (db, taskID)
        var rerouted: [Int64] = []
        defer { pendingToCount += rerouted }
        for e in entries {
            let wantedRoute = StoredRoute(route: e.route.rawValue, score: e.score, label: e.machineLabel, annotator: e.annotator,
                                          probability: e.auditProbability)
            if routes[e.itemRowID] != wantedRoute {
                try await db.execute("""
                    INSERT INTO routes (task_id, item_id, route, score, machine_label, annotator, pending, routed_at, audit_probability)
                    VALUES (\(taskID), \(e.itemRowID), \(e.route.rawValue), \(e.score), \(e.machineLabel), \(e.annotator),
                            \(e.route != .machine), \(now), \(e.auditProbability))
                    ON CONFLICT (task_id, item_id) DO UPDATE SET
                        route = excluded.route, score = excluded.score, machine_label = excluded.machine_label,
                        annotator = excluded.annotator, pending = excluded.pending, routed_at = excluded.routed_at,
                        audit_probability = excluded.audit_probability
                    """)
                routes[e.itemRowID] = wantedRoute
                rerouted.append(e.itemRowID)
            }
            let key = MachineKey(item: e.itemRowID, annotator: e.annotator)
            let current = machine[key]
            // The item's votes, read when the entry left them to the store (once, and only if needed).
            var filled: RouteEntry?
            func withVotes() async throws -> RouteEntry {
                if let filled { return filled }
                var entry = e
                if let panel = e.votesToRead {
                    entry = e.filled(with: panel.ordered(try await PostgresStore.routerVotes(db, taskID: taskID, item: e.itemRowID, annotator: nil)))
                }
                filled = entry
                return entry
            }
            // A review's decision takes its verdict from the verdict votes: those are read first.
            var value: JSONValue?
            if e.route != .human, let label = e.machineLabel {
                if kind == .review {
                    let votes = try await withVotes().votes
                    value = kind.decisionValue(forLabel: label, votes: votes)
                } else {
                    value = kind.decisionValue(forLabel: label)
                }
            }
            let wanted = value?.canonicalJSON
            if current?.value == wanted { continue }
            if let current {
                // The machine's earlier decision no longer holds: revoke it.
                _ = try await PostgresStore.appendLog(db, NewAnnotation(itemRowID: e.itemRowID, task: task, annotatorKind: .machine, annotator: e.annotator,
                                                                        value: nil, status: .revoked, createdAt: date, revokes: current.id),
                                                      taskID: taskID)
                try await db.execute("DELETE FROM decisions WHERE task_id = \(taskID) AND annotator = \(e.annotator) AND item_id = \(e.itemRowID)")
                machine[key] = nil
                lowest = min(lowest ?? e.itemRowID, e.itemRowID)
            }
            guard let value else { continue }
            var withRaw = try await withVotes()
            if withRaw.votes.contains(where: { $0.raw == nil }), try await hasRawAnswers(e.annotator) {
                var raw: [String: String] = [:]
                for try await (variant, text) in try await db.rows("""
                    SELECT variant, raw FROM votes WHERE task_id = \(taskID) AND item_id = \(e.itemRowID) AND annotator = \(e.annotator) AND NOT no_vote
                    """).decode((String, String?).self) {
                    raw[variant] = text
                }
                for i in withRaw.votes.indices where withRaw.votes[i].raw == nil { withRaw.votes[i].raw = raw[withRaw.votes[i].variant] }
            }
            let entry = NewAnnotation(itemRowID: e.itemRowID, task: task, annotatorKind: .machine, annotator: e.annotator,
                                      value: value, confidence: withRaw.confidence, votes: withRaw.votesJSON, entropy: withRaw.entropy,
                                      note: e.route == .audit ? "audit" : nil, createdAt: date)
            let id = try await PostgresStore.appendLog(db, entry, taskID: taskID)
            try await db.execute("""
                INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                VALUES (\(taskID), \(e.annotator), \(e.itemRowID), \(id), 'machine', 'submitted', false, NULL, \(now))
                \(unescaped: PostgresStore.replacingDecision)
                """)
            machine[key] = (id, wanted)
        }
    }

    /// Sets the pending flag of every item whose route this write changed: routed to people (or audited) and
    /// decided by fewer people than the task's overlap. Counted in a statement of its own, after the routes'
    /// rows were written: each statement sees what was committed when it began, and an upsert that waited for a
    /// person's transaction holding the row (their decision's `duet_apply`) began before that person committed,
    /// so a flag counted there missed their decision and left a decided item pending (8 labeler processes
    /// beside `duet route` found it). This statement begins after every such wait; a person who decides one of
    /// these items from now on waits for the routing's commit and counts again (`duet_apply`).
    mutating func countPending() async throws {
        guard !pendingToCount.isEmpty else { return }
        try await db.execute("""
            UPDATE routes SET pending = route <> 'machine' AND (
                SELECT COUNT(*) FROM decisions d
                WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
            ) < (SELECT overlap FROM tasks WHERE id = routes.task_id)
            WHERE task_id = \(taskID) AND item_id = ANY(\(pendingToCount))
            """)
        pendingToCount.removeAll()
    }

    /// Whether the annotator's votes in the task keep raw answers (the built-in annotator's have none to look up).
    private mutating func hasRawAnswers(_ annotator: String) async throws -> Bool {
        if let known = keepsRaw[annotator] { return known }
        let has = try await db.rows("""
            SELECT EXISTS (SELECT 1 FROM votes WHERE task_id = \(taskID) AND annotator = \(annotator) AND raw IS NOT NULL)
            """).decode(Bool.self).firstElement() ?? false
        keepsRaw[annotator] = has
        return has
    }
}
