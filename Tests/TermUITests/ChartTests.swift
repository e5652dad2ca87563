import Testing
@testable import TermUI

@Suite struct ChartTests {
    func draw(_ chart: LineChart, _ width: Int, _ height: Int) -> Canvas {
        var c = Canvas(width: width, height: height)
        c.lineChart(chart, in: c.bounds)
        return c
    }

    func isBraille(_ s: String) -> Bool { s.unicodeScalars.count == 1 && (0x2800...0x28FF).contains(s.unicodeScalars.first!.value) }

    @Test func markersLandInTheCornerCells() {
        // 20×10, no ticks: the axis is column 0, the plot columns 1–18 (one spare on the right), rows 0–7;
        // the x axis is row 8 and the legend row 9.
        let chart = LineChart(series: [ChartSeries(name: "line", marker: "A", style: .plain, points: [ChartPoint(0, 0), ChartPoint(1, 1)])])
        let c = draw(chart, 20, 10)
        #expect(c[1, 7].text == "A")
        #expect(c[18, 0].text == "A")
        #expect(c[0, 8].text == "└" && c[0, 3].text == "│")
        #expect(c.lines[9] == " A line")
        // Between the points the line is braille, drawn from bottom left to top right.
        // 36 × 32 dots: the line runs from dot (0, 31) to (35, 0), through dot row 15 (cell row 3) at dot column 18 (cell 10).
        #expect(isBraille(c[2, 7].text) && isBraille(c[10, 3].text) && isBraille(c[17, 0].text))
        #expect(!isBraille(c[17, 7].text) && !isBraille(c[2, 0].text))
        let f = chart.frame(in: c.bounds)!
        #expect(f.plot == Rect(x: 1, y: 0, width: 18, height: 8))
        #expect(chart.cell(ChartPoint(0.5, 0.5), in: f) == (x: 10, y: 4))  // dot (18, 16), rounded half away
    }

    @Test func axisTicksAndLabels() {
        let chart = LineChart(series: [ChartSeries(name: "s", marker: "S", style: .plain, points: [ChartPoint(0, 1), ChartPoint(1, 0)])],
                              xRange: 0...1, yRange: 0...1, xTicks: [ChartTick(0, "0%"), ChartTick(1, "100%")],
                              yTicks: [ChartTick(0, "0.0"), ChartTick(0.5, "0.5"), ChartTick(1, "1.0")])
        let c = draw(chart, 30, 12)
        // Labels 3 wide + a space: the axis is column 4, the plot columns 5–28, rows 0–8.
        #expect(c.lines[0].hasPrefix("1.0 ┤S"))
        #expect(c.lines[4].hasPrefix("0.5 ┤"))  // 0.5 → dot row 18 of 36 → cell row 4
        #expect(c.lines[8].hasPrefix("0.0 ┤"))
        #expect(c.lines[3].hasPrefix("    │"))
        #expect(c[28, 8].text == "S")
        #expect(c.lines[9].hasPrefix("    └┬") && c[28, 9].text == "┬")
        // Tick labels centred under their ticks, kept inside the canvas.
        #expect(c.lines[10] == "    0%                    100%")
        #expect(c.lines[11] == "     S s")
    }

    @Test func referenceLineTitlesAndLegend() {
        let chart = LineChart(series: [ChartSeries(name: "flat", marker: "F", style: .plain, points: [ChartPoint(0, 0.2), ChartPoint(1, 0.2)])],
                              yRange: 0...1, reference: ChartReference(value: 0.9, label: "target 0.90"),
                              xTitle: "share", yTitle: "accuracy")
        let c = draw(chart, 40, 14)
        #expect(c.lines[0] == "accuracy")
        let ref = c.lines.firstIndex { $0.contains("┄┄┄") }!
        let flat = c.lines.firstIndex { $0.contains("F") && !$0.contains("flat") }!
        #expect(ref < flat)  // 0.9 above 0.2
        #expect(c.lines.contains { $0.hasSuffix("share") })
        #expect(c.lines.last == " F flat  ┄ target 0.90")
        // The flat line is braille all along its row between the markers.
        let row = c.lines[flat]
        #expect(row.unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) }.count >= 30)
    }

