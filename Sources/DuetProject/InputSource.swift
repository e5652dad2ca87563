import DuetCore
import Foundation
import ProcessSpawn

/// A file read in 1 MiB chunks.
struct FileByteSource: ByteSource {
    let handle: FileHandle
    let path: String
    var bytesRead: Int = 0
    var onRead: ((Int) -> Void)?

    init(path: String) throws {
        self.path = path
        handle = try FileErrors.at(path) { try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) }
    }

    mutating func nextChunk() throws -> [UInt8]? {
        guard let data = try FileErrors.at(path, { try handle.read(upToCount: 1 << 20) }), !data.isEmpty else {
            try? handle.close()
            return nil
        }
        bytesRead += data.count
        onRead?(bytesRead)
        return [UInt8](data)
    }
}

/// A `.gz` file decompressed through `gzip -dc` (streaming; memory stays at
/// one chunk). A corrupt archive surfaces as an error with gzip's message.
/// gzip is started by ProcessSpawn: its pipes are close-on-exec here and it
/// has nothing else of ours open, so no other child can hold them.
struct GzipByteSource: ByteSource {
    /// gzip's process and the read ends of its two pipes (closed with it), reaped once.
    final class Child: @unchecked Sendable {
        let pid: pid_t
        let output: FileHandle
        let errors: FileHandle
        private let lock = NSLock()
        private var status: Int32?

        init(pid: pid_t, output: Int32, errors: Int32) {
            self.pid = pid
            self.output = FileHandle(fileDescriptor: output, closeOnDealloc: true)
            self.errors = FileHandle(fileDescriptor: errors, closeOnDealloc: true)
        }

        deinit {
            // A source dropped unfinished leaves no gzip behind (nor a zombie).
            if status == nil {
                kill(pid, SIGKILL)
                _ = try? ProcessSpawn.wait(pid)
            }
        }

        /// gzip's exit status, waiting for it (once; later calls give the same).
        func reap() -> Int32 {
            lock.withLock {
                if let status { return status }
                let s = (try? ProcessSpawn.wait(pid)) ?? -1
                status = s
                return s
            }
        }

        var reaped: Bool { lock.withLock { status != nil } }
    }

    let child: Child
    let path: String
    var finished = false

    init(path: String) throws {
        try FileErrors.at(path) { try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).close() }
        self.path = path
        let out = try ProcessSpawn.pipe()
        let err: (read: Int32, write: Int32)
        do { err = try ProcessSpawn.pipe() } catch {
            close(out.read); close(out.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(["gzip", "-dc", "--", path], stdout: .descriptor(out.write), stderr: .descriptor(err.write),
                                         searchPath: true)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { close(fd) }
            throw DuetError("cannot decompress \(path): \(error)")
        }
        // The write ends are gzip's alone now: the reader sees the end when gzip exits.
        close(out.write)
        close(err.write)
        child = Child(pid: pid, output: out.read, errors: err.read)
    }

    mutating func nextChunk() throws -> [UInt8]? {
        if finished { return nil }
        if let data = try FileErrors.at(path, { try child.output.read(upToCount: 1 << 20) }), !data.isEmpty {
            return [UInt8](data)
        }
        finished = true
        let status = child.reap()
        if status != 0 {
            let message = String(decoding: (try? child.errors.readToEnd()) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw DuetError("not a valid gzip file (\(message.isEmpty ? "gzip exit \(status)" : message))")
        }
        return nil
    }

    func cancel() {
        // SIGKILL: gzip may be blocked writing to the pipe. Then reaped, so no zombie is left.
        if !child.reaped { kill(child.pid, SIGKILL) }
        _ = child.reap()
    }
}

/// Replays a first chunk that was read to look at the content, then the rest.
struct PeekedSource<Base: ByteSource>: ByteSource {
    var first: [UInt8]?
    var base: Base

    mutating func nextChunk() throws -> [UInt8]? {
        if let f = first {
            first = nil
            return f
        }
        return try base.nextChunk()
    }
}

/// Either kind of file source, chosen by the file name.
enum InputSource: ByteSource {
    case plain(FileByteSource)
    case gzip(GzipByteSource)

    init(path: String, onRead: ((Int) -> Void)? = nil) throws {
        if path.lowercased().hasSuffix(".gz") {
            self = .gzip(try GzipByteSource(path: path))
        } else {
            var s = try FileByteSource(path: path)
            s.onRead = onRead
            self = .plain(s)
        }
    }

    mutating func nextChunk() throws -> [UInt8]? {
        switch self {
        case .plain(var s):
            defer { self = .plain(s) }
            return try s.nextChunk()
        case .gzip(var s):
            defer { self = .gzip(s) }
            return try s.nextChunk()
        }
    }

    func cancel() {
        if case .gzip(let s) = self { s.cancel() }
    }
}
