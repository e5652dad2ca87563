import DuetApp
import DuetProject
import Foundation

/// duet.toml's [keys], plain names as DuetProject reads them, turned into the app's key table (`Keymap`):
/// checked here, on the executable's side, each problem pointing at its line of duet.toml.
public enum ProjectKeymap {
    /// The key table for `project`: `Keymap.defaults` with its [keys] applied.
    public static func keymap(for project: Project) throws -> Keymap {
        try keymap(project.config.keys, text: (try? String(contentsOf: project.configURL, encoding: .utf8)) ?? "", file: project.configURL.path)
    }

    /// `keys` applied to `Keymap.defaults`; a problem as a `ConfigError` at its line of `text` (duet.toml, read from `file`).
    public static func keymap(_ keys: [String: [String]], text: @autoclosure () -> String, file: String) throws -> Keymap {
        do { return try Keymap.defaults.remapped(keys) } catch {
            throw ConfigFile.error(error.message, text: text(), file: file)
        }
    }
}
