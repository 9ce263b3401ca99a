import Foundation
import Testing

/// `recover --gzip` writes `<table>.csv.gz` with the bytes the plain run writes, an
/// import.sql that says so, and the same SQLite copy (also when --keep-latest loads it from
/// the gzipped CSVs).
struct GzipOutputCLITests {
  static func gunzip(_ path: String) throws -> String {
    try RecoverCLITests.python("import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1], 'rt', newline='').read())", path)
  }

  @Test(arguments: [false, true])
  func gzippedTablesMatchThePlainOnes(keepLatest: Bool) throws {
    let dir = try RecoverCLITests.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let keep = keepLatest ? ["--keep-latest", "3", "--partition-by", "user_id", "--order-by", "seq"] : []
    #expect(try CLI.run(["recover"] + stores + ["--out", dir + "/plain"] + keep).status == 2)
    #expect(try CLI.run(["recover"] + stores + ["--out", dir + "/gz", "--gzip"] + keep).status == 2)
    let tables = try FileManager.default.contentsOfDirectory(atPath: dir + "/plain/game").sorted()
    // Rows rebuilt from indexes (.partial.csv) are gzipped like the tables.
    #expect(tables == ["events.csv", "events.partial.csv", "snapshots.csv", "users.csv", "users.partial.csv"])
    for t in tables {
      #expect(!FileManager.default.fileExists(atPath: dir + "/gz/game/" + t))
      let plain = try String(contentsOfFile: dir + "/plain/game/" + t, encoding: .utf8)
      let unzipped = try Self.gunzip(dir + "/gz/game/" + t + ".gz")
      #expect(plain.count > 100 && unzipped == plain, "\(t)")
    }
    let imports = try String(contentsOfFile: dir + "/gz/import.sql", encoding: .utf8)
    #expect(imports.contains("'nodelocal://1/game/events.csv.gz'") && imports.contains("decompress = 'gzip'"))
    let a = try RecoverCLITests.python(RecoverBlobCLITests.sqliteDump, dir + "/plain/salvage.sqlite")
    let b = try RecoverCLITests.python(RecoverBlobCLITests.sqliteDump, dir + "/gz/salvage.sqlite")
    #expect(a.count > 1000 && a == b)
  }
}
