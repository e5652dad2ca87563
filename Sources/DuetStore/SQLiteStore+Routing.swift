import DuetCore
import Foundation
import GRDB

/// A task's stored routes and machine decisions, read alongside the routing's entries to find what
/// changed: a merge-join in chunks of `chunk` routes (and the machine decisions on their items), so a
/// routing of 10^6 items holds a few thousand stored rows, not all of them (as dictionaries they took 60 MB
/// at 10^6 items). Entries in ascending item order (as `duet route` writes them) read each chunk once; an
/// entry before the loaded chunk reloads from it (correct, only slower). Within a chunk the few distinct
/// (route, label, annotator) and value strings are interned and each item keeps codes and its score.
private struct StoredRouting {
    private struct RouteKey: Hashable {
        var route: String
        var label: String?
        var annotator: String
    }

    private struct DecisionKey: Hashable {
        var item: Int64
        var annotator: Int32
    }

    private let chunk: Int
    private let routes: RawStatement
    private let machine: RawStatement
    private let taskID: Int64
    /// The items the loaded chunk covers: every stored row of an item in it is loaded.
    private var from: Int64 = 1
    private var through: Int64 = 0
    private var routeIndex: [Int64: Int32] = [:]
    private var routeKeys: [Int32] = []
    private var scores: [Double] = []
    private var probabilities: [Double?] = []
    private var keys = Interner<RouteKey>()
    private var decisions: [DecisionKey: (annotation: Int64, value: Int32)] = [:]
    private var annotators = Interner<String>()
    private var values = Interner<String?>()

    init(_ db: Database, taskID: Int64, chunk: Int) throws {
        self.taskID = taskID
        self.chunk = max(1, chunk)
        routes = try RawStatement(db, sql: """
            SELECT item_id, route, score, machine_label, annotator, audit_probability FROM routes
            WHERE task_id = ? AND item_id >= ? ORDER BY item_id LIMIT ?
            """)
        machine = try RawStatement(db, sql: """
            SELECT d.item_id, d.annotator, a.id, a.value FROM decisions d JOIN annotations a ON a.id = d.annotation_id
            WHERE d.task_id = ? AND d.annotator_kind = 'machine' AND d.item_id BETWEEN ? AND ? ORDER BY d.item_id
            """)
    }

    /// Loads the chunk of stored rows that starts at `item`, unless the loaded one covers it.
    private mutating func load(_ item: Int64) throws {
        guard item < from || item > through else { return }
        routeIndex = [:]
        routeKeys = []
        scores = []
        probabilities = []
        decisions = [:]
        values = Interner()
        keys = Interner()
        from = item
        through = .max
        routes.bind(taskID)
        routes.bind(item)
        routes.bind(Int64(chunk))
        var last = item
        while try routes.step() {
            last = routes.int64(0) ?? 0
            routeIndex[last] = Int32(scores.count)
            routeKeys.append(keys.code(RouteKey(route: routes.text(1) ?? "", label: routes.text(3), annotator: routes.text(4) ?? "")))
            scores.append(routes.double(2) ?? .nan)
            probabilities.append(routes.double(5))
        }
        if scores.count == chunk { through = last }
        machine.bind(taskID)
        machine.bind(from)
        machine.bind(through)
        while try machine.step() {
            let key = DecisionKey(item: machine.int64(0) ?? 0, annotator: annotators.code(machine.text(1) ?? ""))
            decisions[key] = (machine.int64(2) ?? 0, values.code(machine.text(3)))
        }
    }

    /// Whether the item's stored route is the entry's (route, score, label, annotator, audit probability).
    mutating func hasRoute(_ e: RouteEntry) throws -> Bool {
        try load(e.itemRowID)
        guard let i = routeIndex[e.itemRowID].map(Int.init),
              let key = keys.existing(RouteKey(route: e.route.rawValue, label: e.machineLabel, annotator: e.annotator)) else { return false }
        return routeKeys[i] == key && scores[i] == e.score && probabilities[i] == e.auditProbability
    }

    /// The annotator's current decision on the item: its log entry and value (canonical JSON).
    mutating func machineDecision(item: Int64, annotator: String) throws -> (id: Int64, value: String?)? {
        try load(item)
        guard let a = annotators.existing(annotator), let d = decisions[DecisionKey(item: item, annotator: a)] else { return nil }
        return (d.annotation, values[d.value])
    }
}

