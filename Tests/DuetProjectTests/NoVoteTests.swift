import DuetCore
import DuetStoreAPI
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// A False / No answer to a prompt about one label names no label: it is no vote. It still cost tokens
/// (the plan undercounted a real model's run by 15% when it was dropped), so it is stored, listed and
/// counted in what the run cost, and never counted as a vote.
@Suite struct NoVoteTests {
    /// Clean items (each answers 4 of its 11 prompts False / No), items whose answers cannot be read, one split.
    static let modes = ["", "", "[outside]", "", "", "[outside]", "", ""]

    @Test func noVotesCostTokensAndNeverChangeTheRouting() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir(), plain = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: Self.modes)
            let task = try project.task(nil)
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let run = try await MachineRunWorkflow.run(annotator: "gpt", task: task, project: project,
                                                       environment: [LLMProject.keyVariable: "sk-test"])
            _ = try await RouteWorkflow.run(RouteRequest(), project: project, at: at)
            let clean = Self.modes.filter(\.isEmpty).count
            #expect(run.noVotes == clean * (LLMProject.k - LLMProject.answered) && run.votes == Self.modes.count * LLMProject.k - run.noVotes)
            #expect(run.summary.contains(", \(run.noVotes) False / No answers (no vote)"), "\(run.summary)")

            // Every answer is stored with its text and tokens; the no-votes are those the server answered False / No.
            let records = try project.sqlite.voteRecords(task: task, item: nil, annotator: nil, unparseableOnly: false, limit: 10_000)
            let noVotes = records.filter(\.vote.noVote)
            #expect(records.count == Self.modes.count * LLMProject.k && noVotes.count == run.noVotes)
            #expect(noVotes.allSatisfy { ($0.vote.raw?.hasPrefix("False") ?? false) || ($0.vote.raw?.hasPrefix("No.") ?? false) },
                    "\(noVotes.map(\.vote.raw))")
            #expect(noVotes.allSatisfy { $0.vote.label == nil && $0.vote.confidence == nil && $0.vote.completionTokens == 7 })
            // Listed as "no vote", not as unparseable; `--unparseable` leaves them out.
            let lines = VotesListWorkflow.lines(noVotes)
            #expect(lines.allSatisfy { $0.contains("\tno vote\t") && !$0.contains(Uncertainty.unparseable) }, "\(lines)")
            let unparseable = try project.sqlite.voteRecords(task: task, item: nil, annotator: nil, unparseableOnly: true, limit: 10_000)
            #expect(unparseable.count == 2 * LLMProject.k && unparseable.allSatisfy { !$0.vote.noVote })

            // The plan's machine cost counts every answer the server billed, False / No included.
            let billed = LLMProject.billed(server.requests)
            let plan = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.5]), project: project)
            #expect(plan.cost.tokens == VoteTokens(votes: records.count, promptTokens: billed.prompt, completionTokens: billed.completion),
                    "\(plan.cost.tokens) vs billed \(billed)")

            // The same votes without the no-votes route exactly alike: routes, scores, labels, the machine's decisions.
            let other = try await LLMProject.make(plain, server: server, modes: Self.modes)
            let ids = await Dictionary(uniqueKeysWithValues: try other.sqlite.allItems(for: task).map { ($0.item.uid, $0.rowID) })
            try other.sqlite.saveVotes(records.filter { !$0.vote.noVote }.map { (ids[$0.item]!, $0.vote) }, task: task.name, at: at)
            _ = try await RouteWorkflow.run(RouteRequest(), project: other, at: at)
            func routing(_ p: Project) throws -> [String: String] {
                let uids = Dictionary(uniqueKeysWithValues: try p.sqlite.allItems(for: task).map { ($0.rowID, $0.item.uid) })
                return Dictionary(uniqueKeysWithValues: try p.sqlite.routes(task: task).map { id, r in
                    (uids[id]!, "\(r.route) \(r.score) \(r.machineLabel ?? "-") \(r.pending)")
                })
            }
            let routes = try routing(project), otherRoutes = try routing(other)
            #expect(routes.count == Self.modes.count && routes == otherRoutes)
            let plainPlan = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.5]), project: other)
            #expect(plainPlan.rows.map(\.accuracy) == plan.rows.map(\.accuracy) && plainPlan.cost.tokens.completionTokens < billed.completion)
            var exports: [String] = []
            for p in [project, other] {
                let out = tmp.url.appendingPathComponent("export-\(p === project ? "a" : "b").jsonl").path
                _ = try await ExportWorkflow.run(ExportRequest(task: task.name, format: .jsonl, scope: .all, output: out), project: p)
                exports.append(try String(contentsOfFile: out, encoding: .utf8))
            }
            #expect(!exports[0].isEmpty && exports[0] == exports[1])
        }
    }

    /// The votes a person reads (`duet votes list --json`, a machine decision's votes in exports) carry the
    /// raw answer and each vote's confidence, built in one place (`MachineVote.json`).
    @Test func exportedVotesCarryTheRawAnswerAndConfidence() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: ["", "", ""])
            let task = try project.task(nil)
            _ = try await LLMProject.route(project)
            let out = tmp.url.appendingPathComponent("all.jsonl").path
            _ = try await ExportWorkflow.run(ExportRequest(task: task.name, format: .jsonl, scope: .all, output: out), project: project)
            let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
            let machine = rows.flatMap { row in
                (row["annotations"]?.array ?? []).filter { $0["annotator_kind"] == "machine" }.map { (gold: row["gold"], annotation: $0) }
            }
            #expect(machine.count == 2, "budget 0.3 of 3 items: the machine keeps 2")
            for (gold, annotation) in machine {
                let votes = try #require(annotation["votes"]?.array)
                #expect(votes.count == LLMProject.answered, "\(votes)")
                for v in votes {
                    // FakeLLM's answers end "Confidence: 0.9".
                    #expect(v["raw"]?.string?.hasSuffix("Confidence: 0.9") == true && v["confidence"] == 0.9, "\(v)")
                    #expect(v["label"] == gold && v["variant"]?.string != nil && v["no_vote"] == nil)
                }
            }
            // `duet votes list --json`: the same vote JSON, with the item and the annotator.
            let records = try project.sqlite.voteRecords(task: task, item: nil, annotator: nil, unparseableOnly: false, limit: 100)
            let data = try JSONEncoder().encode(records)
            let listed = try #require(try JSONValue.parse(String(decoding: data, as: UTF8.self)).array)
            #expect(listed.count == 3 * LLMProject.k)
            for (json, r) in zip(listed, records) {
                var expected = r.vote.json.object!
                expected["item"] = .string(r.item)
                expected["annotator"] = .string(r.vote.annotator)
                #expect(json == .object(expected))
                #expect(json["raw"]?.string == r.vote.raw && json["raw"] != nil)
                #expect(r.vote.noVote ? json["no_vote"] == true && json["label"] == .null : json["confidence"] == 0.9)
            }
        }
    }
}
