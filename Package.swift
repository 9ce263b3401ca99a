// swift-tools-version:6.0
import PackageDescription

// Release builds optimise across module boundaries: every per-entry call crosses from
// `salvage` into `SSTable`, and without CMO generic code there runs ~100x slower
// (see ../shared/style.md §3). They also leave out the run-time exclusivity checks of class
// properties (~8% of a recovery in swift_beginAccess); debug and ThreadSanitizer builds,
// which every test runs, keep them.
let fast: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
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
    // report.html (Export/HTMLReport*.swift).
    .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
  ],
  targets: [
    // System C libraries (Debian: libzstd-dev, liblz4-dev, zlib1g-dev, libxxhash-dev).
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
    // Our own C: CRC-32C with the SSE4.2 instruction (no Debian library ships CRC-32C), and
    // hex encoding with SSSE3 (CSV's BYTES text).
    .target(name: "CSalvageCRC", cSettings: [.unsafeFlags(["-O3"])]),
    // copy_file_range(2), which Swift's Glibc module does not declare.
    .target(name: "CSalvageIO"),
    .target(name: "SalvageTestSupport", dependencies: [], path: "Tests/SalvageTestSupport"),
  ]
  + layer("SSTable", ["CZstd", "CLZ4", "CZlib", "CXXHash", "CSalvageCRC"])
  + layer("LSMStore", ["SSTable"])
  // Carving: stores out of raw disk images (docs/carving.md); its own layer so it is tested
  // against SSTable/LSMStore alone, and only the CLI needs it.
  + layer("Carving", ["LSMStore", "CSalvageCRC"])
  + layer("CockroachKV", ["LSMStore"])
  + layer("CockroachSQL", ["CockroachKV", "CSalvageCRC"])
  + layer("Recovery", ["CockroachSQL", "CZlib"])   // CZlib: gzip backup manifests
  + layer("Export", ["Recovery", "CZlib", "CSalvageIO", .product(name: "GRDB", package: "GRDB.swift"),
                              .product(name: "GRDBSQLite", package: "GRDB.swift"),
                              .product(name: "PostgresNIO", package: "postgres-nio"),
                              .product(name: "Plot", package: "Plot")])
  + [
    .executableTarget(
      name: "salvage",
      dependencies: ["SSTable", "LSMStore", "Carving", "CockroachKV", "CockroachSQL", "Recovery", "Export", "CSalvageCRC",
                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: fast),
    // `salvage` itself too: the terminal summary's lines are tested without a run.
    .testTarget(name: "SalvageCLITests", dependencies: ["SalvageTestSupport", "salvage", "Recovery"], swiftSettings: fast),
    // Benchmarks are an executable, never a test: `swift run -c release salvage-bench`.
    // Carving throughput (`Benchmarks/carve.sh`): Carving alone, so its release build is quick.
    .executableTarget(name: "carve-bench", dependencies: ["Carving"], path: "Benchmarks/CarveBench", swiftSettings: fast),
    .executableTarget(name: "salvage-bench", dependencies: ["SSTable", "LSMStore", "Carving", "CockroachKV", "CockroachSQL", "Recovery", "Export"], path: "Benchmarks/ScanBench",
                      swiftSettings: fast),
  ]
  // libFuzzer targets (`scripts/fuzz.sh`): one `LLVMFuzzerTestOneInput` each and no `main`, so
  // outside `--sanitize fuzzer` builds they link to an executable that does nothing.
  + [("FuzzSSTable", "SSTable"), ("FuzzStore", "LSMStore"), ("FuzzKV", "CockroachKV"), ("FuzzSQL", "CockroachSQL")]
    .map { .executableTarget(name: $0.0, dependencies: [.target(name: $0.1)]) },
  swiftLanguageModes: [.v5]
)
