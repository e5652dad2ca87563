import Foundation

/// `duet agreement` and the Quality screen: how far annotators (people and machines) agree on a task.
public struct AgreementReport: Codable, Sendable {
    public struct Pair: Codable, Sendable {
        public var a: String
        public var b: String
        public var overlap: Int
        public var kappa: Double?
    }
    public var task: String
    public var items: Int
    /// Labels per annotator.
    public var annotators: [String: Int]
    public var percentAgreement: Double?
    public var pairwiseAgreement: Double?
    public var cohenKappa: [Pair]
    public var fleissKappa: Double?
    public var fleissRaters: Int?
    public var krippendorffAlpha: Double?
    /// nominal, or ordinal and interval for rate tasks.
    public var alphaLevel: String
    public var alphaInterval: Double?
    /// Each machine annotator with votes against people's labels (who to trust; label votes only).
    public var machines: [PanelMember] = []

    enum CodingKeys: String, CodingKey {
        case task, items, annotators, machines
        case percentAgreement = "percent_agreement"
        case pairwiseAgreement = "pairwise_agreement"
        case cohenKappa = "cohen_kappa"
        case fleissKappa = "fleiss_kappa"
        case fleissRaters = "fleiss_raters"
        case krippendorffAlpha = "krippendorff_alpha"
        case alphaLevel = "alpha_level"
        case alphaInterval = "krippendorff_alpha_interval"
    }

    /// The figures from a task's current decisions (adjudications and the dataset's own labels left out).
    public static func make(task: TaskSpec, decisions: [CurrentDecision]) -> AgreementReport {
        var table: Agreement.LabelTable = [:]
        for d in decisions where d.status == .submitted && d.annotatorKind != .source
            && !Adjudication.isAdjudicator(d.annotator) {  // an adjudication agrees with one side by construction
            let label = Decisions.labelText(d.value)
            if let label { table[d.itemRowID, default: [:]][d.annotator] = label }
        }
        var counts: [String: Int] = [:]
        for labels in table.values { for a in labels.keys { counts[a, default: 0] += 1 } }
        let percent = Agreement.percentAgreement(table)
        let fleiss = Agreement.fleissKappa(table)
        let ordinal = task.kind == .rate
        return AgreementReport(
            task: task.name, items: table.count, annotators: counts, percentAgreement: percent?.allAgree, pairwiseAgreement: percent?.pairwise,
            cohenKappa: Agreement.pairwise(table).map { Pair(a: $0.a, b: $0.b, overlap: $0.overlap, kappa: $0.kappa) },
            fleissKappa: fleiss?.kappa, fleissRaters: fleiss?.raters,
            krippendorffAlpha: Agreement.krippendorffAlpha(table, level: ordinal ? .ordinal : .nominal),
            alphaLevel: ordinal ? "ordinal" : "nominal",
            alphaInterval: ordinal ? Agreement.krippendorffAlpha(table, level: .interval) : nil)
    }

    public var text: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = ["\(task): \(items) items labeled by " + annotators.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")]
        lines.append("percent agreement \(f(percentAgreement)) · pairwise \(f(pairwiseAgreement))")
        lines.append("Fleiss' kappa \(f(fleissKappa))\(fleissRaters.map { " (items with \($0) raters)" } ?? "") · Krippendorff's alpha (\(alphaLevel)) \(f(krippendorffAlpha))"
            + (alphaInterval.map { " · interval \(f($0))" } ?? ""))
        if !cohenKappa.isEmpty {
            lines.append("Cohen's kappa per pair:")
            for p in cohenKappa { lines.append("  \(p.a) – \(p.b): \(f(p.kappa)) on \(p.overlap) items") }
        }
        if !machines.isEmpty {
            lines.append("machines against people (95% interval; chance = always the most common label):")
            for m in PanelMember.ranked(machines) { lines.append("  " + m.line) }
        }
        return lines.joined(separator: "\n")
    }
}
