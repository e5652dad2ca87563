import DuetCore

/// duet.toml as `duet init` writes it: commented, so a person can edit it.
public enum Template: String, CaseIterable, Sendable {
    case classify, compare, review

    static let header = """
    # Duet project settings. Edit freely: every command reads this file.
    # `duet task add` appends [[tasks]] blocks at the end.

    [project]
    name = "%NAME%"

    [ui]
    theme = "dark"            # dark | light | high-contrast | mono (NO_COLOR forces mono)

    # Machine annotators. The built-in `local` one learns from your labels and
    # needs no network. An OpenAI-compatible server (vLLM, llama.cpp, Ollama,
    # OpenAI) is declared like the commented example; the API key is read from
    # the environment variable *named* in api_key_env and is never stored.
    [[annotators]]
    name = "local"
    kind = "local"

    # [[annotators]]
    # name = "gpt"
    # kind = "llm"
    # base_url = "http://localhost:8000/v1"
    # model = "my-model"
    # api_key_env = "OPENAI_API_KEY"

    # Keys can be remapped: action = ["key", ...]. Actions and defaults: press ? in the app.
    # [keys]
    # skip = ["space", "s"]
    # undo = ["u", "backspace"]

    # The router decides which items the machine keeps and which go to people.
    [router]
    annotator = "local"       # which annotator `duet route` runs first (when no panel is named)
    # annotators = ["local", "gpt"]  # the panel routed by; default: every annotator with votes on the task
    budget = 0.3              # share of items sent to people
    audit = 0.05              # share of machine-accepted items also checked by people, blind
    strategy = "default"      # default | entropy | confidence | calibrated | random
    target_accuracy = 0.9     # warn when audited machine accuracy may fall below this
    train_on_gold = false     # let the built-in annotator learn from gold labels too

    # What people's time costs, for `duet plan` (person-hours × hourly_rate + the
    # machine annotator's tokens × its prices, in one currency).
    # [cost]
    # hourly_rate = 20        # per person-hour; 0 = unknown: plans show person-hours only
    # seconds_per_item = 30   # assumed until people's labeling time has been measured
    # currency = "$"

    """

    static let examples: [Template: TaskSpec] = [
        .classify: TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"],
                            guidelines: "Label the overall sentiment of the text.\nneutral: facts, questions, or no clear feeling."),
        .compare: TaskSpec(name: "preference", kind: .compare,
                           guidelines: "Which response is more helpful, honest and harmless?\nt = tie when both are equally good; x = both bad."),
        .review: TaskSpec(name: "review", kind: .review,
                          guidelines: "Accept a response that follows the instruction correctly; edit small mistakes; reject the rest."),
    ]

    /// The template's example task (classify: sentiment, compare: preference, review: review).
    public var exampleTask: TaskSpec { Template.examples[self]! }

    /// duet.toml for a new project. The example task is written commented out, as a model to copy, unless
    /// `example` asks for it (`duet init --example`): a project starts with the tasks someone asked for.
    public func render(projectName: String, example: Bool = false) -> String {
        var out = Template.header.replacingOccurrences(of: "%NAME%", with: TOMLText.escape(projectName))
        out += "# Tasks: what people label. kind = classify | multilabel | rate | review | compare\n"
        if example { return out + TOMLText.taskBlock(exampleTask) }
        out += "# Add one with `duet task add NAME --kind \(exampleTask.kind.rawValue)\(exampleTask.labels.isEmpty ? "" : " --labels a,b,c")`, "
            + "or uncomment this example:\n"
        for line in TOMLText.taskBlock(exampleTask).split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast() {
            out += line.isEmpty ? "#\n" : "# \(line)\n"
        }
        return out
    }
}

/// Writing TOML text by hand, so that appending keeps people's comments.
public enum TOMLText {
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if ch.value < 0x20 || ch.value == 0x7F {
                    let hex = String(ch.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }

    public static func quoted(_ s: String) -> String { "\"" + escape(s) + "\"" }

    public static func taskBlock(_ t: TaskSpec) -> String {
        var out = "\n[[tasks]]\n"
        out += "name = \(quoted(t.name))\n"
        out += "kind = \(quoted(t.kind.rawValue))\n"
        if let d = t.dataset { out += "dataset = \(quoted(d))\n" } else { out += "# dataset = \"...\"        # only items of this dataset (default: all of a fitting kind)\n" }
        if !t.labels.isEmpty { out += "labels = [" + t.labels.map(quoted).joined(separator: ", ") + "]\n" }
        if t.kind == .rate || t.kind == .review { out += "scale = [\(t.scale.lowerBound), \(t.scale.upperBound)]\n" }
        if t.kind == .compare {
            out += "show_source = \(t.showSource)      # show the dataset's own preference (judging is blind when false)\n"
            out += "seed = \(t.seed)                   # seed of the random A/B sides (per item and annotator)\n"
        }
        if t.overlap > 1 { out += "overlap = \(t.overlap)                # people per item\n" }
        if t.honeypotRate > 0 { out += "honeypot_rate = \(t.honeypotRate)    # share of a person's items that are gold checks, served blind\n" }
        if let g = t.guidelines {
            if g.contains("'''") || g.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
                out += "guidelines = \(quoted(g))\n"
            } else {
                // The newline after the opening quotes is not part of the value in TOML.
                out += "guidelines = '''\n\(g)'''\n"
            }
        }
        return out
    }
}
