import Foundation

/// Who made an annotation.
public enum AnnotatorKind: String, Sendable, Codable, CaseIterable {
    case human
    case machine
    /// The dataset itself (e.g. HH-RLHF's `chosen`): evidence, never truth.
    case source
}

public enum AnnotationStatus: String, Sendable, Codable, CaseIterable {
    case submitted
    case skipped
    /// Appended by undo: cancels the annotation named in `revokes`.
    case revoked
}

/// How the two responses of a pair were shown: `ab` = A is response 0.
public enum DisplayOrder: String, Sendable, Codable {
    case ab = "AB"
    case ba = "BA"
}

/// A new entry for the annotation log. The log is append-only: undo appends a
/// `revoked` entry; nothing is updated or deleted.
public struct NewAnnotation: Sendable, Hashable {
    public var itemRowID: Int64
    public var task: String?
    public var annotatorKind: AnnotatorKind
    public var annotator: String
    public var value: JSONValue?
    public var confidence: Double?
    public var votes: JSONValue?
    public var entropy: Double?
    public var status: AnnotationStatus
    public var flagged: Bool
    public var note: String?
    public var createdAt: Date
    public var seconds: Double?
    public var display: DisplayOrder?
    public var revokes: Int64?

    public init(itemRowID: Int64, task: String?, annotatorKind: AnnotatorKind, annotator: String,
                value: JSONValue?, confidence: Double? = nil, votes: JSONValue? = nil, entropy: Double? = nil,
                status: AnnotationStatus = .submitted, flagged: Bool = false, note: String? = nil,
                createdAt: Date = Date(), seconds: Double? = nil, display: DisplayOrder? = nil, revokes: Int64? = nil) {
        self.itemRowID = itemRowID
        self.task = task
        self.annotatorKind = annotatorKind
        self.annotator = annotator
        self.value = value
        self.confidence = confidence
        self.votes = votes
        self.entropy = entropy
        self.status = status
        self.flagged = flagged
        self.note = note
        self.createdAt = createdAt
        self.seconds = seconds
        self.display = display
        self.revokes = revokes
    }
}

/// An annotation as stored, with its log id.
public struct Annotation: Sendable, Hashable {
    public var id: Int64
    public var entry: NewAnnotation
    public init(id: Int64, entry: NewAnnotation) {
        self.id = id
        self.entry = entry
    }
}

/// An annotation that comes with an imported row (the source's own label or
/// preference). It is attached to the item, not to a task.
public struct SourceAnnotation: Sendable, Hashable {
    public var value: JSONValue
    public var confidence: Double?
    public var note: String?
    public init(value: JSONValue, confidence: Double? = nil, note: String? = nil) {
        self.value = value
        self.confidence = confidence
        self.note = note
    }
}

/// One imported row: an item and what the source said about it.
public struct ImportedRecord: Sendable, Hashable {
    public var item: Item
    public var sourceAnnotations: [SourceAnnotation]

    public init(item: Item, sourceAnnotations: [SourceAnnotation] = []) {
        self.item = item
        self.sourceAnnotations = sourceAnnotations
    }
}
