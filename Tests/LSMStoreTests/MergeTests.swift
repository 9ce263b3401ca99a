import Testing
import Foundation
@testable import SSTable
@testable import LSMStore
import SalvageTestSupport

func entry(_ key: String, _ seq: UInt64, _ kind: UInt8, _ value: String = "") -> Memtable.Entry {
  Memtable.Entry(key: Array(key.utf8), seq: seq, kind: kind, value: Array(value.utf8))
}

func visible(_ runs: [[Memtable.Entry]], rangeDels: [RangeDeletion] = [], comparer: Comparer = .bytewise) -> [String] {
  let sorted = runs.map { run in
    run.sorted { a, b in
      let c = comparer.compare(a.key, b.key)
      return c != 0 ? c < 0 : a.seq > b.seq
    }
  }
  let it = VisibleIterator(raw: MergedIterator(comparer: comparer, memtables: sorted, groups: []),
                           rangeDels: RangeDelIndex(rangeDels, comparer: comparer), resolver: nil)
  var out: [String] = []
  while let e = it.next() { out.append(String(decoding: e.key, as: UTF8.self) + "=" + String(decoding: e.value, as: UTF8.self)) }
  return out
}

/// Visibility rules of the merged view, one kind at a time.
struct MergeSemanticsTests {
  @Test func newestWinsAcrossSources() {
    #expect(visible([[entry("a", 5, Kind.set, "new")], [entry("a", 3, Kind.set, "old"), entry("b", 1, Kind.set, "b")]])
            == ["a=new", "b=b"])
  }

  @Test func deletionKindsHide() {
    let runs = [[entry("a", 9, Kind.del), entry("b", 9, Kind.singleDel), entry("c", 9, Kind.delSized, "\u{5}"),
                 entry("d", 9, Kind.setWithDel, "d2")],
                [entry("a", 1, Kind.set, "x"), entry("b", 1, Kind.set, "x"), entry("c", 1, Kind.set, "x"), entry("d", 1, Kind.set, "d1")]]
    #expect(visible(runs) == ["d=d2"])
  }

  /// Operands stack newest first and print oldest first; a SET below is the base, a
  /// deletion below ends the stack.
  @Test func mergeOperands() {
    let runs = [[entry("m", 7, Kind.merge, "C"), entry("n", 7, Kind.merge, "2"), entry("o", 4, Kind.merge, "z")],
                [entry("m", 5, Kind.merge, "B"), entry("m", 3, Kind.set, "A"), entry("m", 1, Kind.merge, "ignored"),
                 entry("n", 5, Kind.del), entry("n", 2, Kind.merge, "gone")]]
    #expect(visible(runs) == ["m=ABC", "n=2", "o=z"])
  }

  /// A tombstone hides lower seqnums in [start, end), not equal or higher ones, not `end`.
  @Test func rangeDeletions() {
    let runs = [[entry("a", 4, Kind.set, "a"), entry("b", 10, Kind.set, "b10"), entry("b", 4, Kind.set, "b4"),
                 entry("c", 5, Kind.set, "c5"), entry("d", 1, Kind.set, "d")]]
    let dels = [RangeDeletion(start: Array("b".utf8), end: Array("d".utf8), seq: 5)]
    #expect(visible(runs, rangeDels: dels) == ["a=a", "b=b10", "c=c5", "d=d"])
    // Overlapping tombstones: the highest covering seqnum counts.
    let idx = RangeDelIndex([RangeDeletion(start: [1], end: [5], seq: 3), RangeDeletion(start: [3], end: [9], seq: 8),
                             RangeDeletion(start: [4], end: [4], seq: 99)], comparer: .bytewise)
    let seqs = (0...9).map { k in [UInt8(k)].withUnsafeBytes { idx.coveringSeq($0) } }
    #expect(seqs == [nil, 3, 3, 8, 8, 8, 8, 8, 8, nil])
  }

  /// cockroach_comparator: roach key, then unversioned first, then newest version first;
  /// the legacy 13-byte and zero-logical 12-byte versions equal their 8-byte form.
  @Test func cockroachOrder() {
    func key(_ roach: [UInt8], _ version: [UInt8]) -> [UInt8] {
      version.isEmpty ? roach + [0] : roach + [0] + version + [UInt8(version.count + 1)]
    }
    let wall9: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9], wall5: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 5]
    let ordered = [key([0x61], []), key([0x61], wall9 + [0, 0, 0, 1]), key([0x61], wall9), key([0x61], wall5),
                   key([0x61, 0x00], []), key([0x62], wall5)]
    let c = Comparer.cockroach
    for (a, b) in zip(ordered, ordered.dropFirst()) { #expect(c.compare(a, b) < 0, "\(a.hex) < \(b.hex)") }
    #expect(c.compare(key([0x61], wall9 + [0, 0, 0, 0]), key([0x61], wall9)) == 0)
    #expect(c.compare(key([0x61], wall9 + [0, 0, 0, 0, 1]), key([0x61], wall9)) == 0)
    // Malformed engine keys still order (bytewise), never trap.
    #expect(c.compare([0x61, 0x05], [0x61, 0x06]) < 0)
    #expect(c.compare([], [0]) < 0)
  }

  /// RANGEKEYDEL hides older keys, RANGEKEYUNSET older sets of its suffix; abutting
  /// fragments with the same keys are joined.
  @Test func rangeKeyVisibility() {
    func rk(_ s: UInt8, _ e: UInt8, _ seq: UInt64, _ kind: UInt8, _ suffix: UInt8? = nil) -> RangeKey {
      RangeKey(start: [s], end: [e], seq: seq, kind: kind, suffix: suffix.map { [$0] }, value: kind == Kind.rangeKeySet ? [] : nil)
    }
    let keys = [rk(1, 5, 10, Kind.rangeKeySet, 7), rk(3, 8, 12, Kind.rangeKeyUnset, 7), rk(6, 9, 11, Kind.rangeKeySet, 8),
                rk(7, 9, 13, Kind.rangeKeyDel), rk(1, 3, 14, Kind.rangeKeySet, 9)]
    let got = RangeKeyView.visible(keys, comparer: .bytewise).map { "[\($0.start[0]),\($0.end[0]))@\($0.suffix![0])#\($0.seq)" }
    #expect(got == ["[1,3)@7#10", "[1,3)@9#14", "[6,7)@8#11"])
  }
}

