import DuetCore
import Foundation

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
struct GzipByteSource: ByteSource {
    let process: Process
    let output: FileHandle
    let errors: Pipe
    let path: String
    var finished = false

    init(path: String) throws {
        try FileErrors.at(path) { try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).close() }
        self.path = path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", "--", path]
        let out = Pipe()
        errors = Pipe()
        process.standardOutput = out
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        output = out.fileHandleForReading
    }

    mutating func nextChunk() throws -> [UInt8]? {
        if finished { return nil }
        if let data = try output.read(upToCount: 1 << 20), !data.isEmpty {
            return [UInt8](data)
        }
        finished = true
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw DuetError("not a valid gzip file (\(message.isEmpty ? "gzip exit \(process.terminationStatus)" : message))")
        }
        return nil
    }

    func cancel() {
        // SIGKILL, not terminate(): gzip may be blocked writing to the pipe,
        // with SIGTERM blocked (a mask it inherits from a background thread).
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        // Reaped: until then Foundation keeps the process and its pipes open.
        process.waitUntilExit()
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
