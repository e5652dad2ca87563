import DuetCore
import DuetPostgres
import Foundation
import TOMLKit

/// A problem in duet.toml (or another config file), naming the file and the
/// line or key.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}

/// A TOML number, integer or float: TOMLKit reads `20` only as an integer and
/// `20.0` only as a float, and people write either.
struct TOMLNumber: Decodable {
    var value: Double
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) {
            value = d
        } else if let i = try? c.decode(Int.self) {
            value = Double(i)
        } else {
            throw DecodingError.typeMismatch(Double.self, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a number"))
        }
    }
}

/// duet.toml as written by people: its keys checked against `known` (an
/// unknown key is an error naming its line and the nearest known key), then
/// decoded, checked and turned into a `ProjectConfig`. Each table's keys are
/// its struct's `CodingKeys`: the one list of what duet.toml may say.
struct RawConfig: Decodable {
    struct Project: Decodable {
        var name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }
    struct Task: Decodable {
        var name: String
        var kind: String
        var labels: [String]?
        var dataset: String?
        var guidelines: String?
        var scale: [Int]?
        var show_source: Bool?
        var seed: Int?
        var overlap: Int?
        var honeypot_rate: TOMLNumber?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, labels, dataset, guidelines, scale, show_source, seed, overlap, honeypot_rate
        }
    }
    struct Annotator: Decodable {
        var name: String
        var kind: String
        var base_url: String?
        var model: String?
        var api_key_env: String?
        var prompt_price: TOMLNumber?
        var completion_price: TOMLNumber?
        var concurrency: Int?
        var timeout: TOMLNumber?
        var max_retries: Int?
        var temperature: TOMLNumber?
        var max_tokens: Int?
        var stop: [String]?
        var logprobs: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, base_url, model, api_key_env, prompt_price, completion_price, concurrency, timeout, max_retries
            case temperature, max_tokens, stop, logprobs
        }
    }
    struct Router: Decodable {
        var annotator: String?
        var annotators: [String]?
        var cascade: [String]?
        var escalate: TOMLNumber?
        var escalate_above: TOMLNumber?
        var budget: TOMLNumber?
        var audit: TOMLNumber?
        var strategy: String?
        var target_accuracy: TOMLNumber?
        var train_on_gold: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case annotator, annotators, cascade, escalate, escalate_above, budget, audit, strategy, target_accuracy, train_on_gold
        }
    }
    struct Cost: Decodable {
        var hourly_rate: TOMLNumber?
        var seconds_per_item: TOMLNumber?
        var currency: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case hourly_rate, seconds_per_item, currency }
    }
    struct UI: Decodable {
        var theme: String?
        var mouse: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case theme, mouse }
    }
    struct Quality: Decodable {
        var min_person_accuracy: TOMLNumber?
        var stop_below: Bool?
        var too_fast: TOMLNumber?
        var audit_uniform_share: TOMLNumber?
        var alt_test_epsilon: TOMLNumber?
        enum CodingKeys: String, CodingKey, CaseIterable { case min_person_accuracy, stop_below, too_fast, audit_uniform_share, alt_test_epsilon }
    }
    struct Store: Decodable {
        var url: String?
        var password_env: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case url, password_env }
    }
    var project: Project?
    var tasks: [Task]?
    var annotators: [Annotator]?
    var router: Router?
    var cost: Cost?
    var ui: UI?
    var keys: [String: [String]]?
    var store: Store?
    var quality: Quality?
    enum CodingKeys: String, CodingKey, CaseIterable { case project, tasks, annotators, router, cost, ui, keys, store, quality }

    /// The keys each table may hold; nil children: any key (`[keys]`, checked by the keymap).
    static let known = ConfigKeys(CodingKeys.self, [
        .project: ConfigKeys(Project.CodingKeys.self), .tasks: ConfigKeys(Task.CodingKeys.self),
        .annotators: ConfigKeys(Annotator.CodingKeys.self), .router: ConfigKeys(Router.CodingKeys.self),
        .cost: ConfigKeys(Cost.CodingKeys.self), .ui: ConfigKeys(UI.CodingKeys.self), .keys: .any,
        .store: ConfigKeys(Store.CodingKeys.self), .quality: ConfigKeys(Quality.CodingKeys.self),
    ])
}

/// The keys a TOML table may hold and what its sub-tables may hold.
struct ConfigKeys: Sendable {
    var names: [String]?
    var tables: [String: ConfigKeys] = [:]
    static let any = ConfigKeys(names: nil)

    init(names: [String]?, tables: [String: ConfigKeys] = [:]) {
        self.names = names
        self.tables = tables
    }

    init<K: CodingKey & CaseIterable & RawRepresentable<String>>(_ keys: K.Type, _ tables: [K: ConfigKeys] = [:]) {
        names = K.allCases.map(\.rawValue)
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.key.rawValue, $0.value) })
    }
}

