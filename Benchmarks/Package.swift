// swift-tools-version:5.9
import PackageDescription

// Kept out of the main build:
//   swift run -c release --package-path Benchmarks keel-bench   (interpreter vs CPython/Lua)
//   swift run -c release --package-path Benchmarks dec-bench    (Dec engine vs Python's decimal)
//   swift run -c release --package-path Benchmarks merkle-bench (Merkle log vs bare hashing)
//   swift run -c release --package-path Benchmarks orders-bench (order book, workload W2)
//   swift run -c release --package-path Benchmarks ledger-bench (ledger engine throughput)
let package = Package(
    name: "KeelBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(name: "keel-bench", dependencies: [.product(name: "Keel", package: "main")],
                          path: "Sources/KeelBench"),
        // Counting malloc linked into dec-bench (glibc), to show the inline Dec path never allocates.
        .target(name: "DecBenchAllocCounter", path: "Sources/DecBench/AllocCounter"),
        .executableTarget(name: "dec-bench",
                          dependencies: [.product(name: "Keel", package: "main"), "DecBenchAllocCounter"],
                          path: "Sources/DecBench/Main"),
        .executableTarget(name: "merkle-bench", dependencies: [.product(name: "Merkle", package: "main")],
                          path: "Sources/MerkleBench"),
        .executableTarget(name: "orders-bench",
                          dependencies: [.product(name: "Orders", package: "main"), .product(name: "Keel", package: "main"),
                                         "DecBenchAllocCounter",
                                         .product(name: "Histogram", package: "hdrhistogram-swift")],
                          path: "Sources/OrdersBench"),
        .executableTarget(name: "ledger-bench", dependencies: [.product(name: "Ledger", package: "main"), .product(name: "Keel", package: "main")],
                          path: "Sources/LedgerBench"),
    ]
)
