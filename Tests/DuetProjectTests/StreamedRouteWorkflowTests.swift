import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// `duet route` streams the panel's votes from the store (`StreamingRouter`); what it stores equals what
/// `Router.route` decides on the same votes held in memory (`routerVotes`), for panels and single annotators.
@Suite struct StreamedRouteWorkflowTests {
    /// 150 items; members of mixed quality (the noisy ones erring alike) stored in an order unlike the panel's (so the panel order is
    /// what puts them right), a few unparseable answers and items without votes; people's labels on 25.
    func project(_ tmp: TempDir) async throws -> Project {
        let project = try tmp.project(.classify)
        let rows = (1...150).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task(nil)
        let ids = try project.sqlite.itemRowIDs(for: task)
        var rng = SplitMix64(seed: 5)
        let labels = task.answerLabels
        let members = [("n3", 0.45), ("n2", 0.5), ("good", 0.9), ("n1", 0.5)]
        var votes: [(item: Int64, vote: MachineVote)] = []
        for (i, id) in ids.enumerated() {
            let truth = labels[i % labels.count]
            if i % 13 == 0 { continue }
            for (who, accuracy) in members {
                for v in 0..<2 {
                    let r = Double(rng.next() % 1000) / 1000
                    // The noisy members err alike (a shared favourite wrong class): the majority follows them, the model learns not to.
                    let label: String? = r < 0.03 ? nil : r < accuracy ? truth : labels[(i + 1) % labels.count]
                    votes.append((id, MachineVote(annotator: who, variant: "p\(v)", label: label, confidence: Double(rng.next() % 100) / 100)))
                }
            }
            if i % 6 == 1 {
                try project.sqlite.record(NewAnnotation(itemRowID: id, task: task.name, annotatorKind: .human, annotator: "ana", value: .string(truth)))
            }
        }
        try project.sqlite.saveVotes(votes, task: task.name, at: Date())
        return project
    }

    /// Returns how many kept items the machine labels otherwise than the majority (a learned model at work).
    @discardableResult
    func check(_ project: Project, annotators: [String]?, strategy: RoutingStrategy) async throws -> Int {
        let task = try project.task(nil)
        _ = try await RouteWorkflow.run(RouteRequest(annotators: annotators, budget: 0.3, strategy: strategy, audit: 0), project: project)
        let (_, votes) = try await RouteWorkflow.routerVotes(annotators, project: project, task: task)
        let known = try await project.store.humanLabels(task)
        let open = try project.sqlite.itemRowIDs(for: task).filter { known[$0] == nil }
        let memory = Router.route(votes: votes, order: open, labels: task.answerLabels, strategy: strategy, budget: 0.3, known: known)
        let people = Set(memory.toHumans)
        let routes = try await project.sqlite.routes(task: task)
        #expect(routes.count == open.count)
        for id in open {
            let labels = votes.labels(id) ?? []
            let route = try #require(routes[id])
            #expect((route.route == .human) == (people.contains(id) || memory.machineLabels[id] == nil), "\(strategy) \(id)")
            #expect(route.machineLabel == memory.machineLabels[id] ?? Uncertainty.majority(labels), "\(strategy) \(id)")
            #expect(route.score == (labels.contains { $0 != nil } ? memory.scores[id]! : .infinity), "\(strategy) \(id)")
        }
        return open.filter { id in memory.machineLabels[id].map { $0 != Uncertainty.majority(votes.labels(id) ?? []) } ?? false }.count
    }

    @Test func storedRoutesEqualTheInMemoryRoute() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        // The panel's default fits its Dawid–Skene model here (25 people's labels, one good member).
        await #expect(try check(project, annotators: nil, strategy: .default) > 0)
        for strategy in RoutingStrategy.allCases {
            try await check(project, annotators: nil, strategy: strategy)
            try await check(project, annotators: ["good"], strategy: strategy)
            try await check(project, annotators: ["n1", "good"], strategy: strategy)
        }
    }
}
