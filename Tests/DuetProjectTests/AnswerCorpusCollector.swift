import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetProject

/// Collects a corpus of real answers from a project routed by an LLM annotator (how
/// `Tests/DuetAnnotatorsTests/Fixtures/answer-corpus.jsonl` was made; see benchmarks/README.md, "A real
/// small model"). Runs only when asked:
///
///     DUET_COLLECT_CORPUS=/tmp/corpus DUET_CORPUS_ANNOTATOR=smol DUET_CORPUS_OUT=/tmp/answers.jsonl \
///         swift test --filter AnswerCorpusCollector
///
/// Every cached answer of every prompt variant of every item is written with what the prompt asked
/// (its kind, the label or options, the display order) and the parser's reading now; a person then
/// checks each reading and corrects the `expected` field.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DUET_COLLECT_CORPUS"] != nil, "collects a corpus only when asked"))
struct AnswerCorpusCollector {
    @Test func collect() async throws {
        let env = ProcessInfo.processInfo.environment
        let project = try await Project.open(at: URL(fileURLWithPath: env["DUET_COLLECT_CORPUS"]!))
        let spec = try MachineRunWorkflow.spec(env["DUET_CORPUS_ANNOTATOR"] ?? "llm", in: project.config)
        let llm = try MachineRunWorkflow.llm(spec, store: project.store)
        let cache: any ResponseCache = project.store
        var lines: [String] = []
        for task in project.config.tasks where [.classify, .multilabel, .compare].contains(task.kind) {
            let parser = AnswerParser(labels: PromptTemplates.schema(for: task))
            let items = try await project.sqlite.allItems(for: task)
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.rowID, $0) })
            for p in await llm.plan(items, task: task) {
                guard let answer = try await cache.cachedResponse(key: p.cacheKey),
                      let variant = PromptTemplates.defaults.variants(for: byID[p.itemRowID]!.item, task: task, askConfidence: true)?
                        .first(where: { $0.name == p.variant }) else { continue }
                var row: [String: JSONValue] = ["item": .string(byID[p.itemRowID]!.item.uid), "variant": .string(p.variant),
                                                "labels": .array(parser.labels.map(JSONValue.string)), "answer": .string(answer.text)]
                switch variant.answer {
                case .label: row["kind"] = "label"
                case .choice(let options): row["kind"] = "choice"; row["options"] = .array(options.map(JSONValue.string))
                case .yesNo(let label): row["kind"] = "yesno"; row["label"] = .string(label)
                case .pair(let order): row["kind"] = "pair"; row["order"] = .string(order.rawValue)
                case .rating(let scale): row["kind"] = "rating"; row["scale"] = .string("\(scale.lowerBound)-\(scale.upperBound)")
                case .verdict: row["kind"] = "verdict"
                case .applies: row["kind"] = "applies"; row["label"] = MachineVote(annotator: "", variant: p.variant, label: nil).facet.map(JSONValue.string) ?? .null
                case .order(let shown): row["kind"] = "order"; row["order"] = .string(shown.map(String.init).joined(separator: ","))
                }
                switch parser.read(answer.text, as: variant.answer) {
                case .label(let l): row["expected"] = .string(l)
                case .abstain: row["expected"] = "abstain"
                case .unparseable: row["expected"] = .null
                }
                lines.append(JSONValue.object(row).canonicalJSON)
            }
        }
        #expect(!lines.isEmpty, "no cached answers: route the project with its LLM annotator first")
        try (lines.joined(separator: "\n") + "\n").write(toFile: env["DUET_CORPUS_OUT"] ?? "/tmp/answers.jsonl", atomically: true, encoding: .utf8)
    }
}
