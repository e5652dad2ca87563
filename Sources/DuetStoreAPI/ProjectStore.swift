import DuetCore
import Foundation

/// The project's store, as the rest of Duet sees it.
///
/// Kept small on purpose: today it is one SQLite file per project
/// (`DuetStore.SQLiteStore`); later a team may share a PostgreSQL database
/// behind the same protocol. Every method is one transaction.
public protocol ProjectStore: AnyObject, Sendable {
    // MARK: Tasks

    /// Makes the store's task table match the specs from duet.toml (adds
    /// new tasks, updates kind/labels/dataset of existing ones; never deletes
    /// a task that has annotations).
    func syncTasks(_ specs: [TaskSpec]) throws

    // MARK: Import

    /// Runs `body` inside one write transaction. Everything `body` adds is
    /// committed when it returns, and nothing at all if it throws (or when
    /// `dryRun` is set: then the counts say what would have been added).
    /// A row whose id is already stored (or was read earlier in the batch)
    /// with the same content is counted as a duplicate; with other content
    /// it is an `ImportError` naming both places, or skipped and counted
    /// (`onChange`). A stored item is never rewritten.
    func importBatch(dryRun: Bool, onChange: ChangedRows, _ body: (any ImportWriter) throws -> Void) throws -> ImportCounts

    // MARK: Reads

    func itemCount() throws -> Int
    func datasetSummaries() throws -> [DatasetSummary]
    func taskProgress(_ task: TaskSpec) throws -> TaskProgress
    func item(rowID: Int64) throws -> StoredItem?
    func item(dataset: String, uid: String) throws -> StoredItem?
    /// The path of the file the item was imported from, as given to `duet import` (nil when the item
    /// came from no file).
    func sourceFile(itemRowID: Int64) throws -> String?
    /// Items a task covers (all items when `task` is nil), in row order, after `afterRowID`.
    func items(for task: TaskSpec?, afterRowID: Int64, limit: Int) throws -> [StoredItem]
    /// Items of the task whose text (any field) or id contains `query`
    /// (case-insensitive for ASCII), in row order, at most `limit`.
    func search(_ task: TaskSpec, query: String, limit: Int) throws -> [StoredItem]
    /// The log entries for these items, oldest first. `task` nil = all tasks;
    /// source annotations (which have no task) are always included.
    func annotations(itemRowIDs: [Int64], task: String?) throws -> [Int64: [Annotation]]

    /// The row ids of the items a task covers, in row order (no fields read).
    func itemRowIDs(for task: TaskSpec) throws -> [Int64]
    /// Every annotator's current decision (submitted or skipped) in the
    /// task, in item order; only annotators of `kind` when given.
    func currentDecisions(task: TaskSpec, kind: AnnotatorKind?) throws -> [CurrentDecision]
    /// The source's own annotation value per item of the task (the first
    /// one, when a row carried several), for the items that have one.
    func sourceValues(task: TaskSpec) throws -> [Int64: JSONValue]

    // MARK: Routing

