import Foundation

/// The PostgreSQL half of `duet-bench store` (after the PostgreSQL backend conforms to the roles).
func benchPostgres(n: Int, dir: URL) async throws {
    print("store benchmark: PostgreSQL not benchmarked yet")
}
