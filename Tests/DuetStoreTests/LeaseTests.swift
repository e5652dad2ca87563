import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// A lease that is never given back expires (the clock is SQLite's `at:`; what leases promise every backend is in
/// the conformance suite, Tests/StoreConformance).
@Suite struct LeaseTests {
    let task = Fixture.sentiment

    @Test func aForgottenLeaseExpires() throws {
        let s = try Fixture.store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(s, $0) }
        #expect(try s.nextItem(for: task, annotator: "ana", at: Fixture.date(0))?.rowID == ids[0])
        #expect(try s.nextItem(for: task, annotator: "bob", at: Fixture.date(60))?.rowID == ids[1])
        let later = Fixture.date(SQLiteStore.leaseSeconds + 1)
        #expect(try s.nextItem(for: task, annotator: "cleo", at: later)?.rowID == ids[0])
    }
}
