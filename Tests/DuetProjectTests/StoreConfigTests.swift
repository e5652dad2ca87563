import DuetCore
import Testing
@testable import DuetProject

/// `[store]` in duet.toml: a shared PostgreSQL database, its password only ever named.
@Suite struct StoreConfigTests {
    static let task = "[[tasks]]\nname = \"s\"\nkind = \"classify\"\nlabels = [\"a\", \"b\"]\n"

    func error(_ text: String) -> String? {
        do { _ = try ConfigFile.parse(text, file: "/p/duet.toml"); return nil } catch { return "\(error)" }
    }

    @Test func aStoreURLAndItsPasswordVariableAreRead() throws {
        let config = try ConfigFile.parse(Self.task + "[store]\nurl = \"postgres://ana@db.example:5433/labels?sslmode=require\"\npassword_env = \"DUET_PG\"\n",
                                          file: "/p/duet.toml")
        #expect(config.store == StoreSettings(url: "postgres://ana@db.example:5433/labels?sslmode=require", passwordEnv: "DUET_PG"))
        #expect(try ConfigFile.parse(Self.task, file: "/p/duet.toml").store == nil)
    }

    @Test func aBadStoreIsNamedByLineAndKeyAndThePasswordIsNeverRepeated() {
        let secret = Self.task + "[store]\nurl = \"postgres://ana:hunter2@db/labels\"\n"
        let e = error(secret)
        #expect(e?.hasPrefix("/p/duet.toml:6: key 'store.url': carries a password") == true)
        #expect(e?.contains("hunter2") == false)
        #expect(error(Self.task + "[store]\npassword_env = \"X\"\n") == "/p/duet.toml:5: key 'store.url': missing (postgres://user@host:5432/database)")
        #expect(error(Self.task + "[store]\nurl = \"mysql://a@b/c\"\n")?.hasPrefix("/p/duet.toml:6: key 'store.url': must start with postgres://") == true)
        #expect(error(Self.task + "[store]\nurl = \"postgres://a@b/c\"\npassword_env = \"hunter 2\"\n")?
            .hasPrefix("/p/duet.toml:7: key 'store.password_env': must be the name of an environment variable") == true)
        #expect(error(Self.task + "[store]\nurl = \"postgres://a@b/c\"\npasword_env = \"X\"\n")?.contains("did you mean 'password_env'") == true)
    }
}
