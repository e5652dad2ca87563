import DuetCore
import Foundation
import TermUI

/// The routed queue as a table: id, snippet, machine label, votes, entropy, route, and an answered audit's
/// inclusion probability π when one is listed; for rate and review tasks the label with the judges' mean
/// score, and their scores' standard deviation.
enum TriageScreen {
    static func drawHeader(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ t: TriageState) {
        var left = "triage · \(t.task.name) · \(t.rows.count) row\(t.rows.count == 1 ? "" : "s") \(t.routeName)"
        left += " · " + t.sortName
        if let l = t.filter.label { left += " · machine said \(l)" }
        if let m = t.filter.minScore { left += String(format: " · uncertainty ≥ %.1f", m) }
        if t.filter.flaggedOnly { left += " · flagged" }
        if !t.marked.isEmpty { left += " · \(t.marked.count) marked" }
        Render.header(&c, r, state, left: left, right: state.annotator)
    }

    static func draw(_ c: inout Canvas, _ body: Rect, _ state: AppState, _ t: TriageState) {
        let th = state.theme
        let g = TriageLayout(body: body)
        let r = g.table
        let inner = c.box(r, title: t.filter.ascending ? "the machine's surest items first" : "the machine's least sure items first",
                          style: th[.border], titleStyle: th[.title])
        if let preview = g.preview { drawPreview(&c, preview, state, t) }
        guard t.loaded else {
            c.put("Loading…", x: inner.x + 1, y: inner.y, style: th[.muted])
            return
        }
        guard !t.rows.isEmpty else {
            let filtered = t.filter.label != nil || t.filter.minScore != nil || t.filter.flaggedOnly || t.filter.route != nil || !t.filter.pendingOnly
            c.put(filtered ? "No routed items match these filters (r, l, h, f change them)."
                           : "No routed items here. Route the task first: duet route --task \(t.task.name)", x: inner.x + 1, y: inner.y,
                  style: th[.muted], maxWidth: inner.width - 1)
            return
        }
        defer { if let question = t.question { drawQuestion(&c, inner, state, question) } }
        // Columns: mark, id, snippet (fills), label, votes bar, H, (sd,) route, (π: only when a listed audit has one).
        let scored = t.task.kind == .rate || t.task.kind == .review
        let idWidth = min(14, max(4, t.rows.map { DisplayWidth.of($0.item.item.uid) }.max() ?? 4))
        let labelWidth = 10, barWidth = 12, hWidth = 5, routeWidth = 7, sdWidth = scored ? 5 : 0, piWidth = 4
        let probabilities = t.rows.contains { $0.route.auditProbability != nil }
        // On a narrow table the columns after the label go, π and route first, so nothing is drawn past the box.
        var optional = [("votes", barWidth), ("H", hWidth)] + (scored ? [("sd", sdWidth)] : []) + [("route", routeWidth)]
            + (probabilities ? [("π", piWidth)] : [])
        func need(_ cols: [(String, Int)]) -> Int { 3 + idWidth + 1 + 8 + 1 + labelWidth + 1 + cols.reduce(0) { $0 + $1.1 + 1 } }
        while need(optional) > inner.width, !optional.isEmpty { optional.removeLast() }
        let shows = Set(optional.map(\.0))
        let snippetWidth = max(8, inner.width - need(optional) + 8)
        var x = inner.x + 2
        for (title, w) in [("id", idWidth), ("text", snippetWidth), ("machine", labelWidth)] + optional {
            c.put(title, x: x, y: inner.y, style: th[.label], maxWidth: w)
            x += w + 1
        }
        let (first, visible) = TriageLayout.window(inner, t)
        for (i, row) in t.rows.enumerated().dropFirst(first).prefix(visible) {
            let y = inner.y + 1 + i - first
            let selected = i == t.selected
            let style = selected ? th[.selected] : th[.text]
            if selected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: th[.selected]) }
            c.put(t.marked.contains(row.item.rowID) ? "●" : " ", x: inner.x, y: y, style: th[.accent])
            var x = inner.x + 2
            c.put(IDText.fit(row.item.item.uid, width: idWidth, sharedPrefix: t.idPrefix), x: x, y: y, style: style)
            x += idWidth + 1
            c.put(Wrap.truncate(snippet(row.item), width: snippetWidth), x: x, y: y, style: style)
            x += snippetWidth + 1
            // A blind audit shows nothing the machine made: no label, votes or entropy.
            let machine = row.machine
            let spread = scored ? machine?.spread : nil
            // Rate and review: the majority point with the judges' mean score, "4 (3.8)".
            let shown = machine.map { (Render.labelText($0.label) ?? "–") + (spread?.mean.map { String(format: " (%.1f)", $0) } ?? "") }
            c.put(shown.map { Wrap.truncate($0, width: labelWidth) } ?? "(blind)", x: x, y: y,
                  style: machine == nil ? th[.muted] : selected ? style : th[.suggestion])
            x += labelWidth + 1
            if shows.contains("votes") {
                if let machine { voteBar(&c, x: x, y: y, width: barWidth, votes: machine.votes.filter(t.task.kind.routesOn), label: machine.label, theme: th) }
                x += barWidth + 1
            }
            if shows.contains("H") {
                c.put(machine.map { String(format: "%.2f", $0.entropy) } ?? "–", x: x, y: y, style: machine == nil ? th[.muted] : style)
                x += hWidth + 1
            }
            if shows.contains("sd") {
                c.put(machine.map { _ in spread?.standardDeviation.map { String(format: "%.2f", $0) } ?? "–" } ?? "–", x: x, y: y,
                      style: machine == nil ? th[.muted] : style)
                x += sdWidth + 1
            }
            if shows.contains("route") {
                c.put(row.route.route.rawValue + (row.route.pending ? "" : " ✓"), x: x, y: y, style: selected ? style : th[.muted], maxWidth: routeWidth)
                x += routeWidth + 1
            }
            // The audit's inclusion probability as drawn (its weight in the estimate is 1/π); none while blind.
            if shows.contains("π"), let p = row.route.auditProbability {
                c.put(String(format: "%.2f", p), x: x, y: y, style: selected ? style : th[.muted], maxWidth: piWidth)
            }
        }
    }

    /// The selected row's whole item, wrapped (wide characters take their two columns), in its own box.
    static func drawPreview(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ t: TriageState) {
        let th = state.theme
        guard t.rows.indices.contains(t.selected) else {
            _ = c.box(r, title: "preview", style: th[.border], titleStyle: th[.title])
            return
        }
        let item = t.rows[t.selected].item
        let inner = c.box(r, title: Render.itemTitle("item ", item.item.uid, boxWidth: r.width), style: th[.border], titleStyle: th[.title])
        let text = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        let lines = ItemView.lines(item, task: t.task, edited: nil, width: max(1, text.width), theme: th)
        c.paragraph(lines, in: text, offset: 0)
        if lines.count > text.height, text.height > 0 {
            c.put("…", x: inner.maxX - 1, y: inner.maxY - 1, style: th[.muted])
        }
    }

    /// "Accept 12 machine labels? y yes · n no" across the foot of the table, until it is answered.
    static func drawQuestion(_ c: inout Canvas, _ inner: Rect, _ state: AppState, _ question: String) {
        let th = state.theme
        let line = Rect(x: inner.x, y: inner.maxY - 1, width: inner.width, height: 1)
        c.fill(line, style: th[.warning])
        let keys = state.keymap.hints(in: [.confirm]).joined(separator: " · ")
        c.put(" " + question + "  " + keys, x: line.x, y: line.y, style: th[.warning], maxWidth: line.width)
    }

    /// The share of votes for the machine's label (█; multilabel: yes/no votes that agree with its set),
    /// for other labels (▒) and unparseable (░).
    static func voteBar(_ c: inout Canvas, x: Int, y: Int, width: Int, votes: [MachineVote], label: String?, theme th: Theme) {
        let agree = votes.filter { KindScorer.agrees($0, with: label) }.count
        let unparseable = votes.filter { $0.label == nil }.count
        c.segmentedBar(x: x, y: y, width: width, segments: [
            (agree, th[.machine], "█"), (votes.count - agree - unparseable, th[.warning], "▒"), (unparseable, th[.error], "░"),
        ])
    }

    static func snippet(_ item: StoredItem) -> String {
        let f = item.item.fields
        let text = f.text ?? f.prompt?.last?.content ?? f.messages?.first { $0.role == "user" }?.content ?? ""
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
