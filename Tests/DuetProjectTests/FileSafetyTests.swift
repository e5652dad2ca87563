import DuetCore
import DuetStore
import Foundation
import ProcessSpawn
import Logging
import Testing
@testable import DuetProject
#if canImport(Glibc)
import Glibc
#endif

/// A project with two items, both labeled by ana (task sentiment).
private func projectWithItems(_ tmp: TempDir) async throws -> Project {
    let project = try tmp.project()
    let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\n")
    _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
    for uid in ["1", "2"] {
        try project.sqlite.record(NewAnnotation(itemRowID: try #require(try project.sqlite.item(dataset: "t", uid: uid)).rowID, task: "sentiment",
                                               annotatorKind: .human, annotator: "ana", value: "positive"))
    }
    return project
}

/// Every project file's bytes (nil when absent).
private func snapshot(_ root: URL) -> [String: Data?] {
    Dictionary(uniqueKeysWithValues: ProjectFiles.names.map { ($0, FileManager.default.contents(atPath: root.appendingPathComponent($0).path)) })
}

/// Temp files (`*.duet-tmp-*`) in `dir`.
private func temps(_ dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".duet-tmp-") }
}

private func mode(_ path: String) -> mode_t {
    var s = stat()
    return stat(path, &s) == 0 ? s.st_mode & 0o7777 : 0
}

@Suite struct OutputFileTests {
    @Test func everyWayToAProjectFileIsRefusedAndNothingIsWritten() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let root = project.root, fm = FileManager.default
        try "log line\n".write(to: root.appendingPathComponent("duet.log"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let store = root.appendingPathComponent("duet.sqlite").path
        let other = tmp.url.appendingPathComponent("other")
        try fm.createDirectory(at: other, withIntermediateDirectories: true)
        #expect(link(store, other.appendingPathComponent("hard.jsonl").path) == 0)
        #expect(symlink(store, other.appendingPathComponent("link.jsonl").path) == 0)
        #expect(symlink(root.path, other.appendingPathComponent("dir").path) == 0)
        #expect(symlink(root.appendingPathComponent("duet.toml").path, other.appendingPathComponent("x.jsonl.provenance.jsonl").path) == 0)
        let before = snapshot(root)
        var refused: [String] = []
        for name in ProjectFiles.names {
            refused.append(root.appendingPathComponent(name).path)                  // the file itself (or where it would be)
            refused.append(root.path + "/sub/../" + name)                              // another path: `..`
            refused.append(root.path + "/./" + name)
            refused.append(other.appendingPathComponent("dir/" + name).path)           // through a symlinked folder
        }
        refused += [other.appendingPathComponent("hard.jsonl").path, other.appendingPathComponent("link.jsonl").path]
        for path in refused {
            let error = await #expect(throws: DuetError.self, "\(path)") {
                try await ExportWorkflow.run(ExportRequest(task: "sentiment", output: path), project: project)
            }
            #expect(error?.description.contains("refusing to write over the project's own file") == true, "\(path)")
            #expect(error?.description.hasPrefix(path + ":") == true)
            #expect(throws: DuetError.self, "\(path)") { try OutputFile.write(Data("x".utf8), to: path, project: ProjectFiles(root: root)) }
        }
        // Export's provenance file is a LineOutput too (x.jsonl's is a symlink to duet.toml).
        #expect(throws: DuetError.self) {
            try LineOutput(path: other.appendingPathComponent("x.jsonl.provenance.jsonl").path, project: ProjectFiles(root: root))
        }
        #expect(snapshot(root) == before)
        #expect(temps(root).isEmpty && temps(other).isEmpty)
        // An ordinary file next to them is written.
        let fine = root.appendingPathComponent("sub/out.jsonl").path
        #expect(try await ExportWorkflow.run(ExportRequest(task: "sentiment", output: fine), project: project).written == 2)
        #expect(fm.fileExists(atPath: fine))
    }

    @Test func staleTempFilesOfDeadProcessesGoLiveOnesStay() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let out = tmp.url.appendingPathComponent("out.jsonl").path
        // A PID that has ended: a child that was waited for.
        let child = try ProcessSpawn.spawn(["/bin/true"])
        _ = try ProcessSpawn.wait(child)
        let dead = out + ".duet-tmp-\(child)", live = out + ".duet-tmp-1"
        let unrelated = tmp.url.appendingPathComponent("other.jsonl.duet-tmp-\(child)").path
        for p in [dead, live, unrelated] { try "partial".write(toFile: p, atomically: false, encoding: .utf8) }
        _ = try await ExportWorkflow.run(ExportRequest(output: out), project: project)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))       // PID 1 is alive
        #expect(FileManager.default.fileExists(atPath: unrelated))  // another target's
        #expect(temps(tmp.url).sorted() == ["other.jsonl.duet-tmp-\(child)", "out.jsonl.duet-tmp-1"])
    }

    @Test func replacingKeepsTheModeAndWritesThroughASymlink() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let fm = FileManager.default
        let out = tmp.url.appendingPathComponent("out.jsonl").path
        try "old\n".write(toFile: out, atomically: false, encoding: .utf8)
        #expect(chmod(out, 0o664) == 0)  // group-writable: more than the umask (022) lets open() give
        _ = try await ExportWorkflow.run(ExportRequest(output: out), project: project)
        #expect(mode(out) == 0o664)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"id\":\"1\""))
        #expect(chmod(out, 0o606) == 0)
        _ = try await ExportWorkflow.run(ExportRequest(output: out), project: project)
        #expect(mode(out) == 0o606)

        // A symlink stays a symlink; the file it points to (in another folder) gets the new contents.
        let real = tmp.url.appendingPathComponent("real")
        try fm.createDirectory(at: real, withIntermediateDirectories: true)
        let target = real.appendingPathComponent("data.jsonl").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(chmod(target, 0o620) == 0)
        let linkPath = tmp.url.appendingPathComponent("link.jsonl").path
        #expect(symlink("real/data.jsonl", linkPath) == 0)  // relative link
        _ = try await ExportWorkflow.run(ExportRequest(output: linkPath), project: project)
        #expect(try fm.destinationOfSymbolicLink(atPath: linkPath) == "real/data.jsonl")
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("\"id\":\"2\""))
        #expect(mode(target) == 0o620)
        #expect(temps(tmp.url).isEmpty && temps(real).isEmpty)
        // A link to nothing is refused with a sentence.
        let dangling = tmp.url.appendingPathComponent("dangling.jsonl").path
        #expect(symlink("nowhere/x.jsonl", dangling) == 0)
        let error = await #expect(throws: DuetError.self) { try await ExportWorkflow.run(ExportRequest(output: dangling), project: project) }
        #expect(error?.description.contains("symbolic link to a file that does not exist") == true)
    }
}

