import Testing
@testable import DuetPostgres

/// `[store] url` and `password_env`: what is read, what is refused, and that no password is ever repeated.
/// (No server needed.)
@Suite struct PostgresConfigTests {
    static let secret = "s3cret-Hunter2"

    @Test func readsAFullURL() throws {
        let c = try PostgresConfig(url: "postgres://ann@db.example.org:6543/labels?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                                   passwordEnv: "DUET_PG_PASSWORD")
        #expect(c == PostgresConfig(host: "db.example.org", port: 6543, user: "ann", database: "labels", tls: .verifyFull,
                                    rootCertificatePath: "/etc/ca.pem", passwordEnv: "DUET_PG_PASSWORD"))
    }

    @Test func defaultsAndSpellings() throws {
        let c = try PostgresConfig(url: "postgresql://ann@localhost/labels")
        #expect(c.port == 5432)
        #expect(c.tls == .prefer)
        #expect(c.passwordEnv == nil)
        #expect(try c.password(in: [:]) == nil)
        let v6 = try PostgresConfig(url: "postgres://a%40b@[::1]:5433/my%20db?sslmode=require")
        #expect(v6.host == "::1")
        #expect(v6.user == "a@b")
        #expect(v6.database == "my db")
        #expect(v6.tls == .require)
        for mode in PostgresConfig.TLSMode.allCases {
            #expect(try PostgresConfig(url: "postgres://a@h/d?sslmode=\(mode.rawValue)").tls == mode)
        }
    }

    @Test func theURLItPrintsReadsBackTheSame() throws {
        for text in ["postgres://ann@db.example.org:6543/labels?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                     "postgres://a%40b@[::1]:5433/my%20db?sslmode=require", "postgres://ann@localhost:5432/labels"] {
            let c = try PostgresConfig(url: text)
            #expect(try PostgresConfig(url: c.url) == c, "\(text) → \(c.url)")
        }
    }

    /// Each bad URL names the field and says what is wrong.
    @Test(arguments: [
        ("mysql://ann@h/db", "postgres://"),
        ("postgres:///db", "no host"),
        ("postgres://h:5432/db", "no user"),
        ("postgres://ann@h:5432", "no database"),
        ("postgres://ann@h:5432/", "no database"),
        ("postgres://ann@h:5432/a/b", "one name"),
        ("postgres://ann@h:0/db", "outside"),
        ("postgres://ann@h/db?sslmode=always", "sslmode must be one of"),
        ("postgres://ann@h/db?user=bob", "unknown parameter 'user'"),
        ("postgres://ann@h/db?sslmode=require&sslrootcert=/ca.pem", "needs sslmode=verify"),
        ("not a url at all", "postgres://"),
    ])
    func badURLsSayWhatIsWrong(_ text: String, _ expected: String) {
        #expect {
            _ = try PostgresConfig(url: text)
        } throws: { error in
            guard let e = error as? PostgresConfigError else { return false }
            return e.field == "[store] url" && e.description.hasPrefix("[store] url: ") && e.description.contains(expected)
        }
    }

    /// A password in the URL is refused, and neither the error nor anything else repeats it.
    @Test func aPasswordInTheURLIsRefusedUnseen() {
        for text in ["postgres://ann:\(Self.secret)@h:5432/db", "postgres://ann:\(Self.secret)@h/db?sslmode=bogus",
                     "mysql://ann:\(Self.secret)@h/db", "postgres://ann:@h/db"] {
            do {
                _ = try PostgresConfig(url: text)
                Issue.record("accepted \(text)")
            } catch {
                let said = "\(error) \(String(reflecting: error))"
                #expect(said.contains("password_env"))
                #expect(!said.contains(Self.secret))
            }
        }
    }

    /// The password comes from the variable `password_env` names, when asked; the config never holds it.
    @Test func thePasswordIsReadFromTheEnvironmentOnlyWhenAsked() throws {
        let c = try PostgresConfig(url: "postgres://ann@h/db?sslmode=require", passwordEnv: "DUET_PG_PASSWORD")
        #expect(try c.password(in: ["DUET_PG_PASSWORD": Self.secret]) == Self.secret)
        for shown in ["\(c)", String(reflecting: c), c.url] {
            #expect(!shown.contains(Self.secret))
        }
        #expect("\(c)".contains("$DUET_PG_PASSWORD"))
        #expect {
            _ = try c.password(in: ["OTHER": Self.secret])
        } throws: { error in
            let said = "\(error)"
            return said.hasPrefix("[store] password_env: ") && said.contains("DUET_PG_PASSWORD") && !said.contains(Self.secret)
        }
    }

    /// `password_env` holds a variable's name; a value that looks like the password itself is refused unrepeated.
    @Test func aPasswordGivenAsPasswordEnvIsRefusedUnseen() {
        #expect {
            _ = try PostgresConfig(url: "postgres://ann@h/db", passwordEnv: Self.secret)
        } throws: { error in
            let said = "\(error)"
            return said.hasPrefix("[store] password_env: ") && !said.contains(Self.secret)
        }
    }
}
