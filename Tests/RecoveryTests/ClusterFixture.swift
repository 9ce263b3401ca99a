import Foundation
import SalvageTestSupport

// Builds small CockroachDB-shaped RocksDB stores with the real engine (`ldb`, Debian
// package rocksdb-tools). Needs only SalvageTestSupport (to run ldb): the CLI tests compile this
// same file (symlinked), and RecoveryTests checks its encoders against CockroachKV's.

enum LDBError: Error, CustomStringConvertible {
  case missing
  case failed(String)
  var description: String {
    switch self {
    case .missing: return "ldb not found (install Debian package rocksdb-tools: scripts/setup.sh); these tests need it"
    case .failed(let m): return m
    }
  }
}

/// A tiny protobuf writer for test messages.
struct PB {
  var bytes: [UInt8] = []
  static func varintBytes(_ v: UInt64) -> [UInt8] {
    var v = v, out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
    out.append(UInt8(v))
    return out
  }
  mutating func varint(_ field: Int, _ v: UInt64) { bytes += PB.varintBytes(UInt64(field << 3)) + PB.varintBytes(v) }
  mutating func bytes(_ field: Int, _ b: [UInt8]) {
    bytes += PB.varintBytes(UInt64(field << 3 | 2)) + PB.varintBytes(UInt64(b.count)) + b
  }
  mutating func message(_ field: Int, _ m: PB) { bytes(field, m.bytes) }
}

/// Key and value encoders (spec §1, §3, §4, §5.2).
enum Enc {
  /// uvarint-asc (§5.2.2).
  static func uvarint(_ v: UInt64) -> [UInt8] {
    if v <= 109 { return [0x88 + UInt8(v)] }
    var be: [UInt8] = []
    var x = v
    while x > 0 { be.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
    return [0xF5 + UInt8(be.count)] + be
  }
  /// bytes-asc (§5.2.3): 12 ‖ escaped ‖ 00 01.
  static func bytesAsc(_ b: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x12]
    for x in b { out.append(x); if x == 0 { out.append(0xFF) } }
    return out + [0x00, 0x01]
  }
  static func table(_ id: UInt64, _ rest: UInt64...) -> [UInt8] { ([id] + rest).flatMap(uvarint) }
  /// A primary-index row key `/Table/t/1/<pk>/0`.
  static func row(_ table: UInt64, _ pk: UInt64) -> [UInt8] { uvarint(table) + uvarint(1) + uvarint(pk) + [0x88] }

