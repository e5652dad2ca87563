import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `duet` binary on project files: outputs never land on them, an
/// interrupted export leaves nothing behind, a lost store is not recreated,
/// file errors are sentences.
@Suite(.enabled(if: Tmux.duetBinary != nil, "no built duet binary"))
struct FileSafetyCLITests {
    typealias Result = Tmux.Ran

    /// Runs duet in `cwd` and waits for it.
    static func duet(_ args: [String], in cwd: URL, executable: String? = nil, prefix: [String] = []) throws -> Result {
        try Tmux.capture(executable ?? Tmux.duetBinary!, prefix + args, cwd: cwd)
    }

    /// A new project in a temporary folder with `items` items imported; the folder is removed by the caller.
    static func project(items: Int) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-cli-\(UUID().uuidString)")
        let root = dir.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let initialized = try duet(["init", root.path, "--example"], in: dir)
        guard initialized.status == 0 else { throw E2EError("duet init: \(initialized.err)") }
        var text = ""
        text.reserveCapacity(items * 40)
        for i in 0..<items { text += "{\"id\":\"\(i)\",\"text\":\"item number \(i) of the test\"}\n" }
        let data = dir.appendingPathComponent("t.jsonl")
        try text.write(to: data, atomically: true, encoding: .utf8)
        let imported = try duet(["import", data.path], in: root)
        guard imported.status == 0 else { throw E2EError("duet import: \(imported.err)") }
        return root
    }

    /// Starts duet as a shell would (see `Tmux.spawn`), output to /dev/null.
    static func spawnPlain(_ args: [String], executable: String = Tmux.duetBinary!) throws -> pid_t {
        guard let pid = Tmux.spawn([executable] + args) else { throw E2EError("posix_spawn failed for \(executable)") }
        return pid
    }

    static func temps(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".duet-tmp-") }
    }

    @Test func relativePathsToProjectFilesAreRefused() throws {
        let root = try Self.project(items: 3)
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let store = root.appendingPathComponent("duet.sqlite").path
        let before = FileManager.default.contents(atPath: store)
        for args in [["export", "duet.sqlite"], ["export", "-o", "duet.toml"], ["export", "-o", "./duet.sqlite-wal"],
                     ["export", "../p/duet.sqlite"], ["export", "-o", "duet.log"],
                     ["plan", "--svg", "duet.sqlite"], ["plan", "--svg", "../p/duet.toml"]] {
            let r = try Self.duet(args, in: root)
            #expect(r.status != 0, "\(args)")
            #expect(r.err.contains("refusing to write over the project's own file"), "\(args): \(r.err)")
        }
        #expect(FileManager.default.contents(atPath: store) == before)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("duet.log").path))
        #expect(Self.temps(root).isEmpty)
    }

    /// SIGTERM while the export runs: the temp file goes with the process.
    @Test func anExportKilledMidwayLeavesNoTempFile() throws {
        let root = try Self.project(items: 60_000)
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let out = root.deletingLastPathComponent().appendingPathComponent("out.jsonl")
        var killedMidway = 0
        for _ in 0..<3 where killedMidway == 0 {
            let pid = try Self.spawnPlain(["export", "--project", root.path, "--decisions", "all", "-o", out.path])
            let temp = out.path + ".duet-tmp-\(pid)"
            // Wait (polling, no time limit asserted) until the export has its temp file, then stop it.
            var status: Int32 = 0
            var ended = false
            while !FileManager.default.fileExists(atPath: temp) {
                if waitpid(pid, &status, WNOHANG) == pid { ended = true; break }
                usleep(500)
            }
            if !ended {
                kill(pid, SIGTERM)
                waitpid(pid, &status, 0)
                // Died of the signal (the default action after the clean-up), not a normal exit.
                if status & 0x7f == SIGTERM { killedMidway += 1 }
            }
            #expect(!FileManager.default.fileExists(atPath: temp))
        }
        #expect(killedMidway > 0, "the export ended before it could be killed")
        #expect(Self.temps(out.deletingLastPathComponent()).isEmpty)
    }

    /// As another user (root is not stopped by permission bits): a read-only folder with a read-only store.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
    func readingCommandsWorkOnAReadOnlyProject() throws {
        let root = try Self.project(items: 3)
        let dir = root.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        let bytes = FileManager.default.contents(atPath: root.appendingPathComponent("duet.sqlite").path)
        for name in before { #expect(chmod(root.appendingPathComponent(name).path, 0o444) == 0) }
        #expect(chmod(root.path, 0o555) == 0 && chmod(dir.path, 0o777) == 0)
        defer { _ = chmod(root.path, 0o755) }
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", Tmux.duetBinary!]
        for args in [["status"], ["status", "--json"], ["export", "-o", dir.appendingPathComponent("out.jsonl").path], ["agreement"]] {
            let r = try Self.duet(args, in: root, executable: "/usr/bin/setpriv", prefix: asNobody)
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        // plan has no votes to work on here; it must fail for that, not for the store.
        let plan = try Self.duet(["plan"], in: root, executable: "/usr/bin/setpriv", prefix: asNobody)
        #expect(!plan.err.lowercased().contains("readonly") && !plan.err.contains("read-only") && !plan.err.contains("cannot open"), "\(plan.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == before)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("duet.sqlite").path) == bytes)
        // A task added to duet.toml must reach the store first, which cannot be written here: a clear refusal.
        let toml = root.appendingPathComponent("duet.toml")
        let text = try String(contentsOf: toml, encoding: .utf8)
        try (text + "\n[[tasks]]\nname = \"topic\"\nkind = \"classify\"\nlabels = [\"a\", \"b\"]\n").write(to: toml, atomically: false, encoding: .utf8)
        let stale = try Self.duet(["status"], in: root, executable: "/usr/bin/setpriv", prefix: asNobody)
        #expect(stale.status != 0)
        #expect(stale.err.contains("duet.sqlite needs an update before it can be read"), "\(stale.err)")
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("duet.sqlite").path) == bytes)
    }

    /// A file size limit (`ulimit -f`) on export: an error in words, no SIGXFSZ death, no temp file.
    @Test func aFileSizeLimitOnExport() throws {
        let root = try Self.project(items: 3000)
        let dir = root.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.jsonl").path, err = dir.appendingPathComponent("err.txt").path
        // 200 blocks (100 or 200 KB): more than SQLite's 32 KB index beside the store, less than the export.
        let line = "ulimit -f 200; exec '\(Tmux.duetBinary!)' export --project '\(root.path)' --decisions all -o '\(out)' 2>'\(err)'"
        let pid = try Self.spawnPlain(["-c", line], executable: "/bin/sh")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(status & 0x7f == 0, "killed by signal \(status & 0x7f)")
        #expect((status >> 8) & 0xff == 1)
        let message = try String(contentsOfFile: err, encoding: .utf8)
        #expect(message.contains("\(out): file too large") && !message.contains("NSCocoaErrorDomain"), "\(message)")
        #expect(Self.temps(dir).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aLostStoreIsNotRecreated() throws {
        let root = try Self.project(items: 2)
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        for name in ["duet.sqlite", "duet.sqlite-wal", "duet.sqlite-shm"] { try? FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        for args in [["status"], ["import", "/dev/null"], ["export"]] {
            let r = try Self.duet(args, in: root)
            #expect(r.status != 0)
            #expect(r.err.contains("duet.sqlite is missing"), "\(args): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("duet.sqlite").path))
    }

    @Test func fileErrorsAreSentences() throws {
        let root = try Self.project(items: 2)
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let folder = root.deletingLastPathComponent().appendingPathComponent("folder.jsonl")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cases: [([String], String, String)] = [
            (["import", folder.path], folder.path, "is a folder"),
            (["import", "/nonexistent-duet/a.jsonl"], "/nonexistent-duet/a.jsonl", "no such file"),
            (["export", "-o", "/nonexistent-duet/out.jsonl"], "/nonexistent-duet/out.jsonl", "does not exist"),
        ]
        for (args, path, reason) in cases {
            let r = try Self.duet(args, in: root)
            #expect(r.status != 0)
            #expect(!r.err.contains("NSCocoaErrorDomain") && !r.err.contains("Code="), "\(r.err)")
            #expect(r.err.contains(path + ": ") && r.err.contains(reason), "\(args): \(r.err)")
        }
    }
}
