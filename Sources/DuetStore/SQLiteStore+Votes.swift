import DuetCore
import Foundation
import GRDB

/// Machine votes: saving and replacing them, reading them (whole, or one item at a time for the streaming
/// router), and what they cost. Routing them is SQLiteStore+Routing.swift.
extension SQLiteStore {
    /// The votes that count, in SQL (a votes row `v` or unqualified): no-votes (False / No answers,
    /// `MachineVote.noVote`) are stored for their text and tokens, never read as votes.
    static func countedVotes(_ row: String = "") -> String { "\(row.isEmpty ? "" : row + ".")no_vote = 0" }

    public func saveVotes(_ votes: [(item: Int64, vote: MachineVote)], task: String, at date: Date) throws {
        try writer.write { db in
            try Self.insertVotes(db, votes, taskID: try Self.requireTaskID(db, name: task), at: date)
        }
    }

    public func replaceVotes(_ votes: VoteTable, annotator: String, items: [Int64], task: String, at date: Date) throws {
        try writer.write { db in
            let taskID = try Self.requireTaskID(db, name: task)
            let delete = try RawStatement(db, sql: "DELETE FROM votes WHERE task_id = ? AND item_id = ? AND annotator = ?")
            for item in items {
                delete.bind(taskID)
                delete.bind(item)
                delete.bind(annotator)
                try delete.run()
            }
            try Self.insertVotes(db, votes.all, taskID: taskID, at: date)
        }
    }

    /// Inserts votes, replacing one with the same task, item, annotator and variant.
    static func insertVotes<Votes: Sequence<(item: Int64, vote: MachineVote)>>(_ db: Database, _ votes: Votes, taskID: Int64,
                                                                              at date: Date) throws {
        let statement = try RawStatement(db, sql: """
            INSERT INTO votes (task_id, item_id, annotator, variant, label, confidence, raw, prompt_tokens, completion_tokens,
                               no_vote, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (task_id, item_id, annotator, variant) DO UPDATE SET
                label = excluded.label, confidence = excluded.confidence, raw = excluded.raw,
                prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                no_vote = excluded.no_vote, created_at = excluded.created_at
            """)
        let now = seconds(date)
        for (item, v) in votes {
            statement.bind(taskID)
            statement.bind(item)
            statement.bind(v.annotator)
            statement.bind(v.variant)
            statement.bind(v.label)
            statement.bind(v.confidence)
            statement.bind(v.raw)
            statement.bind(v.promptTokens.map(Int64.init))
            statement.bind(v.completionTokens.map(Int64.init))
            statement.bind(Int64(v.noVote ? 1 : 0))
            statement.bind(now)
            try statement.run()
        }
    }

    public func votes(task: TaskSpec, annotator: String?) throws -> VoteTable {
        var table = VoteTable()
        try readVotes(task: task, annotators: annotator.map { [$0] }, count: { table.reserveCapacity(votes: $0) }) { item, vote in
            table.append(vote, item: item)
        }
        return table
    }

    public func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) throws {
        var item: Int64 = 0
        var votes: [MachineVote] = []
        try readVotes(task: task, annotators: annotators) { id, vote in
            if id != item, !votes.isEmpty {
                try body(item, votes)
                votes.removeAll(keepingCapacity: true)
            }
            item = id
            votes.append(vote)
        }
        if !votes.isEmpty { try body(item, votes) }
    }

    /// The task's counted votes (only `annotators`' when given), one row at a time in item and storage order,
    /// without their raw answers and token counts (kept in the store for audits and costs: routing 10^6
    /// votes does not need them). Read through SQLite's C API with a small page cache: 10^6 votes as rows
    /// would be 100s of MB. `count`, when given, first gets how many there are.
    private func readVotes(task: TaskSpec, annotators: [String]?, count: ((Int) -> Void)? = nil,
                           _ row: (Int64, MachineVote) throws -> Void) throws {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return }
            let members = annotators.map { " AND annotator IN (\(Array(repeating: "?", count: $0.count).joined(separator: ", ")))" } ?? ""
            let filter = "WHERE task_id = ? AND \(Self.countedVotes())" + members
            if let count {
                var arguments: StatementArguments = [taskID]
                for a in annotators ?? [] { arguments += [a] }
                count(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM votes \(filter)", arguments: arguments) ?? 0)
            }
            try Self.withCacheSize(db, kib: 2048) {
                let statement = try RawStatement(db, sql: "SELECT item_id, annotator, variant, label, confidence FROM votes \(filter) ORDER BY item_id, id")
                statement.bind(taskID)
                for a in annotators ?? [] { statement.bind(a) }
                while try statement.step() {
                    try row(statement.int64(0) ?? 0, MachineVote(annotator: statement.text(1) ?? "", variant: statement.text(2) ?? "",
                                                                 label: statement.text(3), confidence: statement.double(4)))
                }
            }
        }
    }

    public func voteRecords(task: TaskSpec, item: Int64?, annotator: String?, unparseableOnly: Bool, limit: Int) throws -> [VoteRecord] {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return [] }
            var sql = """
                SELECT v.item_id, i.uid, v.annotator, v.variant, v.label, v.confidence, v.raw, v.prompt_tokens, v.completion_tokens,
                       v.no_vote
                FROM votes v JOIN items i ON i.id = v.item_id WHERE v.task_id = ?
                """
            var arguments: StatementArguments = [taskID]
            if let item { sql += " AND v.item_id = ?"; arguments += [item] }
            if let annotator { sql += " AND v.annotator = ?"; arguments += [annotator] }
            if unparseableOnly { sql += " AND v.label IS NULL AND \(Self.countedVotes("v"))" }
            sql += " ORDER BY v.item_id, v.id LIMIT ?"
            arguments += [limit]
            return try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments).map { r in
                var vote = MachineVote(annotator: r[2], variant: r[3], label: r[4], confidence: r[5], raw: r[6], promptTokens: r[7],
                                       completionTokens: r[8])
                vote.noVote = r[9]
                return VoteRecord(itemRowID: r[0], item: r[1], vote: vote)
            }
        }
    }

    public func voteAnnotators(task: TaskSpec) throws -> Set<String> {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT DISTINCT annotator FROM votes WHERE task_id = ?", arguments: [taskID]))
        }
    }

    public func voteCounts(task: TaskSpec) throws -> [VoteCount] {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return [] }
            return try GRDB.Row.fetchAll(db, sql: """
                SELECT annotator, variant, label, COUNT(*) FROM votes WHERE task_id = ? AND \(Self.countedVotes())
                GROUP BY annotator, variant, label ORDER BY annotator, variant, label
                """, arguments: [taskID]).map { VoteCount(annotator: $0[0], variant: $0[1], label: $0[2], count: $0[3]) }
        }
    }

    public func voteTokens(task: TaskSpec, annotator: String) throws -> VoteTokens {
        try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name),
                  let r = try GRDB.Row.fetchOne(db, sql: """
                      SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0)
                      FROM votes WHERE task_id = ? AND annotator = ?
                      """, arguments: [taskID, annotator])
            else { return VoteTokens() }
            return VoteTokens(votes: r[0], promptTokens: r[1], completionTokens: r[2])
        }
    }
}
