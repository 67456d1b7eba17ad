// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "Keel",
    products: [
        .library(name: "Keel", targets: ["Keel"]),
        .library(name: "Merkle", targets: ["Merkle"]),
        .library(name: "Orders", targets: ["Orders"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .executable(name: "keel", targets: ["KeelCLI"]),
        .executable(name: "fraud-rules", targets: ["fraud-rules"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CGMP", path: "Sources/CGMP", pkgConfig: "gmp",
                       providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", pkgConfig: "readline",
                       providers: [.apt(["libreadline-dev"])]),
        // The system libsqlite3 through its C API: no extra package to build, and the ledger
        // needs only a handful of prepared statements.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "Money", dependencies: ["CGMP"]),
        .target(name: "SeededRandom"),
        .target(name: "Syntax"),
        .target(name: "Types", dependencies: ["Syntax", "Money"]),
        .target(name: "Runtime", dependencies: [
            "Syntax", "Types", "Money", "Merkle", "SeededRandom",
        ], swiftSettings: [
            // The interpreter's hot state lives in class properties; dynamic exclusivity
            // checks on them cost a third of every call (measured with perf on fib).
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        .target(name: "Keel", dependencies: ["Syntax", "Types", "Runtime", "Money", "Merkle", "Orders", "Ledger"], swiftSettings: [
            // Bindings keep their buffers in class properties (a book's events); the checks
            // on them were 7% of a script's `book.submit` loop (callgrind).
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        .target(name: "Merkle", dependencies: ["SeededRandom", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "COrdersSupport"),
        .target(name: "Orders", dependencies: ["Money", "COrdersSupport"], swiftSettings: [
            // The book's scalars live in a final class; see Runtime for the measured cost.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        // Appends journaled commands and prints an ack per durable one (crash test helper).
        .executableTarget(name: "orders-crash-writer", dependencies: ["Orders"], path: "Sources/OrdersCrashWriter"),
        .target(name: "Ledger", dependencies: ["Money", "CSQLite", .product(name: "Crypto", package: "swift-crypto")],
                exclude: ["CANONICAL.md", "README.md"], swiftSettings: [
                    // The engine's arrays live in a final class; see Runtime for the measured cost.
                    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
                ]),
        // Writes acknowledged batches to a file ledger until killed (crash test helper).
        .executableTarget(name: "ledger-crash-writer", dependencies: ["Ledger"], path: "Sources/LedgerCrashWriter"),
        .executableTarget(name: "KeelCLI", dependencies: [
            "Keel", "Orders", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fraud-rules", dependencies: ["Keel"], path: "examples/embed",
                          exclude: ["rules", "fixtures"]),
        .testTarget(name: "MoneyTests", dependencies: ["Money", "SeededRandom"], exclude: ["Fixtures"]),
        .testTarget(name: "SyntaxTests", dependencies: ["Syntax"]),
        .testTarget(name: "TypesTests", dependencies: ["Types", "Syntax"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Types", "Syntax", "Money", "SeededRandom"]),
        .testTarget(name: "KeelTests", dependencies: ["Keel", "Orders", "CSQLite", "SeededRandom"], exclude: ["Fixtures"]),
        .testTarget(name: "MerkleTests", dependencies: ["Merkle", "SeededRandom"], exclude: ["Fixtures"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "ledger-crash-writer"], exclude: ["Fixtures"]),
        .testTarget(name: "OrdersTests", dependencies: ["Orders", "SeededRandom", "orders-crash-writer"]),
    ]
)