    @Test func seriesMeetingInOneCellAreMarkedSideBySide() {
        let a = ChartSeries(name: "a", marker: "A", style: Style(fg: .red), points: [ChartPoint(0, 0), ChartPoint(1, 1)])
        let b = ChartSeries(name: "b", marker: "B", style: Style(fg: .blue), points: [ChartPoint(0, 0), ChartPoint(1, 0)])
        let c = draw(LineChart(series: [a, b]), 20, 10)
        // Both start at (0, 0): the plot's first cell, so the pair starts there; their ends differ.
        #expect(c.lines[7].hasPrefix("│AB"))
        #expect(c[1, 7].style.fg == .red && c[2, 7].style.fg == .blue && c[1, 7].style.attributes.contains(.bold))
        #expect(c[18, 0].text == "A" && c[18, 7].text == "B")
        // Braille cells take their series' colour.
        #expect(isBraille(c[10, 7].text) && c[10, 7].style.fg == .blue)
    }

    @Test func degenerateInputNeverTraps() {
        let one = LineChart(series: [ChartSeries(name: "one", marker: "O", style: .plain, points: [ChartPoint(0.3, 0.7)])])
        let c = draw(one, 20, 10)
        // A single value gets a range around it: the point sits mid-plot.
        let f = one.frame(in: c.bounds)!
        let cell = one.cell(ChartPoint(0.3, 0.7), in: f)
        #expect(c[cell.x, cell.y].text == "O")
        #expect(cell.x > f.plot.x && cell.x < f.plot.maxX - 1 && cell.y > f.plot.y && cell.y < f.plot.maxY - 1)
        let equal = LineChart(series: [ChartSeries(name: "eq", marker: "E", style: .plain, points: [ChartPoint(1, 5), ChartPoint(1, 5), ChartPoint(1, 5)])])
        #expect(draw(equal, 20, 10).lines.joined().filter { $0 == "E" }.count == 2)  // the marker and the legend's
        let empty = LineChart(series: [ChartSeries(name: "none", marker: "N", style: .plain, points: [])], xTicks: [ChartTick(0, "0")])
        #expect(draw(empty, 20, 10).lines.last == " N none")
        let nothing = LineChart(series: [])
        #expect(draw(nothing, 20, 10).lines[9].hasPrefix("└─"))  // no legend: the plot takes rows 0–8
        let odd = LineChart(series: [ChartSeries(name: "odd", marker: "X", style: .plain,
                                                 points: [ChartPoint(.nan, 1), ChartPoint(0, .infinity), ChartPoint(0, 0), ChartPoint(1, 2)])],
                            xRange: 0...0, yRange: 1...1, xTicks: [ChartTick(.nan, "nan")], yTicks: [ChartTick(-5, "far")],
                            reference: ChartReference(value: .infinity, label: "inf"))
        #expect(draw(odd, 20, 10).lines.joined().contains("X"))
        // Tiny rectangles: whatever fits, never a trap.
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 2), (5, 3), (6, 4), (80, 1), (1, 40)] {
            let full = LineChart(series: [ChartSeries(name: "s", marker: "S", style: .plain, points: [ChartPoint(0, 0), ChartPoint(1, 1)])],
                                 xTicks: [ChartTick(0, "0%"), ChartTick(1, "100%")], yTicks: [ChartTick(0, "0.00"), ChartTick(1, "1.00")],
                                 reference: ChartReference(value: 0.5, label: "half"), xTitle: "x", yTitle: "y")
            let c = draw(full, w, h)
            #expect(c.width == w && c.height == h)
        }
        // Drawn into a rectangle that sticks out of the canvas: clipped.
        var clipped = Canvas(width: 10, height: 5)
        clipped.lineChart(one, in: Rect(x: 4, y: 2, width: 30, height: 30))
        #expect(clipped.lines[0].isEmpty && clipped.lines[1].isEmpty)
    }

    @Test func markersAreFirstFreeLetters() {
        #expect(LineChart.markers(for: ["entropy", "confidence", "calibrated", "random", "default"]) == ["E", "C", "A", "R", "D"])
        #expect(LineChart.markers(for: ["aa", "aa", "a"]) == ["A", "B", "C"])
        #expect(LineChart.markers(for: ["日本", "42"]) == ["A", "B"])
    }

    @Test func ansiLinesCarryStylesAndPlainLinesNone() {
        var c = Canvas(width: 8, height: 2)
        c.put("ab", x: 0, y: 0, style: Style(fg: .green))
        c.put("c", x: 2, y: 0, style: Style(fg: .index(120), attributes: .bold))
        c.put("plain", x: 0, y: 1, style: .plain)
        #expect(c.ansiLines == ["\u{1B}[32mab\u{1B}[0m\u{1B}[1;38;5;120mc\u{1B}[0m", "plain"])
        #expect(c.lines == ["abc", "plain"])
        #expect(Style(fg: .brightBlack, bg: .blue, attributes: [.dim, .reverse]).sgr == "\u{1B}[2;7;90;44m")
        #expect(Style.plain.sgr.isEmpty)
    }
}
