/// How people judge pairs in a compare task: position bias, ties, both-bad, strength and agreement
/// with the dataset's own preference; and machines' position bias in their votes.
///
/// Counts submitted pair judgments (`{"choice": …}`) only: skipped decisions
/// and rankings are not counted.
public struct PairStats: Sendable, Hashable {
    /// The figures of one annotator, or of everyone together.
    public struct Figures: Sendable, Hashable {
        /// Pair judgments counted.
        public var decisions = 0
        /// Judgments that prefer one response.
        public var strict = 0
        /// Strict judgments whose display order is known.
        public var strictShown = 0
        /// … of which the preferred response was shown on the left/top.
        public var left = 0
        public var ties = 0
        public var bothBad = 0
        /// Strict judgments by strength (1 = better, 2 = much better).
        public var strength: [Int: Int] = [:]
        /// Strict judgments on items where the source prefers one response …
        public var sourceComparable = 0
        /// … and those that prefer the same one.
        public var sourceAgreeing = 0

        public init() {}

        /// The position-bias figure: of the strict choices with a known
        /// display, the share where the preferred response was on the left
        /// (AB + choice 0, or BA + choice 1). 0.5 = no bias; nil when none.
        public var leftShare: Double? { ratio(left, strictShown) }
        /// Its 95% Wilson interval.
        public var leftInterval: (low: Double, high: Double)? { Audit.wilson(successes: left, trials: strictShown) }
        /// Whether 50% lies outside that interval.
        public var biased: Bool { PairStats.outsideHalf(leftInterval) }
        public var tieRate: Double? { ratio(ties, decisions) }
        public var bothBadRate: Double? { ratio(bothBad, decisions) }
        /// Share of strict choices that match the source's strict choice;
        /// nil when no judged item has one.
        public var sourceAgreement: Double? { ratio(sourceAgreeing, sourceComparable) }

        func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }

        mutating func add(_ judgment: PairJudgment, display: DisplayOrder?, source: PairChoice?) {
            decisions += 1
            switch judgment.choice {
            case .tie: ties += 1
            case .bothBad: bothBad += 1
            case .response(let i):
                strict += 1
                strength[judgment.strength, default: 0] += 1
                if let display {
                    strictShown += 1
                    if PairOrder.storedIndex(side: 0, order: display) == i { left += 1 }
                }
                if case .response(let s) = source {
                    sourceComparable += 1
                    if s == i { sourceAgreeing += 1 }
                }
            }
        }
    }

    /// One annotator's figures.
    public struct Annotator: Sendable, Hashable {
        public var name: String
        public var kind: AnnotatorKind
        public var figures: Figures
    }

    /// The position-bias rule for people and machines: 50% lies outside the interval of the share.
    public static func outsideHalf(_ interval: (low: Double, high: Double)?) -> Bool {
        interval.map { $0.low > 0.5 || $0.high < 0.5 } ?? false
    }

    /// A rate for JSON: 3 decimal places.
    public static func rounded(_ rate: Double?) -> Double? { rate.map { ($0 * 1000).rounded() / 1000 } }

    /// A rate as a whole percentage ("58%"), "–" when there is nothing to divide by.
    public static func percent(_ v: Double?) -> String { v.map { "\(Int(($0 * 100).rounded()))%" } ?? "–" }

    /// Per annotator, by name.
    public var annotators: [Annotator]
    /// Everyone's judgments together.
    public var overall: Figures
    /// Machines' own position bias, from their votes (`MachinePositionBias`).
    public var machines: [MachinePositionBias]

    public init(annotators: [Annotator] = [], overall: Figures = Figures(), machines: [MachinePositionBias] = []) {
        self.annotators = annotators
        self.overall = overall
        self.machines = machines
    }

    /// The figures of `decisions`; `source` holds the source's own annotation
    /// value per item (`{"choice": 0}` for DPO and HH-RLHF imports).
    public init(decisions: [CurrentDecision], source: [Int64: JSONValue]) {
        var per: [String: Annotator] = [:]
        var overall = Figures()
        // People's judgments of shown pairs: adjudications and the machine's decisions (which it never
        // saw on a side) stay out of the bias figures.
        for d in decisions where d.status == .submitted && d.annotatorKind == .human && !Adjudication.isAdjudicator(d.annotator) {
            guard let j = PairJudgment(d.value) else { continue }
            let s = source[d.itemRowID].flatMap { PairChoice($0) }
            overall.add(j, display: d.display, source: s)
            per[d.annotator, default: Annotator(name: d.annotator, kind: d.annotatorKind, figures: Figures())].figures
                .add(j, display: d.display, source: s)
        }
        self.init(annotators: per.values.sorted { $0.name < $1.name }, overall: overall)
    }
}
