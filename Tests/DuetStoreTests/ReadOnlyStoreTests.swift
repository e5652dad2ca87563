import DuetCore
@testable import DuetStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reading a store that cannot be written: read-only files, a read-only folder.
/// (Tests run as root, where permission bits do not stop writes; the folder's
/// state is therefore given to `openReadOnly`, and the proof is that nothing
/// changes: the files' bytes and no -wal/-shm beside them.)
@Suite struct ReadOnlyStoreTests {
    /// A store file with 3 items in a fresh folder, closed (its WAL checkpointed away).
    func makeStore() throws -> (dir: URL, path: String) {
        // An odd folder name: the immutable open takes the path as a URI.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-ro %3F?#-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("duet.sqlite").path
        do {
            let store = try SQLiteStore.open(path: path)
            try store.syncTasks([Fixture.sentiment])
            try Fixture.load(store, (1...3).map { Fixture.text($0) })
        }
        return (dir, path)
    }

    func files(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test func aReadOnlyFolderIsReadAsImmutableWithoutWritingAnything() throws {
        let (dir, path) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try files(dir) == ["duet.sqlite"])
        let bytes = FileManager.default.contents(atPath: path)
        #expect(chmod(path, 0o444) == 0 && chmod(dir.path, 0o555) == 0)
        defer { _ = chmod(dir.path, 0o755) }
        let store = try SQLiteStore.openReadOnly(path: path, folderWritable: false)
        #expect(try store.itemCount() == 3)
        #expect(try store.isCurrent(tasks: [Fixture.sentiment]))
        #expect(try !store.isCurrent(tasks: [Fixture.sentiment, Fixture.preference]))
        #expect(throws: (any Error).self) { try store.syncTasks([Fixture.preference]) }
        #expect(try files(dir) == ["duet.sqlite"])
        #expect(FileManager.default.contents(atPath: path) == bytes)
    }

    @Test func commitsStillInTheWALAreNotSkipped() throws {
        let (dir, path) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A -wal with content and no -shm: immutable would read the store without those commits.
        try Data(repeating: 1, count: 64).write(to: URL(fileURLWithPath: path + "-wal"))
        let error = #expect(throws: StoreError.self) { try SQLiteStore.openReadOnly(path: path, folderWritable: false) }
        #expect(error?.description.contains("-wal holds changes not yet written into the store") == true)
    }

    @Test func aWritableFolderIsReadThroughTheWAL() throws {
        let (dir, path) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = FileManager.default.contents(atPath: path)
        let store = try SQLiteStore.open(path: path, readOnly: true)
        #expect(try store.itemCount() == 3)
        #expect(throws: (any Error).self) { try store.syncTasks([Fixture.preference]) }
        #expect(FileManager.default.contents(atPath: path) == bytes)
    }
}
