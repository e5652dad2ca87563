import Foundation

public struct ChartPoint: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// One line of a `LineChart`: drawn in braille in its style, each data point
/// marked with its one-letter marker (so the chart reads without colour).
/// Points of several series that fall in one cell are marked side by side.
public struct ChartSeries: Hashable, Sendable {
    public var name: String
    public var marker: Character
    public var style: Style
    /// Joined in the order given.
    public var points: [ChartPoint]

    public init(name: String, marker: Character, style: Style, points: [ChartPoint]) {
        self.name = name
        self.marker = marker
        self.style = style
        self.points = points
    }
}

public struct ChartTick: Hashable, Sendable {
    public var value: Double
    public var label: String
    public init(_ value: Double, _ label: String) {
        self.value = value
        self.label = label
    }
}

/// A horizontal line across the plot (e.g. a target), drawn dotted.
public struct ChartReference: Hashable, Sendable {
    public var value: Double
    public var label: String
    public var style: Style
    public init(value: Double, label: String, style: Style = .plain) {
        self.value = value
        self.label = label
        self.style = style
    }
}

/// A line chart of several series: braille lines (2×4 dots per cell), a
/// letter on every data point, y ticks on the left, x ticks below, an
/// optional dotted reference line, axis titles and a legend. Draws nothing
/// (and never traps) when the rectangle is too small for a plot.
public struct LineChart: Hashable, Sendable {
    public var series: [ChartSeries]
    /// nil: the data's extent (the reference line included for y).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var xTicks: [ChartTick]
    public var yTicks: [ChartTick]
    public var reference: ChartReference?
    /// Right-aligned under the x tick labels.
    public var xTitle: String?
    /// On the top line, above the y axis.
    public var yTitle: String?
    public var axisStyle: Style

    public init(series: [ChartSeries], xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                xTicks: [ChartTick] = [], yTicks: [ChartTick] = [], reference: ChartReference? = nil,
                xTitle: String? = nil, yTitle: String? = nil, axisStyle: Style = .plain) {
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.reference = reference
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.axisStyle = axisStyle
    }

    /// Where the parts of the chart go in a rectangle.
    public struct Frame: Sendable {
        /// The braille area.
        public var plot: Rect
        /// The column of the y axis and the row of the x axis.
        public var axisX: Int, axisY: Int
        public var yLabelX: Int, yLabelWidth: Int
        public var yTitleRow: Int?
        public var tickRow: Int?
        public var xTitleRow: Int?
        /// Legend entries (indices into `legendEntries()`), line by line.
        public var legend: [(row: Int, entries: [Int])]
        public var xRange: ClosedRange<Double>
        public var yRange: ClosedRange<Double>
    }

    /// Legend entries: each series ("E entropy"), then the reference line.
    func legendEntries() -> [(text: String, style: Style)] {
        var out = series.map { ("\($0.marker) \($0.name)", $0.style) }
        if let r = reference { out.append(("┄ " + r.label, r.style)) }
        return out
    }

    /// The layout in `rect`, or nil when it has no room for a plot.
    public func frame(in rect: Rect) -> Frame? {
        let yLabelWidth = yTicks.map { DisplayWidth.of($0.label) }.max() ?? 0
        let axisX = rect.x + (yLabelWidth > 0 ? yLabelWidth + 1 : 0)
        let rightMargin = rect.maxX - axisX - 1 > 4 ? 1 : 0
        let plotWidth = rect.maxX - axisX - 1 - rightMargin
        guard plotWidth >= 1, rect.height >= 2 else { return nil }
        // Legend lines from the plot's left edge, greedily filled.
        let legendWidth = rect.maxX - axisX - 1
        var lines: [[Int]] = []
        var used = 0
        for (i, e) in legendEntries().enumerated() {
            let w = DisplayWidth.of(e.text)
            if lines.isEmpty || used + 2 + w > legendWidth {
                lines.append([i])
                used = w
            } else {
                lines[lines.count - 1].append(i)
                used += 2 + w
            }
        }
        // Rows: title, plot, axis, tick labels, x title, legend; extras are dropped when short of room.
        var top = yTitle == nil ? 0 : 1
        var ticks = xTicks.isEmpty ? 0 : 1
        var xTitleRows = xTitle == nil ? 0 : 1
        var legendRows = lines.count
        func plotHeight() -> Int { rect.height - top - 1 - ticks - xTitleRows - legendRows }
        while plotHeight() < 3 && legendRows > 0 { legendRows -= 1 }
        if plotHeight() < 2 { xTitleRows = 0 }
        if plotHeight() < 2 { top = 0 }
        if plotHeight() < 1 { ticks = 0 }
        guard plotHeight() >= 1 else { return nil }
        let plot = Rect(x: axisX + 1, y: rect.y + top, width: plotWidth, height: plotHeight())
        let (xr, yr) = ranges()
        var legend: [(row: Int, entries: [Int])] = []
        for (i, l) in lines.prefix(legendRows).enumerated() { legend.append((plot.maxY + 1 + ticks + xTitleRows + i, l)) }
        return Frame(plot: plot, axisX: axisX, axisY: plot.maxY, yLabelX: rect.x, yLabelWidth: yLabelWidth,
                     yTitleRow: top == 1 ? rect.y : nil, tickRow: ticks == 1 ? plot.maxY + 1 : nil,
                     xTitleRow: xTitleRows == 1 ? plot.maxY + 1 + ticks : nil, legend: legend, xRange: xr, yRange: yr)
    }

