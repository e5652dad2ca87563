import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// duet.toml: unknown keys, a literal API key and wrong types are errors
/// naming file:line (one check of every table against `RawConfig.known`,
/// one description of every decoding error).
@Suite struct ConfigCheckTests {
    static let task = "[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = [\"a\", \"b\"]\n"

    func error(_ text: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "/p/duet.toml") }
    }

    @Test func misspelledKeyNamesLineAndNearestKey() {
        let e = error("[project]\nname = \"x\"\n\n[router]\nannotator = \"llm\"\nbudgett = 0.3\n")
        #expect(e?.description == "/p/duet.toml:6: unknown key 'budgett' in router; did you mean 'budget'?")
    }

    @Test func routerPanel() throws {
        let config = try ConfigFile.parse(Self.task + "[router]\nannotators = [\"a\", \"gpt-4o\"]\n", file: "/p/duet.toml")
        #expect(config.router.annotators == ["a", "gpt-4o"])
        #expect(try ConfigFile.parse(Self.task, file: "/p/duet.toml").router.annotators == nil)
        #expect(error(Self.task + "[router]\nannotators = []\n")?.description.hasPrefix("/p/duet.toml:6: key 'router.annotators': name at least one") == true)
        #expect(error(Self.task + "[router]\nannotators = [\"a\", \"a\"]\n")?.description == "/p/duet.toml:6: key 'router.annotators': a name repeats")
        #expect(error(Self.task + "[router]\nannotators = [\"a\\u001b[31m\"]\n")?.description.contains("<U+001B>") == true)
    }

    @Test func misspelledKeyInTheSecondTask() {
        let text = Self.task + "\n[[tasks]]\nname = \"u\"\nkind = \"classify\"\nlabelz = [\"a\", \"b\"]\n"
        #expect(error(text)?.description == "/p/duet.toml:9: unknown key 'labelz' in tasks[1]; did you mean 'labels'?")
    }

    @Test func unknownTablesAndArraysOfTables() {
        #expect(error(Self.task + "[bogus]\nx = 1\n")?.description
            == "/p/duet.toml:5: unknown table 'bogus'; known: project, tasks, annotators, router, cost, ui, keys, store, quality")
        let annotator = "[[annotator]]\nname = \"g\"\nkind = \"local\"\n"
        #expect(error(Self.task + annotator)?.description == "/p/duet.toml:5: unknown table 'annotator'; did you mean 'annotators'?")
        #expect(error("labelz = 3\n")?.description
            == "/p/duet.toml:1: unknown key 'labelz'; known: project, tasks, annotators, router, cost, ui, keys, store, quality")
        #expect(error("[ui]\ntheme = \"dark\"\nthem = \"x\"\n")?.description == "/p/duet.toml:3: unknown key 'them' in ui; did you mean 'theme'?")
    }

    @Test func literalAPIKeyIsRefusedWithoutEchoingIt() {
        let text = Self.task + """
            [[annotators]]
            name = "gpt"
            kind = "llm"
            base_url = "http://127.0.0.1:1/v1"
            model = "m"
            api_key = "sk-live-SECRET123"

            """
        let e = error(text)
        #expect(e?.file == "/p/duet.toml:10")
        #expect(e?.message.contains("api_key_env = \"OPENAI_API_KEY\"") == true)
        #expect(e?.description.contains("SECRET") == false)
        #expect(e?.description.contains("sk-live") == false)
    }

    @Test func wrongTypesNameTheExpectedTypeAndLine() {
        let cases: [(String, String)] = [
            (Self.task + "overlap = 1.5\n", "/p/duet.toml:5: tasks[0].overlap must be a whole number"),
            (Self.task + "seed = \"7\"\n", "/p/duet.toml:5: tasks[0].seed must be a whole number"),
            ("[router]\nbudget = \"half\"\n", "/p/duet.toml:2: router.budget must be a number"),
            ("[router]\ntrain_on_gold = 1\n", "/p/duet.toml:2: router.train_on_gold must be true or false"),
            ("[ui]\ntheme = 3\n", "/p/duet.toml:2: ui.theme must be a string (in quotes)"),
            ("[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = \"a,b\"\n", "/p/duet.toml:4: tasks[0].labels must be a list"),
            ("[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = [\"a\", 2]\n", "/p/duet.toml:4: tasks[0].labels[1] must be a string (in quotes)"),
            ("[[tasks]]\nkind = \"classify\"\n", "/p/duet.toml:1: missing key 'name' in tasks[0]"),
            ("[[tasks]]\nname = \"t\"\nkind = \"rate\"\nscale = [1, 2.5]\n", "/p/duet.toml:4: tasks[0].scale[1] must be a whole number"),
        ]
        for (text, expected) in cases {
            #expect(error(text)?.description == expected, "\(text)")
        }
    }

    @Test func checksAfterDecodingPointAtTheirLine() {
        #expect(error("[project]\nname = \"x\"\n[router]\nbudget = 1.5\n")?.file == "/p/duet.toml:4")
    }

    @Test func everyKnownKeyIsAccepted() throws {
        let text = """
            [project]
            name = "x"
            [[tasks]]
            name = "t"
            kind = "classify"
            labels = ["a", "b"]
            dataset = "d"
            guidelines = "g"
            scale = [1, 5]
            show_source = false
            seed = 1
            overlap = 1
            [[annotators]]
            name = "gpt"
            kind = "llm"
            base_url = "http://127.0.0.1:1/v1"
            model = "m"
            api_key_env = "OPENAI_API_KEY"
            prompt_price = 1
            completion_price = 2.5
            concurrency = 2
            timeout = 30
            max_retries = 1
            [router]
            annotator = "gpt"
            budget = 0.5
            audit = 0.1
            strategy = "uncertainty"
            target_accuracy = 0.9
            train_on_gold = true
            [cost]
            hourly_rate = 20
            seconds_per_item = 10
            currency = "€"
            [ui]
            theme = "dark"
            [keys]
            skip = ["s"]

            """
        let config = try ConfigFile.parse(text, file: "duet.toml")
        #expect(config.tasks.first?.overlap == 1)
        #expect(config.annotators.first?.apiKeyEnv == "OPENAI_API_KEY")
    }

    @Test func nearestKey() {
        #expect(EditDistance.distance("budgett", "budget") == 1)
        #expect(EditDistance.nearest("budgett", in: ["annotator", "budget", "audit"]) == "budget")
        #expect(EditDistance.nearest("bogus", in: ["project", "tasks", "cost"]) == nil)
    }
}