  static func mvcc(_ roachKey: [UInt8], wallSeconds: Int64) -> [UInt8] {
    var k = roachKey + [0]
    let w = UInt64(wallSeconds * 1_000_000_000)
    for i in (0..<8).reversed() { k.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) }
    return k + [9]
  }
  static func unversioned(_ roachKey: [UInt8]) -> [UInt8] { roachKey + [0] }
  static func lock(_ lockedKey: [UInt8], txn: [UInt8]) -> [UInt8] {
    [0x01, 0x7A, 0x6B] + bytesAsc(lockedKey) + [0x00, 0x03] + txn + [0x12]
  }

  static func rangeIDKey(_ id: Int64, replicated: Bool, _ suffix: String, detail: [UInt8] = []) -> [UInt8] {
    [0x01, 0x69] + uvarint(UInt64(id)) + [replicated ? 0x72 : 0x75] + Array(suffix.utf8) + detail
  }
  static func rangeDescriptorKey(_ start: [UInt8]) -> [UInt8] { [0x01, 0x6B] + bytesAsc(start) + Array("rdsc".utf8) }
  static func meta2Key(_ end: [UInt8]) -> [UInt8] { [0x03] + end }
  static let storeIdentKey: [UInt8] = [0x01, 0x73] + Array("iden".utf8)

  /// roachpb.Value with checksum 0 ("not computed", §3.1).
  static func roachValue(tag: UInt8, _ data: [UInt8]) -> [UInt8] { [0, 0, 0, 0, tag] + data }
  static func intValue(_ v: Int64) -> [UInt8] { roachValue(tag: 1, PB.varintBytes(UInt64(bitPattern: (v << 1) ^ (v >> 63)))) }
  static func bytesValue(_ b: [UInt8]) -> [UInt8] { roachValue(tag: 3, b) }
  /// Inline MVCCMetadata (raw_bytes = field 6), as store- and range-ID-local records are written.
  static func inline(_ roachValue: [UInt8]) -> [UInt8] { var m = PB(); m.bytes(6, roachValue); return m.bytes }

  static func descriptor(_ id: Int64, _ start: [UInt8], _ end: [UInt8], generation: Int64,
                         replicas: [(node: Int32, store: Int32, replica: Int32)]) -> [UInt8] {
    var d = PB()
    d.varint(1, UInt64(id)); d.bytes(2, start); d.bytes(3, end)
    for r in replicas {
      var m = PB()
      m.varint(1, UInt64(r.node)); m.varint(2, UInt64(r.store)); m.varint(3, UInt64(r.replica))
      d.message(4, m)
    }
    d.varint(5, UInt64(replicas.count + 1)); d.varint(6, UInt64(generation))
    return bytesValue(d.bytes)
  }
  static func appliedState(raft: UInt64, lease: UInt64) -> [UInt8] {
    var m = PB(); m.varint(1, raft); m.varint(2, lease)
    return inline(bytesValue(m.bytes))
  }
  static func storeIdent(cluster: [UInt8], node: Int32, store: Int32) -> [UInt8] {
    var m = PB(); m.bytes(1, cluster); m.varint(2, UInt64(node)); m.varint(3, UInt64(store))
    return inline(bytesValue(m.bytes))
  }
  /// MVCCMetadata of an intent: txn {1 id, 3 key, 5 write_timestamp}, timestamp (2).
  static func intentMeta(txn: [UInt8], anchor: [UInt8], wallSeconds: Int64) -> [UInt8] {
    var t = PB(); t.varint(1, UInt64(wallSeconds * 1_000_000_000))
    var txnMeta = PB(); txnMeta.bytes(1, txn); txnMeta.bytes(3, anchor); txnMeta.message(5, t)
    var m = PB(); m.message(1, txnMeta); m.message(2, t)
    return m.bytes
  }
}

/// One store to build: engine key → value.
struct StoreSpec {
  var entries: [(key: [UInt8], value: [UInt8])] = []
  /// Flush to SSTs (`ldb compact`) after loading; otherwise the data stays in the WAL.
  var compact = true
  /// Small uncompressed blocks (`--block_size`), so one damaged block spares the rest.
  var blockSize: Int? = nil

  mutating func put(_ key: [UInt8], _ value: [UInt8]) { entries.append((key, value)) }

  static func ldb() throws -> String {
    for p in ["/usr/bin/ldb", "/usr/local/bin/ldb"] where FileManager.default.isExecutableFile(atPath: p) { return p }
    throw LDBError.missing
  }

  func write(to dir: String) throws {
    let ldb = try StoreSpec.ldb()
    let lines = entries.map { "0x" + hexOf($0.key) + " ==> 0x" + hexOf($0.value) }.joined(separator: "\n") + "\n"
    let options = blockSize.map { ["--block_size=\($0)", "--compression_type=no"] } ?? []
    try run(ldb, ["--db=\(dir)", "--create_if_missing", "--hex"] + options + ["load"], stdin: lines)
    if compact { try run(ldb, ["--db=\(dir)"] + options + ["compact"], stdin: nil) }
  }

  func run(_ tool: String, _ args: [String], stdin: String?) throws {
    let (status, _, err) = try runProgram(tool, args, stdin: stdin.map { Data($0.utf8) })
    guard status == 0 else { throw LDBError.failed("ldb \(args.joined(separator: " ")) exited \(status): \(err)") }
  }
}

func hexOf<C: Collection>(_ b: C) -> String where C.Element == UInt8 {
  b.map { String(format: "%02x", $0) }.joined()
}