    /// The ranges drawn: the given ones, else the data's, widened when empty or a single value.
    func ranges() -> (ClosedRange<Double>, ClosedRange<Double>) {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var ys = points.map(\.y)
        if let r = reference, r.value.isFinite { ys.append(r.value) }
        return (Self.widened(xRange, points.map(\.x)), Self.widened(yRange, ys))
    }

    static func widened(_ given: ClosedRange<Double>?, _ values: [Double]) -> ClosedRange<Double> {
        var lo = given?.lowerBound ?? values.min() ?? 0
        var hi = given?.upperBound ?? values.max() ?? 1
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if hi - lo <= 0 {
            let pad = lo == 0 ? 0.5 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        return lo...hi
    }

    /// The braille dot (column, row) of a value in the plot, clamped to it.
    func dot(_ p: ChartPoint, _ f: Frame) -> (x: Int, y: Int) {
        let cols = f.plot.width * 2, rows = f.plot.height * 4
        let fx = (p.x - f.xRange.lowerBound) / (f.xRange.upperBound - f.xRange.lowerBound)
        let fy = (f.yRange.upperBound - p.y) / (f.yRange.upperBound - f.yRange.lowerBound)
        func clamp(_ v: Double, _ n: Int) -> Int { v.isFinite ? min(n - 1, max(0, Int((v * Double(n - 1)).rounded()))) : 0 }
        return (clamp(fx, cols), clamp(fy, rows))
    }

    /// The cell a point falls in.
    public func cell(_ p: ChartPoint, in f: Frame) -> (x: Int, y: Int) {
        let d = dot(p, f)
        return (f.plot.x + d.x / 2, f.plot.y + d.y / 4)
    }

    func contains(_ v: Double, _ r: ClosedRange<Double>) -> Bool { v.isFinite && v >= r.lowerBound - 1e-12 && v <= r.upperBound + 1e-12 }

    /// Markers for series names: each name's first letter not taken yet (uppercased), else any free letter.
    public static func markers(for names: [String]) -> [Character] {
        var taken = Set<Character>()
        let spare = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return names.map { name in
            let pick = name.uppercased().first { $0.isLetter && $0.isASCII && !taken.contains($0) }
                ?? spare.first { !taken.contains($0) } ?? "?"
            taken.insert(pick)
            return pick
        }
    }
}

extension Canvas {
    /// Draws `chart` into `r` (see `LineChart`).
    public mutating func lineChart(_ chart: LineChart, in r: Rect) {
        let r = clip(r)
        guard let f = chart.frame(in: r) else { return }
        let plot = f.plot
        if let row = f.yTitleRow, let t = chart.yTitle { put(t, x: r.x, y: row, style: chart.axisStyle, maxWidth: r.width) }
        // Axes and ticks.
        let tickRows = Dictionary(chart.yTicks.filter { chart.contains($0.value, f.yRange) }.map { (chart.cell(ChartPoint(f.xRange.lowerBound, $0.value), in: f).y, $0.label) },
                                  uniquingKeysWith: { a, _ in a })
        for y in plot.y..<plot.maxY {
            put(tickRows[y] == nil ? "│" : "┤", x: f.axisX, y: y, style: chart.axisStyle)
            if let label = tickRows[y] {
                put(label, x: f.yLabelX + f.yLabelWidth - DisplayWidth.of(label), y: y, style: chart.axisStyle)
            }
        }
        put("└" + String(repeating: "─", count: plot.width), x: f.axisX, y: f.axisY, style: chart.axisStyle)
        var labelEnd = r.x - 1
        for t in chart.xTicks where chart.contains(t.value, f.xRange) {
            let col = chart.cell(ChartPoint(t.value, f.yRange.lowerBound), in: f).x
            put("┬", x: col, y: f.axisY, style: chart.axisStyle)
            guard let row = f.tickRow else { continue }
            let w = DisplayWidth.of(t.label)
            let start = min(max(r.x, col - w / 2), r.maxX - w)
            guard start > labelEnd, start >= r.x else { continue }  // no room: left out rather than overlapping
            put(t.label, x: start, y: row, style: chart.axisStyle)
            labelEnd = start + w
        }
        if let row = f.xTitleRow, let t = chart.xTitle {
            put(t, x: max(r.x, r.maxX - DisplayWidth.of(t)), y: row, style: chart.axisStyle, maxWidth: r.width)
        }
        // The reference line, under the series.
        if let ref = chart.reference, chart.contains(ref.value, f.yRange) {
            let y = chart.cell(ChartPoint(f.xRange.lowerBound, ref.value), in: f).y
            put(String(repeating: "┄", count: plot.width), x: plot.x, y: y, style: ref.style)
        }
        // Lines in braille: each cell keeps its dots and the style of the last series through it.
        let bit: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        var dots = [UInt32](repeating: 0, count: plot.width * plot.height)
        var owner = [Int](repeating: -1, count: plot.width * plot.height)
        func setDot(_ x: Int, _ y: Int, _ s: Int) {
            let i = (y / 4) * plot.width + x / 2
            dots[i] |= bit[y % 4][x % 2]
            owner[i] = s
        }
        for (s, series) in chart.series.enumerated() {
            let pts = series.points.filter { $0.x.isFinite && $0.y.isFinite }.map { chart.dot($0, f) }
            if pts.count == 1 { setDot(pts[0].x, pts[0].y, s) }
            for (a, b) in zip(pts, pts.dropFirst()) {
                // Bresenham between the two dots.
                var (x, y) = a
                let dx = abs(b.x - a.x), dy = -abs(b.y - a.y), sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
                var err = dx + dy
                while true {
                    setDot(x, y, s)
                    if x == b.x && y == b.y { break }
                    let e2 = 2 * err
                    if e2 >= dy { err += dy; x += sx }
                    if e2 <= dx { err += dx; y += sy }
                }
            }
        }
        for i in dots.indices where dots[i] != 0 {
            put(String(UnicodeScalar(0x2800 + dots[i])!), x: plot.x + i % plot.width, y: plot.y + i / plot.width,
                style: chart.series[owner[i]].style)
        }
        // Markers on the data points; series meeting in one cell are marked side by side, centred on it.
        var groups: [Int: [Int]] = [:]  // cell index → series, in series order
        for (s, series) in chart.series.enumerated() {
            for p in series.points where p.x.isFinite && p.y.isFinite {
                let c = chart.cell(p, in: f)
                let i = (c.y - plot.y) * plot.width + (c.x - plot.x)
                if !(groups[i]?.contains(s) ?? false) { groups[i, default: []].append(s) }
            }
        }
        for (i, members) in groups.sorted(by: { $0.key < $1.key }) {
            let start = max(0, min(i % plot.width - (members.count - 1) / 2, plot.width - members.count))
            for (k, s) in members.enumerated() where start + k < plot.width {
                put(String(chart.series[s].marker), x: plot.x + start + k, y: plot.y + i / plot.width, style: chart.series[s].style.with(.bold))
            }
        }
        let entries = chart.legendEntries()
        for line in f.legend {
            var x = plot.x
            for e in line.entries {
                let entry = entries[e]
                x += put(entry.text, x: x, y: line.row, style: entry.style, maxWidth: r.maxX - x) + 2
            }
        }
    }
}
