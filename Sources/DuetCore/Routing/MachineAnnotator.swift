import Foundation

/// A machine annotator: given items of a task, k votes per item.
///
/// Implementations: the OpenAI-compatible LLM client, the built-in offline
/// ensemble, and replayed votes read from files. Batches let the offline
/// ensemble train once and an LLM client run requests concurrently.
public protocol MachineAnnotator: Sendable {
    /// The name votes are stored under.
    var name: String { get }
    /// Votes for each item (keyed by item row id). Items the annotator could
    /// not answer at all get no entry; an unparseable answer is a vote with `label == nil`; a False / No
    /// answer to a prompt about one label is a `noVote` (kept for its text and tokens, never counted).
    func annotate(_ items: [StoredItem], task: TaskSpec, progress: @Sendable (Int) -> Void) async throws -> [Int64: [MachineVote]]
}
