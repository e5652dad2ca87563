import Foundation
import Testing
@testable import DuetCore

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct PlannerTests {
    // Four items with truth a, b, a, b. Item 1 and 4: unanimous and right;
    // items 2 and 3: 2:1 splits whose majority is wrong.
    let truth: [Int64: String] = [1: "a", 2: "b", 3: "a", 4: "b"]
    var votes: VoteTable {
        let labels: [Int64: [String]] = [1: ["a", "a", "a"], 2: ["a", "a", "b"], 3: ["b", "b", "a"], 4: ["b", "b", "b"]]
        return VoteTable(labels.mapValues { ls in ls.enumerated().map { MachineVote(annotator: "m", variant: "v\($0.offset)", label: $0.element) } })
    }

    /// 100 items, 36 s per person-item measured over 10 decisions, 20 an hour: a budget b costs b × $20.
    let basis = CostBasis(items: 100, measuredSeconds: 360, measuredDecisions: 10, settings: CostSettings(hourlyRate: 20))

    func row(_ strategy: String, _ budget: Double, _ accuracy: Double, f1: Double = 0.5) -> PlanRow {
        PlanRow(strategy: strategy, budget: budget, accuracy: accuracy, macroF1: f1, humanItems: 0)
    }

    /// Frontier: 0% (both), entropy 10%, default 20%, default 30%.
    var handMade: [PlanRow] {
        [row("default", 0, 0.80), row("entropy", 0, 0.80), row("default", 0.1, 0.86), row("entropy", 0.1, 0.88),
         row("default", 0.2, 0.91, f1: 0.88), row("entropy", 0.2, 0.90), row("default", 0.3, 0.95), row("random", 0.3, 0.85)]
    }

    @Test func rowsOnASmallHandMadeCase() {
        let rows = Router.plan(votes: votes, order: [1, 2, 3, 4], truth: truth, labels: ["a", "b"], strategies: [.entropy, .random],
                               budgets: [0, 0.25, 0.5], randomSeeds: 50)
        func r(_ s: String, _ b: Double) -> PlanRow { rows.first { $0.strategy == s && $0.budget == b }! }
        #expect(rows.count == 6)
        // The machine alone: 2 of 4 right; each class has one right, one wrong and one missed → F1 0.5 both.
        #expect(r("entropy", 0).accuracy == 0.5 && r("entropy", 0).macroF1 == 0.5)
        // Entropy sends the split items first (item 2 before 3 on the tie): people fix them.
        #expect(r("entropy", 0.25).accuracy == 0.75 && r("entropy", 0.25).humanItems == 1)
        #expect(r("entropy", 0.5).accuracy == 1 && r("entropy", 0.5).macroF1 == 1 && r("entropy", 0.5).humanItems == 2)
        // Random picks 2 of 4 at random: one wrong item fixed on average, worse than entropy.
        #expect(r("random", 0.5).accuracy > 0.6 && r("random", 0.5).accuracy < 0.9)
        #expect(r("random", 0).accuracy == 0.5)
        // Router.plan leaves pricing to PlanReport.
        #expect(rows.allSatisfy { $0.cost == 0 && !$0.pareto })
    }

    @Test func costFromMeasuredSecondsHourlyRateAndTokens() {
        let tokens = VoteTokens(votes: 300, promptTokens: 1_000_000, completionTokens: 200_000)
        let b = CostBasis(items: 200, measuredSeconds: 420, measuredDecisions: 42, settings: CostSettings(hourlyRate: 36, secondsPerItem: 99),
                          tokens: tokens, promptPrice: 0.5, completionPrice: 2)
        #expect(b.isMeasured && b.secondsPerItem == 10)
        #expect(b.secondsSource == "measured over 42 human decisions")
        #expect(b.machineCost == 0.9)
        // 30% of 200 = 60 items × 10 s = 1/6 hour × 36 = 6, plus 0.9 of tokens.
        #expect(b.peopleItems(budget: 0.3) == 60)
        #expect(abs(b.personHours(budget: 0.3) - 1.0 / 6) < 1e-12)
        #expect(abs(b.cost(budget: 0.3) - 6.9) < 1e-9)
        #expect(b.cost(budget: 0) == 0.9)
        #expect(b.money(b.cost(budget: 0.3)) == "$6.90")
        #expect(b.money(1234.4) == "$1,234")
        #expect(b.costText(PlanReport.price([row("x", 0.3, 1)], b)[0]) == "$6.90 (0.17 person-hours + $0.90 machine)")
        // Shares round to the nearest item, as the router does.
        #expect(CostBasis(items: 7, measuredSeconds: 0, measuredDecisions: 0, settings: CostSettings()).peopleItems(budget: 0.5) == 4)
    }

    @Test func secondsAreAssumedUntilMeasured() {
        let b = CostBasis(items: 10, measuredSeconds: 0, measuredDecisions: 0, settings: CostSettings(hourlyRate: 60, secondsPerItem: 45, currency: "€"))
        #expect(!b.isMeasured && b.secondsPerItem == 45)
        #expect(b.secondsSource.contains("assumed") && b.secondsSource.contains("seconds_per_item"))
        #expect(b.cost(budget: 1) == 7.5)  // 10 × 45 s = 1/8 hour × 60
        #expect(b.money(7.5) == "€7.50")
        // Decisions without time (triage's bulk accepts) do not count as measured.
        #expect(!CostBasis(items: 10, measuredSeconds: 0, measuredDecisions: 5, settings: CostSettings()).isMeasured)
    }

    @Test func paretoOnHandMadePoints() {
        let points: [(cost: Double, quality: Double)] = [(0, 0.5), (1, 0.7), (1, 0.6), (2, 0.7), (3, 0.9), (3, 0.9), (4, 0.85)]
        #expect(Pareto.frontier(points) == [true, true, false, false, true, true, false])
        #expect(Pareto.frontier([]) == [])
        #expect(Pareto.frontier([(5, 0.1)]) == [true])
    }

    @Test func rowsArePricedAndTheFrontierMarked() {
        let priced = PlanReport.price(handMade, basis)
        #expect(priced.map(\.pareto) == [true, true, false, true, true, false, true, false])
        #expect(priced.map(\.peopleItems) == [0, 0, 10, 10, 20, 20, 30, 30])
        #expect(abs(priced[6].cost - 6) < 1e-9 && abs(priced[6].personHours - 0.3) < 1e-12)
        // Without an hourly rate every row costs 0: the frontier is drawn on person-hours instead (the same order).
        let unpriced = CostBasis(items: 100, measuredSeconds: 360, measuredDecisions: 10, settings: CostSettings())
        #expect(PlanReport.price(handMade, unpriced).map(\.pareto) == priced.map(\.pareto))
    }

    @Test func recommendationIsTheCheapestFrontierRowReachingTheTarget() {
        let report = PlanReport(task: "t", annotator: "m", rows: handMade, cost: basis, targetAccuracy: 0.9,
                                evaluation: PlanEvaluation(items: 4, humanLabels: 0, goldLabels: 4))
        let rec = report.recommendation
        #expect(rec.reachesTarget)
        #expect(rec.row?.strategy == "default" && rec.row?.budget == 0.2)
        #expect(rec.text == "send 20% to people (default): accuracy 0.91, macro-F1 0.88, $4.00 (0.20 person-hours)")
        // A tie at the same cost goes to `default`, what `duet route` uses; a target the machine alone reaches keeps everything.
        var tied = handMade
        tied[5].accuracy = 0.91
        tied[5].macroF1 = 0.88
        #expect(PlanReport.recommend(PlanReport.price(tied, basis), target: 0.9, cost: basis).row?.strategy == "default")
        let alone = PlanReport.recommend(PlanReport.price(handMade, basis), target: 0.8, cost: basis)
        #expect(alone.row?.budget == 0 && alone.row?.strategy == "default")
        #expect(alone.text.hasPrefix("keep the machine's labels on every item (default): accuracy 0.80"))
        // Without a rate: person-hours, and a hint.
        let unpriced = CostBasis(items: 100, measuredSeconds: 360, measuredDecisions: 10, settings: CostSettings())
        let hours = PlanReport.recommend(PlanReport.price(handMade, unpriced), target: 0.9, cost: unpriced)
        #expect(hours.text == "send 20% to people (default): accuracy 0.91, macro-F1 0.88, 0.20 person-hours; set [cost] hourly_rate to see money")
    }

    @Test func warningWhenNoBudgetReachesTheTarget() {
        let rec = PlanReport(task: "t", annotator: "m", rows: handMade, cost: basis, targetAccuracy: 0.97,
                             evaluation: PlanEvaluation(items: 4, humanLabels: 4, goldLabels: 0)).recommendation
        #expect(!rec.reachesTarget)
        #expect(rec.row?.strategy == "default" && rec.row?.budget == 0.3)
        #expect(rec.text.hasPrefix("warning: no budget up to 30% reaches the target accuracy 0.97"))
        #expect(rec.text.contains("The best is default at 30%: accuracy 0.95, macro-F1 0.50, $6.00 (0.30 person-hours)"))
        #expect(rec.text.contains("CoAnnotating"))
        // People labeling everything reach any target by construction: that does not count.
        let all = PlanReport.recommend(PlanReport.price(handMade + [row("default", 1, 1)], basis), target: 0.97, cost: basis)
        #expect(!all.reachesTarget && all.row?.budget == 0.3)
        #expect(all.text.hasPrefix("warning: no budget short of 100% reaches"))
        #expect(PlanReport.recommend([], target: 0.9, cost: basis).row == nil)
    }

    @Test func ticksAndFormats() {
        #expect(PlanFormat.ticks(0.367, 0.9, count: 8).map { ($0 * 100).rounded() } == [30, 40, 50, 60, 70, 80, 90])
        #expect(PlanFormat.ticks(0.73, 0.97, count: 6).map { ($0 * 100).rounded() } == [70, 75, 80, 85, 90, 95, 100])
        // One value: a step either side, never an empty axis.
        let one = PlanFormat.ticks(0.9, 0.9)
        #expect(one.count >= 2 && one.first! < 0.9 && one.last! > 0.9)
        #expect(PlanFormat.decimals(step: 0.05) == 2 && PlanFormat.decimals(step: 0.1) == 1 && PlanFormat.decimals(step: 5) == 0)
        #expect(PlanFormat.percent(0.3) == "30%" && PlanFormat.percent(0.125) == "12.5%" && PlanFormat.percent(0) == "0%")
    }
}

