import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// A task's progress counted here from what the roles read (the items the task covers, the decisions in
/// force, the routes), by `TaskProgress`'s definitions: what a backend's kept counts must equal.
enum ProgressScan {
    static func expected(_ store: any DuetStoreBackend, _ task: TaskSpec) async throws -> TaskProgress {
        let covered = Set(try await store.itemRowIDs(for: task))
        var byItem: [Int64: [CurrentDecision]] = [:]
        for d in try await store.currentDecisions(task: task) where covered.contains(d.itemRowID) { byItem[d.itemRowID, default: []].append(d) }
        let routes = try await store.routes(task: task, route: .audit)
        var p = TaskProgress(total: covered.count)
        var submitted = 0, machineOnly = 0
        for (item, decisions) in byItem {
            let people = decisions.filter { $0.annotatorKind == .human && $0.status == .submitted }
            let human = !people.isEmpty
            let machine = decisions.contains { $0.annotatorKind == .machine && $0.status == .submitted }
            let anySubmitted = decisions.contains { $0.status == .submitted }
            if human { p.human += 1 }
            if machine && !human { machineOnly += 1 }
            if anySubmitted { submitted += 1 }
            if decisions.contains(where: { $0.status == .skipped }) && !anySubmitted { p.skipped += 1 }
            if decisions.contains(where: \.flagged) { p.flagged += 1 }
            if people.count >= task.overlap { p.complete += 1 }
            p.humanSeconds += people.compactMap(\.seconds).reduce(0, +)
            p.timed += people.filter { $0.seconds != nil }.count
            // A blind audit the machine decided and no person has labeled yet is open for people.
            if let route = routes[item], route.pending, machine, !human { p.auditsOpen += 1 }
        }
        p.machine = machineOnly - p.auditsOpen
        p.remaining = max(0, p.total - submitted + p.auditsOpen)
        return p
    }

    /// Records an issue naming `context` for each field of `task`'s kept progress that differs from the scan.
    static func expectEqual(_ store: any DuetStoreBackend, _ task: TaskSpec, _ context: String,
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let kept = try await store.taskProgress(task), scanned = try await expected(store, task)
        var same = kept
        same.humanSeconds = scanned.humanSeconds
        #expect(same == scanned, "\(task.name) after \(context): kept \(kept), scanned \(scanned)", sourceLocation: sourceLocation)
        #expect(abs(kept.humanSeconds - scanned.humanSeconds) < 1e-6, "\(task.name) seconds after \(context)",
                sourceLocation: sourceLocation)
    }
}

extension StoreConformance {
    static let reviews = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let everything = TaskSpec(name: "all", kind: .classify, labels: ["neg", "pos"])