    /// Stores machine votes (a re-run replaces a vote with the same task,
    /// item, annotator and variant). One transaction.
    func saveVotes(_ votes: [(item: Int64, vote: MachineVote)], task: String, at date: Date) throws
    /// Stores one run of a machine annotator: its earlier votes on `items` give way to `votes` (a
    /// variant it no longer votes on, like an error that became a False answer, goes). One transaction.
    func replaceVotes(_ votes: VoteTable, annotator: String, items: [Int64], task: String, at date: Date) throws
    /// The task's votes per item (only `annotator`'s when given), items in
    /// row order, each item's votes in the order they were stored (annotator,
    /// variant, label, confidence: not the raw answers or token counts).
    func votes(task: TaskSpec, annotator: String?) throws -> VoteTable
    /// One pass over the task's votes (only `annotators`' when given): `body` gets each item with votes and
    /// its votes, items in ascending order, each item's votes in the order they were stored (without raw
    /// answers or token counts). Holds one item's votes at a time: what the router streams.
    func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) throws
    /// The annotators with votes in the task.
    func voteAnnotators(task: TaskSpec) throws -> Set<String>
    /// Votes with their raw answers and token counts (`duet votes list`), in item and storage order:
    /// only `item`'s, only `annotator`'s, only unparseable ones, at most `limit`.
    func voteRecords(task: TaskSpec, item: Int64?, annotator: String?, unparseableOnly: Bool, limit: Int) throws -> [VoteRecord]
    /// The task's votes counted per annotator, variant and label (nil: unparseable or failed).
    func voteCounts(task: TaskSpec) throws -> [VoteCount]
    /// How many answers `annotator` has stored in the task (votes and no-votes) and the prompt and
    /// completion tokens they took (answers without counts add 0).
    func voteTokens(task: TaskSpec, annotator: String) throws -> VoteTokens
    /// Stores a routing in one transaction: the route of each item, the
    /// machine's decision on items it keeps (machine and audit), and revokes
    /// the machine's decision on items now sent to people. People's
    /// decisions are never touched. The entries are read once, in order, so a
    /// lazy sequence keeps only one item's votes in memory; an entry with
    /// `votesToRead` gets its votes from the store only if its decision is
    /// written. Stored routes are read alongside in chunks: entries in
    /// ascending item order read each stored row once.
    func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date) throws
    /// The task's routes per item (only those of `route` when given: the audits are a few percent).
    func routes(task: TaskSpec, route: Route?) throws -> [Int64: RouteRecord]
    /// Routed items for the triage table, ordered by uncertainty, at most `limit`.
    func triage(task: TaskSpec, filter: TriageFilter, limit: Int) throws -> [TriageRow]
    /// One item's route and the votes of its router, for the suggestion pane (nil when not routed).
    func routing(task: TaskSpec, itemRowID: Int64) throws -> (route: RouteRecord, votes: [MachineVote])?

    // MARK: Labeling

    /// Appends one decision to the log and makes it the annotator's current
    /// decision for the item; durable when this returns.
    @discardableResult
    func record(_ annotation: NewAnnotation) throws -> Int64
    /// Records several decisions in one transaction: all of them or none
    /// (triage's bulk accept). Durable when this returns. Returns their log ids, in order.
    @discardableResult
    func record(_ annotations: [NewAnnotation]) throws -> [Int64]
    /// Undoes the decisions `ids` (a bulk action, by the ids `record` returned) in one transaction:
    /// all or none. Each item's decision goes back to what it was before. Returns the items' row ids.
    @discardableResult
    func revoke(_ ids: [Int64], at date: Date) throws -> [Int64]
    /// How long a write waits for another process's write lock before it
    /// fails with `StoreFailure.busy` (the screens wait briefly, then retry).
    func setWriteWait(seconds: Double) throws
    /// Revokes the annotator's latest decision in the task (undo): appends a
    /// `revoked` entry and clears the current decision. Returns the item's row
    /// id, or nil when there was nothing to undo.
    @discardableResult
    func undoLast(task: String, annotator: String, at date: Date) throws -> Int64?
    /// The next item of `task` for `annotator`. In a routed task: the items
    /// routed to people that no person has decided yet, most uncertain first
    /// (audits mixed in). Then the first item in row order nobody (person
    /// or machine) has decided; when none is left, the items this annotator
    /// skipped, oldest skip first. With `overlap` above 1 an item stays in
    /// the queues until that many people decided it (or a machine did), and
    /// nobody is given an item they already decided.
    ///
    /// The item is reserved for `annotator` (a lease) until they ask for the
    /// next item, `releaseLeases`, or a while passes: two people labeling
    /// the same task at once are never given the same item (with overlap k,
    /// never more people than still need to label it).
    func nextItem(for task: TaskSpec, annotator: String) throws -> StoredItem?
    /// Gives back the items `annotator` has open (in `task`, or in every task).
    func releaseLeases(task: String?, annotator: String) throws
}

extension ProjectStore {
    public func importBatch(dryRun: Bool, _ body: (any ImportWriter) throws -> Void) throws -> ImportCounts {
        try importBatch(dryRun: dryRun, onChange: .error, body)
    }
}

/// Receives imported records inside the import transaction.
public protocol ImportWriter {
    /// Registers a source file; later `add` calls are attributed to it.
    func beginFile(path: String, format: String, dataset: String) throws
    /// Adds a record; returns false when an item with the same dataset and
    /// uid is already stored (then nothing is added, not even its annotations).
    @discardableResult
    func add(_ record: ImportedRecord) throws -> Bool
    /// Adds a batch's rows in order, as `add` would one by one.
    func add(_ batch: ImportBatch) throws
}

extension ProjectStore {
    /// Every item the task covers, read in pages of `page` (row order).
    public func allItems(for task: TaskSpec, page: Int = 5000) throws -> [StoredItem] {
        var items: [StoredItem] = []
        var pager = ItemPager(store: self, task: task, size: page)
        while let batch = try pager.next() { items += batch }
        return items
    }

    /// The task's routes per item.
    public func routes(task: TaskSpec) throws -> [Int64: RouteRecord] {
        try routes(task: task, route: nil)
    }

    /// `forEachItemVotes` from the whole table (for stores that do not stream).
    public func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) throws {
        let table = try votes(task: task, annotator: annotators?.count == 1 ? annotators![0] : nil)
        let members = annotators.map(Set.init)
        try table.forEachItem { item, votes in
            let kept = members.map { m in votes.filter { m.contains($0.annotator) } } ?? votes
            if !kept.isEmpty { try body(item, kept) }
        }
    }

    /// Every annotator's votes in the task.
    public func votes(task: TaskSpec) throws -> VoteTable {
        try votes(task: task, annotator: nil)
    }

    /// Every annotator's current decision in the task.
    public func currentDecisions(task: TaskSpec) throws -> [CurrentDecision] {
        try currentDecisions(task: task, kind: nil)
    }
}

/// A task's items page by page, in row order: `next()` gives the next page, nil at the end.
public struct ItemPager {
    let store: any ProjectStore
    let task: TaskSpec
    let size: Int
    private var after: Int64 = 0

    public init(store: any ProjectStore, task: TaskSpec, size: Int) {
        self.store = store
        self.task = task
        self.size = size
    }

    public mutating func next() throws -> [StoredItem]? {
        let page = try store.items(for: task, afterRowID: after, limit: size)
        guard let last = page.last else { return nil }
        after = last.rowID
        return page
    }
}