/// A fresh directory under the system temp dir.
func makeTempDir(_ name: String) throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("salvage-\(name)-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  return dir
}

/// Three surviving stores of a five-range cluster (RF 3). Stores s4–s6 were lost.
///
/// | range | span (newest) | gen | replicas | s1 | s2 | s3 (19.1 legacy keys) |
/// |---|---|---|---|---|---|---|
/// | r1 | [/Min, /Table/50) | 1 | s1 s2 s3 | 100/50 | 100/51 | 90/40 |
/// | r2 | [/Table/50, /Table/52) | 3 (split from [/Table/50, /Table/53) gen 2) | s1 s2 s4 | 200 gen 3 | 180, still gen 2 | — |
/// | r3 | [/Table/52, /Table/53) | 3 (split's right side) | s1 s2 s4 | 15 | — | — |
/// | r4 | [/Table/53, /Table/54) | 1 | s4 s5 s6 | — | — | — |
/// | r5 | [/Table/54, /Max) | 1 | s1 s2 s3 | 30/10 | 30/10 | — |
///
/// meta2 (in r1): s1 and s2 have the post-split records (the old r2 record at
/// /Meta2/Table/53 is an older MVCC version under r3's), s3 only the pre-split ones. s1 also
/// holds an uncommitted descriptor change of r5 (an intent, gen 9) and MVCC rows of table 54.
enum ClusterScenario {
  static let clusterID: [UInt8] = Array(0x10...0x1F)
  static let txn: [UInt8] = Array(0xA0...0xAF)
  static let t50 = Enc.table(50), t52 = Enc.table(52), t53 = Enc.table(53), t54 = Enc.table(54)
  static let keyMax: [UInt8] = [0xFF, 0xFF]

  static func d1() -> [UInt8] { Enc.descriptor(1, [], t50, generation: 1, replicas: [(1, 1, 1), (2, 2, 2), (3, 3, 3)]) }
  static func d2old() -> [UInt8] { Enc.descriptor(2, t50, t53, generation: 2, replicas: [(1, 1, 1), (2, 2, 2), (4, 4, 3)]) }
  static func d2() -> [UInt8] { Enc.descriptor(2, t50, t52, generation: 3, replicas: [(1, 1, 1), (2, 2, 2), (4, 4, 3)]) }
  static func d3() -> [UInt8] { Enc.descriptor(3, t52, t53, generation: 3, replicas: [(1, 1, 1), (2, 2, 2), (4, 4, 3)]) }
  static func d4() -> [UInt8] { Enc.descriptor(4, t53, t54, generation: 1, replicas: [(4, 4, 1), (5, 5, 2), (6, 6, 3)]) }
  static func d5(generation: Int64 = 1) -> [UInt8] {
    Enc.descriptor(5, t54, keyMax, generation: generation, replicas: [(1, 1, 1), (2, 2, 2), (3, 3, 3)])
  }

  static func meta2(_ s: inout StoreSpec, postSplit: Bool) {
    s.put(Enc.mvcc(Enc.meta2Key(t50), wallSeconds: 1), d1())
    s.put(Enc.mvcc(Enc.meta2Key(t53), wallSeconds: 1), d2old())
    if postSplit {
      s.put(Enc.mvcc(Enc.meta2Key(t52), wallSeconds: 2), d2())
      s.put(Enc.mvcc(Enc.meta2Key(t53), wallSeconds: 2), d3())
    }
    s.put(Enc.mvcc(Enc.meta2Key(t54), wallSeconds: 1), d4())
    s.put(Enc.mvcc(Enc.meta2Key(keyMax), wallSeconds: 1), d5())
  }

