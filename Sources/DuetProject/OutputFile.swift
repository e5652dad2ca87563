import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files that make up a project: no command may write over them as an output.
public struct ProjectFiles: Sendable {
    /// Names in the project folder: the config, the store and SQLite's files beside it, the log.
    public static let names = [
        ConfigFile.fileName, Project.storeFileName, Project.storeFileName + "-wal", Project.storeFileName + "-shm",
        Project.storeFileName + "-journal", Project.logFileName,
    ]
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The project file `target` is (by resolved path, or by device and inode
    /// for another name of the same file: a hard link), or nil.
    func match(resolvedPath target: String, status: stat?) -> String? {
        for name in Self.names {
            let path = root.appendingPathComponent(name).path
            if OutputFile.resolve(path) == target { return path }
            if let status, let own = OutputFile.status(path), own.st_dev == status.st_dev, own.st_ino == status.st_ino {
                return path
            }
        }
        return nil
    }
}

/// Every file a command writes at a path a person named (exports, their
/// provenance, SVG charts) is written through this one writer:
///
/// - a path that is, or leads to, a project file (duet.sqlite and its WAL,
///   duet.toml, duet.log; through a symlink, `..`, another relative path or
///   a hard link) is refused before anything is written;
/// - a regular file is written to `TARGET.duet-tmp-PID` beside it and renamed
///   over it at the end, so it is either the old file or the whole new one;
///   the temp file is removed on failure and on SIGINT/SIGTERM/SIGHUP, and
///   temp files left by processes that no longer exist are removed on the next
///   write to the same target;
/// - an existing target keeps its permission bits (and owner, where allowed);
/// - a symlink is kept: the file it points to is replaced (in that file's folder);
/// - a device or pipe (`/dev/stdout`, a FIFO) is written in place.
///
/// Write errors come out as "PATH: reason" (see `FileErrors`).
public final class OutputFile {
    /// The path as given.
    public let path: String
    /// The file written: `path` with symlinks and `..` resolved.
    let target: String
    /// nil when writing in place.
    let temp: String?
    private var fd: Int32
    private var registration: Int?
    /// Renamed into place (or written in place): nothing left to remove.
    private var done = false

    /// Checks `path` and opens its temp file.
    public init(_ path: String, project: ProjectFiles?) throws {
        self.path = path
        let (target, existing) = try Self.check(path, project: project)
        self.target = target
        if let existing, (existing.st_mode & S_IFMT) != S_IFREG {
            // A device or a pipe: there is nothing to replace atomically.
            fd = open(target, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw DuetError("\(path): \(FileErrors.reason(errno: errno))") }
            temp = nil
            done = true
            return
        }
        Self.removeStaleTemps(of: target)
        let temp = target + Self.tempMarker + "\(getpid())"
        let mode = existing.map { mode_t($0.st_mode & 0o7777) } ?? 0o666
        // Registered before it exists: a signal from here on removes it.
        registration = TempFileRegistry.register(temp)
        var opened = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if opened < 0 && errno == EEXIST {
            // Left by an earlier process with this same PID.
            unlink(temp)
            opened = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        }
        guard opened >= 0 else {
            let reason = FileErrors.reason(errno: errno)
            if let registration { TempFileRegistry.unregister(registration) }
            throw DuetError("\(path): cannot write here: \(reason)")
        }
        fd = opened
        self.temp = temp
        if let existing {
            // open() applies the umask; the replaced file's own bits and owner are kept.
            _ = fchmod(fd, mode)
            _ = fchown(fd, existing.st_uid, existing.st_gid)
        }
    }

    /// Refuses `path` when it is (or leads to) a project file, a folder, or a
    /// place that does not exist, without writing anything: for commands that
    /// work a while before they write. Returns the resolved target and its status.
    @discardableResult
    public static func check(_ path: String, project: ProjectFiles?) throws -> (target: String, existing: stat?) {
        let absolute = URL(fileURLWithPath: path).path
        guard let target = resolve(absolute) else {
            if let l = linkStatus(absolute), (l.st_mode & S_IFMT) == S_IFLNK {
                throw DuetError("\(path): a symbolic link to a file that does not exist; give the file's own path")
            }
            throw DuetError("\(path): \(FileErrors.reason(errno: ENOENT)) (the folder \(URL(fileURLWithPath: absolute).deletingLastPathComponent().path) does not exist)")
        }
        let existing = status(target)
        if let project, let file = project.match(resolvedPath: target, status: existing) {
            throw DuetError("\(path): refusing to write over the project's own file \(file); choose another output path")
        }
        if let existing, (existing.st_mode & S_IFMT) == S_IFDIR {
            throw DuetError("\(path): \(FileErrors.reason(errno: EISDIR))")
        }
        return (target, existing)
    }

