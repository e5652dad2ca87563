/// A terminal, or something standing in for one in tests.
public protocol TerminalBackend: AnyObject {
    /// Current size in cells.
    var size: (width: Int, height: Int) { get }
    /// Puts the canvas on the screen (backends may send only what changed).
    func draw(_ canvas: Canvas) throws
    /// The next event; nil when `timeoutMilliseconds` passes without one (or input ends).
    func nextEvent(timeoutMilliseconds: Int?) throws -> Event?
    /// Leaves the screen, runs the program `arguments` (arguments[0] is a
    /// path) with the terminal as its own until it exits (an external
    /// editor), then restores the screen. Returns the program's exit status.
    func runInForeground(_ arguments: [String]) throws -> Int32
}

/// An in-memory terminal for tests: events are queued, frames recorded.
public final class MemoryBackend: TerminalBackend {
    public var size: (width: Int, height: Int)
    public var events: [Event]
    public private(set) var frames: [Canvas] = []
    public private(set) var suspensions = 0

    public init(width: Int, height: Int, events: [Event] = []) {
        size = (width, height)
        self.events = events
    }

    public var lastFrame: Canvas? { frames.last }

    public func draw(_ canvas: Canvas) throws { frames.append(canvas) }

    public func nextEvent(timeoutMilliseconds: Int?) throws -> Event? {
        guard !events.isEmpty else { return nil }
        let e = events.removeFirst()
        if case .resize(let w, let h) = e { size = (w, h) }
        return e
    }

    /// What `runInForeground` does instead of running a program (tests edit files here).
    public var foreground: ([String]) throws -> Int32 = { _ in 0 }

    public func runInForeground(_ arguments: [String]) throws -> Int32 {
        suspensions += 1
        return try foreground(arguments)
    }
}
