import DuetCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What the loopback server answers to one request.
public struct ScriptedReply: Sendable {
    public var status = 200
    public var headers: [(String, String)] = []
    public var body: String
    /// Seconds to wait before answering.
    public var delay = 0.0
    /// Close the connection instead of answering.
    public var drop = false
    /// With `drop`: reset the connection (RST) instead of closing it (FIN).
    public var reset = false
    /// Send the head and this many bytes of the body, then close: a reply cut off mid-way.
    public var cutAfter: Int?
    /// Keep the request unanswered until `LoopbackServer.releaseHeld()` (or `stop()`), then close.
    public var hold = false

    public init(status: Int = 200, headers: [(String, String)] = [], body: String, delay: Double = 0, drop: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.drop = drop
    }
}

/// One request as the loopback server saw it.
public struct ReceivedRequest: Sendable {
    public var path: String
    public var authorization: String?
    public var body: String
    public var json: JSONValue?
    /// How many times this exact body has been received, this one included.
    public var attempt: Int
    /// Its place among every request the server received (1 = the first).
    public var sequence: Int
    /// Seconds since the server started.
    public var at: Double

    /// The last user message.
    public var userText: String {
        json?["messages"]?.array?.last { $0["role"]?.string == "user" }?["content"]?.string ?? ""
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (a free port) that answers every request
/// with a scripted reply, after the faults its `FaultPlan` injects. Started
/// and stopped by each test.
///
/// Requests are handled on NIO's event loops, not in Swift tasks: tests that
/// keep the cooperative thread pool busy cannot delay a reply into a client timeout.
public final class LoopbackServer: @unchecked Sendable {
    public typealias Script = @Sendable (ReceivedRequest) -> ScriptedReply

    public private(set) var port = 0
    let script: Script
    private let started = Date()
    private let lock = NSLock()
    private var log: [ReceivedRequest] = []
    private var attempts: [String: Int] = [:]
    private var answeredBodies: [String: Int] = [:]
    private var plan: FaultPlan
    private var held: [ObjectIdentifier: any Channel] = [:]
    private var released = false
    private var open: [ObjectIdentifier: any Channel] = [:]
    private var listener: (any Channel)?

    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    public var requests: [ReceivedRequest] { lock.withLock { log } }
    public var requestCount: Int { lock.withLock { log.count } }
    /// How many times each request body was answered with a complete 200 reply.
    public var answered: [String: Int] { lock.withLock { answeredBodies } }
    /// Requests held unanswered right now (`Fault.hold`).
    public var heldCount: Int { lock.withLock { held.count } }
    /// The faults injected from now on.
    public var faults: FaultPlan {
        get { lock.withLock { plan } }
        set { lock.withLock { plan = newValue } }
    }

    private init(faults: FaultPlan, script: @escaping Script) {
        self.script = script
        plan = faults
    }

    public static func start(faults: FaultPlan = .none, _ script: @escaping Script) async throws -> LoopbackServer {
        let server = LoopbackServer(faults: faults, script: script)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(server: server))
                    server.track(channel)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server.port = listener.localAddress?.port ?? 0
        server.lock.withLock { server.listener = listener }
        return server
    }

    /// Runs `body` with a server started for it (the pretend LLM unless `script` says otherwise),
    /// stopped afterwards whatever happens.
    public static func with<T>(faults: FaultPlan = .none, script: @escaping Script = FakeLLM.reply,
                               _ body: (LoopbackServer) async throws -> T) async throws -> T {
        let server = try await start(faults: faults, script)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Every distinct request body received, first time only.
    public var distinctRequests: [ReceivedRequest] {
        var seen: Set<String> = []
        return requests.filter { seen.insert($0.body).inserted }
    }

    /// Stops accepting and closes every connection.
    public func stop() async {
        let (listener, connections) = lock.withLock { (self.listener, Array(open.values)) }
        try? await listener?.close()
        for c in connections { try? await c.close() }
    }

    /// Lets every held request go, and those held from now on: their connections close unanswered.
    public func releaseHeld() {
        let channels = lock.withLock {
            released = true
            defer { held = [:] }
            return Array(held.values)
        }
        for c in channels { c.close(promise: nil) }
    }

    /// Waits (polling) until `condition` holds for this server.
    public func wait(until condition: @Sendable (LoopbackServer) -> Bool) async throws {
        while !condition(self) { try await Task.sleep(nanoseconds: 5_000_000) }
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        lock.withLock { open[id] = channel }
        channel.closeFuture.whenComplete { _ in
            self.lock.withLock {
                self.open[id] = nil
                self.held[id] = nil
            }
        }
    }

    /// Logs the request and decides the reply: the script's, with the plan's fault.
    fileprivate func reply(to head: HTTPRequestHead, body: String) -> (ReceivedRequest, ScriptedReply) {
        let (request, plan) = lock.withLock {
            attempts[body, default: 0] += 1
            let r = ReceivedRequest(path: head.uri, authorization: head.headers.first(name: "Authorization"), body: body,
                                    json: try? JSONValue.parse(body), attempt: attempts[body]!, sequence: log.count + 1,
                                    at: Date().timeIntervalSince(started))
            log.append(r)
            return (r, self.plan)
        }
        return (request, plan.reply(to: request, script: script))
    }

    /// Sends `reply` on `channel` (any thread).
    fileprivate func respond(_ reply: ScriptedReply, to request: ReceivedRequest, version: HTTPVersion, on channel: any Channel) {
        if reply.hold {
            let keep = lock.withLock {
                if !released { held[ObjectIdentifier(channel)] = channel }
                return !released
            }
            if !keep { channel.close(promise: nil) }
            return
        }
        if reply.drop {
            if reply.reset, let socket = channel as? SocketOptionProvider {
                // SO_LINGER 0: the close sends RST, not FIN.
                socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
            return
        }
        let bytes = ByteBuffer(string: reply.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "\(bytes.readableBytes)")
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if let cut = reply.cutAfter {
            let part = bytes.getSlice(at: 0, length: min(cut, bytes.readableBytes))!
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(part))).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        channel.write(HTTPServerResponsePart.body(.byteBuffer(bytes)), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenSuccess {
            if reply.status == 200 { self.lock.withLock { self.answeredBodies[request.body, default: 0] += 1 } }
        }
    }
}

/// Gathers each request's head and body, then has the server answer it (after the reply's delay).
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: LoopbackServer
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(server: LoopbackServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
        case .body(var b):
            body.writeBuffer(&b)
        case .end:
            guard let h = head else { return }
            let (request, reply) = server.reply(to: h, body: String(buffer: body))
            let server = server, channel = context.channel
            if reply.delay > 0 {
                channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(reply.delay * 1e9))) {
                    server.respond(reply, to: request, version: h.version, on: channel)
                }
            } else {
                server.respond(reply, to: request, version: h.version, on: channel)
            }
        }
    }
}

extension LoopbackServer {
    /// `script` with every reply `seconds` later: a server with a real model's latency, for what a person
    /// sees while a run goes on (`duet route`'s progress line).
    public static func latency(_ seconds: Double, _ script: @escaping Script = FakeLLM.reply) -> Script {
        { request in
            var reply = script(request)
            reply.delay += seconds
            return reply
        }
    }
}
