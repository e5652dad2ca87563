import Foundation
import Glibc
import ProcessSpawn
import Testing
@testable import DuetProject

/// Every child Duet and its tests start goes through ProcessSpawn: it has its three standard streams open and
/// nothing else of ours, and starts with no signal blocked. A child that inherited another caller's pipe kept
/// that reader from ever seeing the pipe's end for as long as it lived (a whole test run hung: a PostgreSQL
/// server started by one test held the write end of another test's `gzip -dc` output).
@Suite struct ProcessSpawnTests {
    /// The descriptors open in process `pid` (/proc/PID/fd).
    static func descriptors(of pid: pid_t) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap { Int32($0) }.sorted()
    }

    static func end(_ pid: pid_t) {
        kill(pid, SIGKILL)
        _ = try? ProcessSpawn.wait(pid)
    }

    @Test func aChildHasItsThreeStreamsOpenAndNothingElseOfOurs() throws {
        // Foundation opens pipes and files without close-on-exec: a plain posix_spawn child inherits them.
        let pipe = Pipe()
        let dir = try TempDir()
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: try dir.file("x.txt", "x")))
        let ours = [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor, file.fileDescriptor]
        #expect(ours.allSatisfy { fcntl($0, F_GETFD) & FD_CLOEXEC == 0 }, "the premise: these would be inherited")
        let pid = try ProcessSpawn.spawn(["/bin/sleep", "30"])
        defer { Self.end(pid) }
        // posix_spawn returns once the child has run exec: what it holds now is what it keeps.
        #expect(try Self.descriptors(of: pid) == [0, 1, 2])
        // Also with streams of our own duplicated onto its standard ones.
        let log = dir.url.appendingPathComponent("out.txt").path
        let second = try ProcessSpawn.spawn(["/bin/sleep", "30"], stdin: .descriptor(file.fileDescriptor), stdout: .file(log),
                                            stderr: .descriptor(pipe.fileHandleForWriting.fileDescriptor))
        defer { Self.end(second) }
        #expect(try Self.descriptors(of: second) == [0, 1, 2])
        try file.close()
    }

    @Test func aChildStartsWithNoSignalBlockedWhateverTheCallersThreadBlocks() throws {
        final class Box: @unchecked Sendable { var result: Result<pid_t, any Error>? }
        let box = Box()
        let thread = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            for s in [SIGTERM, SIGCHLD, SIGHUP] { sigaddset(&blocked, s) }
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            box.result = Result { try ProcessSpawn.spawn(["/bin/sleep", "30"]) }
        }
        thread.start()
        while !thread.isFinished { usleep(1000) }
        let pid = try #require(box.result).get()
        defer { Self.end(pid) }
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }.map { $0.split(separator: "\t").last.map(String.init) }
        #expect(blocked == "0000000000000000")
        // And SIGTERM ends it (a blocked or ignored SIGTERM would not).
        kill(pid, SIGTERM)
        #expect(try ProcessSpawn.wait(pid) == 128 + SIGTERM)
    }

    /// The one door: no other file of the repository starts a process with a bare posix_spawn or fork, nor with
    /// Foundation's Process (its socket pair and pipes are inheritable, a concurrent spawn's child can hold them;
    /// its `waitUntilExit` runs a run loop on the caller's thread, a thread of the test's executor).
    @Test func noOtherFileSpawnsAProcessItself() throws {
        let root = SharedData.repoRoot
        var offenders: [String] = []
        for top in ["Sources", "Tests"] {
            let dir = root.appendingPathComponent(top)
            let files = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty)
            for file in files where file != "ProcessSpawn/ProcessSpawn.swift" && file != "DuetProjectTests/ProcessSpawnTests.swift" {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where ["posix_spawn(", "posix_spawnp(", "fork()", "vfork()", "Process()"].contains(where: { line.contains($0) }) {
                    offenders.append("\(top)/\(file):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "processes started outside ProcessSpawn:\n\(offenders.joined(separator: "\n"))")
    }

    /// `directory` is the child's working directory; one that does not exist is an error, and no child starts.
    @Test func theChildRunsInTheDirectoryGiven() throws {
        let dir = try TempDir()
        let out = try ProcessSpawn.pipe()
        let pid = try ProcessSpawn.spawn(["/bin/pwd"], stdout: .descriptor(out.write), directory: dir.url.path)
        close(out.write)
        let printed = String(decoding: FileHandle(fileDescriptor: out.read, closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(try ProcessSpawn.wait(pid) == 0)
        #expect(URL(fileURLWithPath: printed.trimmingCharacters(in: .newlines)).resolvingSymlinksInPath().path
                == dir.url.resolvingSymlinksInPath().path)
        #expect(throws: ProcessSpawn.Failure.self) { try ProcessSpawn.spawn(["/bin/pwd"], directory: dir.url.path + "/no-such-dir") }
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect(throws: ProcessSpawn.Failure.self) { try ProcessSpawn.spawn(["/nonexistent/duet-no-such-program"]) }
        #expect(throws: ProcessSpawn.Failure.self) { try ProcessSpawn.spawn(["duet-no-such-program-on-path"], searchPath: true) }
    }

    /// The hang itself: a `.gz` import's reader reaches the end of gzip's output while another child, started
    /// after gzip, lives on.
    @Test func aGzipImportEndsWhileAnotherChildLives() throws {
        let dir = try TempDir()
        let path = try gzip(try dir.file("items.jsonl", (1...2000).map { "{\"id\": \"\($0)\", \"text\": \"item \($0)\"}" }.joined(separator: "\n")))
        var source = try GzipByteSource(path: path)
        let other = try ProcessSpawn.spawn(["/bin/sleep", "60"])
        defer { Self.end(other) }
        #expect(try !Self.descriptors(of: other).contains(source.child.output.fileDescriptor))
        // Read on a thread of its own, waited for 30 s at most (before the fix the read ended with `sleep 60`).
        final class Outcome: @unchecked Sendable { var bytes = 0; var error: (any Error)?; var done = false }
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var reading = source
        let reader = Thread {
            do { while let chunk = try reading.nextChunk() { outcome.bytes += chunk.count } } catch { outcome.error = error }
            outcome.done = true
            finished.signal()
        }
        reader.start()
        #expect(finished.wait(timeout: .now() + 30) == .success, "the reader never saw the end of gzip's output")
        #expect(outcome.error == nil)
        #expect(outcome.bytes == (try Data(contentsOf: dir.url.appendingPathComponent("items.jsonl"))).count)
        source = reading
        source.cancel()
    }

    @Test func aCorruptGzipFileIsAnErrorWithGzipsMessageAndLeavesNoProcess() throws {
        let dir = try TempDir()
        let path = try dir.file("bad.jsonl.gz", "this is not gzip data\n")
        var source = try GzipByteSource(path: path)
        #expect(throws: DuetError.self) { while try source.nextChunk() != nil {} }
        do {
            var again = try GzipByteSource(path: path)
            _ = try? again.nextChunk()
        } catch {}
        // Both children are reaped: none of ours is left (a zombie would still be listed as our child).
        source.cancel()
        #expect(kill(source.child.pid, 0) == -1)
    }
}
