/// The record schemas Duet reads. The container (JSONL, JSON array, CSV,
/// TSV) is told apart separately, from the file's name and first byte.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto
    /// Classification rows: a text field, optional gold, optional id (JSONL).
    case jsonl
    /// Classification rows in a JSON array.
    case json
    case csv
    case tsv
    /// `{instruction, input, output}` (+ system, history); with chosen/rejected a pair; with kto_tag a verdict.
    case alpaca
    /// `{conversations: [{from, value}]}`.
    case sharegpt
    /// `{messages: [{role, content}]}` (OpenAI chat, TRL conversational).
    case messages
    /// TRL `{prompt, completion}` (strings or message lists); with a boolean `label`, KTO.
    case trl
    /// `{prompt?, chosen, rejected}`: explicit or implicit prompt, strings or message lists.
    case dpo
    /// Anthropic HH-RLHF transcripts in `chosen` / `rejected`.
    case hhRLHF = "hh-rlhf"
    /// UltraFeedback raw: `{instruction, completions: [...]}` → a ranking item.
    case ultrafeedback
    /// OpenAI preference fine-tuning rows.
    case openaiPreference = "openai-preference"
    /// Prodigy `db-out`.
    case prodigy
    /// Label Studio pairwise input `{prompt, answer1, answer2}`.
    case labelStudio = "label-studio"
    /// Argilla records with `fields` / `suggestions` / `responses`.
    case argilla
    /// Duet's own JSONL export (`id`, `dataset`, `kind` + the kind's fields).
    case duet

    /// The container this format name implies, if it implies one.
    public var impliedContainer: Container? {
        switch self {
        case .jsonl: return .jsonl
        case .json: return .jsonArray
        case .csv: return .csv
        case .tsv: return .tsv
        default: return nil
        }
    }

    /// True for the plain classification-row formats.
    public var isClassificationRows: Bool {
        self == .jsonl || self == .json || self == .csv || self == .tsv
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// What the user told `duet import` about fields, plus where rows come from.
public struct ImportOptions: Sendable {
    public var dataset: String
    /// Name used for source annotations: `source:<sourceName>`.
    public var sourceName: String
    public var idField: String?
    public var textField: String?
    public var goldField: String?

    public init(dataset: String, sourceName: String, idField: String? = nil, textField: String? = nil, goldField: String? = nil) {
        self.dataset = dataset
        self.sourceName = sourceName
        self.idField = idField
        self.textField = textField
        self.goldField = goldField
    }
}

public enum FormatDetection {
    /// Picks the schema from the keys of the first record. Returns nil when
    /// the keys fit nothing (the caller asks for `--format`).
    public static func detect(keys: Set<String>, sample: JSONValue, container: Container, options: ImportOptions) -> InputFormat? {
        if keys.isSuperset(of: ["id", "dataset", "kind"]), let k = sample["kind"]?.string, ItemKind(rawValue: k) != nil,
           keys.contains("text") || keys.contains("messages") || keys.contains("responses") {
            return .duet
        }
        if keys.contains("completions") && keys.contains("instruction") { return .ultrafeedback }
        if keys.contains("preferred_output") && keys.contains("non_preferred_output") { return .openaiPreference }
        if keys.contains("chosen") && keys.contains("rejected") {
            if keys.contains("instruction") { return .alpaca }
            if !keys.contains("prompt"), let c = sample["chosen"]?.string, c.contains("\n\nHuman:") || c.hasPrefix("Human:") {
                return .hhRLHF
            }
            return .dpo
        }
        if keys.contains("answer1") && keys.contains("answer2") { return .labelStudio }
        if keys.contains("instruction") && keys.contains("output") { return .alpaca }
        if keys.contains("prompt") && keys.contains("completion") { return .trl }
        if keys.contains("conversations") { return .sharegpt }
        if keys.contains("messages") { return .messages }
        if keys.contains("_input_hash") || keys.contains("_task_hash") { return .prodigy }
        if (keys.contains("suggestions") || keys.contains("responses")) && keys.contains("fields") { return .argilla }
        let textField = options.textField ?? ClassificationRows.defaultTextFields.first(where: keys.contains)
        if let textField, keys.contains(textField) {
            switch container {
            case .jsonl: return .jsonl
            case .jsonArray: return .json
            case .csv: return .csv
            case .tsv: return .tsv
            }
        }
        return nil
    }
}
