import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

// Machine votes (VoteStore) on PostgreSQL, as SQLiteStore+Votes.swift. No-votes (`MachineVote.noVote`) are
// stored for their text and tokens, never read as votes.

extension PostgresStore: VoteStore {
    /// How many votes one insert statement carries (a statement has at most 65535 parameters; a vote takes 11).
    static let votesPerStatement = 1000
    /// How many rows a streamed read of votes fetches from its server-side cursor at a time.
    static let votesPerFetch = 5000

    public func saveVotes(_ votes: [(item: Int64, vote: MachineVote)], task: String, at date: Date) async throws {
        try await write("storing \(votes.count) votes") { db in
            try await Self.insertVotes(db, votes, taskID: try await Self.requireTaskID(db, name: task), at: date)
        }
    }

    public func replaceVotes(_ votes: VoteTable, annotator: String, items: [Int64], task: String, at date: Date) async throws {
        try await write("storing \(annotator)'s votes") { db in
            let taskID = try await Self.requireTaskID(db, name: task)
            try await db.execute("DELETE FROM votes WHERE task_id = \(taskID) AND item_id = ANY(\(items)) AND annotator = \(annotator)")
            try await Self.insertVotes(db, votes.all, taskID: taskID, at: date)
        }
    }

    /// Inserts votes, replacing one with the same task, item, annotator and variant, many to a statement. Within
    /// a statement a key given twice is written once, at its first place with its last values: what SQLite's
    /// one-by-one upserts leave.
    static func insertVotes<Votes: Sequence<(item: Int64, vote: MachineVote)>>(_ db: PostgresConnection, _ votes: Votes, taskID: Int64,
                                                                              at date: Date) async throws {
        let now = seconds(date)
        var batch: [(item: Int64, vote: MachineVote)] = []
        var position: [VoteKey: Int] = [:]
        func flush() async throws {
            if batch.isEmpty { return }
            var binds = PostgresBindings(capacity: batch.count * 11)
            var rows: [String] = []
            rows.reserveCapacity(batch.count)
            for (item, v) in batch {
                let n = binds.count
                rows.append("(" + (1...11).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
                binds.append(taskID)
                binds.append(item)
                binds.append(v.annotator)
                binds.append(v.variant)
                binds.append(v.label)
                binds.append(v.confidence)
                binds.append(v.raw)
                binds.append(v.promptTokens.map(Int64.init))
                binds.append(v.completionTokens.map(Int64.init))
                binds.append(v.noVote)
                binds.append(now)
            }
            try await db.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO votes (task_id, item_id, annotator, variant, label, confidence, raw, prompt_tokens, completion_tokens, no_vote, created_at)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (task_id, item_id, annotator, variant) DO UPDATE SET
                    label = excluded.label, confidence = excluded.confidence, raw = excluded.raw,
                    prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                    no_vote = excluded.no_vote, created_at = excluded.created_at
                """, binds: binds))
            batch.removeAll(keepingCapacity: true)
            position.removeAll(keepingCapacity: true)
        }
        for (item, vote) in votes {
            let key = VoteKey(item: item, annotator: vote.annotator, variant: vote.variant)
            if let i = position[key] {
                batch[i].vote = vote
                continue
            }
            position[key] = batch.count
            batch.append((item, vote))
            if batch.count == votesPerStatement { try await flush() }
        }
        try await flush()
    }

    public func votes(task: TaskSpec, annotator: String?) async throws -> VoteTable {
        try await read("reading the votes of task \(task.name)") { db in
            var table = VoteTable()
            guard let taskID = try await Self.taskID(db, name: task.name) else { return table }
            let members = annotator.map { [$0] }
            let count = try await db.rows("""
                SELECT COUNT(*) FROM votes WHERE task_id = \(taskID) AND NOT no_vote AND (\(members)::text[] IS NULL OR annotator = ANY(\(members)))
                """).decode(Int.self).firstElement() ?? 0
            table.reserveCapacity(votes: count)
            try await Self.streamVotes(db, taskID: taskID, annotators: members) { item, vote in table.append(vote, item: item) }
            return table
        }
    }

    public func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) async throws {
        // `body` is the caller's, called back item by item in the caller's task; the rows are read by a protected
        // call (`readStreamed`) and handed over a fetch at a time.
        var item: Int64 = 0
        var votes: [MachineVote] = []
        try await readStreamed("reading the votes of task \(task.name)", produce: { db, emit in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return }
            try await Self.streamVotePages(db, taskID: taskID, annotators: annotators, emit)
        }, consume: { (page: [(Int64, MachineVote)]) in
            for (id, vote) in page {
                if id != item, !votes.isEmpty {
                    try body(item, votes)
                    votes.removeAll(keepingCapacity: true)
                }
                item = id
                votes.append(vote)
            }
        })
        if !votes.isEmpty { try body(item, votes) }
    }

    /// The task's counted votes (only `annotators`' when given), one row at a time in item and storage order,
    /// without their raw answers and token counts (`streamVotePages`).
    static func streamVotes(_ db: PostgresConnection, taskID: Int64, annotators: [String]?, fetch: Int = votesPerFetch,
                            _ row: (Int64, MachineVote) throws -> Void) async throws {
        try await streamVotePages(db, taskID: taskID, annotators: annotators, fetch: fetch) { page in
            for (item, vote) in page { try row(item, vote) }
        }
    }

    /// The task's counted votes a fetch at a time (`fetch` rows each), in item and storage order, through a
    /// server-side cursor in a read-only transaction (one snapshot; a fetch in memory at a time, not the table).
    static func streamVotePages(_ db: PostgresConnection, taskID: Int64, annotators: [String]?, fetch: Int = votesPerFetch,
                                _ page: ([(Int64, MachineVote)]) async throws -> Void) async throws {
        try await db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            try await db.execute("""
                DECLARE duet_votes NO SCROLL CURSOR FOR
                SELECT item_id, annotator, variant, label, confidence FROM votes
                WHERE task_id = \(taskID) AND NOT no_vote AND (\(annotators)::text[] IS NULL OR annotator = ANY(\(annotators)))
                ORDER BY item_id, id
                """)
            while true {
                var rows: [(Int64, MachineVote)] = []
                rows.reserveCapacity(fetch)
                let fetched = try await db.rows(PostgresQuery(unsafeSQL: "FETCH FORWARD \(fetch) FROM duet_votes"))
                for try await (item, annotator, variant, label, confidence) in fetched.decode((Int64, String, String, String?, Double?).self) {
                    rows.append((item, MachineVote(annotator: annotator, variant: variant, label: label, confidence: confidence)))
                }
                if !rows.isEmpty { try await page(rows) }
                if rows.count < fetch { break }
            }
            try await db.execute("COMMIT")
        } catch {
            try? await db.execute("ROLLBACK")
            throw error
        }
    }

    public func voteRecords(task: TaskSpec, item: Int64?, annotator: String?, unparseableOnly: Bool, limit: Int) async throws -> [VoteRecord] {
        try await read("reading the votes of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return [] }
            let rows = try await db.rows("""
                SELECT v.item_id, i.uid, v.annotator, v.variant, v.label, v.confidence, v.raw, v.prompt_tokens, v.completion_tokens, v.no_vote
                FROM votes v JOIN items i ON i.id = v.item_id
                WHERE v.task_id = \(taskID) AND (\(item)::bigint IS NULL OR v.item_id = \(item))
                  AND (\(annotator)::text IS NULL OR v.annotator = \(annotator))
                  AND (NOT \(unparseableOnly) OR (v.label IS NULL AND NOT v.no_vote))
                ORDER BY v.item_id, v.id LIMIT \(limit)
                """)
            var out: [VoteRecord] = []
            for try await (item, uid, annotator, variant, label, confidence, raw, prompt, completion, noVote)
                in rows.decode((Int64, String, String, String, String?, Double?, String?, Int64?, Int64?, Bool).self) {
                var vote = MachineVote(annotator: annotator, variant: variant, label: label, confidence: confidence, raw: raw,
                                       promptTokens: prompt.map { Int($0) }, completionTokens: completion.map { Int($0) })
                vote.noVote = noVote
                out.append(VoteRecord(itemRowID: item, item: uid, vote: vote))
            }
            return out
        }
    }

    public func voteAnnotators(task: TaskSpec) async throws -> Set<String> {
        try await read("reading the votes of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return [] }
            return Set(try await db.rows("SELECT DISTINCT annotator FROM votes WHERE task_id = \(taskID)").decode(String.self).all())
        }
    }

    public func voteCounts(task: TaskSpec) async throws -> [VoteCount] {
        try await read("counting the votes of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return [] }
            // SQLite's order: bytewise text, NULL first.
            return try await db.rows("""
                SELECT annotator, variant, label, COUNT(*) FROM votes WHERE task_id = \(taskID) AND NOT no_vote
                GROUP BY annotator, variant, label
                ORDER BY annotator COLLATE "C", variant COLLATE "C", label COLLATE "C" NULLS FIRST
                """).decode((String, String, String?, Int).self).all().map {
                VoteCount(annotator: $0.0, variant: $0.1, label: $0.2, count: $0.3)
            }
        }
    }

    public func voteTokens(task: TaskSpec, annotator: String) async throws -> VoteTokens {
        try await read("counting the votes of task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name),
                  let (votes, prompt, completion) = try await db.rows("""
                      SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0)::bigint, COALESCE(SUM(completion_tokens), 0)::bigint
                      FROM votes WHERE task_id = \(taskID) AND annotator = \(annotator)
                      """).decode((Int, Int, Int).self).firstElement()
            else { return VoteTokens() }
            return VoteTokens(votes: votes, promptTokens: prompt, completionTokens: completion)
        }
    }
}

/// A vote's key in `votes` (task aside): what a re-run replaces.
private struct VoteKey: Hashable {
    var item: Int64
    var annotator: String
    var variant: String
}
