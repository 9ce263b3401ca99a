import Testing
import CockroachKV
import CockroachSQL
@testable import Recovery

/// Rows from the indexes (issue 18): which indexes can give row data, and the primary key
/// re-encoded from an entry's datums sorting and decoding like the primary index's own.
struct IndexRebuildTests {
  static func table() -> TableDescriptor {
    var t = TableDescriptor(id: 60, name: "t")
    for (id, name, family) in [(1, "id", TypeFamily.int), (2, "name", .string), (3, "tags", .array), (4, "v", .int),
                               (5, "label", .collatedString)] {
      var c = ColumnDescriptor()
      c.id = UInt32(id); c.name = name; c.type = SQLType(family)
      if id == 4 { c.virtual = true; c.computeExpr = "id + 1" }
      t.columns.append(c)
    }
    t.primaryIndex = IndexDescriptor(id: 1, name: "primary")
    t.primaryIndex.keyColumnIDs = [1]
    func ix(_ id: UInt32, _ name: String, _ cols: [UInt32], _ edit: (inout IndexDescriptor) -> Void = { _ in }) -> IndexDescriptor {
      var i = IndexDescriptor(id: id, name: name)
      i.keyColumnIDs = cols
      i.keySuffixColumnIDs = [1]
      edit(&i)
      return i
    }
    t.indexes = [ix(2, "by_name", [2]) { $0.storeColumnIDs = [3] },
                 ix(3, "tags_inv", [3]) { $0.kindID = 1 },
                 ix(4, "named_only", [2]) { $0.predicate = "name IS NOT NULL" },
                 ix(5, "by_v", [4]),
                 ix(6, "by_label", [5])]
    return t
  }

  @Test func onlyIndexesHoldingColumnValuesAreUsed() {
    let (usable, unusable) = RecoveryRun.indexSources(Self.table())
    #expect(usable.map(\.index.name) == ["by_name", "by_label"])
    #expect(usable[0].known == [1, 2, 3])
    // A collated string key without its composite value-side copy gives no text.
    #expect(usable[1].known == [1])
    #expect(unusable.map(\.index) == ["tags_inv", "named_only", "by_v"])
    #expect(unusable[0].reason.hasPrefix("inverted"))
    #expect(unusable[1].reason.hasPrefix("partial index (WHERE name IS NOT NULL)"))
    #expect(unusable[2].reason.hasPrefix("expression or virtual column"))
    #expect(usable[0].span == KeySpan(start: [0xC4, 0x8A], end: [0xC4, 0x8B]))
  }

  /// Index spans are read like data spans: a damaged block's span of the chosen replica from
  /// the range's fallback replica, or lost when no replica is intact there.
  @Test func damagedBlocksInAnIndexSpanAreReadFromTheNextReplica() {
    func k(_ b: UInt8) -> [UInt8] { [0xC4, 0x8A, b] }
    let index = KeySpan(start: [0xC4, 0x8A], end: [0xC4, 0x8B])
    let plans = [
      RangePlan(rangeID: 1, span: KeySpan(start: [0xC4], end: k(0x50)), chosenStore: 0,
                fallbacks: [.init(span: KeySpan(start: k(0x10), end: k(0x20)), store: 2),
                            .init(span: KeySpan(start: k(0x30), end: k(0x31)), store: nil)]),
      RangePlan(rangeID: 2, span: KeySpan(start: k(0x50), end: [0xC5]), chosenStore: 1, fallbacks: []),
    ]
    let (perStore, lost) = RecoveryRun.readPlan([index], plans: plans, stores: 3)
    #expect(perStore[0] == [KeySpan(start: [0xC4, 0x8A], end: k(0x10)), KeySpan(start: k(0x20), end: k(0x30)), KeySpan(start: k(0x31), end: k(0x50))])
    #expect(perStore[2] == [KeySpan(start: k(0x10), end: k(0x20))])
    #expect(perStore[1] == [KeySpan(start: k(0x50), end: [0xC4, 0x8B])])
    #expect(lost == [KeySpan(start: k(0x30), end: k(0x31))])
    // A range with no surviving replica: lost whole.
    let gone = RecoveryRun.readPlan([index], plans: [RangePlan(rangeID: 3, span: .everything, chosenStore: nil, fallbacks: [])], stores: 3)
    #expect(gone.perStore.isEmpty && gone.lost == [index])
  }

  @Test(arguments: [IndexDirection.asc, .desc])
  func reencodedKeysDecodeAndSortLikeThePrimaryIndex(_ dir: IndexDirection) throws {
    let cases: [(SQLType, [Datum])] = [
      (SQLType(.int), [.int(-1 << 40), .int(-1), .int(0), .int(7), .int(1 << 50)]),
      (SQLType(.string), [.string(""), .string("a"), .string("a\u{0}b"), .string("é")]),
      (SQLType(.bytes), [.bytes([]), .bytes([0]), .bytes([0, 0xFF]), .bytes([1])]),
      (SQLType(.uuid), [.uuid([UInt8](repeating: 1, count: 16)), .uuid([UInt8](repeating: 2, count: 16))]),
      (SQLType(.date), [.date(days: -3), .date(days: 19000)]),
      (SQLType(.bool), [.bool(false), .bool(true)]),
      (SQLType(.timestamp), [.timestamp(seconds: -5, nanos: 7), .timestamp(seconds: 1_600_000_000, nanos: 0)]),
    ]
    for (type, datums) in cases {
      var encoded: [[UInt8]] = []
      for d in datums {
        var out: [UInt8] = []
        #expect(KeyEncoding.encode(d, dir, into: &out))
        var b = out[...]
        #expect(try DatumDecoding.key(type, dir, &b) == d && b.isEmpty, "\(d)")
        encoded.append(out)
      }
      let sorted = encoded.sorted { $0.lexicographicallyPrecedes($1) }
      #expect(sorted == (dir == .asc ? encoded : encoded.reversed()), "\(type.family!)")
    }
    var out: [UInt8] = []
    #expect(!KeyEncoding.encode(.json(.null), dir, into: &out))
  }
}