  static func store1() -> StoreSpec {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: clusterID, node: 1, store: 1))
    for (id, raft, lease) in [(Int64(1), UInt64(100), UInt64(50)), (2, 200, 120), (3, 15, 5), (5, 30, 10)] {
      s.put(Enc.unversioned(Enc.rangeIDKey(id, replicated: true, "rask")), Enc.appliedState(raft: raft, lease: lease))
    }
    for i in UInt64(98)...101 {
      let index = (0..<8).reversed().map { UInt8(truncatingIfNeeded: i >> (8 * UInt64($0))) }
      s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: false, "rftl", detail: index)), [0x08, 0x01])
    }
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d1())
    s.put(Enc.mvcc(Enc.rangeDescriptorKey(t50), wallSeconds: 1), d2old())
    s.put(Enc.mvcc(Enc.rangeDescriptorKey(t50), wallSeconds: 2), d2())
    s.put(Enc.mvcc(Enc.rangeDescriptorKey(t52), wallSeconds: 2), d3())
    // r5: committed gen 1, and an intent (interleaved) proposing gen 9 at t=3.
    let r5 = Enc.rangeDescriptorKey(t54)
    s.put(Enc.unversioned(r5), Enc.intentMeta(txn: txn, anchor: t54, wallSeconds: 3))
    s.put(Enc.mvcc(r5, wallSeconds: 3), d5(generation: 9))
    s.put(Enc.mvcc(r5, wallSeconds: 1), d5())
    meta2(&s, postSplit: true)
    rows(&s)
    return s
  }

  /// Rows of table 54 on s1 (r5): versions, a tombstone, an interleaved and a separated intent.
  static func rows(_ s: inout StoreSpec) {
    s.put(Enc.mvcc(Enc.row(54, 1), wallSeconds: 10), Enc.intValue(1))
    s.put(Enc.mvcc(Enc.row(54, 1), wallSeconds: 20), Enc.intValue(2))
    s.put(Enc.mvcc(Enc.row(54, 2), wallSeconds: 10), Enc.bytesValue(Array("a".utf8)))
    s.put(Enc.mvcc(Enc.row(54, 2), wallSeconds: 20), [])
    s.put(Enc.mvcc(Enc.row(54, 3), wallSeconds: 5), Enc.intValue(5))
    s.put(Enc.unversioned(Enc.row(54, 3)), Enc.intentMeta(txn: txn, anchor: Enc.row(54, 3), wallSeconds: 30))
    s.put(Enc.mvcc(Enc.row(54, 3), wallSeconds: 30), Enc.intValue(6))
    s.put(Enc.lock(Enc.row(54, 4), txn: txn), Enc.intentMeta(txn: txn, anchor: Enc.row(54, 3), wallSeconds: 40))
    s.put(Enc.mvcc(Enc.row(54, 4), wallSeconds: 40), Enc.intValue(7))
  }

  static func store2() -> StoreSpec {
    var s = StoreSpec()
    s.compact = false  // s2 stays in its WAL: the catalog must read memtables too
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: clusterID, node: 2, store: 2))
    for (id, raft, lease) in [(Int64(1), UInt64(100), UInt64(51)), (2, 180, 110), (5, 30, 10)] {
      s.put(Enc.unversioned(Enc.rangeIDKey(id, replicated: true, "rask")), Enc.appliedState(raft: raft, lease: lease))
    }
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d1())
    s.put(Enc.mvcc(Enc.rangeDescriptorKey(t50), wallSeconds: 1), d2old())
    s.put(Enc.mvcc(Enc.rangeDescriptorKey(t54), wallSeconds: 1), d5())
    meta2(&s, postSplit: true)
    return s
  }

  /// s3 was written by 19.1: applied indexes under the legacy `rfta`/`rlla` keys as inline INTs.
  static func store3() -> StoreSpec {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: clusterID, node: 3, store: 3))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rfta")), Enc.inline(Enc.intValue(90)))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rlla")), Enc.inline(Enc.intValue(40)))
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d1())
    meta2(&s, postSplit: false)
    return s
  }

  /// Writes s1, s2, s3 into a fresh directory; returns their paths.
  static func build(_ name: String) throws -> [String] {
    let root = try makeTempDir(name)
    var paths: [String] = []
    for (i, spec) in [store1(), store2(), store3()].enumerated() {
      let dir = root + "/s\(i + 1)"
      try spec.write(to: dir)
      paths.append(dir)
    }
    return paths
  }
}
