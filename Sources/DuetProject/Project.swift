import DuetCore
import DuetPostgres
import DuetStoreAPI
import DuetStore
import Foundation

/// Errors a person can act on, worded for the command line.
public struct DuetError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A project on disk: a folder with duet.toml and duet.sqlite.
public final class Project {
    public static let storeFileName = "duet.sqlite"

    public let root: URL
    public private(set) var config: ProjectConfig
    /// The store, by its roles: opened as an `SQLiteStore` (its read-only open is decided here, at
    /// open time); the workflows ask it only for the roles they use.
    public let store: any DuetStoreBackend
    /// A shared store's tasks against duet.toml's (nil for a SQLite project, whose duet.toml is applied on
    /// every open): what `duet task apply` would change. The project serves the store's tasks.
    public private(set) var taskChanges: TaskChanges?
    /// duet.toml's tasks as the file has them (for a shared store, `config.tasks` are the store's).
    public private(set) var fileTasks: [TaskSpec]

    public var configURL: URL { root.appendingPathComponent(ConfigFile.fileName) }

    init(root: URL, config: ProjectConfig, store: any DuetStoreBackend, taskChanges: TaskChanges? = nil, fileTasks: [TaskSpec]? = nil) {
        self.root = root
        self.config = config
        self.store = store
        self.taskChanges = taskChanges
        self.fileTasks = fileTasks ?? config.tasks
    }

    /// Where the project's store is, in words (for status lines).
    public var storeDescription: String {
        if let shared = config.store, let c = try? PostgresConfig(url: shared.url, passwordEnv: shared.passwordEnv) { return c.description }
        return root.appendingPathComponent(Self.storeFileName).path
    }

    /// Whether a command may change the project.
    public enum Mode: Sendable {
        /// Commands that only read (status, export, plan, agreement): the
        /// store is opened read-only (see `SQLiteStore.open(path:readOnly:)`)
        /// and nothing is written, so they work on a read-only store or folder.
        /// A store that needs bringing up to date first (a newer schema,
        /// tasks changed in duet.toml) is brought up to date, which needs write access.
        case readOnly
        case readWrite
    }

    public static let logFileName = "duet.log"

    /// Opens the project in `root`: reads duet.toml, opens the store and
    /// brings its task table in line with the config. The store must exist:
    /// only `create` (`duet init`) makes a new one.
    ///
    /// A project whose duet.toml names a shared store (`[store] url`) opens only through the async `open`.
    public static func open(at root: URL, mode: Mode = .readWrite) throws -> Project {
        try open(at: root, mode: mode, creating: false)
    }

