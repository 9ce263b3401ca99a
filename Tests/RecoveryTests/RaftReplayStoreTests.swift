import CockroachKV
import Foundation
import LSMStore
import SSTable
import SalvageTestSupport
import Testing
@testable import Recovery

/// Replay on a real RocksDB store (built with `ldb`): Raft keys read from the engine, the
/// accepted writes seen by a later SpanScanner pass, nothing past the commit index.
struct RaftReplayStoreTests {
  static let rows = KeySpan(start: Enc.table(60), end: Enc.table(61))

  /// s1 holds r1 [/Min, /Max) applied to 10 (lease applied 5, lease #1). Row 1 = 1 at t=50
  /// is stored; the log holds 11 (row 1 = 11), 12 (a reproposal of 11, row 1 = 99), 13
  /// (row 2 = 13 and, as engine operations, a range deletion of row 5 and a single delete of
  /// row 6; committed) and 14 (row 3 = 14, past commit 13).
  static func build(replacing: [UInt64: [UInt8]] = [:], sideload: (index: UInt64, sst: String)? = nil) throws -> Store {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 1, store: 1))
    let d = Enc.descriptor(1, [], ClusterScenario.keyMax, generation: 1, replicas: [(1, 1, 1), (2, 2, 2), (3, 3, 3)])
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d)
    s.put(Enc.mvcc(Enc.meta2Key(ClusterScenario.keyMax), wallSeconds: 1), d)
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rask")), Enc.appliedState(raft: 10, lease: 5))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rll-")), RaftEnc.stored(RaftEnc.lease(sequence: 1).bytes))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: false, "rfth")), RaftEnc.hardState(term: 2, commit: 13))
    s.put(Enc.mvcc(Enc.row(60, 1), wallSeconds: 50), Enc.intValue(1))
    s.put(Enc.mvcc(Enc.row(60, 5), wallSeconds: 50), Enc.intValue(5))
    s.put(Enc.mvcc(Enc.row(60, 6), wallSeconds: 50), Enc.intValue(6))
    func write(_ pk: UInt64, _ v: Int64, mli: UInt64) -> [UInt8] {
      var ops = [RaftEnc.put(Enc.mvcc(Enc.row(60, pk), wallSeconds: 100 + v), Enc.intValue(v))]
      if pk == 2 {
        // Engine range deletion of row 5's keys (15 RANGEDEL start end) and a single delete (7) of row 6's version.
        ops.append((15, Enc.unversioned(Enc.row(60, 5)), Enc.unversioned(Enc.row(60, 6))))
        ops.append((7, Enc.mvcc(Enc.row(60, 6), wallSeconds: 50), nil))
      }
      return RaftEnc.normalData(RaftEnc.command(mli: mli, batch: RaftEnc.batch(ops)))
    }
    for (i, data) in [(UInt64(10), write(1, 10, mli: 5)), (11, write(1, 11, mli: 6)), (12, write(1, 99, mli: 6)),
                      (13, write(2, 13, mli: 7)), (14, write(3, 14, mli: 8))] {
      s.put(RaftEnc.logKey(1, i), RaftEnc.stored(RaftEnc.entry(term: 2, index: i, data: replacing[i] ?? data)))
    }
    let dir = try makeTempDir("raft-replay")
    try s.write(to: dir + "/s1")
    if let (index, sst) = sideload {
      // 20.x+ layout (R-SIDELOAD): auxiliary/sideloading/r<id/10000>XXXX/r<id>/i<index>.t<term>.
      let d = dir + "/s1/auxiliary/sideloading/r0XXXX/r1"
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: sst, toPath: d + "/i\(index).t2")
    }
    return try Store(path: dir + "/s1")
  }

  /// A damaged log: entry 13's stored value is cut short. Replay applies 11, stops at 13
  /// and says why; the range keeps its applied state plus entry 11 (12 is a rejected
  /// reproposal either way).
  @Test func damagedEntryFallsBackAndIsReported() throws {
    let dir = try makeTempDir("raft-damaged")
    var s = StoreSpec()
    let intact = try Self.build()
    let entries = intact.makeVisibleIterator()
    while let e = entries.next() {
      s.put(e.key, e.key == RaftEnc.logKey(1, 13) ? Array(e.value.prefix(e.value.count / 2)) : e.value)
    }
    try s.write(to: dir + "/s1")
    let store = try Store(path: dir + "/s1")
    let catalogs = [StoreCatalog(store: store)]
    let view = ClusterView(catalogs)
    let reps = RaftReplayPass.run(stores: [store], view: view, plans: ReplicaPlanner.plan(view, catalogs: catalogs))
    let r = try #require(reps.first)
    #expect(r.entries.map(\.index) == [11, 12])
    #expect(r.stopped?.hasPrefix("entry 13 on store 0 cannot be decoded") == true, "\(r.stopped ?? "")")
    #expect(try Self.rowValues(store) == ["/Table/60/1/1/0=11", "/Table/60/1/5/0=5", "/Table/60/1/6/0=6"])
  }

  /// Entry 13 is a sideloaded AddSSTable (version byte 1, data stripped, the table's CRC-32C
  /// in the command): the table file of rows 7 and 8 sits in the store's sideloading
  /// directory and is ingested with the command.
  @Test func sideloadedAddSSTableIsIngested() throws {
    let (sst, crc) = try Self.rows7and8Table()
    let add = RaftEnc.normalData(RaftEnc.command(mli: 7, addSSTable: crc), version: 1)
    let store = try Self.build(replacing: [13: add], sideload: (13, sst))
    let catalogs = [StoreCatalog(store: store)]
    let view = ClusterView(catalogs)
    let r = try #require(RaftReplayPass.run(stores: [store], view: view, plans: ReplicaPlanner.plan(view, catalogs: catalogs)).first)
    #expect(r.stopped == nil && r.entries.map(\.outcome).last == .applied(ops: 2))
    #expect(try Self.rowValues(store) == ["/Table/60/1/1/0=11", "/Table/60/1/5/0=5", "/Table/60/1/6/0=6", "/Table/60/1/7/0=7", "/Table/60/1/8/0=8"])
    // Without the file the replay stops at 13 and says so.
    let bare = try Self.build(replacing: [13: add])
    let c2 = [StoreCatalog(store: bare)]
    let v2 = ClusterView(c2)
    let r2 = try #require(RaftReplayPass.run(stores: [bare], view: v2, plans: ReplicaPlanner.plan(v2, catalogs: c2)).first)
    #expect(r2.stopped == "entry 13: the sideloaded AddSSTable file is not on the store")
  }

  /// A file whose CRC-32C is not the command's is not the table that was committed:
  /// CockroachDB refuses to apply it (`addSSTablePreApply`, R-SIDELOAD), so the replay stops
  /// there and the range keeps entry 11.
  /// An AddSSTable payload is an ingestion table, and from 22.2 on it may hold MVCC range
  /// keys: Pebble's own ingestion table (set, unset and del range keys) becomes overlay
  /// operations whose values decode back to exactly the range keys Pebble listed.
  @Test func addSSTableRangeKeysBecomeOverlayOperations() throws {
    let path = Fixtures.path("pebble-gen/sst/ingest-pebblev7-snappy.sst")
    let ops = try AddSSTablePayload.ops(path: path).get()
    var decoded: [RangeKey] = []
    for op in ops where op.kind == Kind.rangeKeySet || op.kind == Kind.rangeKeyUnset || op.kind == Kind.rangeKeyDel {
      try op.value.withUnsafeBytes { try Table.decodeRangeKeyValue(start: op.key, seq: 0, kind: op.kind, value: $0, into: &decoded) }
    }
    let want = try Fixtures.jsonl("pebble-gen/sst/ingest-pebblev7-snappy.rangekeys.jsonl").map {
      RangeKey(start: bytes(hex: $0.str("start_hex")!), end: bytes(hex: $0.str("end_hex")!), seq: 0,
               kind: UInt8($0["kind_code"] as! Int), suffix: $0.str("suffix_hex").map { bytes(hex: $0) },
               value: $0.str("value_hex").map { bytes(hex: $0) })
    }
    #expect(want.count == 6)
    #expect(decoded == want)
    #expect(ops.filter { $0.kind == Kind.set || $0.kind == Kind.del || $0.kind == Kind.singleDel || $0.kind == Kind.merge }.count
            == (try Fixtures.jsonl("pebble-gen/sst/ingest-pebblev7-snappy.points.jsonl")).count)
  }

  @Test func sideloadedAddSSTableWithAnotherCRCStops() throws {
    let (sst, crc) = try Self.rows7and8Table()
    let add = RaftEnc.normalData(RaftEnc.command(mli: 7, addSSTable: crc ^ 1), version: 1)
    let store = try Self.build(replacing: [13: add], sideload: (13, sst))
    let catalogs = [StoreCatalog(store: store)]
    let view = ClusterView(catalogs)
    let r = try #require(RaftReplayPass.run(stores: [store], view: view, plans: ReplicaPlanner.plan(view, catalogs: catalogs)).first)
    #expect(r.entries.map(\.index) == [11, 12])
    let want = String(format: "CRC-32C %08x, the command says %08x", crc, crc ^ 1)
    #expect(r.stopped?.hasPrefix("entry 13: AddSSTable: ") == true && r.stopped?.hasSuffix(want) == true, "\(r.stopped ?? "")")
    #expect(try Self.rowValues(store) == ["/Table/60/1/1/0=11", "/Table/60/1/5/0=5", "/Table/60/1/6/0=6"])
  }

  /// An SST of rows 7 and 8 (written by ldb) and its CRC-32C.
  static func rows7and8Table() throws -> (path: String, crc: UInt32) {
    var t = StoreSpec()
    t.put(Enc.mvcc(Enc.row(60, 7), wallSeconds: 200), Enc.intValue(7))
    t.put(Enc.mvcc(Enc.row(60, 8), wallSeconds: 200), Enc.intValue(8))
    let tdir = try makeTempDir("raft-sst")
    try t.write(to: tdir)
    let name = try #require(try FileManager.default.contentsOfDirectory(atPath: tdir).first { $0.hasSuffix(".sst") })
    let bytes = try Data(contentsOf: URL(fileURLWithPath: tdir + "/" + name))
    return (tdir + "/" + name, bytes.withUnsafeBytes { Checksum.crc32c($0) })
  }

  static func rowValues(_ store: Store) throws -> [String] {
    var out: [String] = []
    _ = try SpanScanner(store: store, spans: [rows]).run { _, r in
      guard case .value(_, let v) = r.outcome, case .int(let n) = try v.value.decoded() else {
        out.append("\(Keyspace.prettyPrint(r.roachKey)) \(r.outcome)")
        return
      }
      out.append("\(Keyspace.prettyPrint(r.roachKey))=\(n)")
    }
    return out
  }

  @Test func replayedWritesAreReadLikeStoredOnes() throws {
    let store = try Self.build()
    #expect(try Self.rowValues(store) == ["/Table/60/1/1/0=1", "/Table/60/1/5/0=5", "/Table/60/1/6/0=6"])
    let catalogs = [StoreCatalog(store: store)]
    let view = ClusterView(catalogs)
    let reps = RaftReplayPass.run(stores: [store], view: view, plans: ReplicaPlanner.plan(view, catalogs: catalogs))
    let r = try #require(reps.first)
    #expect(reps.count == 1 && r.rangeID == 1 && r.commit == 13 && r.beyondCommit == 1 && r.stopped == nil)
    #expect(r.entries.map(\.outcome) == [.applied(ops: 1), .rejected("reproposal: lease applied index 6, command requires < 6"), .applied(ops: 3)])
    #expect(r.leaseSequence == 1 && r.writes == 2)
    #expect(try Self.rowValues(store) == ["/Table/60/1/1/0=11", "/Table/60/1/2/0=13"])
  }
}
