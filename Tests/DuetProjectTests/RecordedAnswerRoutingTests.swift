import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// `duet route` against a loopback server that answers with a small model's recorded real answers
/// (`RecordedAnswers`: rambling, multi-line, negated, letter-and-label answers), each with the reading a
/// person gave it: the stored votes read as the person did, the router sends what the machine does not
/// know (no parsed vote, too few or tied votes) to people first, and keeps the label the readings imply.
@Suite struct RecordedAnswerRoutingTests {
    /// 8 clean items, 2 that cannot be read, 2 tied, 1 with only False / No answers and unreadable ones.
    static func modes() -> [String] {
        (0..<13).map { i in
            switch i {
            case 3, 9: return "[mumble]"
            case 5, 11: return "[split=\(LLMProject.labels[(i + 1) % 3])]"
            case 7: return "[nay]"
            default: return ""
            }
        }
    }

    /// What a person read in the answer the server gave: the vote's label, or no vote.
    struct Reading: Hashable, CustomStringConvertible {
        var label: String?
        var noVote: Bool
        var description: String { noVote ? "no vote" : label ?? "unparseable" }
    }

    /// The corpus without the few answers (8 of 442, AnswerCorpusTests keeps them under 2%) the parser reads
    /// otherwise than a person did: what this test checks is what the readings do to the votes and the routing.
    static func readAlike() throws -> RecordedAnswers {
        let all = try RecordedAnswers.load()
        let parser = AnswerParser(labels: LLMProject.labels)
        return RecordedAnswers(answers: all.answers.filter { a in
            switch a.kind {
            case "label": return parser.read(a.text, as: .label) == a.expected.map(AnswerParser.Reading.label) ?? .unparseable
            case "choice": return parser.read(a.text, as: .choice(LLMProject.labels)) == a.expected.map(AnswerParser.Reading.label) ?? .unparseable
            case "yesno":
                let reading = parser.read(a.text, as: .yesNo(a.label ?? ""))
                return a.expected == "abstain" ? reading == .abstain : reading == a.expected.map(AnswerParser.Reading.label) ?? .unparseable
            default: return true
            }
        })
    }

    @Test func routingOnRecordedAnswersFollowsTheirReadings() async throws {
        let corpus = try Self.readAlike()
        #expect(corpus.answers.count >= 430)
        let modes = Self.modes()
        try await LoopbackServer.with(script: { corpus.reply($0) }) { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: modes)
            let task = try project.task(nil)
            let unsupported = modes.filter { !$0.isEmpty }.count
            _ = try await MachineRunWorkflow.run(annotator: "gpt", task: task, project: project,
                                                 environment: [LLMProject.keyVariable: "sk-test"])
            let report = try await RouteWorkflow.run(RouteRequest(budget: Double(unsupported) / Double(modes.count), audit: 0), project: project)
            #expect(report.toPeople == unsupported && report.kept == modes.count - unsupported, "\(report.summary)")

            // What the server answered to each item's prompts, and what a person read in it.
            var expected: [String: [String: (text: String, reading: Reading)]] = [:]
            for r in server.requests {
                let (item, variant) = try #require(RecordedAnswers.prompt(r.userText))
                let uid = "i" + (FakeLLM.between(item, "Item ", " ") ?? "")
                let answer = corpus.pick(item: item, variant: variant)
                let asked = variant.split(separator: ":").dropFirst().first.map(String.init)
                let reading = answer.expected == "abstain" ? Reading(label: nil, noVote: true)
                    : Reading(label: answer.kind == "yesno" && answer.expected != nil ? asked : answer.expected, noVote: false)
                expected[uid, default: [:]][variant] = (answer.text, reading)
            }
            #expect(expected.count == modes.count && expected.values.allSatisfy { $0.count == LLMProject.k })
            let texts = expected.values.flatMap { $0.values.map(\.text) }
            // Real answers, not clean ones: some run over several lines, some ramble on.
            #expect(texts.contains { $0.contains("\n") } && texts.contains { $0.count > 200 })

            // 1. Every stored vote is the answer the server gave, read as a person read it.
            let records = try project.sqlite.voteRecords(task: task, item: nil, annotator: nil, unparseableOnly: false, limit: 10_000)
            #expect(records.count == modes.count * LLMProject.k)
            for r in records {
                let e = try #require(expected[r.item]?[r.vote.variant])
                #expect(r.vote.raw == e.text)
                #expect(Reading(label: r.vote.label, noVote: r.vote.noVote) == e.reading,
                        "\(r.item) \(r.vote.variant): \(e.text.prefix(120)) read \(r.vote.label ?? "-") \(r.vote.noVote)")
            }

            // 2. Items whose readings give the majority no support go to people, those without a parsed vote first.
            let routes = try await project.sqlite.routes(task: task)
            let items = try await project.sqlite.allItems(for: task)
            var keptScores: [Double] = [], unsupportedScores: [Double] = []
            for item in items {
                let i = LLMProject.index(item), mode = modes[i], route = try #require(routes[item.rowID])
                let readings = expected[item.item.uid]!.values.map(\.reading).filter { !$0.noVote }.map(\.label)
                #expect(Uncertainty.supported(readings) == mode.isEmpty, "\(mode): \(readings)")
                if mode.isEmpty {
                    // 3. The machine keeps the label the readings imply (here the gold label).
                    #expect(route.route == .machine && route.machineLabel == Uncertainty.majority(readings)
                        && route.machineLabel == LLMProject.gold(i), "\(item.item.uid): \(route)")
                    keptScores.append(route.score)
                } else {
                    #expect(route.route == .human && route.pending, "\(mode): \(route)")
                    if !readings.contains(where: { $0 != nil }) { #expect(route.score == .infinity, "\(mode)") }
                    unsupportedScores.append(route.score)
                }
            }
            #expect(unsupportedScores.min()! > keptScores.max()!)
            #expect(unsupportedScores.min()! >= Uncertainty.unsupportedOffset)
            // People get the unknown items first: the queue's first items are those without a parsed vote.
            let first = try #require(try project.sqlite.nextItem(for: task, annotator: "ana"))
            #expect(["[mumble]", "[nay]"].contains(modes[LLMProject.index(first)]))
        }
    }
}