@Suite struct StoreOpeningTests {
    @Test func aMissingOrEmptyStoreIsNotRecreated() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let root = project.root, store = root.appendingPathComponent("duet.sqlite").path
        let fm = FileManager.default
        for name in ["duet.sqlite", "duet.sqlite-wal", "duet.sqlite-shm"] { try? fm.removeItem(at: root.appendingPathComponent(name)) }
        for mode in [Project.Mode.readWrite, .readOnly] {
            let missing = #expect(throws: DuetError.self) { try Project.open(at: root, mode: mode) }
            #expect(missing?.description.hasPrefix("\(store) is missing") == true)
            #expect(missing?.description.contains("duet init") == true)
            #expect(!fm.fileExists(atPath: store))
        }
        #expect(fm.createFile(atPath: store, contents: Data()))
        let empty = #expect(throws: DuetError.self) { try Project.open(at: root) }
        #expect(empty?.description.hasPrefix("\(store) is empty") == true)
        #expect(try fm.attributesOfItem(atPath: store)[.size] as? NSNumber == 0)
    }

    @Test func readingCommandsOpenTheStoreReadOnlyAndWriteNothing() async throws {
        let tmp = try TempDir()
        let root = try await projectWithItems(tmp).root
        let files = ["duet.sqlite", "duet.toml"].map { root.appendingPathComponent($0).path }
        let before = files.map { FileManager.default.contents(atPath: $0) }
        for f in files { #expect(chmod(f, 0o444) == 0) }
        defer { for f in files { _ = chmod(f, 0o644) } }

        let project = try await Project.open(at: root, mode: .readOnly)
        // The connection is read-only: a write fails (opening wrote nothing: syncTasks did not run).
        #expect(throws: (any Error).self) { try project.sqlite.syncTasks(project.config.tasks) }
        #expect(try await StatusReport.make(project).items == 2)
        let out = tmp.url.appendingPathComponent("out.jsonl").path
        #expect(try await ExportWorkflow.run(ExportRequest(task: "sentiment", scope: .human, output: out), project: project).written == 2)
        _ = try await AgreementReport.make(task: nil, project: project)
        #expect(files.map { FileManager.default.contents(atPath: $0) } == before)
        #expect(mode(files[0]) == 0o444)
    }

    @Test func aStoreThatNeedsUpdatingIsUpdatedFirst() async throws {
        let tmp = try TempDir()
        let created = try await projectWithItems(tmp)
        // A task added to duet.toml by hand: the store learns it on the next open, read-only or not.
        let toml = try String(contentsOf: created.configURL, encoding: .utf8)
        try (toml + "\n[[tasks]]\nname = \"topic\"\nkind = \"classify\"\nlabels = [\"a\", \"b\"]\n").write(to: created.configURL, atomically: true, encoding: .utf8)
        let project = try await Project.open(at: created.root, mode: .readOnly)
        #expect(try project.sqlite.taskProgress(try project.task("topic")).total == 2)
        let again = try await Project.open(at: created.root, mode: .readOnly)
        #expect(throws: (any Error).self) { try again.sqlite.syncTasks(again.config.tasks) }
    }
}

