import DuetApp
import DuetCore
import DuetProject
import Foundation
import TOMLKit
import TermUI

/// Themes are TOML files in a themes/ folder, read at run time.
public enum ThemeFile {
    static let colorNames: [String: Color] = [
        "default": .default, "black": .index(0), "red": .index(1), "green": .index(2), "yellow": .index(3), "blue": .index(4),
        "magenta": .index(5), "cyan": .index(6), "white": .index(7), "bright-black": .index(8), "gray": .index(8), "grey": .index(8),
        "bright-red": .index(9), "bright-green": .index(10), "bright-yellow": .index(11), "bright-blue": .index(12),
        "bright-magenta": .index(13), "bright-cyan": .index(14), "bright-white": .index(15),
    ]

    /// Folders searched for themes: $DUET_THEMES, the project's themes/,
    /// ./themes, then the source checkout's themes/.
    public static func searchPath(project: URL?, sourceFile: String = #filePath) -> [URL] {
        var dirs: [URL] = []
        if let env = ProcessInfo.processInfo.environment["DUET_THEMES"], !env.isEmpty { dirs.append(URL(fileURLWithPath: env)) }
        if let project { dirs.append(project.appendingPathComponent("themes")) }
        dirs.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("themes"))
        dirs.append(URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("themes"))
        return dirs
    }

    /// The theme to use: NO_COLOR forces mono; otherwise `name` from the search path.
    public static func resolve(name: String, project: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Theme {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .mono }
        for dir in searchPath(project: project) {
            let file = dir.appendingPathComponent(name + ".toml")
            if FileManager.default.fileExists(atPath: file.path) { return try load(file) }
        }
        if name == "mono" { return .mono }
        let available = available(project: project, environment: environment)
        throw ConfigError(file: "themes/\(name).toml", message: "no such theme\(available.isEmpty ? "" : " (available: \(available.joined(separator: ", ")))")")
    }

    /// The names of the themes on the search path, sorted (NO_COLOR: mono alone).
    public static func available(project: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let v = environment["NO_COLOR"], !v.isEmpty { return ["mono"] }
        return Set(searchPath(project: project).flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
        }).sorted()
    }

    public static func load(_ url: URL) throws -> Theme {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(file: url.path, message: "cannot read it: \(FileErrors.reason(error) ?? "\(error)")")
        }
        return try parse(text, file: url.path)
    }

    public static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(file: "\(file):\(e.source.begin.line)", message: e.description)
        }
        var styles = Theme.mono.styles
        guard let raw = table["styles"] else { throw ConfigError(file: file, message: "missing [styles] table") }
        guard let s = raw.table else { throw ConfigError(file: file, message: "key 'styles': expected a table") }
        for key in s.keys {
            guard let role = Role(rawValue: key) else {
                throw ConfigError(file: file, message: "key 'styles.\(key)': unknown role (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let entry = s[key]?.table else { throw ConfigError(file: file, message: "key 'styles.\(key)': expected an inline table like { fg = \"red\", bold = true }") }
            styles[role] = try style(entry, path: "styles.\(key)", file: file)
        }
        let name = table["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return Theme(name: name, styles: styles)
    }

    static func style(_ t: TOMLTable, path: String, file: String) throws -> Style {
        var style = Style()
        let flags: [(String, Attributes)] = [("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse), ("italic", .italic)]
        for key in t.keys {
            let value = t[key]!
            switch key {
            case "fg", "bg":
                let color = try self.color(value, path: "\(path).\(key)", file: file)
                if key == "fg" { style.fg = color } else { style.bg = color }
            default:
                guard let flag = flags.first(where: { $0.0 == key })?.1 else {
                    throw ConfigError(file: file, message: "key '\(path).\(key)': unknown (use fg, bg, bold, dim, underline, reverse, italic)")
                }
                guard let on = value.bool else { throw ConfigError(file: file, message: "key '\(path).\(key)': expected true or false") }
                if on { style.attributes.insert(flag) }
            }
        }
        return style
    }

    static func color(_ v: TOMLValueConvertible, path: String, file: String) throws -> Color {
        if let n = v.int {
            guard (0...255).contains(n) else { throw ConfigError(file: file, message: "key '\(path)': colour numbers go from 0 to 255, got \(n)") }
            return .index(UInt8(n))
        }
        if let name = v.string, let c = colorNames[name.lowercased()] { return c }
        throw ConfigError(file: file, message: "key '\(path)': expected a colour name (\(colorNames.keys.sorted().joined(separator: ", "))) or 0–255")
    }
}
