import DuetCore
import DuetPostgres
import DuetProject
import DuetStore
import DuetStoreAPI
import Foundation
import StoreConformance
import Testing

/// A shared project as the commands use it: `duet init --store` creating and joining, `duet task apply`,
/// and `duet store copy` from SQLite to PostgreSQL and back.
@Suite(.enabled(if: TestServer.enabled, TestServer.skipped))
struct SharedProjectTests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func settings(_ config: PostgresConfig) -> StoreSettings {
        StoreSettings(url: config.url, passwordEnv: config.passwordEnv)
    }

    @Test func aTeammateJoinsTheTeamsTasksAndDuetTomlReachesThemOnlyByApply() async throws {
        try await TestServer.withDatabase { config in
            let (a, b) = (try Self.folder(), try Self.folder())
            defer { for d in [a, b] { try? FileManager.default.removeItem(at: d) } }
            let first = try await Project.create(at: a, template: .classify, example: true, store: Self.settings(config),
                                                 environment: TestServer.environment)
            #expect(first.created)
            #expect(first.project.config.tasks.map(\.name) == ["sentiment"])
            #expect(try String(contentsOf: a.appendingPathComponent("duet.toml"), encoding: .utf8).contains("[store]"))
            // A teammate with another template joins: the team's tasks are served; duet.toml's differ.
            let second = try await Project.create(at: b, template: .compare, example: true, store: Self.settings(config),
                                                  environment: TestServer.environment)
            #expect(!second.created)
            #expect(second.project.config.tasks.map(\.name) == ["sentiment"])
            #expect(second.project.taskChanges?.added.map(\.name) == ["preference"])
            // Opening again changes nothing in the store.
            let reopened = try await Project.open(at: b, environment: TestServer.environment)
            #expect(try await reopened.store.storedTasks().map(\.name) == ["sentiment"])
            // The explicit step: a dry run first, then the change.
            #expect(try await reopened.applyTasks(dryRun: true).added.map(\.name) == ["preference"])
            #expect(try await reopened.store.storedTasks().map(\.name) == ["sentiment"])
            _ = try await reopened.applyTasks(dryRun: false)
            #expect(try await reopened.store.storedTasks().map(\.name) == ["preference", "sentiment"])
            #expect(try await Project.open(at: a, environment: TestServer.environment).config.tasks.map(\.name) == ["preference", "sentiment"])
            for p in [first.project, second.project, reopened] { await (p.store as? PostgresStore)?.close() }
        }
    }

    @Test func aStoreCopiedToPostgreSQLAndBackIsTheSame() async throws {
        try await TestServer.withStore { postgres in
            let dir = try Self.folder()
            defer { try? FileManager.default.removeItem(at: dir) }
            let sqlite = try SQLiteStore.open(path: dir.appendingPathComponent("a.sqlite").path)
            try await CopyFixture.fill(sqlite)
            let there = try await StoreCopy.copy(from: sqlite, to: postgres, tasks: CopyFixture.tasks, page: 3)
            let back = try SQLiteStore.open(path: dir.appendingPathComponent("b.sqlite").path)
            let again = try await StoreCopy.copy(from: postgres, to: back, tasks: CopyFixture.tasks, page: 3)
            #expect(there.logChecksum == again.logChecksum)
            for table in StoreTables.copied {
                let a = try await sqlite.rows(of: table, after: nil, limit: 1000)
                #expect(!a.isEmpty, "\(table.name) has rows")
                #expect(try await postgres.rows(of: table, after: nil, limit: 1000) == a, "\(table.name) in PostgreSQL")
                #expect(try await back.rows(of: table, after: nil, limit: 1000) == a, "\(table.name) back in SQLite")
            }
            // The copy serves as the source did: the queue, and new ids after the copied ones.
            let t = CopyFixture.tasks[0]
            let fromSQLite = try sqlite.nextItem(for: t, annotator: "cy")?.rowID
            #expect(try await postgres.nextItem(for: t, annotator: "cy")?.rowID == fromSQLite)
            let id = try await postgres.record(NewAnnotation(itemRowID: 6, task: "sentiment", annotatorKind: .human, annotator: "cy",
                                                             value: "pos", status: .submitted, createdAt: Date()))
            #expect(id > Int64(try await sqlite.rowCount(of: StoreTables.log)))
            // Into a store that holds a project: refused, nothing changed.
            await #expect(throws: (any Error).self) { _ = try await StoreCopy.copy(from: sqlite, to: postgres, tasks: []) }
        }
    }
}
