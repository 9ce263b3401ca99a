import Testing
import Foundation
import SSTable
@testable import LSMStore
import SalvageTestSupport

/// The simulator's Pebble store writer (contrib/simulator/pebble_store.py, via pebble_demo.py): an L6 table,
/// an L0 table (point DEL, RANGEDEL, MVCC range key) and WAL-only batches (a SET, a DEL, a
/// range key) read back exactly as the writer's own model of the LSM says they must.
struct SimulatedPebbleStoreTests {
  static let made: Result<String, Error> = Result {
    let dir = NSTemporaryDirectory() + "salvage-pebble-demo-\(UUID().uuidString)"
    try Simulator.run("pebble_demo.py", [dir])
    return dir
  }

  func expected() throws -> (dir: String, json: [String: Any]) {
    let dir = try Self.made.get()
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))
    return (dir, try JSONSerialization.jsonObject(with: data) as! [String: Any])
  }

  @Test func layoutIsPebble23_2() throws {
    let (dir, exp) = try expected()
    let s = try Store(path: dir + "/store")
    #expect(s.fallbackReason == nil)
    #expect(s.manifestFile == "MANIFEST-000001")
    #expect(s.directory.formatVersionMarker?.version == 16)
    #expect(s.comparer == .cockroach)
    #expect(s.issues.isEmpty)
    #expect(s.version?.levels[6]?.keys.sorted() == [5])
    #expect(s.version?.levels[0]?.keys.sorted() == [7])
    #expect(s.version?.lastSeqNum == UInt64(exp["last_seq"] as! Int))
    #expect(s.liveLogs == [8])
    for t in s.tables {
      let table = try Table(path: t.path)
      #expect(table.format == .pebble(4))
      #expect(table.properties.comparator == "cockroach_comparator")
    }
  }

  @Test func visiblePointsEqualTheModel() throws {
    let (dir, exp) = try expected()
    let s = try Store(path: dir + "/store")
    let want = (exp["points"] as! [[String: Any]]).map { "\($0.str("key_hex")!) = \($0.str("value_hex")!)" }
    let got = visibleLines(s)
    #expect(got.count == want.count)
    #expect(got == want)
    // The WAL-only write is visible, the WAL DEL removed an L0 entry.
    #expect(got.contains { $0.hasPrefix("f289f70190") && $0.hasSuffix(hexString(Array("wal only".utf8))) })
    #expect(!got.contains { $0.hasSuffix(hexString(Array("row100-v10".utf8))) })
  }

  @Test func rangeKeysEqualTheModel() throws {
    let (dir, exp) = try expected()
    let s = try Store(path: dir + "/store")
    let want = (exp["range_keys"] as! [[String: Any]]).map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!)@\($0.str("suffix_hex")!)#\($0.int("seq")!)"
    }
    let got = s.visibleRangeKeys().filter { $0.kind == 21 }.map {
      "\(hexString($0.start))-\(hexString($0.end))@\(hexString($0.suffix ?? []))#\($0.seq)"
    }
    #expect(want.count == 2)
    #expect(got == want)
    // One range key sits in the L0 table, the other only in the WAL.
    #expect(s.memtable.rangeKeys.count == 1)
  }
}
