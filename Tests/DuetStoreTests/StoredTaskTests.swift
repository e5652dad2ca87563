import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// The store holds its tasks whole (`tasks.spec`, v12): what a shared store's team reads.
@Suite struct StoredTaskTests {
    @Test func tasksReadBackAsSynced() throws {
        let store = try SQLiteStore.inMemory()
        var rated = TaskSpec(name: "quality", kind: .rate, dataset: "reviews", guidelines: "1 = bad", scale: 1...7, overlap: 2)
        try store.syncTasks([Fixture.sentiment, rated])
        #expect(try store.storedTasks() == [rated, Fixture.sentiment])
        #expect(try store.isCurrent(tasks: [rated, Fixture.sentiment]))
        // A change of guidelines alone is a change of the stored task.
        rated.guidelines = "1 = awful"
        #expect(try !store.isCurrent(tasks: [rated]))
        try store.syncTasks([rated])
        #expect(try store.storedTasks().first == rated)
        #expect(try store.isCurrent(tasks: [rated]))
    }

    @Test func aTaskStoredBeforeSpecsWereKeptIsReadFromItsColumns() throws {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Fixture.sentiment])
        try store.writer.write { db in try db.execute(sql: "UPDATE tasks SET spec = NULL") }
        #expect(try store.storedTasks() == [Fixture.sentiment])
    }
}
