import DuetCore
import Foundation

/// OpenAI Batch API output files read as votes. Each line is
/// `{"custom_id", "response": {"status_code", "body": {"model", "choices": [{"message": {"content"}}], "usage"}}, "error"}`;
/// Duet reads `custom_id` as `ITEM|VARIANT` (or `ITEM::VARIANT`), where VARIANT
/// is one of Duet's variant names ("instruction", "tf:<label>", "agree:<label>",
/// "choice", "paraphrase:BA", "question@toxic", …) so the answer is read the way a live run would.
/// (Ranking variants depend on the item's display orders and are not read from batch output.)
public enum BatchReplay {
    /// True when the first record looks like Batch output.
    public static func looksLikeBatch(_ firstRecord: JSONValue) -> Bool {
        firstRecord["custom_id"] != nil && (firstRecord["response"] != nil || firstRecord["error"] != nil)
    }

    public static func read<Source: ByteSource>(_ source: Source, file: String, task: TaskSpec, annotator: String? = nil,
                                                aliases: [String: String] = [:]) throws(ImportError) -> [VoteReplay.Row] {
        var reader = JSONLRowReader(source, file: file)
        let parser = AnswerParser(labels: PromptTemplates.schema(for: task), aliases: aliases)
        var rows: [VoteReplay.Row] = []
        while let row = try reader.next() {
            func fail(_ m: String) -> ImportError { ImportError(file: file, line: row.line, message: m) }
            guard let id = row.value["custom_id"]?.string else { throw fail("missing field 'custom_id'") }
            let parts = id.contains("::") ? id.components(separatedBy: "::") : id.components(separatedBy: "|")
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw fail("field 'custom_id': expected ITEM|VARIANT (for example s001|instruction), got '\(id)'")
            }
            let (item, variant) = (parts[0], parts[1])
            let body = row.value["response"]?["body"]
            let model = body?["model"]?.string
            let who = annotator ?? "llm:" + (model ?? "batch")
            let status = row.value["response"]?["status_code"]?.number.map { Int($0) }
            let usage = body?["usage"]
            let promptTokens = usage?["prompt_tokens"]?.number.map { Int($0) }
            let completionTokens = usage?["completion_tokens"]?.number.map { Int($0) }
            // A failed request is an unparseable answer: the item's uncertainty goes up.
            guard status == 200, let content = body?["choices"]?.array?.first?["message"]?["content"]?.string else {
                let reason = row.value["error"]?["message"]?.string ?? status.map { "HTTP \($0)" } ?? "no answer"
                rows.append(VoteReplay.Row(item: item, vote: MachineVote(annotator: who, variant: variant, label: nil, raw: "error: \(reason)",
                                                                          promptTokens: promptTokens, completionTokens: completionTokens),
                                           line: row.line))
                continue
            }
            let label: String?
            switch parser.read(content, as: kind(variant, task: task)) {
            case .label(let l): label = l
            case .abstain:
                // "False" to a one-label question says nothing about which label: kept for its text and tokens only.
                rows.append(VoteReplay.Row(item: item, vote: .noVote(annotator: who, variant: variant, raw: content,
                                                                      promptTokens: promptTokens, completionTokens: completionTokens),
                                           line: row.line))
                continue
            case .unparseable: label = nil
            }
            rows.append(VoteReplay.Row(item: item, vote: MachineVote(annotator: who, variant: variant, label: label,
                                                                      confidence: label == nil ? nil : AnswerParser.statedConfidence(content),
                                                                      raw: content, promptTokens: promptTokens, completionTokens: completionTokens),
                                       line: row.line))
        }
        return rows
    }

    /// How to read the answer to a variant, from its name.
    static func kind(_ variant: String, task: TaskSpec) -> AnswerKind {
        if task.kind == .rate || task.kind == .review {
            let facet = MachineVote(annotator: "", variant: variant, label: nil).facet
            return facet == ReviewDecision.verdictFacet ? .verdict : .rating(task.scale)
        }
        // A multilabel question about one label ("question@toxic").
        if task.kind == .multilabel && variant.contains(MachineVote.facetSeparator) { return .applies }
        if variant.hasPrefix("tf:") { return .yesNo(String(variant.dropFirst(3))) }
        if variant.hasPrefix("agree:") { return .yesNo(String(variant.dropFirst(6))) }
        if variant == "choice" { return .choice(task.labels) }
        if variant.hasSuffix(":AB") { return .pair(.ab) }
        if variant.hasSuffix(":BA") { return .pair(.ba) }
        return .label
    }
}
