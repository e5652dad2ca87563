import DuetCore
import DuetStoreAPI
import GRDB

/// Errors raised by `SQLiteStore`, with messages meant for the terminal.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store file could not be opened or migrated.
    case cannotOpen(path: String, reason: String)
    /// The file was written by a newer Duet (it has migrations this build does not know).
    case newerSchema(path: String)
    /// A task name that is not in the store (tasks come from duet.toml via `syncTasks`).
    case unknownTask(String)
    /// An item row id that is not in the store.
    case unknownItem(Int64)
    /// A human or machine annotation without a task.
    case taskRequired(annotator: String, kind: AnnotatorKind)
    /// A `revoked` entry that does not name the annotation it revokes.
    case revokeWithoutTarget(annotator: String)
    /// The item already has a source annotation by this annotator.
    case duplicateSourceAnnotation(item: Int64, annotator: String)
    /// An import session (or its writer) was used after its import had ended.
    case importFinished
    /// Stored data that cannot be read back.
    case corrupt(String)
    /// `revoke` was given an id that is not a task decision in force (unknown, a revocation, or revoked already).
    case notRevocable(Int64)
    /// `duet store copy` into a store that already holds a project.
    case copyTargetNotEmpty(String)
    /// A session (import, copy) was used after it had ended.
    case sessionFinished

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the store at \(path): \(reason)"
        case .newerSchema(let path):
            return "the store at \(path) was written by a newer version of duet; upgrade duet to open it"
        case .unknownTask(let name):
            return "unknown task '\(name)' (is it declared in duet.toml?)"
        case .unknownItem(let id):
            return "no item with row id \(id) in the store"
        case .taskRequired(let annotator, let kind):
            return "a \(kind.rawValue) annotation (by '\(annotator)') needs a task; only source annotations may have none"
        case .revokeWithoutTarget(let annotator):
            return "a revoked entry (by '\(annotator)') must name the annotation it revokes"
        case .duplicateSourceAnnotation(let item, let annotator):
            return "item \(item) already has a source annotation by '\(annotator)'"
        case .notRevocable(let id):
            return "annotation \(id) cannot be undone (it is not a decision, or was undone already)"
        case .importFinished:
            return "the import writer was used after its import batch had ended"
        case .copyTargetNotEmpty(let path):
            return "the store at \(path) already holds a project (tasks, items or decisions); a copy goes only into an empty store"
        case .sessionFinished:
            return "the session was used after it had ended"
        case .corrupt(let detail):
            return "the store is damaged: \(detail)"
        }
    }
}

/// SQLite's result codes as the failures a person acts on (the one place they are classified).
extension DatabaseError: StoreFailureConvertible {
    public var storeFailure: StoreFailure {
        switch resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy
        case .SQLITE_FULL: return .diskFull
        case .SQLITE_READONLY, .SQLITE_PERM: return .readOnly
        case .SQLITE_IOERR: return .other("the store could not be read or written (disk I/O error: \(message ?? "unknown"))")
        default: return .other(message ?? description)
        }
    }
}
