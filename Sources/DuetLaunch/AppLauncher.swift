import DuetApp
import DuetCore
import DuetProject
import Foundation
import TermUI

/// What `duet` / `duet label` were asked to open.
public struct LaunchOptions: Sendable {
    /// `duet label`: open a task (`task`, or the only one) instead of the dashboard.
    public var label: Bool
    /// `duet triage`: open the task's routed queue as a table.
    public var triage: Bool = false
    /// `duet adjudicate`: open the task's disagreements; `peopleOnly` leaves machines out.
    public var adjudicate: Bool = false
    public var peopleOnly: Bool = false
    /// `duet adjudicate --doubts`: the doubt queue only (people's labels a kept machine label or two others contradict).
    public var doubtsOnly: Bool = false
    public var task: String?
    public var annotator: String?
    public var theme: String?

    public init(label: Bool = false, task: String? = nil, annotator: String? = nil, theme: String? = nil) {
        self.label = label
        self.task = task
        self.annotator = annotator
        self.theme = theme
    }
}

/// Builds the app for a project. Everything that can fail (task, theme,
/// keys) is checked here, before the screen opens.
public enum AppLauncher {
    public struct Prepared {
        public var state: AppState
        public var startEffects: [Effect]
    }

    public static func prepare(project: Project, options: LaunchOptions, size: (width: Int, height: Int),
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Prepared {
        let annotator = try annotatorName(options.annotator, environment: environment)
        let theme = try ThemeFile.resolve(name: options.theme ?? project.config.ui.theme, project: project.root, environment: environment)
        let keymap = try ProjectKeymap.keymap(for: project)
        var state = AppState(width: size.width, height: size.height, tasks: project.config.tasks, annotator: annotator,
                             theme: theme, keymap: keymap)
        state.targetAccuracy = project.config.router.targetAccuracy
        state.mouse = project.config.ui.mouse
        state.quality = project.config.quality
        // The palette's themes: the bundled ones and the project's, the one in use among them.
        state.themes = ThemeFile.available(project: project.root, environment: environment).compactMap { name in
            name == theme.name ? theme : try? ThemeFile.resolve(name: name, project: project.root, environment: environment)
        }
        // `duet label` opens its task (or the only one) and q quits; `duet`
        // and `duet label` with several tasks open the dashboard, where q on
        // a task goes back.
        let only = project.config.tasks.count == 1 ? project.config.tasks[0].name : nil
        if options.triage {
            let task = try project.task(options.task ?? only)
            state.startedOnDashboard = false
            let effects = App.openTriage(&state, task)
            return Prepared(state: state, startEffects: effects)
        }
        if options.adjudicate {
            let task = try project.task(options.task ?? only)
            state.startedOnDashboard = false
            let effects = App.openAdjudication(&state, task, peopleOnly: options.peopleOnly, doubtsOnly: options.doubtsOnly)
            return Prepared(state: state, startEffects: effects)
        }
        if options.label, let name = options.task ?? only {
            let task = try project.task(name)
            state.startedOnDashboard = false
            let effects = App.openTask(&state, task)
            return Prepared(state: state, startEffects: effects)
        }
        return Prepared(state: state, startEffects: [.loadDashboard])
    }

    /// `--as NAME`, else $USER, else "annotator". Names are what exports show.
    public static func annotatorName(_ explicit: String?, environment: [String: String]) throws -> String {
        let name = (explicit ?? environment["USER"] ?? environment["LOGNAME"] ?? "annotator").trimmingCharacters(in: .whitespaces)
        if let problem = Names.problem(name) { throw DuetError("annotator name \"\(Names.shown(name))\" \(problem) (--as NAME)") }
        guard name.count <= 64 else { throw DuetError("annotator name \"\(name)\" is longer than 64 characters (--as NAME)") }
        guard !name.hasPrefix("source:"), !name.hasPrefix("llm:"), !name.hasPrefix("local:"), !Adjudication.isAdjudicator(name) else {
            throw DuetError("annotator name \"\(name)\": the prefixes source:, llm:, local: and adjudicator: are Duet's own")
        }
        return name
    }
}
