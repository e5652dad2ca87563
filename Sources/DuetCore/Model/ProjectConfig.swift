/// The project's settings, as read from duet.toml.
public struct ProjectConfig: Sendable, Hashable {
    public var name: String
    public var tasks: [TaskSpec]
    public var annotators: [AnnotatorSpec]
    public var router: RouterSettings
    public var cost: CostSettings
    public var ui: UISettings
    /// Key remapping from [keys]: action name → key names.
    public var keys: [String: [String]]
    /// Where the project's store is: [store] (nil: the SQLite file beside duet.toml).
    public var store: StoreSettings?
    /// `[quality]`: the checks on people (honeypot accuracy, answers too fast).
    public var quality: QualitySettings

    public init(name: String, tasks: [TaskSpec] = [], annotators: [AnnotatorSpec] = [],
                router: RouterSettings = RouterSettings(), cost: CostSettings = CostSettings(), ui: UISettings = UISettings(),
                keys: [String: [String]] = [:], store: StoreSettings? = nil, quality: QualitySettings = QualitySettings()) {
        self.quality = quality
        self.store = store
        self.keys = keys
        self.cost = cost
        self.name = name
        self.tasks = tasks
        self.annotators = annotators
        self.router = router
        self.ui = ui
    }

    public func task(named name: String) -> TaskSpec? { tasks.first { $0.name == name } }
}

extension ProjectConfig {
    /// The annotator declared under `name` in [[annotators]] (the built-in `local` one needs no declaration).
    public func annotator(named name: String) -> AnnotatorSpec? {
        if let s = annotators.first(where: { $0.name == name }) { return s }
        return name == "local" ? AnnotatorSpec(name: "local", kind: .local) : nil
    }

    /// The name the votes of the annotator called `name` are stored under (the name itself for replayed votes).
    public func voteName(of name: String) -> String { annotator(named: name)?.voteName ?? name }
}

/// `[store]`: a shared PostgreSQL database instead of the SQLite file beside duet.toml.
public struct StoreSettings: Sendable, Hashable {
    /// `postgres://user@host:5432/database[?sslmode=…]` (never with a password in it).
    public var url: String
    /// The *name* of the environment variable that holds the password (never the password).
    public var passwordEnv: String?

    public init(url: String, passwordEnv: String? = nil) {
        self.url = url
        self.passwordEnv = passwordEnv
    }
}

/// A machine annotator declared in duet.toml.
public struct AnnotatorSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case llm, local, replay }
    public var name: String
    public var kind: Kind
    /// llm: base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1
    public var baseURL: String?
    public var model: String?
    /// llm: the *name* of the environment variable that holds the key (never the key).
    public var apiKeyEnv: String?
    /// llm: USD per million prompt / completion tokens, for cost accounting.
    public var promptPrice: Double = 0
    public var completionPrice: Double = 0
    /// llm: requests in flight at once.
    public var concurrency: Int?
    /// llm: seconds per request attempt, and retries after a timeout, 429, 5xx or dropped connection.
    public var timeout: Double?
    public var maxRetries: Int?
    /// llm sampling: temperature, the completion budget, stop sequences, and whether to ask for token
    /// log probabilities (the label's probability as confidence when the answer states none).
    public var temperature: Double?
    public var maxTokens: Int?
    public var stop: [String]?
    public var logprobs: Bool?

    /// The name its votes and decisions are stored under: "local:<name>"
    /// ("local:ensemble" for the default one), "llm:<model>", or the name itself for replayed votes.
    public var voteName: String {
        switch kind {
        case .local: return name == "local" ? "local:ensemble" : "local:" + name
        case .llm: return "llm:" + (model ?? name)
        case .replay: return name
        }
    }

    public init(name: String, kind: Kind, baseURL: String? = nil, model: String? = nil, apiKeyEnv: String? = nil) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
    }
}

