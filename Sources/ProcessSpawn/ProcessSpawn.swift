#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every child process Duet starts (an editor, `gzip -dc`, and in the tests `duet`, scripts, tmux) is
/// started here, the way a shell starts a program:
///
/// - it gets **only** its three standard streams: every other descriptor of this process is closed in
///   the child. A descriptor is inherited unless it was opened close-on-exec, and Foundation opens its
///   `Pipe`s and `FileHandle`s without that flag; a child that lives long (a server that daemonizes) and
///   holds the write end of someone else's pipe keeps that reader from ever seeing the end of it. In the
///   tests that was a whole run hanging: a PostgreSQL server started by one test held the write end of
///   another test's `gzip -dc` pipe.
/// - it starts with no signal blocked and every signal at its default (a thread's blocked signals and
///   ignored signals are otherwise passed on: a tmux server with SIGCHLD blocked never exits, a `gzip`
///   with SIGTERM blocked ignores `terminate()`).
/// - optionally in a process group of its own (a foreground job: `TermUICurses.ForegroundProcess`).
public enum ProcessSpawn {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// A file, created or truncated (mode 0600), for writing; for reading when it is standard input.
        case file(String)
        /// A descriptor of this process, duplicated onto the stream (it stays open here).
        case descriptor(Int32)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Starts `arguments[0]` (a path, or a name looked up in PATH when `searchPath`) with `arguments` as its
    /// argv, the given standard streams, `environment` (nil: this process's), in `directory` (nil: this
    /// process's) and nothing else open. Returns its pid; the caller reaps it (`waitpid`, or `wait(_:)` here).
    public static func spawn(_ arguments: [String], stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null,
                             environment: [String: String]? = nil, directory: String? = nil, searchPath: Bool = false,
                             newProcessGroup: Bool = false) throws -> pid_t {
        precondition(!arguments.isEmpty, "no program to start")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let directory {
            guard let addChdir = Libc.addChdir else { throw Failure("cannot start \(arguments[0]) in \(directory): this C library cannot") }
            _ = addChdir(&actions, directory)
        }
        for (fd, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, fd, path, fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC), 0o600)
            case .descriptor(let source):
                posix_spawn_file_actions_adddup2(&actions, source, fd)
            }
        }
        // Everything else is closed in the child (after the streams above were set up from it).
        closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { env in env.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for p in envp ?? [] { free(p) } }
        let start = searchPath ? posix_spawnp : posix_spawn
        var pid: pid_t = 0
        let rc = if let envp { start(&pid, arguments[0], &actions, &attributes, argv, envp) }
                 else { start(&pid, arguments[0], &actions, &attributes, argv, environ) }
        guard rc == 0 else { throw Failure("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// A pipe whose two ends are close-on-exec here (a child gets one only as a standard stream).
    public static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let made = if let pipe2 = Libc.pipe2 { pipe2(&fds, O_CLOEXEC) } else { systemPipe(&fds) }
        guard made == 0 else { throw Failure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        // Without pipe2, another thread's spawn may come between the two calls: its child closes them anyway.
        if Libc.pipe2 == nil { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        return (fds[0], fds[1])
    }

    /// Waits for `pid` to end and reaps it: its exit status, or 128 + the signal that ended it (as a shell says).
    public static func wait(_ pid: pid_t) throws -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 {
            if errno == EINTR { continue }
            throw Failure("lost process \(pid): \(String(cString: strerror(errno)))")
        }
        return exitStatus(raw)
    }

    /// The status `waitpid` reported, as a shell says it: the exit code, or 128 + the signal.
    public static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = Libc.addCloseFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        // Before glibc 2.34: each descriptor open now. (One a thread opens between this and the spawn, without
        // close-on-exec, would still be inherited: the reason to prefer the call above.)
        let open = ((try? openDescriptors()) ?? Array(3..<1024)).filter { $0 >= 3 }
        for fd in open { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    /// This process's open descriptors (/proc/self/fd).
    private static func openDescriptors() throws -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { throw Failure("no /proc/self/fd") }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var out: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd != own { out.append(fd) }
        }
        return out
    }
}

/// glibc calls Swift's Glibc module does not declare (they need _GNU_SOURCE), looked up once by name.
private enum Libc {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later).
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let pipe2: Pipe2? = symbol("pipe2")
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29 and later).
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<F>(_ name: String) -> F? {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(p, to: F.self)
    }
}

/// The system's pipe(2), out of the reach of `ProcessSpawn.pipe()`'s name.
private func systemPipe(_ fds: UnsafeMutablePointer<Int32>) -> Int32 { pipe(fds) }
