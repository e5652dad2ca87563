import DuetApp
import DuetCore
import Foundation
import TOMLKit

/// A problem in duet.toml (or another config file), naming the file and the
/// line or key.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
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

/// duet.toml as written by people. Decoded leniently (unknown keys are
/// ignored so that later versions' settings do not break older ones), then
/// checked and turned into a `ProjectConfig`.
struct RawConfig: Decodable {
    struct Project: Decodable {
        var name: String?
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
    }
    struct Router: Decodable {
        var annotator: String?
        var budget: TOMLNumber?
        var audit: TOMLNumber?
        var strategy: String?
        var target_accuracy: TOMLNumber?
        var train_on_gold: Bool?
    }
    struct Cost: Decodable {
        var hourly_rate: TOMLNumber?
        var seconds_per_item: TOMLNumber?
        var currency: String?
    }
    struct UI: Decodable {
        var theme: String?
    }
    var project: Project?
    var tasks: [Task]?
    var annotators: [Annotator]?
    var router: Router?
    var cost: Cost?
    var ui: UI?
    var keys: [String: [String]]?
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
        do {
            raw = try TOMLDecoder().decode(RawConfig.self, from: text)
        } catch let e as TOMLParseError {
            throw ConfigError(file: "\(file):\(e.source.begin.line)", message: e.description)
        } catch let e as DecodingError {
            throw ConfigError(file: file, message: describe(e))
        }
        return try validate(raw, file: file, defaultName: defaultName)
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case .keyNotFound(let key, let ctx):
            let p = path(ctx.codingPath)
            return "missing key '\(key.stringValue)'\(p.isEmpty ? "" : " in \(p)")"
        case .typeMismatch(let type, let ctx):
            return "key '\(path(ctx.codingPath))': expected \(typeName(type))"
        case .valueNotFound(let type, let ctx):
            return "key '\(path(ctx.codingPath))': expected \(typeName(type))"
        case .dataCorrupted(let ctx):
            return "key '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default:
            return "\(e)"
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is [String].Type: return "a list of strings"
        case is [Int].Type: return "a list of integers"
        default: return "\(t)"
        }
    }

    static func validate(_ raw: RawConfig, file: String, defaultName: String) throws -> ProjectConfig {
        func fail(_ message: String) -> ConfigError { ConfigError(file: file, message: message) }
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
                                showSource: t.show_source ?? false, seed: t.seed ?? 0, overlap: t.overlap ?? 1)
            if let problem = spec.validationErrors().first { throw fail("tasks[\(i)]: \(problem)") }
            if tasks.contains(where: { $0.name == spec.name }) { throw fail("tasks[\(i)]: task '\(spec.name)' is declared twice") }
            tasks.append(spec)
        }
        var annotators: [AnnotatorSpec] = []
        for (i, a) in (raw.annotators ?? []).enumerated() {
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
            annotators.append(spec)
        }
        var router = RouterSettings()
        if let r = raw.router {
            if let v = r.annotator { router.annotator = v }
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
        let keys = raw.keys ?? [:]
        do { _ = try Keymap.defaults.remapped(keys) } catch { throw fail(error.message) }
        return ProjectConfig(name: raw.project?.name ?? defaultName, tasks: tasks, annotators: annotators, router: router, cost: cost,
                             ui: UISettings(theme: raw.ui?.theme ?? "dark"), keys: keys)
    }

    static func isEnvName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 128 && s.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" }
            && !("0"..."9").contains(s.unicodeScalars.first!)
    }
}