extension SQLiteStore {
    public func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date) throws {
        try applyRouting(entries, task: task, at: date, chunk: 4096)
    }

    /// `applyRouting`, reading the stored routes in chunks of `chunk` (tests make it small).
    func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date, chunk routingChunk: Int) throws {
        // One pass over every open item: a small page cache (dirty pages spill to the WAL).
        try writer.write { db in try Self.withCacheSize(db, kib: 2048) {
            let taskID = try Self.requireTaskID(db, name: task)
            // The machine's decision takes the shape a person's would (a pair judgment, a label list, …).
            let kind = try String.fetchOne(db, sql: "SELECT kind FROM tasks WHERE id = ?", arguments: [taskID])
                .flatMap(TaskKind.init(rawValue:)) ?? .classify
            let now = Self.seconds(date)
            let upsert = try db.makeStatement(sql: """
                INSERT INTO routes (task_id, item_id, route, score, machine_label, annotator, pending, routed_at, audit_probability)
                VALUES (?, ?, ?, ?, ?, ?,
                        (? != 'machine') AND (SELECT COUNT(*) FROM decisions d WHERE d.task_id = ? AND d.item_id = ?
                                                 AND d.annotator_kind = 'human') < (SELECT overlap FROM tasks WHERE id = ?),
                        ?, ?)
                ON CONFLICT (task_id, item_id) DO UPDATE SET
                    route = excluded.route, score = excluded.score, machine_label = excluded.machine_label,
                    annotator = excluded.annotator, pending = excluded.pending, routed_at = excluded.routed_at,
                    audit_probability = excluded.audit_probability
                """)
            // Prepared once: a routing touches every open item of the task.
            let deleteDecision = try db.makeStatement(sql: "DELETE FROM decisions WHERE task_id = ? AND annotator = ? AND item_id = ?")
            let insertDecision = try db.makeStatement(sql: """
                INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                VALUES (?, ?, ?, ?, 'machine', 'submitted', 0, NULL, ?)
                \(Self.replacingDecision)
                """)
            // The router reads votes without their raw answers; a decision it writes carries them (exports show them).
            let rawAnswers = try db.makeStatement(sql: """
                SELECT variant, raw FROM votes WHERE task_id = ? AND item_id = ? AND annotator = ? AND \(Self.countedVotes())
                """)
            // Asked once per annotator: the built-in annotator's votes have no raw answers to look up.
            var keepsRaw: [String: Bool] = [:]
            func hasRawAnswers(_ annotator: String) throws -> Bool {
                if let known = keepsRaw[annotator] { return known }
                let has = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM votes WHERE task_id = ? AND annotator = ? AND raw IS NOT NULL)",
                                            arguments: [taskID, annotator]) ?? false
                keepsRaw[annotator] = has
                return has
            }
            // What is stored already, read once: a re-route that changes little writes little.
            var stored = try StoredRouting(db, taskID: taskID, chunk: routingChunk)
            // An entry that leaves its votes to the store: they are read when its decision is written.
            let itemVotes = try RawStatement(db, sql: """
                SELECT annotator, variant, label, confidence FROM votes WHERE task_id = ? AND item_id = ? AND \(Self.countedVotes()) ORDER BY id
                """)
            var lowest: Int64?  // the first item whose machine decision was revoked
            for e in entries {
                if try !stored.hasRoute(e) {
                    try upsert.execute(arguments: [taskID, e.itemRowID, e.route.rawValue, e.score, e.machineLabel, e.annotator,
                                                   e.route.rawValue, taskID, e.itemRowID, taskID, now, e.auditProbability])
                }
                let current = try stored.machineDecision(item: e.itemRowID, annotator: e.annotator)
                // The item's votes, read when an entry left them to the store (once, and only if needed).
                var read: RouteEntry?
                func withVotes() throws -> RouteEntry {
                    if let read { return read }
                    var filled = e
                    if let panel = e.votesToRead {
                        itemVotes.bind(taskID)
                        itemVotes.bind(e.itemRowID)
                        var votes: [MachineVote] = []
                        while try itemVotes.step() {
                            votes.append(MachineVote(annotator: itemVotes.text(0) ?? "", variant: itemVotes.text(1) ?? "",
                                                     label: itemVotes.text(2), confidence: itemVotes.double(3)))
                        }
                        filled = e.filled(with: panel.ordered(votes))
                    }
                    read = filled
                    return filled
                }
                // A review's decision takes its verdict from the verdict votes: those are read first.
                let value = e.route == .human ? nil
                    : try e.machineLabel.flatMap { kind == .review ? kind.decisionValue(forLabel: $0, votes: try withVotes().votes) : kind.decisionValue(forLabel: $0) }
                let wanted = value?.canonicalJSON
                if current?.value == wanted { continue }
                if let current {
                    // The machine's earlier decision no longer holds: revoke it.
                    let previous: Int64 = current.id
                    _ = try Self.appendLog(db, NewAnnotation(itemRowID: e.itemRowID, task: task, annotatorKind: .machine, annotator: e.annotator,
                                                             value: nil, status: .revoked, createdAt: date, revokes: previous), taskID: taskID)
                    try deleteDecision.execute(arguments: [taskID, e.annotator, e.itemRowID])
                    lowest = min(lowest ?? e.itemRowID, e.itemRowID)
                }
                guard let value else { continue }
                var withRaw = try withVotes()
                if withRaw.votes.contains(where: { $0.raw == nil }), try hasRawAnswers(e.annotator) {
                    var raw: [String: String] = [:]
                    for r in try GRDB.Row.fetchAll(rawAnswers, arguments: [taskID, e.itemRowID, e.annotator]) { raw[r[0]] = r[1] }
                    for i in withRaw.votes.indices where withRaw.votes[i].raw == nil { withRaw.votes[i].raw = raw[withRaw.votes[i].variant] }
                }
                let entry = NewAnnotation(itemRowID: e.itemRowID, task: task, annotatorKind: .machine, annotator: e.annotator,
                                          value: value, confidence: withRaw.confidence, votes: withRaw.votesJSON, entropy: withRaw.entropy,
                                          note: e.route == .audit ? "audit" : nil, createdAt: date)
                let id = try Self.appendLog(db, entry, taskID: taskID)
                try insertDecision.execute(arguments: [taskID, e.annotator, e.itemRowID, id, now])
            }
            if let lowest { try Self.lowerCursor(db, taskID: taskID, below: lowest) }
        } }
    }

    public func routes(task: TaskSpec, route: Route?) throws -> [Int64: RouteRecord] {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return [:] }
            var out: [Int64: RouteRecord] = [:]
            let rows = try GRDB.Row.fetchCursor(db, sql: """
                SELECT item_id, route, score, machine_label, annotator, pending, audit_probability FROM routes
                WHERE task_id = ?\(route == nil ? "" : " AND route = ?")
                """, arguments: route.map { [taskID, $0.rawValue] } ?? [taskID])
            while let r = try rows.next() {
                out[r[0]] = RouteRecord(itemRowID: r[0], route: Route(rawValue: r[1]) ?? .human, score: r[2], machineLabel: r[3],
                                        annotator: r[4], pending: r[5], auditProbability: r[6])
            }
            return out
        }
    }

    /// The next routed item for people: pending, most uncertain first.
    static func nextRouted(_ db: Database, taskID: Int64, annotator: String, now: Double) throws -> StoredItem? {
        // With overlap above 1 an item stays pending until enough people
        // decided it; it is never served twice to the same person, nor to
        // more people at once than still need to label it.
        try GRDB.Row.fetchOne(db, sql: """
            SELECT \(Rows.itemColumns) FROM routes r JOIN items ON items.id = r.item_id
            WHERE r.task_id = ? AND r.pending = 1
              AND NOT EXISTS (SELECT 1 FROM decisions d
                              WHERE d.task_id = r.task_id AND d.annotator = ? AND d.item_id = r.item_id)
              AND \(openSeats("r.task_id", "r.item_id"))
            ORDER BY r.score DESC, r.item_id LIMIT 1
            """, arguments: [taskID, annotator, annotator, now]).map(Rows.storedItem)
    }

    /// SQL true while the item has room for one more person: people who
    /// decided it plus others holding a live lease on it are fewer than the
    /// task's overlap. Arguments: the asking annotator, now.
    static func openSeats(_ task: String, _ item: String) -> String {
        """
        ((SELECT COUNT(*) FROM decisions h WHERE h.task_id = \(task) AND h.item_id = \(item) AND h.annotator_kind = 'human')
         + (SELECT COUNT(*) FROM leases l WHERE l.task_id = \(task) AND l.item_id = \(item) AND l.annotator <> ? AND l.expires_at > ?))
          < (SELECT overlap FROM tasks WHERE id = \(task))
        """
    }

    /// Keeps `routes.pending` in step with people's decisions on the item.
    static func updatePending(_ db: Database, taskID: Int64, itemID: Int64) throws {
        try db.execute(sql: """
            UPDATE routes SET pending = (route != 'machine') AND (
                SELECT COUNT(*) FROM decisions d
                WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
            ) < (SELECT overlap FROM tasks WHERE id = routes.task_id)
            WHERE task_id = ? AND item_id = ?
            """, arguments: [taskID, itemID])
    }
}

