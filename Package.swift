// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Duet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "duet", targets: ["duet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The only C surface: ncursesw, wide-character API.
        .systemLibrary(
            name: "CNcursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // Terminal-agnostic UI toolkit (no C, no I/O).
        .target(name: "TermUI"),
        // Starting child processes as a shell does (only the standard streams open, signals at their defaults).
        .target(name: "ProcessSpawn"),
        // The one backend that talks to curses.
        .target(name: "TermUICurses", dependencies: ["TermUI", "CNcursesw", "ProcessSpawn"]),
        // Domain values and pure algorithms: items, tasks, annotations, formats.
        .target(name: "DuetCore"),
        // The store as a port: role protocols (async), the import batch they carry. Depends on DuetCore only.
        .target(name: "DuetStoreAPI", dependencies: ["DuetCore"]),
        // The only GRDB importer: schema, migrations, queries.
        .target(
            name: "DuetStore",
            dependencies: [
                "DuetCore", "DuetStoreAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                // GRDB's SQLite module, for the bulk-import fast path.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The only postgres-nio importer: a shared project in PostgreSQL (connection settings from
        // [store] url, the connection pool, named migrations, the schema, create or attach).
        .target(
            name: "DuetPostgres",
            dependencies: [
                "DuetCore", "DuetStoreAPI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Its pool's error type (`ConnectionPoolError`: the circuit breaker), which PostgresNIO passes on as is.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Project on disk: duet.toml, discovery, import/export/status workflows.
        .target(
            name: "DuetProject",
            dependencies: [
                "DuetCore", "DuetStoreAPI", "DuetStore", "DuetPostgres", "DuetAnnotators", "ProcessSpawn",
                .product(name: "TOMLKit", package: "TOMLKit"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The executables' side of a project: the app's launcher, theme files, [keys] as the app's key table,
        // the Quality screen's loader, and the plan's text and chart (TermUI).
        .target(
            name: "DuetLaunch",
            dependencies: [
                "DuetProject", "DuetApp", "TermUI", "DuetCore", "DuetStoreAPI",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Machine annotators: OpenAI-compatible LLM client (Foundation's URLSession), the built-in
        // offline ensemble, replayed votes.
        .target(
            name: "DuetAnnotators",
            dependencies: [
                "DuetCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The app: state machine (update), screens (render), keymap, themes, effect runtime.
        .target(name: "DuetApp", dependencies: ["TermUI", "DuetCore", "DuetStoreAPI", .product(name: "Logging", package: "swift-log")]),
        // Thin executable: argument parsing and wiring only.
        .executableTarget(
            name: "duet",
            dependencies: [
                "DuetProject", "DuetLaunch", "DuetCore", "DuetStoreAPI", "DuetApp", "TermUI", "TermUICurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks (figures, not tests): `swift run -c release duet-bench`.
        .executableTarget(
            name: "duet-bench",
            dependencies: ["DuetProject", "DuetLaunch", "DuetApp", "DuetStore", "DuetStoreAPI", "DuetCore", "DuetAnnotators", "TermUI", "TermUICurses",
                           "DuetPostgres", "ProcessSpawn", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(name: "TermUITests", dependencies: ["TermUI", "TermUICurses"]),
        .testTarget(name: "TermUICursesTests", dependencies: ["TermUI", "TermUICurses", "CNcursesw", "DuetApp", "DuetStore", "DuetStoreAPI", "DuetCore"]),
        .testTarget(name: "DuetCoreTests", dependencies: ["DuetCore"], exclude: ["Fixtures"]),
        // Test support, not shipped: an OpenAI-compatible loopback server (swift-nio) with a pretend
        // LLM and injectable faults, for the annotator's and the project's tests.
        .target(
            name: "LLMLoopback",
            dependencies: [
                "DuetCore",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LLMLoopback"
        ),
        // Test support, not shipped: the store's conformance suite, every behaviour the product relies on,
        // written once against the roles (DuetStoreAPI) and run by each backend's tests on a fresh store.
        .target(name: "StoreConformance", dependencies: ["DuetStoreAPI", "DuetCore"], path: "Tests/StoreConformance"),
        // Test support, not shipped: breadcrumbs of long tests, printed by scripts/test-watchdog.sh when a run stalls.
        .target(name: "TestTrace", path: "Tests/TestTrace"),
        // Test support, not shipped: one person labeling a shared (PostgreSQL) project in a process of its own,
        // through the roles the label screen calls; DuetPostgresTests runs eight of them beside `duet route`.
        .executableTarget(name: "duet-labeler", dependencies: ["DuetPostgres", "DuetStoreAPI", "DuetCore"], path: "Tests/LabelerProcess"),
        .testTarget(
            name: "DuetAnnotatorsTests",
            dependencies: ["DuetAnnotators", "DuetCore", "LLMLoopback", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "DuetAppTests", dependencies: ["DuetApp", "TermUI", "DuetCore", "DuetStore", "DuetStoreAPI"]),
        // Drives the built `duet` binary in tmux, as a person would.
        .testTarget(name: "EndToEndTests", dependencies: ["DuetStore", "DuetStoreAPI", "DuetCore", "LLMLoopback", "ProcessSpawn"]),
        .testTarget(name: "DuetStoreTests", dependencies: ["DuetStore", "DuetStoreAPI", "DuetCore", "StoreConformance"]),
        // Needs a server: DUET_TEST_POSTGRES_URL (scripts/pg-throwaway.sh starts one); skipped without it unless CI=true.
        .testTarget(
            name: "DuetPostgresTests",
            dependencies: ["DuetPostgres", "DuetStore", "DuetStoreAPI", "DuetCore", "DuetProject", "StoreConformance", "DuetApp", "TermUI",
                           "ProcessSpawn", "TestTrace", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(
            name: "DuetProjectTests",
            dependencies: ["DuetProject", "DuetLaunch", "DuetAnnotators", "DuetStore", "DuetStoreAPI", "DuetCore", "DuetApp", "TermUI", "LLMLoopback",
                           "ProcessSpawn", "TestTrace", .product(name: "Logging", package: "swift-log")],
            resources: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
