// swift-tools-version: 6.0
import PackageDescription

/// aiusage: measure useful output of AI coding tools from local session records.
///
/// Layering (each arrow is "may import"):
///   aiusage (entry point) → AIUsageCommands → AIUsageStore, AIUsageGit → AIUsageCore
///   AIUsageCommands, AIUsageServer → AIUsageUploadContract (the upload document, Foundation only)
/// `AIUsageCore` is pure Swift (sessions, attribution, ratios) and imports neither
/// ArgumentParser nor libgit2; `AIUsageGit` is the only module that imports `CGit2`,
/// `AIUsageReaders` (one file each) the only one that imports `CZstd` (`ZstdStream`) and
/// `CJSONScan` (`JSONStringScan`), and `AIUsageStore` (`Store`, `Store+LargeIngest`) the
/// only one that imports `CSQLiteSetup`.
let package = Package(
    name: "aiusage",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "aiusage", targets: ["aiusage"]),
        .executable(name: "aiusage-bench", targets: ["aiusage-bench"]),
        // The only binary that links FoundationNetworking; `aiusage` runs it for sharing.
        .executable(name: "aiusage-share", targets: ["aiusage-share"]),
        .executable(name: "aiusage-server", targets: ["aiusage-server"]),
        .executable(name: "aiusage-server-bench", targets: ["aiusage-server-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // libzstd, for Codex rollouts compressed to `.jsonl.zst`; fenced like CGit2: only
        // `ZstdStream` (AIUsageReaders/Toolkit) imports it, internally.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // Process-wide SQLite settings (`sqlite3_config` is variadic: Swift cannot call it);
        // only `Store` imports it, internally.
        .systemLibrary(name: "CSQLiteSetup", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        // The byte loop inside JSON strings, with vector intrinsics (header-only, static
        // inline); only `JSONStringScan` in the readers imports it.
        .target(name: "CJSONScan"),
        .target(name: "AIUsageCore"),
        // The upload document both `aiusage` and `aiusage-server` speak: one set of types,
        // field names, bounds and limits; Foundation only, so both sides can depend on it.
        .target(name: "AIUsageUploadContract"),
        .target(
            name: "AIUsageGit",
            dependencies: ["CGit2", "AIUsageCore", .product(name: "HeapModule", package: "swift-collections")]
        ),
        .target(
            name: "AIUsageStore",
            dependencies: [
                "AIUsageCore", "CSQLiteSetup", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Every tool's reader, on one shared toolkit (Toolkit/): byte walking, lenient JSON,
        // line files. Database readers open other tools' SQLite files read-only (GRDB).
        .target(
            name: "AIUsageReaders",
            dependencies: ["AIUsageCore", "CZstd", "CJSONScan", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "AIUsageEngine", dependencies: ["AIUsageCore", "AIUsageGit", "AIUsageStore", "AIUsageReaders"]),
        .target(
            name: "AIUsageCommands",
            dependencies: [
                "AIUsageCore", "AIUsageGit", "AIUsageStore", "AIUsageEngine", "AIUsageReaders", "AIUsageUploadContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "aiusage", dependencies: ["AIUsageCommands"]),
        .executableTarget(name: "aiusage-share"),
        // Measures the `aiusage` binary it is given as whole processes (see BENCHMARKS.md); plain Foundation.
        .executableTarget(name: "aiusage-bench"),
        // The team server: only `aiusage-server` links Hummingbird, so the `aiusage` binary stays light.
        .target(
            name: "AIUsageServer",
            dependencies: [
                "AIUsageCore", "AIUsageUploadContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        .executableTarget(
            name: "aiusage-server",
            dependencies: [
                "AIUsageServer", "AIUsageCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Load benchmark of the server on loopback (see BENCHMARKS.md); plain Foundation.
        .executableTarget(name: "aiusage-server-bench"),
        .target(name: "_AIUsageTestSupport", dependencies: ["AIUsageCore", "AIUsageReaders"], path: "Tests/_AIUsageTestSupport"),
        .testTarget(name: "AIUsageCoreTests", dependencies: ["AIUsageCore", "_AIUsageTestSupport"]),
        // The bench's generated corpora, read by aiusage's own readers (no timings).
        .testTarget(name: "AIUsageBenchTests", dependencies: ["aiusage-bench", "AIUsageCore", "AIUsageReaders"]),
        .testTarget(name: "AIUsageGitTests", dependencies: ["AIUsageGit", "_AIUsageTestSupport"]),
        .testTarget(
            name: "AIUsageStoreTests",
            dependencies: ["AIUsageStore", "AIUsageReaders", "_AIUsageTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "AIUsageReadersTests",
            dependencies: ["AIUsageReaders", "_AIUsageTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "AIUsageEngineTests",
            dependencies: [
                "AIUsageEngine", "AIUsageStore", "AIUsageGit", "AIUsageReaders", "_AIUsageTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "AIUsageCommandsTests",
            dependencies: [
                "AIUsageCommands", "AIUsageEngine", "AIUsageStore", "AIUsageGit", "_AIUsageTestSupport",
                // What the client encodes, sent to the server in-process (ShareTests).
                "AIUsageUploadContract", "AIUsageServer", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "AIUsageServerTests",
            dependencies: [
                "AIUsageServer", "AIUsageUploadContract", "_AIUsageTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