/// The LLM response cache lives in the project's store, so a re-run costs nothing.
extension SQLiteStore: ResponseCache {
    public func cachedResponse(key: String) throws -> CachedResponse? {
        try writer.read { db in
            guard let r = try GRDB.Row.fetchOne(db, sql: """
                SELECT text, prompt_tokens, completion_tokens, logprobs FROM llm_cache WHERE key = ?
                """, arguments: [key]) else { return nil }
            let logprobsText: String? = r[3]
            let logprobs = try logprobsText.map { try JSONValue.parse($0).array?.compactMap(\.number) ?? [] }
            return CachedResponse(text: r[0], promptTokens: r[1], completionTokens: r[2], logprobs: logprobs)
        }
    }

    public func storeResponse(_ response: CachedResponse, key: String) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO llm_cache (key, text, prompt_tokens, completion_tokens, logprobs, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [key, response.text, response.promptTokens, response.completionTokens,
                                 response.logprobs.map { JSONValue.array($0.map(JSONValue.number)).canonicalJSON },
                                 Date().timeIntervalSince1970])
        }
    }
}

extension SQLiteStore {
    public func routing(task: TaskSpec, itemRowID: Int64) throws -> (route: RouteRecord, votes: [MachineVote])? {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name),
                  let r = try GRDB.Row.fetchOne(db, sql: """
                    SELECT item_id, route, score, machine_label, annotator, pending, audit_probability FROM routes
                    WHERE task_id = ? AND item_id = ?
                    """, arguments: [taskID, itemRowID]) else { return nil }
            let route = RouteRecord(itemRowID: r[0], route: Route(rawValue: r[1]) ?? .human, score: r[2], machineLabel: r[3],
                                    annotator: r[4], pending: r[5], auditProbability: r[6])
            let votes = try GRDB.Row.fetchAll(db, sql: """
                SELECT annotator, variant, label, confidence FROM votes WHERE task_id = ? AND item_id = ? AND annotator = ?
                  AND \(Self.countedVotes()) ORDER BY id
                """, arguments: [taskID, itemRowID, route.annotator]).map {
                MachineVote(annotator: $0[0], variant: $0[1], label: $0[2], confidence: $0[3])
            }
            return (route, votes)
        }
    }
}

