import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// Issue 16's proof: eight people labeling one shared project at once, each in a process of its own with a
/// connection pool of its own (`duet-labeler`: next item with progress and routing, a decision, every
/// seventh decision undone), while `duet route` (the real binary, on replayed votes) re-routes the same task
/// again and again with other budgets and audits, over 2,000 items in PostgreSQL.
///
/// What routing promises, read from the code: `duet route` routes the items people have not labeled
/// (`RouteWorkflow.run`: people's labels are read, "kept as they are"); the machine keeps its share (a
/// machine decision, never served by the queue), the rest goes to people (pending, most uncertain first),
/// some kept items go to people blind as audits (a machine decision and a person's, by design); a re-route
/// revokes a machine decision on an item now sent to people and never touches people's decisions. People's
/// decisions come first (`Decisions.final`). An item a person has open or has just decided while `duet route`
/// works (it read people's labels before) may still be kept by the machine: both decisions then stand and the
/// person's is final, so "machine-kept and labeled by a person" is allowed and not asserted against.
///
/// So after all have ended: every decision a labeler was told was saved is in force, and nothing else (the
/// log has exactly one entry per decision and undo they made); no item has two people's decisions (overlap
/// 1); every item has a final decision (a person's, else the machine's as routed), nothing is pending and
/// the queue is empty; routing did change its mind while people labeled (machine decisions revoked); the
/// progress counts equal a scan of the decisions.
extension PostgresServerTests {
    @Test func eightLabelerProcessesAndARouterLabelEveryItemOnce() async throws {
        guard let duet = ChildProcess.built("duet"), let labeler = ChildProcess.built("duet-labeler") else {
            Issue.record("duet and duet-labeler are not built (swift build --build-tests builds them)")
            return
        }
        try await TestServer.withDatabase { config in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-team-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let items = 2_000, people = 8
            let project = dir.appendingPathComponent("project").path
            try await ChildProcess.run(duet, ["init", project, "--example", "--store", config.url]
                                       + (config.passwordEnv.map { ["--password-env", $0] } ?? []))
            let itemsFile = dir.appendingPathComponent("items.jsonl")
            try (1...items).map { #"{"id": "t\#($0)", "text": "text number \#($0)"}"# }.joined(separator: "\n")
                .write(to: itemsFile, atomically: true, encoding: .utf8)
            try await ChildProcess.run(duet, ["import", itemsFile.path, "--project", project])
            // Three readings of each item by a replayed annotator: agreeing, split two to one, or all different.
            let labels = ["negative", "neutral", "positive"]
            let votesFile = dir.appendingPathComponent("votes.jsonl")
            func readings(_ n: Int) -> [String] {
                switch n % 4 {
                case 0: return [labels[2], labels[2], labels[2]]
                case 1: return labels
                case 2: return [labels[0], labels[2], labels[2]]
                default: return [labels[0], labels[0], labels[0]]
                }
            }
            try (1...items).flatMap { n in
                readings(n).enumerated().map { v, label in
                    #"{"item": "t\#(n)", "annotator": "replay", "variant": "v\#(v)", "label": "\#(label)"}"#
                }
            }.joined(separator: "\n").write(to: votesFile, atomically: true, encoding: .utf8)
            try await ChildProcess.run(duet, ["votes", "import", votesFile.path, "--task", "sentiment", "--project", project])
            func route(_ budget: Double, audit: Double, seed: Int) async throws -> String {
                try await ChildProcess.run(duet, ["route", "--task", "sentiment", "--annotator", "replay", "--budget", "\(budget)",
                                                  "--audit", "\(audit)", "--seed", "\(seed)", "--project", project])
            }
            _ = try await route(0.5, audit: 0, seed: 0)

            // The people, and the router re-routing meanwhile; they stop once the router is done and they are given nothing.
            let finished = dir.appendingPathComponent("router-finished").path
            var labelers: [ChildProcess] = []
            defer { for l in labelers { l.kill() } }
            for p in 0..<people {
                labelers.append(try ChildProcess(labeler, ["--url", config.url, "--task", "sentiment", "--as", "p\(p)", "--until", finished,
                                                           "--undo-every", "7"] + (config.passwordEnv.map { ["--password-env", $0] } ?? [])))
            }
            var routes: [String] = []
            for (k, budget) in [0.3, 0.7, 0.2, 0.9, 0.4, 0.6].enumerated() {
                routes.append(try await route(budget, audit: k % 2 == 0 ? 0.1 : 0, seed: k + 1))
            }
            _ = FileManager.default.createFile(atPath: finished, contents: nil)
            var made: [String: [String]] = [:]
            for (p, l) in labelers.enumerated() {
                let ended = try await l.wait()
                #expect(ended.status == 0, "labeler p\(p): \(ended.err)")
                made["p\(p)"] = ended.out.split(separator: "\n").map(String.init)
            }
            #expect(routes.allSatisfy { $0.contains("routed") }, "\(routes)")
            // How often each person met a busy store (a lock wait past the write wait) and pressed the key again:
            // a figure for the record, not asserted (it depends on timing).
            let busy = made.keys.sorted().map { who in "\(who) \(made[who]?.filter { $0 == "busy" }.count ?? 0)" }
            print("labelers' busy retries over \(routes.count) re-routes: \(busy.joined(separator: ", "))")

            let store = try await PostgresStore.open(config, intent: .attach, environment: TestServer.environment)
            try await PostgresStore.closing([store]) {
                try await Self.checkTeamRun(store, made: made, items: items)
                // No two of them ever waited for each other in a circle: the server counts the deadlocks it broke
                // (a labeler's undo and a routing took the queue lock and a route row in opposite orders).
                let deadlocks = try await store.pool.withConnection { db in
                    try await db.rows("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
                        .decode(Int64.self).firstElement() ?? -1
                }
                #expect(deadlocks == 0, "the server broke \(deadlocks) deadlocks")
            }
        }
    }

    /// The store after the labelers and the router have ended, against what each labeler said it did.
    static func checkTeamRun(_ store: PostgresStore, made: [String: [String]], items: Int) async throws {
        let task = try #require(try await store.storedTasks().first { $0.name == "sentiment" })
        // What each person was told is saved, replayed: a decision adds its item, an undo removes it.
        var standing: [String: Set<Int64>] = [:]
        var decided = 0, undone = 0
        for (who, lines) in made {
            var mine = Set<Int64>()
            var served = 0
            for line in lines {
                let words = line.split(separator: " ")
                switch words.first {
                case "served": served += 1
                case "decided": mine.insert(Int64(words[1])!); decided += 1
                case "undone": mine.remove(Int64(words[1])!); undone += 1
                default: break
                }
            }
            #expect(served > 0, "\(who) was served nothing")
            #expect(lines.last?.hasPrefix("end ") == true, "\(who) did not end normally")
            standing[who] = mine
        }
        #expect(decided > 0 && undone > 0)
        // In force: exactly what they were told, and no item twice (overlap 1).
        let human = try await store.currentDecisions(task: task, kind: .human)
        let inForce = Dictionary(grouping: human, by: \.annotator).mapValues { Set($0.map(\.itemRowID)) }
        #expect(inForce == standing.filter { !$0.value.isEmpty })
        let perItem = Dictionary(grouping: human, by: \.itemRowID)
        #expect(perItem.values.allSatisfy { $0.count == 1 }, "items decided by two people: \(perItem.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(standing.values.map(\.count).reduce(0, +) == perItem.count)
        // The log holds one entry per decision and per undo the labelers made: none lost, none doubled.
        #expect(try await QueueFixture.count(store, "SELECT COUNT(*) FROM annotations WHERE annotator_kind = 'human' AND status = 'submitted'") == decided)
        #expect(try await QueueFixture.count(store, "SELECT COUNT(*) FROM annotations WHERE annotator_kind = 'human' AND status = 'revoked'") == undone)
        // Every item ends with a final decision: a person's, else the machine's where it kept the item.
        let machine = try await store.currentDecisions(task: task, kind: .machine)
        #expect(Set(machine.map(\.itemRowID)).count == machine.count, "one machine decision per item at most")
        let routes = try await store.routes(task: task, route: nil)
        #expect(routes.count == items)
        let finals = Set(perItem.keys).union(machine.map(\.itemRowID))
        #expect(finals.count == items, "items without a decision: \(Set(routes.keys).subtracting(finals).sorted().prefix(20))")
        for d in machine where perItem[d.itemRowID] == nil {
            #expect(routes[d.itemRowID]?.route == .machine, "item \(d.itemRowID) kept by the machine only, routed \(String(describing: routes[d.itemRowID]?.route))")
        }
        #expect(routes.values.allSatisfy { !$0.pending }, "routed to people and not labeled: \(routes.values.filter(\.pending).map(\.itemRowID).sorted().prefix(20))")
        #expect(try await store.nextItem(for: task, annotator: "late") == nil)
        // The router changed its mind while people labeled: machine decisions were revoked by re-routes.
        #expect(try await QueueFixture.count(store, "SELECT COUNT(*) FROM annotations WHERE annotator_kind = 'machine' AND status = 'revoked'") > 0)
        // Progress kept in the writing transactions equals a scan of the decisions.
        let progress = try await QueueFixture.progressAndScan(store)
        #expect(progress.kept == progress.scanned)
        #expect(try await QueueFixture.count(store, "SELECT COALESCE(SUM(complete), 0)::bigint FROM progress") == perItem.count)
    }
}
