import Foundation
import LLMLoopback
import Testing

/// `duet route` against an LLM server with latency, in tmux: while it runs, the progress line shows the
/// requests done, the cost so far and the time left, its counts moving; at the end, the run's summary.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct RouteProgressInTmuxTests {
    static let labels = ["negative", "neutral", "positive"]

    @Test func routeShowsRequestsCostAndTimeLeftThenTheSummary() async throws {
        let duet = try #require(Tmux.duetBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Latency enough (264 requests, 2 at a time: about 7 s) for the progress line to be redrawn many times.
        try await LoopbackServer.with(script: LoopbackServer.latency(0.05)) { server in
            try Tmux.run(duet, ["init", dir.path, "--example"])
            let rows = (0..<24).map { i in "{\"id\":\"i\(i)\",\"text\":\"Item \(i) [gold=\(Self.labels[i % 3])]\"}" }
            let items = dir.appendingPathComponent("items.jsonl")
            try rows.joined(separator: "\n").write(to: items, atomically: true, encoding: .utf8)
            try Tmux.run(duet, ["import", items.path, "--project", dir.path])
            let config = dir.appendingPathComponent("duet.toml")
            let gpt = ["", "[[annotators]]", "name = \"gpt\"", "kind = \"llm\"", "base_url = \"\(server.baseURL)\"", "model = \"fake-1\"",
                       "api_key_env = \"DUET_E2E_KEY\"", "prompt_price = 0.15", "completion_price = 0.6", "concurrency = 2", ""]
            let toml = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\n[router]", with: gpt.joined(separator: "\n") + "\n[router]")
            try toml.write(to: config, atomically: true, encoding: .utf8)

            let tmux = Tmux()
            defer { tmux.kill() }
            // 80 columns: the line is cut to the width, the time left, requests, tokens and cost stay on it.
            // Everything the pane is sent is recorded (not sampled: a loaded test process may not get to look
            // while the run lasts), and every redraw of the progress line is read back from the record.
            let record = dir.appendingPathComponent("pane.log")
            try tmux.startRecorded("DUET_E2E_KEY=sk-e2e '\(duet)' route --task sentiment --annotator gpt --project '\(dir.path)'; echo ROUTE-EXIT=$?; sleep 60",
                                   to: record, width: 80, height: 40)
            let screen = try tmux.waitFor("ROUTE-EXIT=", seconds: 180)
            let lines = Tmux.redrawnLines(try Data(contentsOf: record)).filter { $0.hasPrefix("llm:fake-1: ") && $0.contains(" left") }
            #expect(screen.contains("ROUTE-EXIT=0"), "\(screen)")
            // The line: items, requests done of those planned, tokens and cost so far, the time left.
            let pattern = #"^llm:fake-1: \d+/24 items · (\d+m)?[\d.]+s left · requests \d+/264 · \d+ tokens \$\d+\.\d{4}"#
            #expect(!lines.isEmpty && lines.allSatisfy { $0.range(of: pattern, options: .regularExpression) != nil }, "\(lines)")
            // The counts move while it runs.
            let requests = lines.compactMap { l in l.range(of: #"requests \d+"#, options: .regularExpression).map { Int(l[$0].dropFirst(9))! } }
            #expect(Set(requests).count >= 2, "\(lines)")
            #expect(requests == requests.sorted())
            // Then the summary of the run and of the routing, the progress line ended.
            // The line left on the terminal has the final counts, then the run's summary and the routing's.
            #expect(screen.contains("llm:fake-1: 24/24 items · requests 264/264 · "), "\(screen)")
            let joined = screen.replacingOccurrences(of: "\n", with: "")  // the summaries wrap at 80 columns
            #expect(joined.contains("votes on 24 items") && joined.contains("264 requests answered by the server")
                && joined.contains("routed 24 items by llm:fake-1"), "\(screen)")
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines)")
            #expect(!screen.split(separator: "\n").contains { $0.contains(" left") }, "the progress line stayed: \(screen)")
        }
    }
}