extension ConfigCheckTests {
    /// `[ui] mouse = false` turns clicks and the wheel off; they are on without it; a wrong type names the line.
    @Test func uiMouse() throws {
        #expect(try ConfigFile.parse(Self.task + "[ui]\nmouse = false\n", file: "/p/duet.toml").ui.mouse == false)
        #expect(try ConfigFile.parse(Self.task + "[ui]\ntheme = \"light\"\n", file: "/p/duet.toml").ui.mouse == true)
        #expect(try ConfigFile.parse(Self.task, file: "/p/duet.toml").ui.mouse == true)
        #expect(error(Self.task + "[ui]\nmouse = \"no\"\n")?.description.hasPrefix("/p/duet.toml:6:") == true)
    }
}

extension ConfigCheckTests {
    /// A task's `honeypot_rate` and `[quality]`: read, checked, each problem at its line.
    @Test func honeypotsAndQuality() throws {
        let config = try ConfigFile.parse(Self.task + "honeypot_rate = 0.1\n[quality]\nmin_person_accuracy = 0.8\nstop_below = true\ntoo_fast = 0.2\n",
                                          file: "/p/duet.toml")
        #expect(config.tasks[0].honeypotRate == 0.1)
        #expect(config.quality == QualitySettings(minPersonAccuracy: 0.8, stopBelow: true, tooFast: 0.2))
        let plain = try ConfigFile.parse(Self.task, file: "/p/duet.toml")
        #expect(plain.tasks[0].honeypotRate == 0 && plain.quality == QualitySettings())
        #expect(error(Self.task + "honeypot_rate = 0.9\n")?.description.contains("honeypot_rate must be from 0 to 0.5") == true)
        #expect(error(Self.task + "[quality]\nmin_person_accuracy = 1.5\n")?.description.hasPrefix("/p/duet.toml:6: key 'quality.min_person_accuracy'") == true)
        #expect(error(Self.task + "[quality]\nstop_below = true\n")?.description.contains("needs quality.min_person_accuracy") == true)
        #expect(error(Self.task + "[quality]\nmin_persn_accuracy = 0.8\n")?.description.contains("did you mean 'min_person_accuracy'") == true)
    }

    /// `[quality] audit_uniform_share` (γ, 0 to 1) and `alt_test_epsilon` (ε, 0 to under 1): read, defaulted,
    /// and a value out of range refused at its line, the key named.
    @Test func auditShareAndAltTestMargin() throws {
        let config = try ConfigFile.parse(Self.task + "[quality]\naudit_uniform_share = 1\nalt_test_epsilon = 0.1\n", file: "/p/duet.toml")
        #expect(config.quality.auditUniformShare == 1 && config.quality.altTestEpsilon == 0.1)
        let plain = try ConfigFile.parse(Self.task, file: "/p/duet.toml").quality
        #expect(plain.auditUniformShare == 0.5 && plain.altTestEpsilon == 0.2)
        #expect(try ConfigFile.parse(Self.task + "[quality]\naudit_uniform_share = 0\nalt_test_epsilon = 0\n", file: "/p/duet.toml").quality
            == QualitySettings(auditUniformShare: 0, altTestEpsilon: 0))
        for bad in ["audit_uniform_share = 1.5", "audit_uniform_share = -0.1", "audit_uniform_share = nan"] {
            #expect(error(Self.task + "[quality]\n\(bad)\n")?.description.hasPrefix("/p/duet.toml:6: key 'quality.audit_uniform_share'") == true, "\(bad)")
        }
        for bad in ["alt_test_epsilon = 1", "alt_test_epsilon = -0.2", "alt_test_epsilon = inf"] {
            #expect(error(Self.task + "[quality]\n\(bad)\n")?.description.hasPrefix("/p/duet.toml:6: key 'quality.alt_test_epsilon'") == true, "\(bad)")
        }
        #expect(error(Self.task + "[quality]\nalt_test_epsilon = \"big\"\n")?.description.hasPrefix("/p/duet.toml:6:") == true)
    }
}
