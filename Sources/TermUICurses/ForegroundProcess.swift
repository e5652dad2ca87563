#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ProcessSpawn
import TermUI

/// Running a program that takes the terminal over (an editor), the way a
/// shell runs a foreground job.
///
/// A program that sets terminal modes or reads the terminal must be in the
/// terminal's foreground process group, or the kernel stops it (SIGTTOU,
/// SIGTTIN: state T, and the caller waits forever). Foundation's `Process`
/// always starts its child in a new process group and never hands it the
/// terminal, which is how `e` froze Duet with vi. Here the child gets its own
/// process group (so ctrl-c and ctrl-z in the editor reach the editor, not
/// Duet), that group is made the terminal's foreground group, and the
/// terminal is taken back when it exits. SIGTTOU is ignored meanwhile: taking
/// the terminal back from a background group would otherwise stop Duet.
enum ForegroundProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `arguments` (arguments[0] is a path) with its standard streams on
    /// the terminal (`input`, `output`), waits for it and returns its exit
    /// status (128 + signal when a signal ended it).
    static func run(_ arguments: [String], input: Int32, output: Int32) throws -> Int32 {
        precondition(!arguments.isEmpty)
        // Only when Duet has the terminal can it hand it on.
        let handOver = isatty(input) == 1 && tcgetpgrp(input) == getpgrp()

        // Ignore SIGTTOU from here until the terminal is ours again.
        let previous = signal(SIGTTOU, SIG_IGN)
        defer { _ = signal(SIGTTOU, previous) }

        // The child starts as a shell starts a job: the terminal as its streams and nothing else of Duet's
        // open, no signal blocked and every signal at its default (ProcessSpawn).
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(arguments, stdin: .descriptor(input), stdout: .descriptor(output), stderr: .descriptor(output),
                                         newProcessGroup: handOver)
        } catch let failure as ProcessSpawn.Failure {
            throw Failure(description: failure.description)
        }

        let ours = getpgrp()
        if handOver {
            // As shells do, set the group from both sides, then hand the terminal over and wake the
            // child in case it tried the terminal before it was its own.
            _ = setpgid(pid, pid)
            _ = tcsetpgrp(input, pid)
            _ = kill(-pid, SIGCONT)
        }
        defer { if handOver { _ = tcsetpgrp(input, ours) } }

        var status: Int32 = 0
        var stops = 0
        while true {
            if waitpid(pid, &status, WUNTRACED) == -1 {
                if errno == EINTR { continue }
                throw Failure(description: "lost \(arguments[0]): \(String(cString: strerror(errno)))")
            }
            if status & 0xFF == 0x7F {
                // Stopped (ctrl-z in the editor): Duet cannot be suspended from inside, so the
                // editor gets the terminal back and carries on.
                stops += 1
                if stops > 100 { _ = kill(-pid, SIGKILL) }
                if handOver { _ = tcsetpgrp(input, pid) }
                _ = kill(handOver ? -pid : pid, SIGCONT)
                continue
            }
            break
        }
        return ProcessSpawn.exitStatus(status)
    }
}

extension CursesTerminal {
    /// Leaves curses (shell mode, normal screen), runs the program with the
    /// terminal as its own (`ForegroundProcess`), then restores program mode
    /// and repaints. Returns the program's exit status.
    public func runInForeground(_ arguments: [String]) throws -> Int32 {
        var status: Int32 = 0
        try suspend {
            status = try ForegroundProcess.run(arguments, input: fileno(input), output: fileno(output))
        }
        return status
    }
}