    static let progressCases: [ConformanceCase] = [
        ConformanceCase("taskProgressOnAHandMadeCase") { store in
            try await Setup.texts(store, 6)
            try await Setup.load(store, (1...2).map { Setup.pair($0) }, file: "/d/p.jsonl", dataset: "prefs")
            try await Setup.load(store, [Setup.text(1, dataset: "other")], file: "/d/o.jsonl", dataset: "other")
            let id = try await Setup.ids(store, 1...6)
            let outside = try await Setup.id(store, "t1", dataset: "other")
            try await Setup.decide(store, item: id[0], by: "alice", at: 1, seconds: 3, flagged: true)  // human
            try await Setup.decide(store, item: id[1], by: "alice", at: 2, seconds: 9)
            try await Setup.decide(store, item: id[1], by: "alice", at: 3, seconds: 5)  // replaces the 9 s
            try await Setup.decide(store, item: id[1], by: "gpt", kind: .machine, at: 4)  // human wins
            try await Setup.decide(store, item: id[2], by: "gpt", kind: .machine, at: 5)  // machine
            try await Setup.decide(store, item: id[3], by: "bob", status: .skipped, at: 6)  // skipped
            try await Setup.decide(store, item: id[4], by: "bob", status: .skipped, at: 7)
            try await Setup.decide(store, item: id[4], by: "alice", at: 8, seconds: 2)  // human, not skipped
            try await Setup.decide(store, item: id[5], by: "bob", at: 9, seconds: 50, flagged: true)
            try await store.undoLast(task: "sentiment", annotator: "bob", at: Setup.date(10))  // t6 open again
            try await Setup.decide(store, item: outside, by: "alice", at: 11, seconds: 100, flagged: true)  // not covered
            let progress = try await store.taskProgress(Setup.sentiment)
            #expect(progress == TaskProgress(total: 6, human: 3, machine: 1, skipped: 1, remaining: 2, flagged: 1, humanSeconds: 10, timed: 3))
            #expect(progress == (try await ProgressScan.expected(store, Setup.sentiment)))
            #expect(try await store.taskProgress(Setup.preference) == TaskProgress(total: 2, remaining: 2))
            // A task not in the store yet: its items, nothing decided.
            #expect(try await store.taskProgress(TaskSpec(name: "later", kind: .rate, dataset: "reviews")) == TaskProgress(total: 6, remaining: 6))
            #expect(try await store.taskProgress(TaskSpec(name: "later", kind: .rate)).total == 7)
        },

        // People and machines decide, skip, flag, re-decide, undo and revoke at random; routings revoke and
        // write machine decisions; overlaps change; rows are imported: after every step the kept counts of
        // every task equal the scan.
        ConformanceCase("progressCountsEqualAScanThroughRandomWork") { store in
            var rng = SplitMix64(seed: 16)
            func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
            var tasks = [reviews, everything, Setup.preference]
            try await store.syncTasks(tasks)
            try await Setup.load(store, (1...10).map { Setup.text($0) })
            try await Setup.load(store, (1...5).map { Setup.text($0, dataset: "tweets") }, file: "/d/tweets.jsonl", dataset: "tweets")
            try await Setup.load(store, (1...4).map { Setup.pair($0) }, file: "/d/prefs.jsonl", dataset: "prefs")
            var nextText = 11
            let people = ["ana", "bob", "cleo", "adjudicator:dan"]
            var logged: [Int64] = []
            var reached: Set<String> = []
            var t = 0.0
            for step in 0..<400 {
                t += 1
                let taskIndex = below(3)
                let task = tasks[taskIndex]
                let items = try await store.itemRowIDs(for: task)
                let item = items[below(items.count)]
                let person = people[below(people.count)]
                let label: JSONValue = task.kind == .compare ? .string(["0", "1", "tie"][below(3)]) : .string(["neg", "pos"][below(2)])
                switch below(14) {
                case 0...3:
                    logged.append(try await Setup.decide(store, item: item, task: task.name, by: person, label: label, at: t,
                                                         seconds: below(4) == 0 ? nil : Double(below(900)) / 7, flagged: below(5) == 0))
                case 4:
                    try await Setup.decide(store, item: item, task: task.name, by: person, status: .skipped, at: t, flagged: below(3) == 0)
                case 5:
                    try await Setup.decide(store, item: item, task: task.name, by: "llm:m", kind: .machine, label: label, at: t)
                case 6, 7:
                    _ = try await store.undoLast(task: task.name, annotator: person, at: Setup.date(t))
                case 8:
                    // A bulk accept of a few items, later perhaps revoked as one.
                    let some = (0..<3).map { _ in items[below(items.count)] }
                    logged += try await store.record(Set(some).sorted().map {
                        Setup.annotation(item: $0, task: task.name, by: person, label: label, at: t)
                    })
                case 9:
                    // Revoke an earlier decision; one already revoked or replaced is refused and changes nothing.
                    if !logged.isEmpty { _ = try? await store.revoke([logged.remove(at: below(logged.count))], at: Setup.date(t)) }
                case 10:
                    // A routing: some items to people (the machine's decision revoked), audits, the rest kept.
                    let entries = items.map { id in
                        RouteEntry(itemRowID: id, route: below(3) == 0 ? .human : below(4) == 0 ? .audit : .machine,
                                   score: Double(below(100)) / 10, machineLabel: label.string, annotator: "llm:router",
                                   votes: [MachineVote(annotator: "llm:router", variant: "v", label: label.string)], entropy: 0, confidence: nil)
                    }
                    try await store.applyRouting(entries, task: task.name, at: Setup.date(t))
                case 11:
                    // New rows, with repeats of stored ones.
                    let fresh = (nextText..<nextText + 1 + below(3)).map { Setup.text($0) }
                    nextText += fresh.count
                    try await Setup.load(store, fresh + [Setup.text(1 + below(10))])
                case 12:
                    _ = try await store.nextItem(for: task, annotator: person)
                default:
                    tasks[taskIndex].overlap = 1 + below(3)
                    try await store.syncTasks(tasks)
                }
                for task in tasks {
                    try await ProgressScan.expectEqual(store, task, "step \(step)")
                    let p = try await store.taskProgress(task)
                    for (name, value) in [("human", p.human), ("machine", p.machine), ("skipped", p.skipped), ("flagged", p.flagged),
                                          ("complete", p.complete), ("timed", p.timed), ("auditsOpen", p.auditsOpen)] where value > 0 {
                        reached.insert(name)
                    }
                }
            }
            // The walk did reach every kind of count.
            #expect(reached == ["human", "machine", "skipped", "flagged", "complete", "timed", "auditsOpen"])
        },
    ]
}