@Suite struct PlanSVGTests {
    func report(task: String = "sentiment", budgets: [Double] = [0, 0.1, 0.2, 0.3]) -> PlanReport {
        var rows: [PlanRow] = []
        for (i, s) in ["entropy", "confidence", "random", "default"].enumerated() {
            for b in budgets { rows.append(PlanRow(strategy: s, budget: b, accuracy: 0.7 + b - Double(i) * 0.01, macroF1: 0.6, humanItems: 0)) }
        }
        return PlanReport(task: task, annotator: "llm:<gpt> & co", rows: rows,
                          cost: CostBasis(items: 50, measuredSeconds: 0, measuredDecisions: 0, settings: CostSettings(hourlyRate: 20)),
                          targetAccuracy: 0.9, evaluation: PlanEvaluation(items: 10, humanLabels: 0, goldLabels: 10))
    }

    /// Elements and attributes as parsed.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func parse(_ svg: String) -> (ok: Bool, collector: Collector) {
        let parser = XMLParser(data: Data(svg.utf8))
        let c = Collector()
        parser.delegate = c
        return (parser.parse(), c)
    }

    @Test func svgIsXMLWithAPolylinePerStrategy() {
        let (ok, c) = parse(PlanSVG.render(report()))
        #expect(ok)
        #expect(c.elements.first?.name == "svg")
        let lines = c.elements.filter { $0.name == "polyline" }
        #expect(lines.count == 4)
        for l in lines { #expect(l.attributes["points"]?.split(separator: " ").count == 4) }
        // Distinct colours, frontier rings (the top strategy at every budget), the dashed target.
        #expect(Set(lines.compactMap { $0.attributes["stroke"] }).count == 4)
        #expect(c.elements.filter { $0.name == "circle" && $0.attributes["r"] == "7" }.count == 4 + 1)  // + the legend's ring
        #expect(c.elements.contains { $0.name == "line" && $0.attributes["stroke-dasharray"] != nil })
        #expect(c.text.contains("duet plan: task sentiment (votes by llm:<gpt> & co)"))
        #expect(c.text.contains("$1.67"))  // the 10% tick: 5 items × 30 s at 20 an hour
    }

    @Test func textIsEscapedAndOddInputsStillParse() {
        let svg = PlanSVG.render(report(task: "a<b>&\"c'\u{1}"))
        #expect(svg.contains("a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}"))
        #expect(!svg.contains("llm:<gpt>"))
        #expect(parse(svg).ok)
        // One budget (no x extent) and no rows at all.
        let single = parse(PlanSVG.render(report(budgets: [0.2])))
        #expect(single.ok && single.collector.elements.filter { $0.name == "polyline" }.allSatisfy { $0.attributes["points"]?.split(separator: " ").count == 1 })
        #expect(parse(PlanSVG.render(report(budgets: []))).ok)
    }

    /// The majority-class baseline and the warning when the machine alone is worse (issue 13: labeling every
    /// tweet "neutral" scored 0.525 against the machine's 0.358).
    @Test func baselineWarnsWhenTheMachineIsWorseThanOneLabel() throws {
        var votes = VoteTable()
        let truth: [Int64: String] = [1: "neu", 2: "neu", 3: "neu", 4: "pos", 5: "neg"]
        // The machine says "pos" everywhere: right once.
        for id in 1...5 { votes.append(MachineVote(annotator: "m", variant: "v", label: "pos"), item: Int64(id)) }
        let b = try #require(PlanBaseline.make(votes: votes, order: [1, 2, 3, 4, 5], truth: truth, labels: ["neg", "neu", "pos"]))
        #expect(b.label == "neu" && b.accuracy == 0.6 && b.machineAccuracy == 0.2)
        // Macro-F1 of the constant "neu": F1(neu) = 2·3/(3+5) = 0.75, the others 0 → 0.25.
        #expect(abs(b.macroF1 - 0.25) < 1e-12)
        #expect(b.warning?.contains("worse than labeling every item \"neu\" (0.60") == true)
        // A machine that is right more often than the constant label: no warning; ties go to the task's first label.
        var good = VoteTable()
        for (id, l) in truth { good.append(MachineVote(annotator: "m", variant: "v", label: l), item: id) }
        let g = try #require(PlanBaseline.make(votes: good, order: [1, 2, 3, 4, 5], truth: truth, labels: ["neg", "neu", "pos"]))
        #expect(g.machineAccuracy == 1 && g.warning == nil)
        let tied = try #require(PlanBaseline.make(votes: good, order: [4, 5], truth: truth, labels: ["neg", "neu", "pos"]))
        #expect(tied.label == "neg")
    }
}
