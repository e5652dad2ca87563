import DuetCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What the loopback server answers to one request.
struct ScriptedReply: Sendable {
    var status = 200
    var headers: [(String, String)] = []
    var body: String
    /// Seconds to wait before answering.
    var delay = 0.0
    /// Close the connection instead of answering.
    var drop = false
}

/// One request as the loopback server saw it.
struct ReceivedRequest: Sendable {
    var path: String
    var authorization: String?
    var body: String
    var json: JSONValue?
    /// How many times this exact body has been received, this one included.
    var attempt: Int
    /// Seconds since the server started.
    var at: Double

    /// The last user message.
    var userText: String {
        json?["messages"]?.array?.last { $0["role"]?.string == "user" }?["content"]?.string ?? ""
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (a free port) that answers every request
/// with a scripted reply. Started and stopped by each test.
final class LoopbackServer: @unchecked Sendable {
    typealias Script = @Sendable (ReceivedRequest) -> ScriptedReply

    let port: Int
    private let script: Script
    private let started = Date()
    private let lock = NSLock()
    private var log: [ReceivedRequest] = []
    private var attempts: [String: Int] = [:]
    private var task: Task<Void, Never>?

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [ReceivedRequest] { lock.withLock { log } }
    var requestCount: Int { lock.withLock { log.count } }

    private init(port: Int, script: @escaping Script) {
        self.port = port
        self.script = script
    }

    static func start(_ script: @escaping Script) async throws -> LoopbackServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let server = LoopbackServer(port: channel.channel.localAddress?.port ?? 0, script: script)
        server.task = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await server.serve(connection) }
                    }
                }
            }
        }
        return server
    }

    /// Stops accepting, ends open connections and waits for them.
    func stop() async {
        task?.cancel()
        await task?.value
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body.clear()
                case .body(var b):
                    body.writeBuffer(&b)
                case .end:
                    guard let h = head else { continue }
                    let request = record(h, String(buffer: body))
                    let reply = script(request)
                    if reply.delay > 0 { try await Task.sleep(nanoseconds: UInt64(reply.delay * 1e9)) }
                    if reply.drop { return }
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(reply.body.utf8.count)")
                    for (name, value) in reply.headers { headers.add(name: name, value: value) }
                    let status = HTTPResponseStatus(statusCode: reply.status)
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: reply.body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    private func record(_ head: HTTPRequestHead, _ body: String) -> ReceivedRequest {
        lock.withLock {
            attempts[body, default: 0] += 1
            let r = ReceivedRequest(path: head.uri, authorization: head.headers.first(name: "Authorization"), body: body,
                                    json: try? JSONValue.parse(body), attempt: attempts[body]!,
                                    at: Date().timeIntervalSince(started))
            log.append(r)
            return r
        }
    }
}

/// A pretend LLM that derives its answer from the prompt (default templates):
/// classify items carry "[gold=<label>]" and mode tags in their text; pair
/// items prefer the response containing "GOOD" (or always say "A" with "[biased]").
///
/// Modes: [timeout] never answers in time, [429] first attempt 429 + Retry-After: 1,
/// [503] first attempt 503 + Retry-After: 1, [500] first attempt 500, [drop] first attempt: the
/// connection is closed, [dropall] every attempt closed, [garbage] non-JSON, [slow] 200 ms late, [outside]
/// answers outside the schema, [fatal] 400 whose message echoes the Authorization header.
enum FakeLLM {
    static func reply(_ r: ReceivedRequest) -> ScriptedReply {
        let u = r.userText
        if u.contains("[timeout]") { return ScriptedReply(body: "{}", delay: 5) }
        if u.contains("[429]") && r.attempt == 1 {
            return ScriptedReply(status: 429, headers: [("Retry-After", "1")], body: #"{"error":{"message":"slow down"}}"#)
        }
        if u.contains("[503]") && r.attempt == 1 {
            return ScriptedReply(status: 503, headers: [("Retry-After", "1")], body: "overloaded")
        }
        if u.contains("[dropall]") || (u.contains("[drop]") && r.attempt == 1) { return ScriptedReply(body: "", drop: true) }
        if u.contains("[500]") && r.attempt == 1 { return ScriptedReply(status: 500, body: "internal error") }
        if u.contains("[garbage]") { return ScriptedReply(body: "<html>this is not JSON</html>") }
        if u.contains("[fatal]") {
            let echo = r.authorization ?? "none"
            return ScriptedReply(status: 400, body: #"{"error":{"message":"bad request from \#(echo)"}}"#)
        }
        let logprobs = r.json?["logprobs"]?.bool == true
        return ScriptedReply(body: completion(answer(u), promptChars: u.count, logprobs: logprobs),
                             delay: u.contains("[slow]") ? 0.2 : 0)
    }

    static func answer(_ u: String) -> String {
        let confident = u.contains("Confidence: <a number") ? "\nConfidence: 0.9" : ""
        if u.contains("Response A") || u.contains("[Reply A]") || u.contains("Better response") {
            if u.contains("[biased]") { return "A" + confident }
            let good = u.range(of: "GOOD")!.lowerBound, bad = u.range(of: "bad answer")!.lowerBound
            return (good < bad ? "Response A" : "**B**") + confident
        }
        let outside = u.contains("[outside]")
        let gold = between(u, "[gold=", "]") ?? "?"
        if u.contains("true or false") {
            if outside { return "Maybe" }
            return (between(u, "label for this text is \"", "\"") == gold ? "True" : "False") + confident
        }
        if u.contains("Do you agree?") {
            if outside { return "Perhaps, hard to say" }
            return (between(u, "I think the label is \"", "\"") == gold ? "Yes, I agree." : "No.") + confident
        }
        if u.contains("Which option") {
            if outside { return "(Z)" }
            let line = u.split(separator: "\n").first { $0.hasSuffix(". " + gold) }
            return "(\(line?.prefix(1) ?? "?"))" + confident
        }
        if outside { return "sarcastic" + confident }
        return "Label: **\(gold.capitalized)**" + confident
    }

    static func completion(_ text: String, promptChars: Int, logprobs: Bool) -> String {
        var choice: [String: JSONValue] = ["index": 0, "message": ["role": "assistant", "content": .string(text)],
                                           "finish_reason": "stop"]
        if logprobs {
            let tokens: [JSONValue] = [["token": "Label", "logprob": -0.1], ["token": ":", "logprob": -0.1],
                                       ["token": " pos", "logprob": -0.2], ["token": "itive", "logprob": -0.2]]
            choice["logprobs"] = ["content": .array(tokens)]
        }
        let json: JSONValue = ["id": "chatcmpl-1", "object": "chat.completion", "choices": [.object(choice)],
                               "usage": ["prompt_tokens": .number(Double(promptChars / 4)), "completion_tokens": 7]]
        return json.canonicalJSON
    }

    static func between(_ s: String, _ open: String, _ close: String) -> String? {
        guard let a = s.range(of: open), let b = s[a.upperBound...].range(of: close) else { return nil }
        return String(s[a.upperBound..<b.lowerBound])
    }
}
