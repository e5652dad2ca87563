import Foundation

/// The formats `duet export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    case jsonl
    case csv
    case alpaca
    case sharegpt
    case messages
    // Preference formats, for compare tasks (PreferenceExport.swift).
    case dpo
    case dpoMessages = "dpo-messages"
    case openaiDPO = "openai-dpo"
    case kto
    case ultrafeedbackBinarized = "ultrafeedback-binarized"
    case hh

    /// Whether provenance fits inside each row; otherwise it goes to a
    /// companion file (`FILE.provenance.jsonl`).
    public var inlineProvenance: Bool { self == .jsonl || self == .csv }

    /// Whether rows are built from pair judgments (chosen vs rejected).
    public var isPreference: Bool { itemKinds == [.pair, .ranking] }

    public var itemKinds: [ItemKind]? {
        switch self {
        case .jsonl: return nil
        case .csv: return [.text]
        case .alpaca, .sharegpt, .messages: return [.demonstration]
        case .dpo, .dpoMessages, .openaiDPO, .kto, .ultrafeedbackBinarized, .hh: return [.pair, .ranking]
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// Why this format cannot export `task`, or nil when it can. Preference
    /// formats need a compare task; compare tasks export as jsonl or a
    /// preference format only (csv holds text items, the chat formats
    /// demonstrations).
    public func problem(with task: TaskSpec?) -> String? {
        let compare = task?.kind == .compare
        if isPreference && !compare {
            let what = task.map { "task '\($0.name)' is \($0.kind.rawValue)" } ?? "choose one with --task"
            return "format \(rawValue) needs a compare task (\(what))"
        }
        if compare && !isPreference && self != .jsonl, let task {
            let formats = Self.allCases.filter(\.isPreference).map(\.rawValue).joined(separator: "|")
            return "format \(rawValue) cannot hold pairs: compare task '\(task.name)' exports as jsonl or \(formats)"
        }
        return nil
    }
}

/// `--kto-ties`: what KTO export does with ties and both-bad judgments.
public enum KTOTies: String, Sendable, CaseIterable {
    /// Leave them out (counted in the summary).
    case exclude
    /// Write both responses as `label: false` rows.
    case falseRows = "false-rows"
}

/// Export settings beyond format and scope.
public struct ExportOptions: Sendable, Hashable {
    public var ktoTies: KTOTies
    public init(ktoTies: KTOTies = .exclude) { self.ktoTies = ktoTies }
}

/// One item with the decisions an export takes for it.
public struct ExportRow: Sendable {
    public var item: StoredItem
    public var decisions: [Annotation]
    public init(item: StoredItem, decisions: [Annotation]) {
        self.item = item
        self.decisions = decisions
    }
}

/// Why a row was left out of an export (counted in the summary).
public enum ExportSkip: String, Error, Sendable, CaseIterable {
    case undecided = "no decision"
    case rejected = "rejected in review"
    case wrongKind = "not a fitting item kind"
    // Preference formats: one reason per decision left out.
    case tie = "tie"
    case bothBad = "both bad"
    case allTied = "all tied (ranking)"
    case skippedByAnnotator = "skipped by the annotator"
    case notAJudgment = "not a pair judgment or ranking"
}

/// One written line and its companion provenance line (nil: none).
public struct ExportLine: Sendable, Hashable {
    public var line: String
    public var provenance: String?
    public init(line: String, provenance: String? = nil) {
        self.line = line
        self.provenance = provenance
    }
}

/// What one item gives an export: lines to write, and per decision left
/// out (or, for KTO ties, written as `label: false` rows) the reason.
public struct ExportOutput: Sendable, Hashable {
    public var lines: [ExportLine] = []
    public var skipped: [ExportSkip] = []
    /// Ties and both-bad judgments written as two `label: false` KTO rows.
    public var falseRows: [ExportSkip] = []
    public init(lines: [ExportLine] = [], skipped: [ExportSkip] = [], falseRows: [ExportSkip] = []) {
        self.lines = lines
        self.skipped = skipped
        self.falseRows = falseRows
    }
}

/// Rendered rows as the bytes an export writes (each line ends in "\n"), with
/// what was left out; `ExportWorkflow` renders the halves of a page into two
/// of these on two threads.
public struct ExportBatch: Sendable {
    var lines: JSONWriter
    var provenance = JSONWriter()
    public var written = 0
    public var skipped: [ExportSkip: Int] = [:]
    /// Ties and both-bad judgments written as two `label: false` KTO rows.
    public var falseRows: [ExportSkip: Int] = [:]

    public init(capacity: Int = 0) { lines = JSONWriter(capacity: capacity) }

    public var lineBytes: [UInt8] { lines.bytes }
    /// Companion provenance lines (formats without inline provenance).
    public var provenanceBytes: [UInt8] { provenance.bytes }
}
