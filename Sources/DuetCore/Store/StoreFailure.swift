import Foundation

/// Why the store did not do what was asked, in the terms a person acts on:
/// wait (another process is writing), free space, or read the sentence.
/// Stores turn their own errors into this (`StoreFailureConvertible`);
/// `StoreFailure(error)` classifies any error once, for every caller.
public enum StoreFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process holds the write lock: the same write may succeed a moment later.
    case busy
    /// No space left on the device: nothing was written.
    case diskFull
    /// The store file or its folder cannot be written.
    case readOnly
    /// The store's server cannot be reached (down, restarting, the network): the sentence names it. The same
    /// call may succeed once the server is back; nothing of the failed call was written.
    case unreachable(String)
    /// Anything else, as one plain sentence.
    case other(String)

    public init(_ error: any Error) {
        if let f = error as? StoreFailure {
            self = f
        } else if let c = error as? any StoreFailureConvertible {
            self = c.storeFailure
        } else if let p = error as? POSIXError, p.code == .ENOSPC || p.code == .EDQUOT {
            self = .diskFull
        } else if let c = error as? CocoaError, (c.underlying as? POSIXError)?.code == .ENOSPC || c.code == .fileWriteOutOfSpace {
            self = .diskFull
        } else {
            self = .other(String(describing: error))
        }
    }

    /// True when trying the same thing again later may work.
    public var isTransient: Bool {
        switch self {
        case .busy, .unreachable: return true
        default: return false
        }
    }

    /// True when the store's server is away: worth trying again for as long as it takes, not a few times.
    public var isOutage: Bool {
        if case .unreachable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .busy: return "store busy: another duet process is writing"
        case .diskFull: return "disk full"
        case .readOnly: return "the store cannot be written (read-only file or folder)"
        case .unreachable(let text), .other(let text): return text
        }
    }
}

/// An error a store can classify as a `StoreFailure`.
public protocol StoreFailureConvertible: Error {
    var storeFailure: StoreFailure { get }
}

extension CocoaError {
    fileprivate var underlying: (any Error)? { userInfo[NSUnderlyingErrorKey] as? any Error }
}
