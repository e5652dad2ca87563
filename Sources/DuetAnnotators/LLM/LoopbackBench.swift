import DuetCore
import Foundation

/// Throughput of `OpenAICompatibleAnnotator` against a local server (the
/// harness; the server is the caller's: the test suite's loopback server
/// with a fixed latency, or a local vLLM / llama.cpp). Run from the tests with
/// `DUET_LLM_BENCH=1 swift test --skip-build --filter LLMBench`.
public enum LoopbackBench {
    public struct Result: Sendable, CustomStringConvertible {
        public var requests: Int
        public var seconds: Double
        public var concurrency: Int
        public var failures: Int
        public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

        public var description: String {
            String(format: "%d requests in %.2f s at concurrency %d: %.1f requests/s, %d failures",
                   requests, seconds, concurrency, requestsPerSecond, failures)
        }
    }

    /// Annotates `items` distinct texts of a two-label classify task (9
    /// requests each, no cache hits) and times it.
    public static func run(baseURL: String, items: Int, concurrency: Int, model: String = "bench") async throws -> Result {
        let config = LLMConfig(baseURL: baseURL, model: model, concurrency: concurrency, timeout: 10, maxRetries: 0)
        let annotator = OpenAICompatibleAnnotator(config: config)
        let task = TaskSpec(name: "bench", kind: .classify, labels: ["yes", "no"])
        let batch = (0..<items).map { i in
            StoredItem(rowID: Int64(i), item: Item(uid: "b\(i)", dataset: "bench", kind: .text,
                                                  fields: .text("Bench item \(i) [gold=yes]")))
        }
        let start = Date()
        _ = try await annotator.annotate(batch, task: task) { _ in }
        let seconds = Date().timeIntervalSince(start)
        let usage = annotator.usage
        return Result(requests: usage.attempts, seconds: seconds, concurrency: concurrency, failures: usage.failureCount)
    }
}