/// The Pebble store's final state, rebuilt from the engine's own per-table dumps (values
/// already resolved from blob files) plus the real WAL: this checks the merge rules and
/// the CockroachDB ordering on the 781 keys while the columnar tables are not readable.
struct PebbleMergeFromDumpsTests {
  static let exp = "pebble-gen/store-expected/"

  func run(_ name: String) throws -> [Memtable.Entry] {
    try Fixtures.jsonl(Self.exp + name + ".points.jsonl").map {
      Memtable.Entry(key: bytes(hex: $0.str("key_hex")!), seq: $0.uint64("seq")!, kind: UInt8($0.int("kind_code")!),
                     value: bytes(hex: $0.str("value_hex")!))
    }
  }

  @Test func finalStateFromDumps() throws {
    let store = try Store(path: Fixtures.path("pebble-gen/store"))
    let dels = store.memtable.rangeDeletions + (try Fixtures.jsonl(Self.exp + "000013.rangedels.jsonl")).map {
      RangeDeletion(start: bytes(hex: $0.str("start_hex")!), end: bytes(hex: $0.str("end_hex")!), seq: $0.uint64("seq")!)
    }
    let it = VisibleIterator(raw: MergedIterator(comparer: .cockroach, memtables: [store.memtable.points, try run("000013"), try run("000011")], groups: []),
                             rangeDels: RangeDelIndex(dels, comparer: .cockroach), resolver: nil)
    var got: [String] = []
    while let e = it.next() { got.append("\(hexString(e.key)) = \(hexString(e.value))") }
    let want = try expectedVisibleLines(Self.exp + "final-state.points.jsonl")
    #expect(want.count == 781)
    expectSameLines(got, want, "pebble final state from dumps")

    let rangeKeys = store.memtable.rangeKeys + (try Fixtures.jsonl(Self.exp + "000011.rangekeys.jsonl")).map {
      RangeKey(start: bytes(hex: $0.str("start_hex")!), end: bytes(hex: $0.str("end_hex")!), seq: $0.uint64("seq")!,
               kind: UInt8($0.int("kind_code")!), suffix: $0.str("suffix_hex").map { bytes(hex: $0) }, value: $0.str("value_hex").map { bytes(hex: $0) })
    }
    let rk = try Fixtures.jsonl(Self.exp + "final-state.rangekeys.jsonl").map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!) @\($0.str("suffix_hex") ?? "") =\($0.str("value_hex") ?? "")"
    }
    let gotRK = RangeKeyView.visible(rangeKeys, comparer: .cockroach).map {
      "\(hexString($0.start))-\(hexString($0.end)) @\(hexString($0.suffix ?? [])) =\(hexString($0.value ?? []))"
    }
    expectSameLines(gotRK, rk, "pebble range keys from dumps")
  }
}

/// A virtual table reads its backing file through a synthetic prefix and only inside its
/// bounds (inclusive largest unless it is the exclusive range-deletion sentinel).
struct VirtualTableTests {
  @Test func boundsAndPrefix() {
    func bound(_ k: String, seq: UInt64 = 5) -> KeyBound { KeyBound(userKey: Array(k.utf8), seq: seq, kind: Kind.set) }
    var meta = TableMeta(level: 6, fileNum: 30, size: 1, smallest: bound("p/b"), largest: bound("p/d"), pointBounds: nil,
                         rangeKeyBounds: nil, smallestSeq: 1, largestSeq: 9, hasPointKeys: true, hasRangeKeys: false)
    meta.backingFileNum = 20
    meta.syntheticPrefix = Array("p/".utf8)
    let spec = TableSpec(path: "/x/000020.sst", fileNum: 30, meta: meta)
    let src = MergeSource(index: 0, tables: [spec], comparer: .bytewise, log: IssueLog())
    func accepted(_ m: TableMeta) -> [String] {
      ["a", "b", "c", "d", "e"].compactMap { k -> String? in
        Array(k.utf8).withUnsafeBytes { kb in
          let e = PointEntry(userKey: kb, seq: 1, kind: Kind.set, obsolete: false, value: kb, storage: .inline)
          return src.accept(e, m) ? String(decoding: src.key, as: UTF8.self) : nil
        }
      }
    }
    #expect(accepted(meta) == ["p/b", "p/c", "p/d"])
    meta.largest = bound("p/d", seq: InternalKey.maxSeqNum)
    #expect(accepted(meta) == ["p/b", "p/c"])
  }
}
