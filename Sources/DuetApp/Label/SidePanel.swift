import DuetCore
import Foundation
import TermUI

/// The label and pair screens' side panel (from `LabelLayout.sidePanelWidth` columns, in the box
/// their layouts give): the machine's votes per annotator in full, the item's dataset, source line
/// and metadata, this person's recent decisions, and the session's figures. The guidelines (g) take
/// its place while open. Everything it shows is in the state already (the suggestion and the item
/// come with `.itemLoaded`, decisions with `.recorded`).
enum SidePanel {
    /// Recent decisions listed.
    static let recentCount = 5
    /// Metadata keys listed before "+N more".
    static let metadataCount = 8

    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState) {
        if case .guidelines? = state.overlay { return }
        let t = state.theme
        let inner = c.box(r, title: "context", style: t[.border], titleStyle: t[.title])
        let text = inner.inset(dx: 1, dy: 0)
        guard text.width > 0 else { return }
        c.paragraph(lines(state, l, width: text.width), in: text, offset: 0)
    }

    /// The panel's lines at `width`: machine, session, recent, item (what matters most first: the
    /// bottom is what a short window cuts).
    /// " · t.jsonl:27" (the file's name and the line), " · line 27" when the file is not known.
    static func source(_ item: Item) -> String {
        let file = item.sourceFile.map { ($0 as NSString).lastPathComponent }
        switch (file, item.sourceLine) {
        case let (file?, line?): return " · \(file):\(line)"
        case let (file?, nil): return " · \(file)"
        case let (nil, line?): return " · line \(line)"
        default: return ""
        }
    }

    static func lines(_ state: AppState, _ l: LabelState, width: Int) -> [StyledLine] {
        let t = state.theme
        var out: [StyledLine] = []
        func heading(_ s: String) {
            if !out.isEmpty { out.append(StyledLine("", t[.text])) }
            out.append(StyledLine(s, t[.title]))
        }
        func line(_ s: String, _ role: Role = .text, indent: String = "") { out += StyledLine.wrapped(s, width: width, style: t[role], indent: indent) }

        heading("machine")
        out += machineLines(l, width: width, t)
        if l.task.showSource, let p = l.pair, let choice = PairChoice(l.sourceValue), case .response(let index) = choice,
           let side = p.shown.firstIndex(of: index) {
            out.append(StyledLine("the dataset prefers \(PairState.sideName(side, count: p.shown.count))", t[.suggestion]))
        }

        heading("this session")
        let task = l.task.name
        let left = l.progress.remaining
        line("done \(state.session.saved(task: task)) · left \(left)")
        if let pace = state.session.pace(task: task) {
            line("pace \(DurationText.of(pace)) per item" + (left > 0 ? " · \(DurationText.of(pace * Double(left))) left" : ""))
        } else {
            line("pace: after your first decision", .muted)
        }

        let recent = state.session.recent(task: task, count: recentCount)
        if !recent.isEmpty {
            heading("your last decisions")
            for d in recent {
                let answer = d.text ?? "skipped"
                let idWidth = max(4, min(DisplayWidth.of(d.uid), width - min(DisplayWidth.of(answer), width / 2) - 3))
                out.append(StyledLine(Wrap.truncate(IDText.fit(d.uid, width: idWidth) + " → " + answer, width: width), d.skipped ? t[.muted] : t[.text]))
            }
        }

        if let item = l.item?.item {
            heading("item")
            line("dataset \(item.dataset)" + Self.source(item))
            for key in item.metadata.keys.sorted().prefix(metadataCount) {
                let value = item.metadata[key].map { $0.scalarText ?? $0.canonicalJSON } ?? ""
                out.append(StyledLine(Wrap.truncate("\(key): \(value)", width: width), t[.muted]))
            }
            if item.metadata.count > metadataCount { line("+\(item.metadata.count - metadataCount) more", .muted) }
        }
        return out
    }

    /// The machine's label and uncertainty, then every annotator's votes, each answer with its count.
    static func machineLines(_ l: LabelState, width: Int, _ t: Theme) -> [StyledLine] {
        guard let s = l.suggestion else { return StyledLine.wrapped("no machine votes for this item", width: width, style: t[.muted]) }
        if s.isBlind { return StyledLine.wrapped("blind audit: judge it yourself", width: width, style: t[.muted]) }
        func answer(_ label: String) -> String {
            if label == Uncertainty.unparseable { return "unparseable" }
            if let p = l.pair { return p.labelText(label) }
            return Render.labelText(label) ?? label
        }
        var out = StyledLine.wrapped("\(s.label.map(answer) ?? "no label") · \(s.agreeing)/\(s.votes) agree", width: width,
                                     style: t[.suggestion].with(.bold))
        out += StyledLine.wrapped("from \(s.annotator)", width: width, style: t[.muted])
        // Enter takes it (not a review's or a multilabel item's, not a ranking's: Enter submits theirs).
        if s.label != nil, l.pair.map({ $0.shown.count == 2 }) ?? s.enterAccepts {
            out.append(StyledLine(spans: [("⏎", t[.key]), (" accepts it", t[.muted])]))
        }
        // A ranking's spread is 1 − mean Kendall τ (0 = every vote gives the consensus), other votes' their entropy.
        var figures = String(format: s.label.flatMap(RankingOrder.init(text:)) != nil ? "1−τ %.2f" : "H %.2f", s.entropy)
        if let confidence = s.confidence { figures += String(format: " · confidence %.2f", confidence) }
        out += StyledLine.wrapped(figures, width: width, style: t[.text])
        for line in s.spread?.lines ?? [] { out += StyledLine.wrapped(line, width: width, style: t[.text]) }
        // Multilabel: each label's yes votes of its votes, ✓ a supported yes, ✗ a supported no, ? unsure.
        for row in pack(s.perLabel.map { "\($0.label) \($0.applies.map { $0 ? "✓" : "✗" } ?? "?")\($0.yes)/\($0.votes)" }, width: width) {
            out.append(StyledLine(row, t[.text]))
        }
        for a in s.byAnnotator {
            out += StyledLine.wrapped("\(a.annotator) (\(a.total))", width: width, style: t[.label])
            for row in pack(a.counts.map { "\(answer($0.label)) ×\($0.count)" }, width: width - 2) {
                out.append(StyledLine("  " + row, t[.text]))
            }
        }
        return out
    }

    /// Entries joined by " · " into rows of at most `width` columns; an entry wider than a row is wrapped
    /// on its own rows (nothing is cut).
    static func pack(_ entries: [String], width: Int) -> [String] {
        var rows: [String] = []
        var row = ""
        for e in entries {
            let joined = row.isEmpty ? e : row + " · " + e
            if DisplayWidth.of(joined) <= width {
                row = joined
                continue
            }
            if !row.isEmpty { rows.append(row) }
            if DisplayWidth.of(e) <= width {
                row = e
            } else {
                rows += Wrap.lines(e, width: max(1, width))
                row = ""
            }
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}
