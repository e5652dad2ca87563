import DuetCore
import Foundation
import PostgresNIO

/// One routing being written (`PostgresStore.applyRouting`): SQLite's `applyRouting` loop made set-based, fed a
/// chunk of entries at a time (`stage`), the routes' rows written at the end (`finish`).
///
/// What a person's transaction waits on decides what is written when. People lock an item's route row
/// (`duet_apply` counts the item's pending flag under that lock), so the routes go to a temporary table while
/// the chunks are staged and reach `routes` in one statement at the end. The machine's log entries and
/// decisions are rows no person writes (the log's new rows, the router annotator's decisions), so they are
/// written as each chunk is staged: one `COPY` and two statements a chunk, not several round trips an item.
/// A routing that revoked machine decisions lowers the queue cursors under the task's exclusive queue lock; it
/// takes that lock before it writes the routes' rows, as a person's undo takes it before its route row
/// (`PostgresSchema.queueLockFirst`): one order, no deadlock between them.
///
/// One routing of a task at a time (a transaction-level advisory lock): each chunk is compared with what is
/// stored, and nothing but a routing writes the machine's decisions or the routes' columns it compares.
struct RoutingWrite {
    let db: PostgresConnection
    let taskID: Int64
    let task: String
    let kind: TaskKind
    let date: Date
    /// Rows this routing wrote, by table (`PostgresStatistics.refresh` decides by them).
    var written: [String: Int] { ["annotations": logWritten, "decisions": logWritten, "routes": staged] }
    private var logWritten = 0
    /// The first item whose machine decision was revoked.
    private var lowest: Int64?
    /// How many routes are staged (their order: the last entry of an item wins).
    private var staged = 0
    /// Per annotator: whether its votes keep raw answers (asked once).
    private var keepsRaw: [String: Bool] = [:]

