import Foundation
import PostgresNIO

/// The planner's statistics after a bulk write (an import, a routing): one rule for every writer.
///
/// A table's statistics come from `ANALYZE`; autovacuum runs it once the rows changed since the last one pass
/// 50 + 10 % of the table (its `autovacuum_analyze_threshold` and `autovacuum_analyze_scale_factor`
/// defaults), but only when it comes round (a minute or more later). Until then the queue's and the export's
/// queries plan for the table as it was: after an import into an empty project, asking for the next item
/// took 0.4–1 s at 10^5 items (3 ms with statistics); after a routing that wrote a log entry per item, an
/// export read the log at ~13k items/s (~190k with). So a bulk writer applies autovacuum's rule itself, at
/// once, to what it wrote: a table whose written rows pass it (or that never had statistics) is analyzed
/// after the commit. Best effort: the write is done whatever ANALYZE says.
enum PostgresStatistics {
    /// Autovacuum's defaults: rows changed since the last ANALYZE that make a table's statistics stale.
    static func stale(written: Int, rows: Double) -> Bool {
        written > 0 && (rows < 0 || Double(written) > 50 + 0.1 * rows)
    }

    /// ANALYZEs those of the tables whose statistics the rows written to them (by table name) made stale.
    static func refresh(_ db: PostgresConnection, written: [String: Int]) async {
        let names = written.filter { $0.value > 0 }.keys.sorted()
        guard !names.isEmpty else { return }
        do {
            // reltuples: the rows at the last ANALYZE or VACUUM; -1 (0 before PostgreSQL 14) when there was none.
            var stale: [String] = []
            for try await (name, rows) in try await db.rows("""
                SELECT relname::text, reltuples::float8 FROM pg_class
                WHERE relname = ANY(\(names)) AND relkind = 'r' AND pg_table_is_visible(oid)
                """).decode((String, Double).self) where Self.stale(written: written[name] ?? 0, rows: rows <= 0 ? -1 : rows) {
                stale.append(name)
            }
            guard !stale.isEmpty else { return }
            // The names are the store's own tables (checked against the catalog above), never input.
            try await db.execute(PostgresQuery(unsafeSQL: "ANALYZE " + stale.sorted().joined(separator: ", ")))
        } catch {
            // Statistics are an optimization: autovacuum makes them later.
        }
    }

    /// The same on a connection of the pool.
    static func refresh(_ pool: PostgresPool, written: [String: Int]) async {
        guard written.values.contains(where: { $0 > 0 }) else { return }
        _ = try? await pool.withConnection { db in await refresh(db, written: written) }
    }
}