public struct RouterSettings: Sendable, Hashable {
    /// Which annotator `duet route` runs before routing when no panel is named.
    public var annotator: String
    /// The panel routed and planned by (declared annotator names or replayed vote names); nil: every
    /// annotator with votes on the task.
    public var annotators: [String]?
    /// Annotators asked in turn, cheapest first: each next one only about the items the ones before are
    /// least sure of (`escalate` of them, or those above `escalateAbove`). Also the panel when `annotators` is unset.
    public var cascade: [String]?
    /// Share of the items people have not labeled that each cascade stage passes on to the next.
    public var escalate: Double = 0.3
    /// Instead of a share: pass on every item whose uncertainty (entropy with support) is above this.
    public var escalateAbove: Double?
    /// Share of items sent to people (0…1).
    public var budget: Double
    /// Share of machine-accepted items also sent to people, blind.
    public var audit: Double
    public var strategy: String
    /// Accuracy the machine labels should reach (audit warnings).
    public var targetAccuracy: Double
    /// Let the built-in annotator learn from gold labels (and the dataset's
    /// own preferences for pairs) as well as from people's labels.
    public var trainOnGold: Bool

    public init(annotator: String = "local", budget: Double = 0.3, audit: Double = 0.05, strategy: String = "default",
                targetAccuracy: Double = 0.9, trainOnGold: Bool = false) {
        self.trainOnGold = trainOnGold
        self.annotator = annotator
        self.budget = budget
        self.audit = audit
        self.strategy = strategy
        self.targetAccuracy = targetAccuracy
    }
}

/// `[cost]`: what people's time costs, for `duet plan`.
public struct CostSettings: Sendable, Hashable {
    /// Currency units per person-hour; 0 = unknown (plans then count person-hours only).
    public var hourlyRate: Double
    /// Seconds a person spends per item, used only until the store has measured human seconds.
    public var secondsPerItem: Double
    /// Printed before amounts. LLM prices are added as given, so give them in the same currency.
    public var currency: String

    public init(hourlyRate: Double = 0, secondsPerItem: Double = 30, currency: String = "$") {
        self.hourlyRate = hourlyRate
        self.secondsPerItem = secondsPerItem
        self.currency = currency
    }
}

public struct UISettings: Sendable, Hashable {
    public var theme: String
    /// Clicks and the wheel act on the screens (`[ui] mouse`, default on).
    public var mouse: Bool
    public init(theme: String = "dark", mouse: Bool = true) {
        self.theme = theme
        self.mouse = mouse
    }
}

/// `[quality]`: the checks on people and the estimates' two design choices. People's accuracy on gold items
/// (honeypots, `TaskSpec.honeypotRate`) is compared with `minPersonAccuracy`; with `stopBelow`, a person shown
/// to be below it gets no new items. `auditUniformShare` shapes `duet route`'s audit draw, `altTestEpsilon`
/// the alt-test (docs/estimates.md).
public struct QualitySettings: Sendable, Hashable {
    /// A person whose 95% interval of accuracy on gold lies wholly below this is flagged (nil: no check).
    public var minPersonAccuracy: Double?
    /// Stop serving new items to a flagged person (the label screen says why).
    public var stopBelow: Bool
    /// An answer faster than this share of the person's own median seconds per decision is flagged as too fast.
    public var tooFast: Double
    /// The uniform share γ of the audit design (`ActiveSampling`, `Router.audits`; `audit_uniform_share`, 0 to 1):
    /// that share of every kept item's audit weight is the same for all, the rest rises with the router's
    /// uncertainty. 0.5 by default: no kept item goes unaudited for long and the 1/π weights stay bounded (at
    /// most about 1/γ times the audit share's inverse); 1 draws uniformly, 0 by uncertainty alone.
    public var auditUniformShare: Double
    /// The alt-test's cost–benefit margin ε (`AltTest`; `alt_test_epsilon`, from 0 to under 1): 0.2 by default,
    /// the authors' figure for expert annotators (0.15 skilled, 0.1 crowd workers).
    public var altTestEpsilon: Double

    public init(minPersonAccuracy: Double? = nil, stopBelow: Bool = false, tooFast: Double = 0.25, auditUniformShare: Double = 0.5,
                altTestEpsilon: Double = 0.2) {
        self.minPersonAccuracy = minPersonAccuracy
        self.stopBelow = stopBelow
        self.tooFast = tooFast
        self.auditUniformShare = auditUniformShare
        self.altTestEpsilon = altTestEpsilon
    }
}
