// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "cmdb",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cmdb", targets: ["cmdb"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // LMDB from the system (Debian: liblmdb-dev). Only GraphStorage imports it.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // libedit from the system (Debian: libedit-dev), through its readline-compatible API. Only Shell imports it.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // posix_spawn with closefrom, its own process group and default signals, and pipe2: the glibc calls Swift's
        // Glibc module does not show. The server's helper programs (Graphviz) and the tests' child processes.
        .target(name: "CSpawn"),
        // The edit distance behind "did you mean" hints; no dependencies.
        .target(name: "Spelling", swiftSettings: strictSettings),
        // Byte-level JSON Lines reading and writing; no dependencies.
        .target(name: "JSONLines", swiftSettings: strictSettings),
        // The LMDB graph store: nodes, relations, adjacency, indexes, history.
        .target(
            name: "GraphStorage",
            dependencies: ["CLMDB"],
            // Strict memory safety: every unsafe construct is marked `unsafe`, where a comment can justify it.
            swiftSettings: strictSettings + [.strictMemorySafety()]
        ),
        // The CMDB schema: YAML format, built-in ITIL schema, validation of writes.
        .target(
            name: "ConfigurationSchema",
            dependencies: ["GraphStorage", "LinearRegex", "Spelling", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The CMDB domain: import, export, generator, baselines and the differences between two points of history.
        .target(
            name: "CMDB",
            dependencies: ["GraphStorage", "ConfigurationSchema", "JSONLines"],
            swiftSettings: strictSettings
        ),
        // CIQL's syntax: tokens, lexer, AST, parser and diagnostics. No storage dependency, so the grammar can be
        // used (formatters, editor support, the server's request checks) without linking LMDB.
        .target(name: "CIQLSyntax", dependencies: ["Spelling"], swiftSettings: strictSettings),
        // Regular expressions in the Java syntax, matched in linear time by an automaton; no dependencies.
        .target(name: "LinearRegex", swiftSettings: strictSettings),
        // CIQL's values: what expressions evaluate to and rows hold, their order, text and temporal arithmetic.
        .target(name: "CIQLValues", dependencies: ["CIQLSyntax", "GraphStorage"], swiftSettings: strictSettings),
        // CIQL's results: the sinks statements stream rows into, and their rendering as table, JSON Lines and CSV.
        .target(
            name: "CIQLResults",
            dependencies: ["CIQLSyntax", "CIQLValues", "CMDB", "GraphStorage", "JSONLines"],
            swiftSettings: strictSettings
        ),
        // CIQL, the query language: planner and streaming executor over the store, and the CMDB statements.
        .target(
            name: "CIQL",
            dependencies: [
                "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage", "JSONLines",
                "LinearRegex",
            ],
            swiftSettings: strictSettings
        ),
        // Impact analysis, dependency closures, change planning and the change manager's reports.
        .target(
            name: "ImpactAnalysis",
            dependencies: ["GraphStorage", "ConfigurationSchema", "JSONLines"],
            swiftSettings: strictSettings
        ),
        // The REPL: line editing, statements across lines, completion, meta-commands, pager, Ctrl-C.
        .target(
            name: "Shell",
            dependencies: ["CEditLine", "CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage", "JSONLines"],
            swiftSettings: strictSettings
        ),
        // Verification against discovery snapshots, the data-quality audit, and their reports.
        .target(
            name: "Verification",
            dependencies: ["GraphStorage", "ConfigurationSchema", "JSONLines", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // Spreadsheets (CSV) in and out: a streaming RFC 4180 reader with delimiter and encoding detection, the
        // column mapping file, rows as import records and as a discovery snapshot, export of one class.
        .target(
            name: "Spreadsheets",
            dependencies: [
                "CMDB", "ConfigurationSchema", "GraphStorage", "JSONLines", "Verification",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // The command line.
        .target(
            name: "CMDBCommands",
            dependencies: [
                "CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "CMDBServer", "ConfigurationSchema", "GraphStorage", "ImpactAnalysis", "JSONLines",
                "Shell", "Spreadsheets", "Verification",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // `cmdb serve`: the HTTP API with tokens and roles, and the web view, over the same embedded engine.
        .target(
            name: "CMDBServer",
            dependencies: [
                "CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage",
                "CSpawn", "ImpactAnalysis", "JSONLines", "Verification",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "cmdb", dependencies: ["CMDBCommands"], swiftSettings: strictSettings),

        .testTarget(name: "JSONLinesTests", dependencies: ["JSONLines"]),
        .testTarget(name: "GraphStorageTests", dependencies: ["GraphStorage", "TestSupport"]),
        .testTarget(name: "ConfigurationSchemaTests", dependencies: ["ConfigurationSchema", "GraphStorage"]),
        .testTarget(name: "CMDBTests", dependencies: ["CMDB", "ConfigurationSchema", "GraphStorage", "JSONLines"]),
        // What several test targets share: the seeded generator of their generated inputs, and child processes
        // started with posix_spawn (CSpawn, as the server starts its helper programs).
        .target(name: "TestSupport", dependencies: ["CSpawn"], path: "Tests/TestSupport"),
        .testTarget(name: "CIQLSyntaxTests", dependencies: ["CIQLSyntax", "TestSupport"]),
        .testTarget(name: "LinearRegexTests", dependencies: ["LinearRegex"]),
        .testTarget(
            name: "CIQLTests",
            dependencies: [
                "CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage", "TestSupport",
            ]),
        .testTarget(
            name: "ShellTests",
            dependencies: ["Shell", "CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage"]),
        .testTarget(
            name: "VerificationTests",
            dependencies: ["Verification", "CMDB", "ConfigurationSchema", "GraphStorage", "JSONLines"]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["cmdb", "TestSupport"]),
        .testTarget(name: "CMDBCommandsTests", dependencies: ["CMDBCommands", "TestSupport"]),
        .testTarget(name: "SpreadsheetsTests", dependencies: ["Spreadsheets", "ConfigurationSchema", "GraphStorage"]),
        .testTarget(
            name: "CMDBServerTests",
            dependencies: ["CMDBServer", "CMDB", "ConfigurationSchema", "JSONLines", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "ImpactAnalysisTests", dependencies: ["ImpactAnalysis", "ConfigurationSchema", "GraphStorage", "TestSupport"]),
        // The openCypher TCK, read from ../shared/tck; writes tck-results.md.
        .testTarget(
            name: "TCKTests",
            dependencies: ["CIQL", "CIQLResults", "CIQLSyntax", "CIQLValues", "CMDB", "ConfigurationSchema", "GraphStorage"]),
    ],
    swiftLanguageModes: [.v6]
)
