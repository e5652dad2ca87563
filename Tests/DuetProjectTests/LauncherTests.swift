import DuetApp
import DuetCore
import DuetLaunch
import Foundation
import Testing
import TermUI
import Logging
@testable import DuetProject

@Suite struct LauncherTests {
    @Test func labelOpensTheOnlyTaskAndQuitsFromIt() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let p = try AppLauncher.prepare(project: project, options: LaunchOptions(label: true), size: (80, 24), environment: ["USER": "ana"])
        guard case .label(let l) = p.state.screen else { Issue.record("not on the label screen"); return }
        #expect(l.task.name == "sentiment")
        #expect(p.state.startedOnDashboard == false)
        #expect(p.startEffects == [.loadNext(l.task)])
        #expect(p.state.annotator == "ana")
    }

    @Test func duetAloneOpensTheDashboard() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let p = try AppLauncher.prepare(project: project, options: LaunchOptions(), size: (80, 24), environment: [:])
        guard case .dashboard = p.state.screen else { Issue.record("not on the dashboard"); return }
        #expect(p.startEffects == [.loadDashboard])
        #expect(p.state.annotator == "annotator")
        // Several tasks and no --task: the dashboard too.
        try await project.addTask(TaskSpec(name: "stars", kind: .rate))
        let q = try AppLauncher.prepare(project: project, options: LaunchOptions(label: true), size: (80, 24), environment: [:])
        guard case .dashboard = q.state.screen else { Issue.record("not on the dashboard"); return }
    }

    @Test func adjudicateOpensTheDisagreementsOfTheTask() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        var options = LaunchOptions(annotator: "cleo")
        options.adjudicate = true
        options.peopleOnly = true
        let p = try AppLauncher.prepare(project: project, options: options, size: (80, 24))
        guard case .adjudicate(let a) = p.state.screen else { Issue.record("not adjudicating"); return }
        #expect(a.task.name == "sentiment" && a.peopleOnly)
        #expect(p.startEffects == [.loadDisagreements(a.task, peopleOnly: true)])
        #expect(throws: DuetError.self) { try AppLauncher.annotatorName("adjudicator:x", environment: [:]) }
    }

    @Test func refusals() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.compare)
        // A compare task opens the pair screen.
        let pairs = try AppLauncher.prepare(project: project, options: LaunchOptions(label: true), size: (80, 24))
        guard case .label(let l) = pairs.state.screen else { Issue.record("no label screen"); return }
        #expect(l.task.kind == .compare)
        #expect(throws: DuetError.self) { try AppLauncher.prepare(project: project, options: LaunchOptions(label: true, task: "nope"), size: (80, 24)) }
        #expect(throws: DuetError.self) { try AppLauncher.annotatorName("source:x", environment: [:]) }
        #expect(throws: DuetError.self) { try AppLauncher.annotatorName("  ", environment: [:]) }
        #expect(try AppLauncher.annotatorName(nil, environment: ["USER": "bo"]) == "bo")
    }

    @Test func keysInDuetTomlAreChecked() async throws {
        let text = "[keys]\nskip = [\"s\"]\nundo = [\"z\"]\n"
        let config = try ConfigFile.parse(text, file: "duet.toml")
        #expect(config.keys == ["skip": ["s"], "undo": ["z"]])
        // Read as plain names; the app's side (ProjectKeymap) checks them against its key table, at their line.
        let bad = "[keys]\nsikp = [\"s\"]\n"
        let unchecked = try ConfigFile.parse(bad, file: "/p/duet.toml")
        let e = #expect(throws: ConfigError.self) { try ProjectKeymap.keymap(unchecked.keys, text: bad, file: "/p/duet.toml") }
        #expect(e?.description.hasPrefix("/p/duet.toml:2: keys.sikp: no such action") == true)
    }
}