    deinit { abandon() }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw DuetError("\(path): \(FileErrors.reason(errno: errno))")
            }
            offset += n
        }
    }

    /// Puts the new file in place (the old one stays until this succeeds).
    public func commit() throws {
        guard fd >= 0 else { return }
        defer { abandon() }
        if temp != nil {
            guard fsync(fd) == 0 else { throw DuetError("\(path): \(FileErrors.reason(errno: errno))") }
        }
        let closed = close(fd)
        let closeError = errno
        fd = -1
        guard closed == 0 else { throw DuetError("\(path): \(FileErrors.reason(errno: closeError))") }
        if let temp, rename(temp, target) != 0 {
            throw DuetError("\(path): \(FileErrors.reason(errno: errno))")
        }
        done = true
    }

    /// Closes and removes the temp file (after a failure; nothing happens after `commit`).
    public func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        if !done, let temp { unlink(temp) }
        done = true
        if let registration { TempFileRegistry.unregister(registration) }
        registration = nil
    }

    /// Writes `data` to `path` as one file (see the type's notes).
    public static func write(_ data: Data, to path: String, project: ProjectFiles?) throws {
        let file = try OutputFile(path, project: project)
        try file.write(data)
        try file.commit()
    }

    // MARK: Paths

    static let tempMarker = ".duet-tmp-"

    static func status(_ path: String) -> stat? {
        var s = stat()
        return stat(path, &s) == 0 ? s : nil
    }

    static func linkStatus(_ path: String) -> stat? {
        var s = stat()
        return lstat(path, &s) == 0 ? s : nil
    }

    /// `path` made absolute with every symlink and `..` resolved; for a file
    /// that does not exist yet, its folder resolved and its name appended.
    /// nil when the folder does not exist or a symlink leads nowhere.
    static func resolve(_ path: String) -> String? {
        let absolute = URL(fileURLWithPath: path).path
        if let full = realpath(absolute, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        if linkStatus(absolute) != nil { return nil }  // a dangling symlink
        let url = URL(fileURLWithPath: absolute)
        guard let dir = realpath(url.deletingLastPathComponent().path, nil) else { return nil }
        defer { free(dir) }
        let parent = String(cString: dir)
        return (parent == "/" ? "" : parent) + "/" + url.lastPathComponent
    }

    /// Removes `TARGET.duet-tmp-PID` files beside `target` whose process no longer exists.
    static func removeStaleTemps(of target: String) {
        let url = URL(fileURLWithPath: target)
        let prefix = url.lastPathComponent + tempMarker
        let dir = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(dir.appendingPathComponent(name).path)
            }
        }
    }
}

/// POSIX write(2) (the name `write` is the method's inside `OutputFile`).
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Temp files to remove when the process is interrupted. The signal handler
/// reads a fixed table of C strings (no locks, no allocation), unlinks them,
/// then lets the signal do what it does by default.
enum TempFileRegistry {
    static let capacity = 16
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    static let lock = NSLock()
    nonisolated(unsafe) static var installed = false

    /// The slot holding `path`, or nil when the table is full (the file is then only removed on the next export).
    static func register(_ path: String) -> Int? {
        lock.withLock {
            if !installed {
                installed = true
                for sig in [SIGINT, SIGTERM, SIGHUP] {
                    // Only where nobody else handles the signal (the screens restore the terminal their own way).
                    let previous = signal(sig, removeTempsAndRaise)
                    if previous != nil { signal(sig, previous) }
                }
                // Over a file size limit (ulimit -f) write(2) then fails with EFBIG, an error like a
                // full disk, instead of SIGXFSZ killing the process with the temp file left behind.
                let previous = signal(SIGXFSZ, SIG_IGN)
                if previous != nil { signal(SIGXFSZ, previous) }
            }
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = strdup(path)
                return i
            }
            return nil
        }
    }

    static func unregister(_ slot: Int) {
        lock.withLock {
            let p = slots[slot]
            slots[slot] = nil
            free(p)
        }
    }
}

private func removeTempsAndRaise(_ sig: Int32) {
    for i in 0..<TempFileRegistry.capacity {
        if let p = TempFileRegistry.slots[i] { unlink(p) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
