// swift-tools-version:5.9
import PackageDescription

// Kept out of the main build: `swift run -c release --package-path Benchmarks keel-bench`.
let package = Package(
    name: "KeelBenchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "keel-bench", dependencies: [.product(name: "Keel", package: "main")],
                          path: "Sources/KeelBench"),
    ]
)
