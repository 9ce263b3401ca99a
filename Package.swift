// swift-tools-version:6.0
import PackageDescription

// Release builds optimise across module boundaries: every per-entry call crosses from
// `salvage` into `SSTable`, and without CMO generic code there runs ~100x slower
// (see ../shared/style.md §3).
let fast: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
  .define("SALVAGE_INVARIANTS", .when(configuration: .debug)),
]

/// A module and its mirror test target.
func layer(_ name: String, _ deps: [Target.Dependency]) -> [Target] {
  [
    .target(name: name, dependencies: deps, swiftSettings: fast),
    .testTarget(name: name + "Tests", dependencies: [.target(name: name), "SalvageTestSupport"],
                swiftSettings: fast),
  ]
}

let package = Package(
  name: "Salvage",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "salvage", targets: ["salvage"]),
    .library(name: "SSTable", targets: ["SSTable"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    // System C libraries (Debian: libzstd-dev, liblz4-dev, zlib1g-dev, libxxhash-dev).
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
    // Our own C: CRC-32C with the SSE4.2 instruction (no Debian library ships CRC-32C).
    .target(name: "CSalvageCRC", cSettings: [.unsafeFlags(["-O3"])]),
    .target(name: "SalvageTestSupport", dependencies: [], path: "Tests/SalvageTestSupport"),
  ]
  + layer("SSTable", ["CZstd", "CLZ4", "CZlib", "CXXHash", "CSalvageCRC"])
  + layer("LSMStore", ["SSTable"])
  + layer("CockroachKV", ["LSMStore"])
  + layer("CockroachSQL", ["CockroachKV"])
  + layer("Recovery", ["CockroachSQL"])
  + layer("Export", ["Recovery", "CZlib", .product(name: "GRDB", package: "GRDB.swift"),
                              .product(name: "PostgresNIO", package: "postgres-nio")])
  + [
    .executableTarget(
      name: "salvage",
      dependencies: ["SSTable", "LSMStore", "CockroachKV", "CockroachSQL", "Recovery", "Export",
                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: fast),
    .testTarget(name: "SalvageCLITests", dependencies: ["SalvageTestSupport"], swiftSettings: fast),
    // Benchmarks are an executable, never a test: `swift run -c release salvage-bench`.
    .executableTarget(name: "salvage-bench", dependencies: ["SSTable", "LSMStore", "CockroachKV", "CockroachSQL", "Recovery"], path: "Benchmarks/ScanBench",
                      swiftSettings: fast),
  ]
  // libFuzzer targets (`scripts/fuzz.sh`): one `LLVMFuzzerTestOneInput` each and no `main`, so
  // outside `--sanitize fuzzer` builds they link to an executable that does nothing.
  + [("FuzzSSTable", "SSTable"), ("FuzzStore", "LSMStore"), ("FuzzKV", "CockroachKV"), ("FuzzSQL", "CockroachSQL")]
    .map { .executableTarget(name: $0.0, dependencies: [.target(name: $0.1)]) },
  swiftLanguageModes: [.v5]
)
