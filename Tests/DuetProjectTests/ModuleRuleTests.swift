import Foundation
import Testing

/// The module graph of ARCHITECTURE.md, held to every file's imports: each module imports only what its
/// line below allows (the system's modules aside). SwiftPM lets a target import a module another target
/// happened to build, so Package.swift alone does not keep the graph.
@Suite struct ModuleRuleTests {
    static let system: Set<String> = ["Foundation", "FoundationNetworking", "Darwin", "Glibc", "Dispatch"]
    static let allowed: [String: Set<String>] = [
        "DuetCore": [],
        "TermUI": [],
        "ProcessSpawn": [],
        "TermUICurses": ["TermUI", "CNcursesw", "ProcessSpawn"],
        "DuetStoreAPI": ["DuetCore"],
        "DuetStore": ["DuetCore", "DuetStoreAPI", "GRDB", "GRDBSQLite"],
        "DuetPostgres": ["DuetCore", "DuetStoreAPI", "PostgresNIO", "_ConnectionPoolModule", "Logging"],
        "DuetAnnotators": ["DuetCore", "Logging"],
        "DuetApp": ["DuetCore", "DuetStoreAPI", "TermUI", "Logging"],
        // No UI: neither the app nor the terminal toolkit (they are DuetLaunch's).
        "DuetProject": ["DuetCore", "DuetStoreAPI", "DuetStore", "DuetPostgres", "DuetAnnotators", "ProcessSpawn", "TOMLKit", "Logging"],
        "DuetLaunch": ["DuetCore", "DuetStoreAPI", "DuetProject", "DuetApp", "TermUI", "TOMLKit"],
    ]

    @Test func eachModuleImportsOnlyWhatTheGraphAllows() throws {
        let sources = SharedData.repoRoot.appendingPathComponent("Sources")
        var offenders: [String] = []
        for (module, allowed) in Self.allowed {
            let dir = sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty, "no sources in Sources/\(module)")
            for file in files {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let words = line.split(separator: " ").map(String.init).filter { !$0.hasPrefix("@") }
                    guard words.count == 2, words[0] == "import" else { continue }
                    if !Self.system.contains(words[1]), !allowed.contains(words[1]) {
                        offenders.append("Sources/\(module)/\(file):\(n + 1): import \(words[1])")
                    }
                }
            }
        }
        #expect(offenders.isEmpty, "imports outside the module graph:\n\(offenders.sorted().joined(separator: "\n"))")
    }
}