public enum ConfigFile {
    public static let fileName = "duet.toml"

    public static func load(_ url: URL) throws -> ProjectConfig {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: url.path, message: "cannot read it: \(FileErrors.reason(error) ?? "\(error)")")
        }
        return try parse(text, file: url.path, defaultName: url.deletingLastPathComponent().lastPathComponent)
    }

    public static func parse(_ text: String, file: String, defaultName: String = "project") throws -> ProjectConfig {
        let raw: RawConfig
        let lines = ConfigLines(text)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError(file: "\(file):\(e.source.begin.line)", message: e.description)
        }
        try checkKeys(table, known: RawConfig.known, path: "", file: file, lines: lines)
        do {
            raw = try TOMLDecoder().decode(RawConfig.self, from: table)
        } catch let e as DecodingError {
            let (path, message) = describe(e, in: table)
            throw ConfigError(file: lines.place(of: path, in: file), message: message)
        }
        return try validate(raw, file: file, lines: lines, defaultName: defaultName)
    }

    /// A problem with duet.toml (`text`, read from `file`) at the place `message` names, pointing at its line:
    /// "key 'router.budget': …", "tasks[0]: …", "keys.skip: …".
    public static func error(_ message: String, text: String, file: String) -> ConfigError {
        placed(message, lines: ConfigLines(text), file: file)
    }

    static func placed(_ message: String, lines: ConfigLines, file: String) -> ConfigError {
        var path = message
        if path.hasPrefix("key '") { path = String(path.dropFirst(5).prefix { $0 != "'" }) } else { path = String(path.prefix { $0 != ":" && $0 != " " }) }
        return ConfigError(file: lines.place(of: path, in: file), message: message)
    }

    /// Every key of `table` (and of the tables in it) must be known: else an
    /// error naming its line and the nearest known key, or all of them.
    static func checkKeys(_ table: TOMLTable, known: ConfigKeys, path: String, file: String, lines: ConfigLines) throws {
        guard let names = known.names else { return }
        for key in table.keys.sorted() {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            let place = lines.place(of: keyPath, in: file)
            if key == "api_key" {
                // Never echo the value: it is a secret.
                throw ConfigError(file: place, message: """
                    \(path.isEmpty ? "" : "\(path): ")a key written into duet.toml is not read (and would be shared with the file); \
                    put it in an environment variable and name that variable: api_key_env = "OPENAI_API_KEY"
                    """)
            }
            guard names.contains(key) else {
                let what = table[key]?.table != nil || table[key]?.array?.first?.table != nil ? "table" : "key"
                let within = path.isEmpty ? "" : " in \(path)"
                let hint = EditDistance.nearest(key, in: names).map { "did you mean '\($0)'?" }
                    ?? "known: \(names.joined(separator: ", "))"
                throw ConfigError(file: place, message: "unknown \(what) '\(key)'\(within); \(hint)")
            }
            guard let sub = known.tables[key] else { continue }
            if let t = table[key]?.table {
                try checkKeys(t, known: sub, path: keyPath, file: file, lines: lines)
            } else if let a = table[key]?.array {
                for (i, element) in a.enumerated() {
                    if let t = element.table { try checkKeys(t, known: sub, path: "\(keyPath)[\(i)]", file: file, lines: lines) }
                }
            }
        }
    }

    /// A decoding error as the key's path and a sentence naming the expected type.
    static func describe(_ e: DecodingError, in table: TOMLTable) -> (path: String, message: String) {
        func path(_ c: [CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case .keyNotFound(let key, let ctx):
            // TOMLKit reports a value of the wrong type as a key not found ('A "Int" does not exist at …').
            if value(at: ctx.codingPath, in: table) != nil {
                let p = path(ctx.codingPath)
                let swiftType = ctx.debugDescription.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
                let types: [String: Any.Type] = ["Int": Int.self, "Bool": Bool.self, "String": String.self, "Double": Double.self]
                let expected = types[swiftType] ?? Any.self
                return (p, "\(p) must be \(typeName(expected))")
            }
            let parent = path(ctx.codingPath.last?.stringValue == key.stringValue ? ctx.codingPath.dropLast() : ctx.codingPath)
            return (parent, "missing key '\(key.stringValue)'\(parent.isEmpty ? "" : " in \(parent)")")
        case .typeMismatch(let type, let ctx), .valueNotFound(let type, let ctx):
            let p = path(ctx.codingPath)
            return (p, "\(p) must be \(typeName(type))")
        case .dataCorrupted(let ctx):
            let p = path(ctx.codingPath)
            return (p, "\(p): \(ctx.debugDescription)")
        @unknown default:
            return ("", "\(e)")
        }
    }

    /// The value at a decoding path, if the text has one.
    static func value(at path: [CodingKey], in table: TOMLTable) -> TOMLValueConvertible? {
        var current: TOMLValueConvertible? = table
        for key in path {
            if let i = key.intValue {
                guard let a = current?.array, i < a.count else { return nil }
                current = a[i]
            } else {
                current = current?.table?[key.stringValue]
            }
        }
        return current
    }

    static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string (in quotes)"
        case is Int.Type: return "a whole number"
        case is Double.Type, is TOMLNumber.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        case is [Int].Type: return "a list of whole numbers"
        case is [String: [String]].Type: return "a table of lists of strings"
        case is TOMLArray.Type: return "a list"
        case is TOMLTable.Type: return "a table"
        default: return "another type"
        }
    }

    static func validate(_ raw: RawConfig, file: String, lines: ConfigLines, defaultName: String) throws -> ProjectConfig {
        func fail(_ message: String) -> ConfigError { placed(message, lines: lines, file: file) }
        var tasks: [TaskSpec] = []
        for (i, t) in (raw.tasks ?? []).enumerated() {
            guard let kind = TaskKind(rawValue: t.kind) else {
                throw fail("key 'tasks[\(i)].kind': '\(t.kind)' is not one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var scale = 1...5
            if let s = t.scale {
                guard s.count == 2, s[0] < s[1] else { throw fail("key 'tasks[\(i)].scale': expected [low, high] with low < high") }
                scale = s[0]...s[1]
            }
            let spec = TaskSpec(name: t.name, kind: kind, labels: t.labels ?? [], dataset: t.dataset, guidelines: t.guidelines, scale: scale,
                                showSource: t.show_source ?? false, seed: t.seed ?? 0, overlap: t.overlap ?? 1,
                                honeypotRate: t.honeypot_rate?.value ?? 0)
            if let problem = spec.validationErrors().first { throw fail("tasks[\(i)]: \(problem)") }
            if tasks.contains(where: { $0.name == spec.name }) { throw fail("tasks[\(i)]: task '\(spec.name)' is declared twice") }
            tasks.append(spec)
        }
        var annotators: [AnnotatorSpec] = []
        for (i, a) in (raw.annotators ?? []).enumerated() {
            if let problem = Names.problem(a.name) { throw fail("annotators[\(i)].name: \"\(Names.shown(a.name))\" \(problem)") }
            guard let kind = AnnotatorSpec.Kind(rawValue: a.kind) else {
                throw fail("key 'annotators[\(i)].kind': '\(a.kind)' is not one of llm, local, replay")
            }
            if let env = a.api_key_env, !isEnvName(env) {
                throw fail("key 'annotators[\(i)].api_key_env': give the *name* of an environment variable (like OPENAI_API_KEY), never the key itself")
            }
            if kind == .llm && (a.base_url == nil || a.model == nil) {
                throw fail("annotators[\(i)] '\(a.name)': an llm annotator needs base_url and model")
            }
            var spec = AnnotatorSpec(name: a.name, kind: kind, baseURL: a.base_url, model: a.model, apiKeyEnv: a.api_key_env)
            spec.promptPrice = a.prompt_price?.value ?? 0
            spec.completionPrice = a.completion_price?.value ?? 0
            spec.concurrency = a.concurrency
            if let t = a.timeout?.value, !(t > 0) { throw fail("key 'annotators[\(i)].timeout': seconds, more than 0") }
            if let r = a.max_retries, r < 0 { throw fail("key 'annotators[\(i)].max_retries': 0 or more") }
            spec.timeout = a.timeout?.value
            spec.maxRetries = a.max_retries
            if let t = a.temperature?.value, !(0...2).contains(t) { throw fail("key 'annotators[\(i)].temperature': from 0 to 2") }
            if let n = a.max_tokens, n < 1 { throw fail("key 'annotators[\(i)].max_tokens': 1 or more") }
            if let s = a.stop, s.count > 4 || s.contains(where: \.isEmpty) {
                throw fail("key 'annotators[\(i)].stop': at most 4 non-empty strings")
            }
            spec.temperature = a.temperature?.value
            spec.maxTokens = a.max_tokens
            spec.stop = a.stop
            spec.logprobs = a.logprobs
            annotators.append(spec)
        }
        var router = RouterSettings()
        if let r = raw.router {
            if let v = r.annotator {
                if let problem = Names.problem(v) { throw fail("router.annotator: \"\(Names.shown(v))\" \(problem)") }
                router.annotator = v
            }
            func names(_ list: [String], key: String, minimum: Int, hint: String) throws -> [String] {
                guard list.count >= minimum else { throw fail("key 'router.\(key)': \(hint)") }
                for (i, v) in list.enumerated() {
                    if let problem = Names.problem(v) { throw fail("key 'router.\(key)': [\(i)] \"\(Names.shown(v))\" \(problem)") }
                }
                guard Set(list).count == list.count else { throw fail("key 'router.\(key)': a name repeats") }
                return list
            }
            if let list = r.annotators {
                router.annotators = try names(list, key: "annotators", minimum: 1,
                                              hint: "name at least one annotator, or leave the key out (every annotator with votes)")
            }
            if let list = r.cascade {
                router.cascade = try names(list, key: "cascade", minimum: 2, hint: "name at least two annotators, cheapest first")
            }
            if let v = r.escalate?.value {
                guard (0...1).contains(v) else { throw fail("key 'router.escalate': expected a share between 0 and 1, got \(v)") }
                router.escalate = v
            }
            if let v = r.escalate_above?.value {
                guard v >= 0, v.isFinite else { throw fail("key 'router.escalate_above': expected an uncertainty of 0 or more, got \(v)") }
                router.escalateAbove = v
            }
            if let v = r.budget?.value {
                guard (0...1).contains(v) else { throw fail("key 'router.budget': expected a share between 0 and 1, got \(v)") }
                router.budget = v
            }
            if let v = r.audit?.value {
                guard (0...1).contains(v) else { throw fail("key 'router.audit': expected a share between 0 and 1, got \(v)") }
                router.audit = v
            }
            if let v = r.strategy { router.strategy = v }
            if let v = r.target_accuracy?.value { router.targetAccuracy = v }
            if let v = r.train_on_gold { router.trainOnGold = v }
            if r.escalate != nil && r.escalate_above != nil {
                throw fail("key 'router.escalate_above': give escalate (a share) or escalate_above (a threshold), not both")
            }
        }
        var cost = CostSettings()
        if let c = raw.cost {
            if let v = c.hourly_rate?.value {
                guard v >= 0, v.isFinite else { throw fail("key 'cost.hourly_rate': expected a rate of 0 or more per person-hour, got \(v)") }
                cost.hourlyRate = v
            }
            if let v = c.seconds_per_item?.value {
                guard v > 0, v.isFinite else { throw fail("key 'cost.seconds_per_item': expected seconds above 0, got \(v)") }
                cost.secondsPerItem = v
            }
            if let v = c.currency { cost.currency = v }
        }
        var quality = QualitySettings()
        if let q = raw.quality {
            if let v = q.min_person_accuracy?.value {
                guard (0...1).contains(v) else { throw fail("key 'quality.min_person_accuracy': expected an accuracy between 0 and 1, got \(v)") }
                quality.minPersonAccuracy = v
            }
            if let v = q.too_fast?.value {
                guard v > 0, v < 1 else { throw fail("key 'quality.too_fast': expected a share of the person's median time between 0 and 1, got \(v)") }
                quality.tooFast = v
            }
            if let v = q.audit_uniform_share?.value {
                guard (0...1).contains(v) else {
                    throw fail("key 'quality.audit_uniform_share': expected the audit draw's uniform share from 0 to 1, got \(v)")
                }
                quality.auditUniformShare = v
            }
            if let v = q.alt_test_epsilon?.value {
                guard v >= 0, v < 1 else { throw fail("key 'quality.alt_test_epsilon': expected the alt-test's margin from 0 to under 1, got \(v)") }
                quality.altTestEpsilon = v
            }
            if let v = q.stop_below { quality.stopBelow = v }
            if quality.stopBelow && quality.minPersonAccuracy == nil {
                throw fail("key 'quality.stop_below': needs quality.min_person_accuracy (the accuracy on gold below which a person is stopped)")
            }
        }
        // [keys] stays plain names here: the app side turns them into its key table and checks them (DuetLaunch's ProjectKeymap).
        let keys = raw.keys ?? [:]
        if let name = raw.project?.name, let problem = Names.problem(name) {
            throw fail("project.name: \"\(Names.shown(name))\" \(problem)")
        }
        var store: StoreSettings?
        if let s = raw.store {
            guard let url = s.url else { throw fail("key 'store.url': missing (postgres://user@host:5432/database)") }
            // The URL's checks are the PostgreSQL backend's own (a password in it is refused; the message never repeats it).
            do { _ = try PostgresConfig(url: url, passwordEnv: s.password_env) } catch let e as PostgresConfigError {
                throw fail("key 'store.\(e.field.hasSuffix("password_env") ? "password_env" : "url")': \(e.reason)")
            }
            store = StoreSettings(url: url, passwordEnv: s.password_env)
        }
        return ProjectConfig(name: raw.project?.name ?? defaultName, tasks: tasks, annotators: annotators, router: router, cost: cost,
                             ui: UISettings(theme: raw.ui?.theme ?? "dark", mouse: raw.ui?.mouse ?? true), keys: keys, store: store,
                             quality: quality)
    }

    static func isEnvName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 128 && s.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" }
            && !("0"..."9").contains(s.unicodeScalars.first!)
    }
}
