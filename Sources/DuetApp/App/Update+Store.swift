import DuetCore
import Foundation

/// How the screens meet the store's answers: a write counts only once the
/// store confirmed it, and every failed effect, whatever screen asked for it,
/// goes through `storeFailed`: the screen stays as it was, says why in one
/// plain sentence, and a busy store is tried again a few times.
extension App {
    /// Attempts of one effect against a busy store before giving up (each waits at most `Runtime.writeWait`).
    public static let maxAttempts = 5
    /// Seconds between attempts (the screen answers keys meanwhile).
    public static let retryDelay = 1.0

    static func storeFailed(_ state: inout AppState, _ effect: Effect, _ failure: StoreFailure) -> [Effect] {
        let attempt = (state.retry?.effect == effect ? state.retry?.attempt ?? 0 : 0) + 1
        // A busy store a few times; a server away for as long as it takes (the screen answers keys meanwhile).
        if failure.isTransient, attempt < maxAttempts || failure.isOutage, !state.quitting {
            let retry = Retry(effect: effect, attempt: attempt, failure: failure)
            state.retry = retry
            state.status = retryStatus(retry)
            return [.wake(afterSeconds: retryDelay)]
        }
        state.retry = nil
        state.status = Status(failureText(effect, failure), .error)
        return []
    }

    /// "store busy — retrying (2 of 5); nothing saved yet", "PostgreSQL at db:5432 unreachable — retrying; nothing saved yet".
    static func retryStatus(_ r: Retry) -> Status {
        if r.failure.isOutage {
            return Status("\(r.failure) — retrying" + (r.effect.writes ? "; nothing saved yet" : ""), .warning)
        }
        return Status("Store busy — retrying (\(r.attempt + 1) of \(maxAttempts))" + (r.effect.writes ? "; nothing saved yet" : ""), .warning)
    }

    /// The failure in one sentence that says what was (not) saved and what to do.
    static func failureText(_ effect: Effect, _ failure: StoreFailure) -> String {
        let write = effect.writes
        switch failure {
        case .busy:
            return write ? "Store busy (another duet process is writing) — nothing saved. Press the key again to retry."
                : "Store busy (another duet process is writing) — try again in a moment."
        case .diskFull:
            return write ? "Disk full — nothing saved. Free some space, then press the key again." : "Disk full — free some space and try again."
        case .readOnly:
            return "The store cannot be written (read-only file or folder)" + (write ? " — nothing saved." : ".")
        case .unreachable(let text), .other(let text):
            return write ? "Nothing saved: \(text)" : text
        }
    }
}