@Suite struct ThemeTests {
    static let themes = SharedData.repoRoot.appendingPathComponent("themes")

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func bundledThemesLoad(_ name: String) async throws {
        let theme = try ThemeFile.load(Self.themes.appendingPathComponent(name + ".toml"))
        #expect(theme.name == name)
        // Every role has a style (missing ones fall back to mono's).
        for role in Role.allCases { #expect(theme.styles[role] != nil, "\(name): \(role)") }
        if name == "mono" {
            #expect(theme.styles.values.allSatisfy { $0.fg == .default && $0.bg == .default })
        } else {
            #expect(theme.styles.values.contains { $0.fg != .default })
        }
    }

    @Test func darkHeaderIsWhatTheFileSays() async throws {
        let theme = try ThemeFile.load(Self.themes.appendingPathComponent("dark.toml"))
        #expect(theme[.header] == Style(fg: .index(0), bg: .index(67)))
        #expect(theme[.error].attributes.contains(.bold))
    }

    @Test func badThemesNameFileAndKey() async {
        let color = #expect(throws: ConfigError.self) { try ThemeFile.parse("[styles]\nheader = { fg = \"purple\" }\n", file: "t.toml") }
        #expect(color?.description.hasPrefix("t.toml: key 'styles.header.fg'") == true)
        let role = #expect(throws: ConfigError.self) { try ThemeFile.parse("[styles]\nheadr = { bold = true }\n", file: "t.toml") }
        #expect(role?.description.contains("styles.headr") == true)
        let number = #expect(throws: ConfigError.self) { try ThemeFile.parse("[styles]\ntext = { fg = 300 }\n", file: "t.toml") }
        #expect(number?.description.contains("0 to 255") == true)
        let flag = #expect(throws: ConfigError.self) { try ThemeFile.parse("[styles]\ntext = { bold = \"yes\" }\n", file: "t.toml") }
        #expect(flag?.description.contains("styles.text.bold") == true)
        let syntax = #expect(throws: ConfigError.self) { try ThemeFile.parse("[styles\n", file: "t.toml") }
        #expect(syntax?.file == "t.toml:1")
    }

    @Test func noColorForcesMono() async throws {
        let theme = try ThemeFile.resolve(name: "dark", project: nil, environment: ["NO_COLOR": "1"])
        #expect(theme == Theme.mono)
        let unknown = #expect(throws: ConfigError.self) { try ThemeFile.resolve(name: "neon", project: nil, environment: [:]) }
        #expect(unknown?.description.contains("no such theme") == true)
    }
}

@Suite struct FileLogTests {
    @Test func appendsLinesWithLevelAndMetadata() async throws {
        let tmp = try TempDir()
        let url = tmp.url.appendingPathComponent("duet.log")
        let make = try FileLogHandler.open(url)
        var handler = make("duet.test")
        handler.logLevel = .debug
        let logger = Logger(label: "duet.test", factory: { _ in handler })
        logger.info("session started", metadata: ["annotator": "ana"])
        logger.error("effect failed")
        let again = try FileLogHandler.open(url)("duet.test")
        Logger(label: "x", factory: { _ in again }).warning("third")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix(" info duet.test: session started annotator=ana"))
        #expect(lines[1].hasSuffix(" error duet.test: effect failed"))
        #expect(lines[2].hasSuffix(" warning duet.test: third"))
    }
}

/// Every role of a bundled colour theme can be read on the background it is meant for: text at least 3:1
/// (WCAG's contrast ratio, xterm's 256-colour palette; the terminal's own default colours assumed black on
/// white for "light", light grey on black otherwise), borders at least 2:1.
@Suite struct ThemeContrastTests {
    static func rgb(_ c: Color, default d: (Double, Double, Double)) -> (Double, Double, Double) {
        guard case .index(let i) = c else { return d }
        let base: [(Double, Double, Double)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
                                                 (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
                                                 (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        let n = Int(i)
        if n < 16 { return base[n] }
        if n < 232 {
            let k = n - 16
            func level(_ v: Int) -> Double { v == 0 ? 0 : Double(55 + 40 * v) }
            return (level(k / 36), level(k / 6 % 6), level(k % 6))
        }
        let v = Double(8 + 10 * (n - 232))
        return (v, v, v)
    }

    static func luminance(_ c: (Double, Double, Double)) -> Double {
        func channel(_ v: Double) -> Double { let s = v / 255; return s <= 0.03928 ? s / 12.92 : Foundation.pow((s + 0.055) / 1.055, 2.4) }
        return 0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    static func contrast(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test(arguments: ["dark", "light", "high-contrast"])
    func everyRoleIsReadable(_ name: String) async throws {
        let theme = try ThemeFile.load(ThemeTests.themes.appendingPathComponent(name + ".toml"))
        let light = name == "light"
        let (fg0, bg0): ((Double, Double, Double), (Double, Double, Double)) = light ? ((0, 0, 0), (255, 255, 255)) : ((229, 229, 229), (0, 0, 0))
        for role in Role.allCases {
            let style = theme[role]
            var (fg, bg) = (Self.rgb(style.fg, default: fg0), Self.rgb(style.bg, default: bg0))
            if style.attributes.contains(.reverse) { swap(&fg, &bg) }
            let ratio = Self.contrast(fg, bg)
            #expect(ratio >= (role == .border ? 2 : 3), "\(name).\(role): contrast \(String(format: "%.2f", ratio))")
        }
    }
}

extension LauncherTests {
    /// `[ui] mouse = false` reaches the app (clicks then do nothing); the palette is given every theme on the path.
    @Test func uiMouseAndThePalettesThemes() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let on = try AppLauncher.prepare(project: project, options: LaunchOptions(), size: (80, 24), environment: [:])
        #expect(on.state.mouse)
        #expect(Set(["dark", "light", "high-contrast", "mono"]).isSubset(of: Set(on.state.themes.map(\.name))))
        #expect(on.state.themes.contains(on.state.theme))
        let config = try String(contentsOf: project.configURL, encoding: .utf8)
        try config.replacingOccurrences(of: "[ui]\n", with: "[ui]\nmouse = false\n").write(to: project.configURL, atomically: true, encoding: .utf8)
        let off = try AppLauncher.prepare(project: try await Project.open(at: project.root), options: LaunchOptions(), size: (80, 24), environment: [:])
        #expect(off.state.mouse == false)
        // NO_COLOR: mono alone.
        let mono = try AppLauncher.prepare(project: project, options: LaunchOptions(), size: (80, 24), environment: ["NO_COLOR": "1"])
        #expect(mono.state.themes.map(\.name) == ["mono"])
    }
}