    /// The staging table of changed routes (dropped at the end of the transaction, whatever its end).
    static let stagedRoutes = "duet_routing_staged"
    /// "DuRt": the class of the routing locks (one key per task, as `duet_queue_lock`).
    static let lockClass: Int32 = 0x4475_5274

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
        /// A blind audit's inclusion probability (`RouteEntry.auditProbability`).
        var probability: Double?
    }

    private struct MachineKey: Hashable {
        var item: Int64
        var annotator: String
    }

    /// Takes the task's routing lock, makes the staging tables, and takes the counting of its decisions from
    /// the count trigger (`PostgresSchema.countedByTheWriter`; `countProgress` at the end).
    func begin() async throws {
        try await db.execute("SELECT pg_advisory_xact_lock(\(Self.lockClass), \(Int32(truncatingIfNeeded: taskID)))")
        try await db.execute(PostgresQuery(unsafeSQL: """
            CREATE TEMPORARY TABLE \(Self.stagedRoutes) (
                n BIGINT NOT NULL, item_id BIGINT NOT NULL, route TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
                machine_label TEXT, annotator TEXT NOT NULL, audit_probability DOUBLE PRECISION
            ) ON COMMIT DROP
            """))
        try await db.execute(PostgresQuery(unsafeSQL: """
            CREATE TEMPORARY TABLE \(Self.stagedCounts) (
                item_id BIGINT NOT NULL, submitted INTEGER NOT NULL, human INTEGER NOT NULL, machine INTEGER NOT NULL,
                skipped INTEGER NOT NULL, flagged INTEGER NOT NULL, human_seconds DOUBLE PRECISION NOT NULL, timed INTEGER NOT NULL
            ) ON COMMIT DROP
            """))
        try await db.execute("SET LOCAL duet.counts_by_writer = 'on'")
    }

    /// The staging table of the changes this routing made to the items' counts (a row per decision removed or added).
    static let stagedCounts = "duet_routing_counts"

    /// A row of `stagedCounts` for each row of `rows` (decisions' columns), each count times `sign`: what
    /// `duet_count_decision` adds to the item's counts for one decision.
    static func counts(_ sign: String, of rows: String) -> String {
        """
        INSERT INTO \(stagedCounts) (item_id, submitted, human, machine, skipped, flagged, human_seconds, timed)
        SELECT item_id, \(sign) * (status = 'submitted')::int, \(sign) * (status = 'submitted' AND annotator_kind = 'human')::int,
               \(sign) * (status = 'submitted' AND annotator_kind = 'machine')::int, \(sign) * (status = 'skipped')::int,
               \(sign) * flagged::int,
               \(sign) * CASE WHEN status = 'submitted' AND annotator_kind = 'human' THEN COALESCE(seconds, 0) ELSE 0 END,
               \(sign) * (status = 'submitted' AND annotator_kind = 'human' AND seconds IS NOT NULL)::int
        FROM \(rows)
        """
    }

    /// A machine decision's log entry: stored, or staged in this chunk (an index into its log rows).
    private enum LogRef: Equatable {
        case stored(Int64)
        case staged(Int)
    }

    /// One entry's log entry: a revocation of the machine's decision, or its new decision.
    private struct LogRow {
        var item: Int64
        var annotator: String
        var revokes: LogRef?
        /// The new decision's value, votes, and the entry it came from (nil for a revocation).
        var value: String?
        var entry: RouteEntry?
    }

    mutating func stage(_ entries: [RouteEntry]) async throws {
        if entries.isEmpty { return }
        let (db, taskID) = (db, taskID)
        let items = Array(Set(entries.map(\.itemRowID)))
        // What is stored for these items: their routes and the machine's decisions (log entry and value).
        var routes: [Int64: StoredRoute] = [:]
        for try await (item, route, score, label, annotator, probability) in try await db.rows("""
            SELECT item_id, route, score, machine_label, annotator, audit_probability FROM routes
            WHERE task_id = \(taskID) AND item_id = ANY(\(items))
            """).decode((Int64, String, Double, String?, String, Double?).self) {
            routes[item] = StoredRoute(route: route, score: score, label: label, annotator: annotator, probability: probability)
        }
        var machine: [MachineKey: (entry: LogRef, value: String?)] = [:]
        for try await (item, annotator, id, value) in try await db.rows("""
            SELECT d.item_id, d.annotator, a.id, a.value FROM decisions d JOIN annotations a ON a.id = d.annotation_id
            WHERE d.task_id = \(taskID) AND d.annotator_kind = 'machine' AND d.item_id = ANY(\(items))
            """).decode((Int64, String, Int64, String?).self) {
            machine[MachineKey(item: item, annotator: annotator)] = (.stored(id), value)
        }
        // The votes of the items whose decision needs them: a review's (its verdict comes from them) and every
        // entry that left them to the store and whose decision is written. One query for the chunk.
        let needVotes = entries.filter { e in
            guard e.votesToRead != nil, e.route != .human, let label = e.machineLabel else { return false }
            if kind == .review { return true }
            let wanted = kind.decisionValue(forLabel: label)
            return wanted != nil && machine[MachineKey(item: e.itemRowID, annotator: e.annotator)]?.value != wanted?.canonicalJSON
        }.map(\.itemRowID)
        var votes: [Int64: [MachineVote]] = [:]
        if !needVotes.isEmpty {
            for try await (item, annotator, variant, label, confidence) in try await db.rows("""
                SELECT item_id, annotator, variant, label, confidence FROM votes
                WHERE task_id = \(taskID) AND item_id = ANY(\(needVotes)) AND NOT no_vote ORDER BY item_id, id
                """).decode((Int64, String, String, String?, Double?).self) {
                votes[item, default: []].append(MachineVote(annotator: annotator, variant: variant, label: label, confidence: confidence))
            }
        }

        // What changes, in entry order: routes to stage, log entries (a revocation, then the new decision).
        var changedRoutes: [RouteEntry] = []
        var log: [LogRow] = []
        for e in entries {
            let wantedRoute = StoredRoute(route: e.route.rawValue, score: e.score, label: e.machineLabel, annotator: e.annotator,
                                          probability: e.auditProbability)
            if routes[e.itemRowID] != wantedRoute {
                changedRoutes.append(e)
                routes[e.itemRowID] = wantedRoute
            }
            let filled = e.votesToRead.map { e.filled(with: $0.ordered(votes[e.itemRowID] ?? [])) } ?? e
            let value: JSONValue? = e.route == .human ? nil
                : e.machineLabel.flatMap { kind == .review ? kind.decisionValue(forLabel: $0, votes: filled.votes) : kind.decisionValue(forLabel: $0) }
            let wanted = value?.canonicalJSON
            let key = MachineKey(item: e.itemRowID, annotator: e.annotator)
            let current = machine[key]
            if current?.value == wanted { continue }
            if let current {
                // The machine's earlier decision no longer holds: revoke it.
                log.append(LogRow(item: e.itemRowID, annotator: e.annotator, revokes: current.entry))
                machine[key] = nil
                lowest = min(lowest ?? e.itemRowID, e.itemRowID)
            }
            guard let wanted else { continue }
            // Its id is drawn with the chunk's others (`writeLog`).
            machine[key] = (.staged(log.count), wanted)
            log.append(LogRow(item: e.itemRowID, annotator: e.annotator, value: wanted, entry: filled))
        }
        try await addRawAnswers(&log)
        try await writeLog(log)
        try await stageRoutes(changedRoutes)
    }

    /// The router reads votes without their raw answers; a decision it writes carries them (exports show them).
    private mutating func addRawAnswers(_ log: inout [LogRow]) async throws {
        var wanting: [Int] = []
        for (i, row) in log.enumerated() {
            guard let e = row.entry, e.votes.contains(where: { $0.raw == nil }), try await hasRawAnswers(e.annotator) else { continue }
            wanting.append(i)
        }
        guard !wanting.isEmpty else { return }
        let items = Array(Set(wanting.map { log[$0].item }))
        let annotators = Array(Set(wanting.map { log[$0].annotator }))
        var raw: [MachineKey: [String: String]] = [:]
        for try await (item, annotator, variant, text) in try await db.rows("""
            SELECT item_id, annotator, variant, raw FROM votes
            WHERE task_id = \(taskID) AND item_id = ANY(\(items)) AND annotator = ANY(\(annotators)) AND NOT no_vote AND raw IS NOT NULL
            """).decode((Int64, String, String, String).self) {
            raw[MachineKey(item: item, annotator: annotator), default: [:]][variant] = text
        }
        for i in wanting {
            guard var e = log[i].entry, let answers = raw[MachineKey(item: log[i].item, annotator: log[i].annotator)] else { continue }
            for v in e.votes.indices where e.votes[v].raw == nil { e.votes[v].raw = answers[e.votes[v].variant] }
            log[i].entry = e
        }
    }

    /// Appends the chunk's log entries (ids drawn from the log's sequence in entry order, so a revocation comes
    /// before the decision that follows it) and makes their effect on the machine's decisions.
    private mutating func writeLog(_ log: [LogRow]) async throws {
        guard !log.isEmpty else { return }
        let (db, taskID) = (db, taskID)
        var ids: [Int64] = []
        for try await id in try await db.rows("""
            SELECT nextval(pg_get_serial_sequence('annotations', 'id')) FROM generate_series(1, \(Int64(log.count)))
            """).decode(Int64.self) {
            ids.append(id)
        }
        ids.sort()
        guard ids.count == log.count else { throw PostgresStoreError.corrupt("the log's sequence gave \(ids.count) ids for \(log.count) entries") }
        let created = PostgresStore.seconds(date)
        let taskText = String(taskID)
        try await db.copyRows(into: "annotations",
                              columns: ["id", "item_id", "task_id", "annotator_kind", "annotator", "value", "confidence", "votes", "entropy",
                                        "status", "flagged", "note", "created_at", "revokes"], zip(log, ids)) { out, entry in
            let (row, id) = entry
            out.field(String(id))
            out.field(String(row.item))
            out.field(taskText)
            out.field("machine")
            out.field(row.annotator)
            out.field(row.value)
            out.field(number: row.entry?.confidence)
            out.field(row.entry?.votesJSON.canonicalJSON)
            out.field(number: row.entry?.entropy)
            out.field(row.entry == nil ? "revoked" : "submitted")
            out.field("f")
            out.field(row.entry?.route == .audit ? "audit" : nil)
            out.field(number: created)
            out.field(row.revokes.map { revoked in
                switch revoked {
                case .stored(let id): String(id)
                case .staged(let index): String(ids[index])
                }
            }, last: true)
        }
        logWritten += log.count
        // The decisions as they stand after the chunk: each key touched is removed, then the new decisions
        // inserted (the last of an item's entries wins), in item order as every writer of decisions goes.
        var final: [MachineKey: Int64] = [:]
        for (row, id) in zip(log, ids) { final[MachineKey(item: row.item, annotator: row.annotator)] = row.entry == nil ? 0 : id }
        let touched = final.keys.sorted { ($0.item, $0.annotator) < ($1.item, $1.annotator) }
        try await db.execute("""
            WITH gone AS (
                DELETE FROM decisions d USING unnest(\(touched.map(\.annotator))::text[], \(touched.map(\.item))::bigint[]) AS t(annotator, item_id)
                WHERE d.task_id = \(taskID) AND d.annotator = t.annotator AND d.item_id = t.item_id
                RETURNING d.item_id, d.status, d.annotator_kind, d.flagged, d.seconds)
            \(unescaped: Self.counts("-1", of: "gone"))
            """)
        // 0: the key's last entry is a revocation (ids start at 1).
        let decided = touched.filter { final[$0] != 0 }
        guard !decided.isEmpty else { return }
        let now = PostgresStore.seconds(date)
        // Every key was removed above: an insert meets no row of its own (one routing of a task at a time).
        try await db.execute("""
            WITH added AS (
                INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                SELECT \(taskID), t.annotator, t.item_id, t.id, 'machine', 'submitted', false, NULL, \(now)
                FROM unnest(\(decided.map(\.annotator))::text[], \(decided.map(\.item))::bigint[], \(decided.map { final[$0] ?? 0 })::bigint[])
                     WITH ORDINALITY AS t(annotator, item_id, id, n)
                ORDER BY t.n
                RETURNING item_id, status, annotator_kind, flagged, seconds)
            \(unescaped: Self.counts("1", of: "added"))
            """)
    }

    /// Puts the chunk's changed routes in the staging table (one `COPY`).
    private mutating func stageRoutes(_ changed: [RouteEntry]) async throws {
        guard !changed.isEmpty else { return }
        let first = staged
        try await db.copyRows(into: Self.stagedRoutes, columns: ["n", "item_id", "route", "score", "machine_label", "annotator", "audit_probability"],
                              changed.enumerated()) { out, numbered in
            let (i, e) = numbered
            out.field(String(first + i + 1))
            out.field(String(e.itemRowID))
            out.field(e.route.rawValue)
            out.field(number: e.score)
            out.field(e.machineLabel)
            out.field(e.annotator)
            out.field(number: e.auditProbability, last: true)
        }
        staged += changed.count
    }

    /// Writes the staged routes (one statement, the last entry of an item winning), then sets the pending flag
    /// of each: routed to people (or audited) and decided by fewer people than the task's overlap. Counted in a
    /// statement of its own, after the routes' rows were written: each statement sees what was committed when
    /// it began, and an upsert that waited for a person's transaction holding the row (their decision's
    /// `duet_apply`) began before that person committed, so a flag counted there missed their decision and
    /// left a decided item pending (8 labeler processes beside `duet route` found it). This statement begins
    /// after every such wait; a person who decides one of these items from now on waits for the routing's
    /// commit and counts again (`duet_apply`). Then the queue cursors, under the exclusive queue lock.
    mutating func finish() async throws {
        // Temporary tables get no statistics from autovacuum: the statements below plan with these.
        try await db.execute(PostgresQuery(unsafeSQL: "ANALYZE \(Self.stagedRoutes), \(Self.stagedCounts)"))
        // The cursors will be lowered: the queue lock before the routes' rows (see the type's comment).
        if lowest != nil { try await db.execute("SELECT duet_queue_lock(\(taskID), true)") }
        if staged > 0 {
            let now = PostgresStore.seconds(date)
            // The pending flag as the upsert's snapshot counts it, and again in a statement that begins once every
            // row is locked, writing only the flags that changed (a person's decision committed in between).
            func people(_ items: String) -> String {
                """
                (SELECT s.item_id, s.route, s.route <> 'machine' AND COALESCE(h.people, 0) < t.overlap AS pending
                 FROM \(items) s CROSS JOIN (SELECT overlap FROM tasks WHERE id = \(taskID)) t
                      LEFT JOIN (SELECT d.item_id, COUNT(*) AS people FROM decisions d
                                 WHERE d.task_id = \(taskID) AND d.annotator_kind = 'human'
                                   AND d.item_id IN (SELECT item_id FROM \(Self.stagedRoutes))
                                 GROUP BY d.item_id) h ON h.item_id = s.item_id)
                """
            }
            let latest = "(SELECT DISTINCT ON (item_id) * FROM \(Self.stagedRoutes) ORDER BY item_id, n DESC)"
            try await db.execute("""
                INSERT INTO routes (task_id, item_id, route, score, machine_label, annotator, pending, routed_at, audit_probability)
                SELECT \(taskID), s.item_id, s.route, s.score, s.machine_label, s.annotator, p.pending, \(now), s.audit_probability
                FROM \(unescaped: latest) s JOIN \(unescaped: people(latest)) p ON p.item_id = s.item_id
                ORDER BY s.item_id
                ON CONFLICT (task_id, item_id) DO UPDATE SET
                    route = excluded.route, score = excluded.score, machine_label = excluded.machine_label,
                    annotator = excluded.annotator, pending = excluded.pending, routed_at = excluded.routed_at,
                    audit_probability = excluded.audit_probability
                """)
            try await db.execute("""
                UPDATE routes r SET pending = p.pending
                FROM \(unescaped: people("(SELECT item_id, route FROM routes WHERE task_id = \(taskID) AND item_id IN (SELECT item_id FROM \(Self.stagedRoutes)))")) p
                WHERE r.task_id = \(taskID) AND r.item_id = p.item_id AND r.pending IS DISTINCT FROM p.pending
                """)
        }
        try await countProgress()
        if let lowest { try await PostgresStore.lowerCursor(db, taskID: taskID, below: lowest) }
    }

    /// Moves the items' counts and the task's by the changes this routing made (`duet_count_decision`'s
    /// arithmetic, set-based): each item's counts by the sum of its changes (the update re-reads a row another
    /// transaction changed meanwhile, so a person's decision committed in between is kept), then each dataset
    /// and kind by how its items' states moved, from the counts before and after that update (in the count row
    /// of this server process, `duet_progress_shard()`, as the trigger's).
    private func countProgress() async throws {
        let (db, taskID, counts) = (db, taskID, Self.stagedCounts)
        try await db.execute("""
            INSERT INTO item_progress (task_id, item_id)
            SELECT DISTINCT \(taskID)::bigint, item_id FROM \(unescaped: counts) ORDER BY 2 ON CONFLICT DO NOTHING
            """)
        try await db.execute("""
            INSERT INTO progress (task_id, dataset, kind, shard)
            SELECT DISTINCT \(taskID)::bigint, i.dataset, i.kind, duet_progress_shard() FROM \(unescaped: counts) c JOIN items i ON i.id = c.item_id
            ON CONFLICT DO NOTHING
            """)
        try await db.execute("""
            WITH d AS (
                SELECT item_id, sum(submitted) AS submitted, sum(human) AS human, sum(machine) AS machine, sum(skipped) AS skipped,
                       sum(flagged) AS flagged, sum(human_seconds) AS human_seconds, sum(timed) AS timed
                FROM \(unescaped: counts) GROUP BY item_id ORDER BY item_id),
            moved AS (
                UPDATE item_progress p SET
                    submitted = p.submitted + d.submitted, human = p.human + d.human, machine = p.machine + d.machine,
                    skipped = p.skipped + d.skipped, flagged = p.flagged + d.flagged,
                    human_seconds = p.human_seconds + d.human_seconds, timed = p.timed + d.timed
                FROM d WHERE p.task_id = \(taskID) AND p.item_id = d.item_id
                RETURNING p.item_id, p.submitted, p.human, p.machine, p.skipped, p.flagged, p.human_seconds, p.timed,
                          p.submitted - d.submitted AS submitted0, p.human - d.human AS human0, p.machine - d.machine AS machine0,
                          p.skipped - d.skipped AS skipped0, p.flagged - d.flagged AS flagged0,
                          p.human_seconds - d.human_seconds AS human_seconds0, p.timed - d.timed AS timed0)
            UPDATE progress g SET
                human = g.human + x.human, machine_only = g.machine_only + x.machine_only, skipped_only = g.skipped_only + x.skipped_only,
                submitted = g.submitted + x.submitted, flagged = g.flagged + x.flagged, human_seconds = g.human_seconds + x.human_seconds,
                timed = g.timed + x.timed, complete = g.complete + x.complete
            FROM (
                SELECT i.dataset, i.kind,
                       sum((m.human > 0)::int - (m.human0 > 0)::int) AS human,
                       sum((m.machine > 0 AND m.human = 0)::int - (m.machine0 > 0 AND m.human0 = 0)::int) AS machine_only,
                       sum((m.skipped > 0 AND m.submitted = 0)::int - (m.skipped0 > 0 AND m.submitted0 = 0)::int) AS skipped_only,
                       sum((m.submitted > 0)::int - (m.submitted0 > 0)::int) AS submitted,
                       sum((m.flagged > 0)::int - (m.flagged0 > 0)::int) AS flagged,
                       sum(m.human_seconds - m.human_seconds0) AS human_seconds,
                       sum(m.timed - m.timed0) AS timed,
                       sum((m.human >= t.overlap)::int - (m.human0 >= t.overlap)::int) AS complete
                FROM moved m JOIN items i ON i.id = m.item_id CROSS JOIN (SELECT overlap FROM tasks WHERE id = \(taskID)) t
                GROUP BY i.dataset, i.kind) x
            WHERE g.task_id = \(taskID) AND g.dataset = x.dataset AND g.kind = x.kind AND g.shard = duet_progress_shard()
            """)
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