extension SQLiteStore {
    /// `RouteRecord.isBlind` in SQL, for a route row named `r`.
    static let blindRoute = "(r.route = 'audit' AND r.pending = 1)"

    public func triage(task: TaskSpec, filter: TriageFilter, limit: Int) throws -> [TriageRow] {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return [] }
            var sql = """
                SELECT \(Rows.itemColumns), r.route, r.score, r.machine_label, r.annotator, r.pending, r.audit_probability
                FROM routes r JOIN items ON items.id = r.item_id WHERE r.task_id = ?
                """
            var arguments: StatementArguments = [taskID]
            if filter.pendingOnly { sql += " AND r.pending = 1" }
            if let route = filter.route {
                sql += " AND r.route = ?"
                arguments += [route.rawValue]
            }
            // Filters on what the machine said never pick out a blind audit (RouteRecord.isBlind).
            if let label = filter.label {
                sql += " AND r.machine_label = ? AND NOT \(Self.blindRoute)"
                arguments += [label]
            }
            if let min = filter.minScore {
                sql += " AND r.score >= ? AND NOT \(Self.blindRoute)"
                arguments += [min]
            }
            if filter.flaggedOnly {
                sql += " AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id AND d.flagged = 1)"
            }
            // Nor does the order: blind audits come last, in item order, whatever their score.
            let score = "CASE WHEN \(Self.blindRoute) THEN 0 ELSE r.score END"
            sql += " ORDER BY \(Self.blindRoute), \(score)\(filter.ascending ? "" : " DESC"), r.item_id"
            sql += " LIMIT ?"
            arguments += [limit]
            let columns = Rows.itemColumnCount
            var rows: [TriageRow] = []
            for r in try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments) {
                let item = try Rows.storedItem(r)
                let route = RouteRecord(itemRowID: item.rowID, route: Route(rawValue: r[columns]) ?? .human, score: r[columns + 1],
                                        machineLabel: r[columns + 2], annotator: r[columns + 3], pending: r[columns + 4],
                                        auditProbability: r[columns + 5])
                rows.append(TriageRow(item: item, route: route, votes: []))
            }
            // The router's votes for the listed items only.
            let vote = try db.makeStatement(sql: """
                SELECT annotator, variant, label, confidence FROM votes WHERE task_id = ? AND item_id = ? AND annotator = ?
                  AND \(Self.countedVotes()) ORDER BY id
                """)
            for i in rows.indices where !rows[i].route.isBlind {
                rows[i].setVotes(try GRDB.Row.fetchAll(vote, arguments: [taskID, rows[i].item.rowID, rows[i].route.annotator]).map {
                    MachineVote(annotator: $0[0], variant: $0[1], label: $0[2], confidence: $0[3])
                })
            }
            return rows
        }
    }
}
