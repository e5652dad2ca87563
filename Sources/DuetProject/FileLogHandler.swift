import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler appending lines to a file: while the screen is up,
/// nothing may be written to stdout or stderr.
public struct FileLogHandler: LogHandler {
    /// Logging never stops the program: a line that cannot be written (disk
    /// full, the file gone read-only) is dropped, and so is every line after
    /// it; `failure` says why, for a note once the screen is down.
    final class Sink: @unchecked Sendable {
        let handle: FileHandle
        let path: String
        let lock = NSLock()
        private var failed: String?
        init(handle: FileHandle, path: String) {
            self.handle = handle
            self.path = path
        }
        func write(_ line: String) {
            lock.withLock {
                guard failed == nil else { return }
                // write(contentsOf:) throws; FileHandle.write(_:) traps on an I/O error.
                do { try handle.write(contentsOf: Data(line.utf8)) } catch {
                    failed = (FileErrors.describe(error, path: path) ?? "\(path): \(error)") + "; log lines from then on were dropped"
                }
            }
        }
        var failure: String? { lock.withLock { failed } }
    }

    let label: String
    let sink: Sink
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    /// Why log lines were dropped (the log could not be written), or nil.
    public var failure: String? { sink.failure }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Opens (or creates) `url` for appending; an error says "PATH: reason".
    public static func open(_ url: URL) throws -> @Sendable (String) -> FileLogHandler {
        let fd = openForAppending(url.path)
        guard fd >= 0 else { throw DuetError("\(url.path): \(FileErrors.reason(errno: errno)); cannot keep the log there") }
        let sink = Sink(handle: FileHandle(fileDescriptor: fd, closeOnDealloc: true), path: url.path)
        return { label in FileLogHandler(label: label, sink: sink) }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(.iso8601)
        sink.write("\(time) \(event.level) \(label): \(event.message)\(meta)\n")
    }
}

/// open(2) for appending, creating the file (outside the type, whose `open` hides the C function).
private func openForAppending(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
}
