import Foundation

/// What an import does with a row whose id is known with other content
/// (`duet import --on-change`).
public enum ChangedRows: String, Sendable, CaseIterable {
    /// Stop with an error naming both places; nothing is imported.
    case error
    /// Keep what is stored (or was read first), count the row as skipped.
    case skip
}

public struct ImportCounts: Sendable, Hashable, Codable {
    /// Rows read.
    public var rows: Int
    /// Items newly added.
    public var added: Int
    /// Rows whose item was already stored (or read before) with the same content.
    public var duplicates: Int
    /// Source annotations added.
    public var sourceAnnotations: Int
    /// Rows whose id was known with other content, skipped (`ChangedRows.skip`).
    public var changedSkipped: Int
    /// The first of them: `file:line` and where the kept item came from.
    public var firstChangedSkipped: String?

    public init(rows: Int = 0, added: Int = 0, duplicates: Int = 0, sourceAnnotations: Int = 0,
                changedSkipped: Int = 0, firstChangedSkipped: String? = nil) {
        self.changedSkipped = changedSkipped
        self.firstChangedSkipped = firstChangedSkipped
        self.rows = rows
        self.added = added
        self.duplicates = duplicates
        self.sourceAnnotations = sourceAnnotations
    }
}

public struct DatasetSummary: Sendable, Hashable, Codable {
    public var name: String
    public var items: Int
    /// Item count per kind (raw values of `ItemKind`).
    public var kinds: [String: Int]
    public init(name: String, items: Int, kinds: [String: Int]) {
        self.name = name
        self.items = items
        self.kinds = kinds
    }
}

public struct TaskProgress: Sendable, Hashable, Codable {
    /// Items the task covers.
    public var total: Int
    /// Items with a submitted human decision.
    public var human: Int
    /// Items the machine decided that no person has to label: a submitted machine decision, no human
    /// one, and not a blind audit still waiting for people.
    public var machine: Int
    /// Items skipped (by someone) and not submitted by anyone.
    public var skipped: Int
    /// Items people still have to label: nobody has submitted them yet (skipped ones included), or
    /// they are blind audits of a machine decision (`auditsOpen`). total = human + machine + remaining.
    public var remaining: Int
    /// Items whose current decision is flagged.
    public var flagged: Int
    /// Sum of measured human seconds over current submitted decisions.
    public var humanSeconds: Double
    /// Current submitted human decisions that measured their time (`seconds` set): the ones
    /// `humanSeconds` is spent on. Bulk accepts and adjudications carry no seconds.
    public var timed: Int
    /// Items with as many submitted human decisions as the task's overlap
    /// (equal to `human` when the overlap is 1).
    public var complete: Int
    /// Blind audits waiting for people (counted in `remaining`, not in `machine`).
    public var auditsOpen: Int

    public init(total: Int = 0, human: Int = 0, machine: Int = 0, skipped: Int = 0, remaining: Int = 0,
                flagged: Int = 0, humanSeconds: Double = 0, timed: Int = 0, complete: Int? = nil, auditsOpen: Int = 0) {
        self.complete = complete ?? human
        self.auditsOpen = auditsOpen
        self.total = total
        self.human = human
        self.machine = machine
        self.skipped = skipped
        self.remaining = remaining
        self.flagged = flagged
        self.humanSeconds = humanSeconds
        self.timed = timed
    }

    /// People's pace, the one place it is computed (dashboard, status, plan): timed
    /// decisions over the time they measured. Nil before any measured time.
    public var itemsPerHour: Double? {
        timed > 0 && humanSeconds > 0 ? Double(timed) / (humanSeconds / 3600) : nil
    }

    /// Mean measured seconds per decision (nil before any measured time).
    public var secondsPerDecision: Double? {
        timed > 0 && humanSeconds > 0 ? humanSeconds / Double(timed) : nil
    }
}

/// One annotator's decision in force on one item.
public struct CurrentDecision: Sendable, Hashable {
    public var itemRowID: Int64
    public var annotator: String
    public var annotatorKind: AnnotatorKind
    public var status: AnnotationStatus
    public var value: JSONValue?
    public var display: DisplayOrder?
    public var seconds: Double?
    public var flagged: Bool

    public init(itemRowID: Int64, annotator: String, annotatorKind: AnnotatorKind, status: AnnotationStatus, value: JSONValue?,
                display: DisplayOrder? = nil, seconds: Double? = nil, flagged: Bool = false) {
        self.itemRowID = itemRowID
        self.annotator = annotator
        self.annotatorKind = annotatorKind
        self.status = status
        self.value = value
        self.display = display
        self.seconds = seconds
        self.flagged = flagged
    }
}

/// One person's decisions in force on a task's gold items, with those items' gold labels: all the check of
/// that person's accuracy on gold needs (`PeopleQuality`), read without the rest of the task.
public struct GoldAnswers: Sendable, Hashable {
    public var decisions: [CurrentDecision]
    public var gold: [Int64: JSONValue]

    public init(decisions: [CurrentDecision] = [], gold: [Int64: JSONValue] = [:]) {
        self.decisions = decisions
        self.gold = gold
    }
}

/// One stored vote with everything kept about it.
public struct VoteRecord: Sendable, Hashable, Encodable {
    public var itemRowID: Int64
    /// The item's id in its dataset.
    public var item: String
    public var vote: MachineVote

    public init(itemRowID: Int64, item: String, vote: MachineVote) {
        self.itemRowID = itemRowID
        self.item = item
        self.vote = vote
    }

    /// The vote's JSON (`MachineVote.json`) with its `item` and `annotator`.
    public var json: JSONValue {
        var o = vote.json.object ?? [:]
        o["item"] = .string(item)
        o["annotator"] = .string(vote.annotator)
        return .object(o)
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