    /// Opens the project in `root`, on SQLite or on the shared PostgreSQL store its duet.toml names. A
    /// shared store's tasks are the team's: the project serves them, and `taskChanges` says how
    /// duet.toml differs (`duet task apply` applies it); opening never changes them.
    public static func open(at root: URL, mode: Mode = .readWrite,
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Project {
        let config = try ConfigFile.load(root.appendingPathComponent(ConfigFile.fileName))
        guard let shared = config.store else { return try open(at: root, mode: mode, creating: false) }
        return try await openShared(root: root, config: config, shared: shared, intent: .attach, environment: environment).project
    }

    /// A project on a shared store: attached (or, for `duet init --store`, created in an empty
    /// database, its tasks then duet.toml's).
    static func openShared(root: URL, config: ProjectConfig, shared: StoreSettings, intent: PostgresProject.Intent,
                           environment: [String: String]) async throws -> (project: Project, created: Bool) {
        let settings = try PostgresConfig(url: shared.url, passwordEnv: shared.passwordEnv)
        let pool = try await PostgresPool.open(settings, environment: environment, maximumConnections: 4)
        let opening: PostgresProject.Opening
        do { opening = try await PostgresProject.open(pool, intent: intent) } catch {
            await pool.close()
            throw error
        }
        let store = PostgresStore(pool: pool)
        if opening == .created { try await store.syncTasks(config.tasks) }
        let stored = try await store.storedTasks()
        var served = config
        served.tasks = stored
        let changes = TaskChanges(stored: stored, proposed: config.tasks)
        return (Project(root: root, config: served, store: store, taskChanges: changes, fileTasks: config.tasks), opening == .created)
    }

    /// `duet task apply`: makes the shared store's tasks duet.toml's (adds and changes; never deletes).
    /// Returns what changed (empty: nothing to do).
    public func applyTasks(dryRun: Bool) async throws -> TaskChanges {
        let stored = try await store.storedTasks()
        let changes = TaskChanges(stored: stored, proposed: fileTasks)
        guard !dryRun, !changes.isEmpty else { return changes }
        try await store.syncTasks(fileTasks)
        config.tasks = try await store.storedTasks()
        taskChanges = TaskChanges(stored: config.tasks, proposed: fileTasks)
        return changes
    }

    static func open(at root: URL, mode: Mode, creating: Bool) throws -> Project {
        let config = try ConfigFile.load(root.appendingPathComponent(ConfigFile.fileName))
        if config.store != nil {
            throw DuetError("\(root.path): duet.toml names a shared store ([store] url): this command cannot open it")
        }
        let path = root.appendingPathComponent(storeFileName).path
        if !creating { try checkStoreExists(path) }
        if mode == .readOnly {
            let store = try SQLiteStore.open(path: path, readOnly: true)
            if try store.isCurrent(tasks: config.tasks) { return Project(root: root, config: config, store: store) }
        }
        do {
            let store = try SQLiteStore.open(path: path)
            try store.syncTasks(config.tasks)
            return Project(root: root, config: config, store: store)
        } catch where mode == .readOnly {
            throw DuetError("""
                \(path) needs an update before it can be read (tasks changed in \(ConfigFile.fileName), or a newer \
                Duet's schema) and cannot be written (\(error)); run any command once where the project is writable
                """)
        }
    }

    /// A project's store is never made anew by opening it: a missing or empty
    /// duet.sqlite beside duet.toml is a lost store, not a new project.
    static func checkStoreExists(_ path: String) throws {
        let restore = "restore it from a backup, or start a new project with `duet init` in another folder"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw DuetError("\(path) is missing: the project's store (its items and every decision) is not there; \(restore)")
        }
        if (attributes[.size] as? NSNumber)?.intValue == 0 {
            throw DuetError("\(path) is empty: the project's store (its items and every decision) has no data; \(restore)")
        }
    }

    /// Finds the project: `--project DIR`, then `$DUET_PROJECT`, then the
    /// nearest folder at or above `cwd` holding a duet.toml.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              cwd: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> URL {
        let fm = FileManager.default
        func check(_ dir: URL, from source: String) throws -> URL {
            guard fm.fileExists(atPath: dir.appendingPathComponent(ConfigFile.fileName).path) else {
                throw DuetError("\(source) \(dir.path) has no \(ConfigFile.fileName); create a project there with `duet init \(dir.path)`")
            }
            return dir.standardizedFileURL
        }
        if let explicit, !explicit.isEmpty {
            return try check(URL(fileURLWithPath: explicit, relativeTo: cwd), from: "--project")
        }
        if let env = environment["DUET_PROJECT"], !env.isEmpty {
            return try check(URL(fileURLWithPath: env, relativeTo: cwd), from: "DUET_PROJECT")
        }
        var dir = cwd.standardizedFileURL
        while true {
            if fm.fileExists(atPath: dir.appendingPathComponent(ConfigFile.fileName).path) { return dir }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw DuetError("no Duet project here: no \(ConfigFile.fileName) in \(cwd.path) or above. Create one with `duet init [DIR]`, or point to one with --project DIR or DUET_PROJECT")
    }

