// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Pruning",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PruningCore", targets: ["PruningCore"]),
        .library(name: "ModelZoo", targets: ["ModelZoo"]),
        .library(name: "PolicyGradient", targets: ["PolicyGradient"]),
        .library(name: "LowRankDecomp", targets: ["LowRankDecomp"]),
        .library(name: "TokenFusion", targets: ["TokenFusion"]),
        .library(name: "StructuralPruning", targets: ["StructuralPruning"]),
        .library(name: "Memorization", targets: ["Memorization"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: Core
        // Vectorized kernels built for several instruction sets and chosen at run time.
        .target(
            name: "CPruningKernels"
        ),
        .target(
            name: "PruningCore",
            dependencies: ["COpenBLAS", "CZlib", "CPruningKernels"]
        ),

        // MARK: Models
        .target(
            name: "ModelZoo",
            dependencies: ["PruningCore"],
            resources: [.copy("Checkpoints")]
        ),

        // MARK: Methods
        .target(
            name: "PolicyGradient",
            dependencies: ["PruningCore", "CPruningKernels"]
        ),
        .target(
            name: "LowRankDecomp",
            dependencies: ["ModelZoo", "PruningCore"]
        ),
        .target(
            name: "TokenFusion",
            dependencies: ["ModelZoo", "PruningCore"]
        ),
        .target(
            name: "StructuralPruning",
            dependencies: ["ModelZoo", "PolicyGradient", "PruningCore"]
        ),
        .target(
            name: "Memorization",
            dependencies: ["ModelZoo", "PruningCore"]
        ),

        // MARK: Examples
        .executableTarget(
            name: "fashion-mnist",
            dependencies: ["ExampleSupport", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/FashionMNIST"
        ),
        .executableTarget(
            name: "train-baselines",
            dependencies: ["ExampleSupport", "ModelZoo", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/TrainBaselines"
        ),
        .executableTarget(
            name: "perplexity",
            dependencies: ["ExampleSupport", "ModelZoo", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/Perplexity"
        ),

        .target(
            name: "ExampleSupport",
            dependencies: ["CZlib", "ModelZoo", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/Support"
        ),
        .executableTarget(
            name: "bgpo",
            dependencies: ["ModelZoo", "PolicyGradient", "PruningCore", "ExampleSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/BGPO"
        ),

        .executableTarget(
            name: "token-fusion",
            dependencies: [
                "TokenFusion", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/TokenFusion"
        ),

        .executableTarget(
            name: "modegpt",
            dependencies: [
                "LowRankDecomp", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/MoDeGPT"
        ),

        .executableTarget(
            name: "disp-llm",
            dependencies: [
                "StructuralPruning", "LowRankDecomp", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/DISPLLM"
        ),

        .target(
            name: "CNNExampleSupport",
            dependencies: ["StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport"],
            path: "Examples/CNNSupport"
        ),
        .executableTarget(
            name: "auto-train-once",
            dependencies: [
                "StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport", "CNNExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/AutoTrainOnce"
        ),
        .executableTarget(
            name: "aptp",
            dependencies: [
                "StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/APTP"
        ),
        .executableTarget(
            name: "gan-compression",
            dependencies: [
                "StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/GANCompression"
        ),
        .executableTarget(
            name: "interpretation-pruning",
            dependencies: [
                "StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport", "CNNExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/InterpretationPruning"
        ),
        .executableTarget(
            name: "rlal",
            dependencies: [
                "StructuralPruning", "PolicyGradient", "ModelZoo", "PruningCore", "ExampleSupport", "CNNExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/RLAL"
        ),

        .executableTarget(
            name: "memorization",
            dependencies: [
                "Memorization", "StructuralPruning", "LowRankDecomp", "ModelZoo", "PruningCore", "ExampleSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Memorization"
        ),

        // MARK: Benchmarks
        .executableTarget(
            name: "core-benchmarks",
            dependencies: ["ExampleSupport", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/CoreBenchmarks"
        ),
        .executableTarget(
            name: "model-benchmarks",
            dependencies: ["ModelZoo", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/ModelBenchmarks"
        ),

        .executableTarget(
            name: "environment-benchmarks",
            dependencies: ["PolicyGradient", "PruningCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/EnvironmentBenchmarks"
        ),

        .executableTarget(
            name: "displlm-benchmarks",
            dependencies: ["StructuralPruning", "ModelZoo", "PruningCore", "ExampleSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/DISPLLMBenchmarks"
        ),

        .executableTarget(
            name: "compare",
            dependencies: [
                "ExampleSupport", "LowRankDecomp", "ModelZoo", "PruningCore", "StructuralPruning", "TokenFusion",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Compare"
        ),
        .executableTarget(
            name: "fuzz-readers",
            dependencies: ["ExampleSupport", "ReaderFuzzing", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/FuzzReaders"
        ),
        .executableTarget(
            name: "memorization-benchmarks",
            dependencies: ["Memorization", "ModelZoo", "PruningCore", "ExampleSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/MemorizationBenchmarks"
        ),

        // MARK: Tests
        .target(
            name: "ReaderFuzzing",
            dependencies: ["CZlib", "LowRankDecomp", "Memorization", "ModelZoo", "PruningCore", "StructuralPruning"],
            path: "Sources/ReaderFuzzing"
        ),
        .target(
            name: "PruningTestSupport",
            dependencies: ["PruningCore"],
            path: "Sources/PruningTestSupport"
        ),
        .testTarget(
            name: "PruningCoreTests",
            dependencies: ["PruningCore", "PruningTestSupport", "CPruningKernels"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PolicyGradientTests",
            dependencies: ["ModelZoo", "PolicyGradient", "PruningCore", "PruningTestSupport", "bgpo", "ExampleSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LowRankDecompTests",
            dependencies: ["LowRankDecomp", "ModelZoo", "PruningCore", "PruningTestSupport"]
        ),
        .testTarget(
            name: "TokenFusionTests",
            dependencies: ["TokenFusion", "ModelZoo", "PruningCore", "PruningTestSupport", "token-fusion", "ExampleSupport"]
        ),
        .testTarget(
            name: "StructuralPruningTests",
            dependencies: ["StructuralPruning", "ModelZoo", "PruningCore", "PruningTestSupport", "rlal", "interpretation-pruning", "ExampleSupport"]
        ),
        .testTarget(
            name: "MemorizationTests",
            dependencies: ["Memorization", "ModelZoo", "PruningCore", "PruningTestSupport", "memorization", "ExampleSupport"]
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: [
                "perplexity", "fashion-mnist", "train-baselines", "bgpo", "token-fusion", "modegpt", "disp-llm",
                "auto-train-once", "gan-compression", "aptp", "interpretation-pruning", "rlal", "memorization", "core-benchmarks", "model-benchmarks",
                "environment-benchmarks", "displlm-benchmarks", "memorization-benchmarks", "fuzz-readers", "compare",
            ]
        ),
        .testTarget(
            name: "ReaderFuzzingTests",
            dependencies: ["ReaderFuzzing"]
        ),
        .testTarget(
            name: "ModelZooTests",
            dependencies: ["ModelZoo", "PruningCore", "PruningTestSupport", "ReaderFuzzing"],
            exclude: ["Fixtures"]
        ),
    ]
)
