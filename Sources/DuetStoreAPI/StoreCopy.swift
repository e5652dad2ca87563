import DuetCore
import Foundation

/// `duet store copy`: moves a project's store to another backend (SQLite ⇄ PostgreSQL), table by
/// table with ids kept, all or nothing, then proves the copy: every copied table's row count, a
/// checksum of the log, and every task's progress (recounted by the target's own triggers) equal on
/// both sides. Holds one page of rows at a time.
public enum StoreCopy {
    public struct TableFigures: Sendable, Hashable {
        public var name: String
        public var rows: Int
    }

    public struct Report: Sendable {
        /// The copied tables and their rows, in copy order.
        public var tables: [TableFigures]
        /// The log's checksum, equal on both sides.
        public var logChecksum: String
        /// Tasks whose progress was compared.
        public var tasksCompared: Int
    }

    /// The copy did not come out equal: what differs. The target keeps the copy (it was committed);
    /// the source is untouched.
    public struct Mismatch: Error, CustomStringConvertible {
        public var differences: [String]
        public var description: String {
            "the copy differs from the source: " + differences.joined(separator: "; ")
        }
    }

    public typealias Backend = TableAccess & ProgressCounts

    /// Copies `source` into `target` (which must hold no project yet) and verifies it. `onRows` hears
    /// each table's rows so far. A failure before the commit leaves the target as it was.
    public static func copy(from source: any Backend, to target: any Backend, tasks: [TaskSpec], page: Int = 2000,
                            onRows: (_ table: String, _ rows: Int) -> Void = { _, _ in }) async throws -> Report {
        let session = try await target.beginTableCopy()
        do {
            for table in StoreTables.copied {
                var copied = 0
                try await forEachPage(of: table, in: source, page: page) { rows in
                    try await session.add(rows, to: table)
                    copied += rows.count
                    onRows(table.name, copied)
                }
            }
            try await session.commit()
        } catch {
            await session.cancel()
            throw error
        }
        return try await verify(source, target, tasks: tasks, page: page)
    }

    /// Compares the two stores: row counts of every copied table, the log's checksum, each task's progress.
    public static func verify(_ source: any Backend, _ target: any Backend, tasks: [TaskSpec], page: Int = 2000) async throws -> Report {
        var differences: [String] = []
        var figures: [TableFigures] = []
        for table in StoreTables.copied {
            let (a, b) = (try await source.rowCount(of: table), try await target.rowCount(of: table))
            if a != b { differences.append("\(table.name): \(a) rows in the source, \(b) in the copy") }
            figures.append(TableFigures(name: table.name, rows: a))
        }
        let (sum, copySum) = (try await checksum(of: StoreTables.log, in: source, page: page),
                              try await checksum(of: StoreTables.log, in: target, page: page))
        if sum != copySum { differences.append("the log's checksum is \(sum) in the source, \(copySum) in the copy") }
        for task in tasks {
            let (a, b) = (try await source.taskProgress(task), try await target.taskProgress(task))
            if a != b { differences.append("task \(Names.shown(task.name)): progress \(a) in the source, \(b) in the copy") }
        }
        guard differences.isEmpty else { throw Mismatch(differences: differences) }
        return Report(tables: figures, logChecksum: sum, tasksCompared: tasks.count)
    }

    /// A checksum of every row of `table` in key order (each value with its type, so NULL, 0 and ""
    /// differ), as hex.
    public static func checksum(of table: StoreTable, in store: any TableAccess, page: Int = 2000) async throws -> String {
        var h = ContentHash.Hasher64()
        var rows = 0
        try await forEachPage(of: table, in: store, page: page) { page in
            for row in page {
                for value in row { combine(value, into: &h) }
                rows += 1
            }
        }
        h.combine(Int64(rows))
        return String(UInt64(bitPattern: h.finalize()), radix: 16)
    }

    static func combine(_ value: ColumnValue, into h: inout ContentHash.Hasher64) {
        switch value {
        case .null: h.combine(Int64(0))
        case .integer(let v):
            h.combine(Int64(1))
            h.combine(v)
        case .real(let v):
            h.combine(Int64(2))
            h.combine(Int64(bitPattern: v.bitPattern))
        case .text(let v):
            h.combine(Int64(3))
            h.combine(v)
        }
    }

    /// Every row of `table` in key order, a page at a time.
    static func forEachPage(of table: StoreTable, in store: any TableAccess, page: Int,
                            _ body: ([[ColumnValue]]) async throws -> Void) async throws {
        var after: [ColumnValue]?
        let key = table.keyPositions
        while true {
            let rows = try await store.rows(of: table, after: after, limit: page)
            guard let last = rows.last else { return }
            try await body(rows)
            if rows.count < page { return }
            after = key.map { last[$0] }
        }
    }
}