@Suite struct LoggingNeverCrashesTests {
    @Test func aLogThatCannotBeWrittenDropsLinesAndSaysWhy() async throws {
        // /dev/full: every write fails with ENOSPC (FileHandle.write(_:) traps on it).
        let make = try FileLogHandler.open(URL(fileURLWithPath: "/dev/full"))
        let handler = make("duet.test")
        let logger = Logger(label: "duet.test", factory: { _ in handler })
        logger.info("first")
        logger.info("second")
        #expect(handler.failure == "/dev/full: no space left on device (disk full); log lines from then on were dropped")
    }

    @Test func aLogInAFolderThatIsNotThereIsAPlainError() async throws {
        let error = #expect(throws: DuetError.self) { try FileLogHandler.open(URL(fileURLWithPath: "/nonexistent-duet/duet.log")) }
        #expect(error?.description.hasPrefix("/nonexistent-duet/duet.log: no such file or folder") == true)
    }

    /// No trap on any I/O path: `try!`, `fatalError(` and the trapping `FileHandle.write(_:)`
    /// (`.write(Data(`) appear nowhere in Sources but in the few places listed here, each not I/O.
    @Test func sourcesHaveNoTrapsOnIOPaths() async throws {
        let allowed: [(file: String, pattern: String, reason: String)] = []
        let sources = SharedData.repoRoot.appendingPathComponent("Sources")
        let patterns = ["try!", "fatalError(", ".write(Data("]
        var found: [String] = []
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 50)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for p in patterns where line.contains(p) && !allowed.contains(where: { $0.file == file && $0.pattern == p }) {
                    found.append("Sources/\(file):\(n + 1): \(p)")
                }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}

@Suite struct FileErrorTests {
    func checkPlain(_ message: String?, path: String, reason: String) {
        #expect(message?.contains("NSCocoaErrorDomain") == false, "\(message ?? "")")
        #expect(message?.contains("Code=") == false)
        #expect(message?.hasPrefix(path + ": ") == true, "\(message ?? "")")
        #expect(message?.contains(reason) == true, "\(message ?? "")")
    }

    @Test func aFolderGivenAsImportFile() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let dir = tmp.url.appendingPathComponent("data.jsonl")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let error = await #expect(throws: (any Error).self) { try await ImportWorkflow.run(ImportRequest(paths: [dir.path]), into: project.store) }
        checkPlain(error.map { "\($0)" }, path: dir.path, reason: "is a folder")
    }

    @Test func aFullDiskOnExport() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let error = await #expect(throws: DuetError.self) { try await ExportWorkflow.run(ExportRequest(output: "/dev/full"), project: project) }
        checkPlain(error?.description, path: "/dev/full", reason: "no space left on device")
    }

    @Test func aFolderThatIsNotThereOnExport() async throws {
        let tmp = try TempDir()
        let project = try await projectWithItems(tmp)
        let path = tmp.url.appendingPathComponent("nope/out.jsonl").path
        let error = await #expect(throws: DuetError.self) { try await ExportWorkflow.run(ExportRequest(output: path), project: project) }
        checkPlain(error?.description, path: path, reason: "does not exist")
    }

    @Test func foundationAndPOSIXErrorsInPlainWords() async throws {
        let missing = "/nonexistent-duet/x.toml"
        do {
            _ = try String(contentsOfFile: missing, encoding: .utf8)
            Issue.record("read a missing file")
        } catch {
            checkPlain(FileErrors.describe(error), path: missing, reason: "no such file or folder")
            checkPlain(FileErrors.describe(error, path: "given.toml"), path: "given.toml", reason: "no such file")
        }
        do {
            try Data("x".utf8).write(to: URL(fileURLWithPath: "/proc/duet-cannot-write"))
            Issue.record("wrote to /proc")
        } catch {
            checkPlain(FileErrors.describe(error), path: "/proc/duet-cannot-write", reason: "no such file")
        }
        checkPlain(FileErrors.describe(POSIXError(.ENOSPC), path: "out.jsonl"), path: "out.jsonl", reason: "no space left on device")
        checkPlain(FileErrors.describe(CocoaError(.fileWriteOutOfSpace), path: "out.jsonl"), path: "out.jsonl", reason: "no space left")
        #expect(FileErrors.describe(DuetError("not a file error")) == nil)
    }
}
