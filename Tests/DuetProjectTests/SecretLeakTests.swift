import DuetApp
import DuetCore
import DuetLaunch
import Foundation
import LLMLoopback
import Logging
import TermUI
import Testing
@testable import DuetProject

/// The API key goes to the server in the Authorization header and nowhere else: not the store (and its
/// WAL), the log, an export, a status report or the screen, even when the server echoes it back.
@Suite struct SecretLeakTests {
    /// Forms the key could take: itself and base64 (every alignment, standard and URL alphabets).
    static func forms(of key: String) -> [String] {
        var out = [key]
        for shift in 0..<3 {
            let encoded = (Data(repeating: 0x20, count: shift) + Data(key.utf8)).base64EncodedString()
            // Only the characters that depend on the key's bytes alone.
            let middle = String(encoded.dropFirst(shift > 0 ? 4 : 0).dropLast(4))
            out += [middle, middle.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
        }
        return out
    }

    static func contains(_ haystack: Data, _ needle: String) -> Bool {
        haystack.range(of: Data(needle.utf8)) != nil
    }

    @Test func theKeyNeverLeavesTheAuthorizationHeader() async throws {
        let key = "sk-duet-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))-\(String(UInt64.random(in: 1...UInt64.max), radix: 36))"
        // Failing requests of every sort (some echo the header back), next to answered ones.
        let faults = FaultPlan.marked([("[reset]", .reset, nil), ("[late]", .delay(5), 1), ("[503]", .status(503), nil)])
        try await LoopbackServer.with(faults: faults) { server in
            let tmp = try TempDir()
            let modes = ["", "", "[fatal]", "[echo]", "[garbage]", "[500]", "[reset]", "[late]", "[503]", "[outside]", "", "[echo]"]
            let project = try await LLMProject.make(tmp, server: server, modes: modes, settings: ["timeout = 2", "max_retries = 1"])
            let logURL = project.root.appendingPathComponent("duet.log")
            let makeHandler = try FileLogHandler.open(logURL)
            var logger = Logger(label: "duet.llm") { label in
                var h = makeHandler(label)
                h.logLevel = .trace
                return h
            }
            logger.logLevel = .trace
            let (run, route) = try await LLMProject.route(project, key: key, logger: logger)
            #expect(route.routed == modes.count && (run.usage?.failureCount ?? 0) > 0)

            // The server did get the key, in the header only.
            #expect(server.requestCount > 0)
            #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(key)" && !$0.body.contains(key) })

            // Every export of the task, every scope.
            var files: [URL] = [logURL]
            let task = try project.task(nil)
            for format in ExportFormat.allCases where format.problem(with: task) == nil {
                for scope in DecisionScope.allCases {
                    let out = tmp.url.appendingPathComponent("export-\(format.rawValue)-\(scope.rawValue)")
                    let report = try await ExportWorkflow.run(ExportRequest(format: format, scope: scope, output: out.path), project: project)
                    files.append(out)
                    if let side = report.provenanceFile { files.append(URL(fileURLWithPath: side)) }
                }
            }
            #expect(files.count >= 7)
            // The store, its WAL and shared memory, as they are on disk.
            for suffix in ["", "-wal", "-shm"] {
                let url = project.root.appendingPathComponent(Project.storeFileName + suffix)
                if FileManager.default.fileExists(atPath: url.path) { files.append(url) }
            }

            // The screens: the label screen on every item, triage, the dashboard, and `duet status`.
            var screens: [String] = [try await StatusReport.make(project).text, try await StatusReport.make(project).json()]
            for var options in [LaunchOptions(label: true, annotator: "ana"), LaunchOptions(annotator: "ana")] {
                for triage in [false, true] {
                    options.triage = triage
                    let prepared = try AppLauncher.prepare(project: project, options: options, size: (120, 40), environment: [:])
                    let runtime = Runtime(state: prepared.state, store: project.store, backend: MemoryBackend(width: 120, height: 40))
                    runtime.start(prepared.startEffects)
                    // Triage lists every routed item (r cycles: to label → audits → machine-kept → all), the items
                    // the machine kept included: the label screen only shows what people still have to do.
                    if triage { for _ in 0..<3 { runtime.send(.key(.char("r"), at: Date())) } }
                    for _ in modes {
                        screens.append(Render.screen(runtime.state).lines.joined(separator: "\n"))
                        runtime.send(.key(.char(triage ? "j" : " "), at: Date()))
                    }
                }
            }

            for form in Self.forms(of: key) {
                for file in files {
                    #expect(!Self.contains(try Data(contentsOf: file), form), "\(file.lastPathComponent) holds the key (\(form))")
                }
                for screen in screens { #expect(!screen.contains(form), "a screen shows the key: \(screen)") }
            }
            // The search saw what it had to: the failures were logged, the echoes stored (redacted), the items shown.
            let log = try String(contentsOf: logURL, encoding: .utf8)
            #expect(log.contains("llm request failed") && log.contains("llm request retried"))
            let store = try Data(contentsOf: project.root.appendingPathComponent(Project.storeFileName))
                + ((try? Data(contentsOf: project.root.appendingPathComponent(Project.storeFileName + "-wal"))) ?? Data())
            #expect(Self.contains(store, "bad request from Bearer <redacted>") && Self.contains(store, "asked by Bearer <redacted>"))
            #expect(screens.contains { $0.contains("[echo]") } && screens.contains { $0.contains("[fatal]") })
        }
    }
}