    /// Creates a project: duet.toml from a template and an empty store (WAL).
    @discardableResult
    /// `example`: add the template's example task (else duet.toml holds it commented out).
    public static func create(at root: URL, template: Template, name: String? = nil, example: Bool = false) throws -> Project {
        try prepare(at: root, template: template, name: name, example: example, store: nil)
        return try open(at: root, mode: .readWrite, creating: true)
    }

    /// `duet init DIR --store URL`: duet.toml with `[store]`, and the project created in the empty
    /// database the URL names, or joined when the database holds one (its tasks then the team's; never
    /// wiped). `created` says which.
    public static func create(at root: URL, template: Template, name: String? = nil, example: Bool = false, store: StoreSettings,
                              environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> (project: Project, created: Bool) {
        // The URL is checked before anything is written.
        _ = try PostgresConfig(url: store.url, passwordEnv: store.passwordEnv)
        try prepare(at: root, template: template, name: name, example: example, store: store)
        let config = try ConfigFile.load(root.appendingPathComponent(ConfigFile.fileName))
        do {
            return try await openShared(root: root, config: config, shared: store, intent: .createOrAttach, environment: environment)
        } catch {
            // Nothing is left half made: the folder's duet.toml goes (the database was not changed, or holds the project).
            try? FileManager.default.removeItem(at: root.appendingPathComponent(ConfigFile.fileName))
            throw error
        }
    }

    /// Writes duet.toml from the template (with `[store]` for a shared store).
    static func prepare(at root: URL, template: Template, name: String?, example: Bool, store: StoreSettings?) throws {
        let fm = FileManager.default
        let configURL = root.appendingPathComponent(ConfigFile.fileName)
        if fm.fileExists(atPath: configURL.path) {
            throw DuetError("\(configURL.path) already exists; this folder is a Duet project already")
        }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let projectName = name ?? root.standardizedFileURL.lastPathComponent
        var text = template.render(projectName: projectName, example: example)
        if let store {
            text += "\n# The project's store: a shared PostgreSQL database (the password in the variable password_env names).\n"
            text += "[store]\nurl = \"\(TOMLText.escape(store.url))\"\n"
            if let env = store.passwordEnv { text += "password_env = \"\(TOMLText.escape(env))\"\n" }
        }
        try text.write(to: configURL, atomically: true, encoding: .utf8)
    }

    /// Adds a task: appends a [[tasks]] block to duet.toml (comments and
    /// layout stay as they are) and registers it in the store.
    public func addTask(_ spec: TaskSpec) async throws {
        if let problem = spec.validationErrors().first { throw DuetError(problem) }
        if config.task(named: spec.name) != nil {
            throw DuetError("task '\(spec.name)' exists already (see `duet task list`)")
        }
        let old = try String(contentsOf: configURL, encoding: .utf8)
        let new = old + (old.hasSuffix("\n") ? "" : "\n") + TOMLText.taskBlock(spec)
        // Check the result parses before it replaces the file.
        let parsed = try ConfigFile.parse(new, file: configURL.path, defaultName: config.name)
        try new.write(to: configURL, atomically: true, encoding: .utf8)
        config = parsed
        try await store.syncTasks(config.tasks)
    }

    /// The task named `name`, or the only task when `name` is nil.
    public func task(_ name: String?) throws -> TaskSpec {
        if let name {
            guard let t = config.task(named: name) else {
                let known = config.tasks.map(\.name).joined(separator: ", ")
                throw DuetError("no task '\(Names.shown(name))'\(known.isEmpty ? "; add one with `duet task add`" : " (tasks: \(known))")")
            }
            return t
        }
        guard config.tasks.count == 1 else {
            if config.tasks.isEmpty { throw DuetError("the project has no tasks; add one with `duet task add NAME --kind classify --labels a,b`") }
            throw DuetError("several tasks: choose one with --task (\(config.tasks.map(\.name).joined(separator: ", ")))")
        }
        return config.tasks[0]
    }
}
