import Testing
@testable import CockroachKV
import LSMStore
import SalvageTestSupport

struct EngineKeyTests {
  /// Spec §8: "foo"@1643550788737652545,65535 (pkg/storage/mvcc_key_test.go).
  @Test func specVector() throws {
    let raw = bytes(hex: "666f6f0016cf10bc050557410000ffff0d")
    let k = try EngineKey(decoding: raw)
    #expect(k.roachKey == Array("foo".utf8))
    #expect(k.timestamp == ts(1_643_550_788_737_652_545, 65535))
    #expect(k.storedVersionLength == 12)
    #expect(k.encoded == raw)
    #expect(k.timestamp?.description == "1643550788.737652545,65535")
  }

  /// Every suffix length of §1.2, including wall=0/logical≠0 and the lock-table vector.
  @Test func everySuffixLength() throws {
    let none = try EngineKey(decoding: bytes(hex: "666f6f00"))
    #expect(none.version == .none && none.roachKey == Array("foo".utf8))

    let wallOnly = try EngineKey(decoding: bytes(hex: "666f6f00000000000000000109"))
    #expect(wallOnly.timestamp == ts(1) && wallOnly.storedVersionLength == 8)

    let logicalOnly = try EngineKey(decoding: bytes(hex: "666f6f0000000000000000000000ffff0d"))
    #expect(logicalOnly.timestamp == ts(0, 65535))

    // Legacy 13-byte synthetic form: flag ignored, canonical re-encoding drops it.
    let legacy = try EngineKey(decoding: bytes(hex: "f38989880017979cfe362a03e800000001010e"))
    #expect(legacy.timestamp == ts(1_700_000_000_000_001_000, 1) && legacy.storedVersionLength == 13)
    #expect(hexString(legacy.encoded) == "f38989880017979cfe362a03e8000000010d")

    // Lock-table version (pebble cockroachkvs testdata/comparer_funcs).
    let lock = try EngineKey(decoding: bytes(hex: "666f6f0001cf379e85637142e6acc8ed5259fa177a12"))
    guard case .lock(let strength, let id) = lock.version else { Issue.record("not a lock version"); return }
    #expect(strength == 1)
    #expect(id.description == "cf379e85-6371-42e6-acc8-ed5259fa177a")
    #expect(hexString(lock.encoded) == "666f6f0001cf379e85637142e6acc8ed5259fa177a12")
  }

  /// pebble cockroachkvs/testdata/comparer_funcs: text key → engine key bytes.
  @Test(arguments: [("foo", "", "666f6f00"), ("bar", "", "62617200"),
                    ("foo", "1000000,0", "666f6f0000038d7ea4c6800009"),
                    ("foo", "1000000.000051212,0", "666f6f0000038d7ea4c7480c09"),
                    ("foo", "1000000,8", "666f6f0000038d7ea4c68000000000080d"),
                    ("foo", "1000000.000051212,7", "666f6f0000038d7ea4c7480c000000070d"),
                    ("", "1,0", "00000000003b9aca0009"), ("a", "2,0", "6100000000007735940009")])
  func pebbleComparerVectors(_ key: String, _ t: String, _ hex: String) throws {
    let k = EngineKey(roachKey: Array(key.utf8), version: t.isEmpty ? .none : .mvcc(try MVCCTimestamp(parsing: t)))
    #expect(hexString(k.encoded) == hex)
    #expect(try EngineKey(decoding: bytes(hex: hex)) == k)
  }

  @Test func pebbleComparerLockVectorsOrder() throws {
    let a = bytes(hex: "666f6f0001a65a118c5dcb452bbd827dd17e12113812")
    let c = bytes(hex: "666f6f0001cf379e85637142e6acc8ed5259fa177a12")
    // Lock-table versions compare in reverse byte order, like timestamps.
    #expect(EngineKey.compare(c, a) < 0)
    // foo@1000000,1 sorts before foo@1000000,0 (newer first), and both after bare foo.
    let t1 = bytes(hex: "666f6f0000038d7ea4c68000000000010d"), t0 = bytes(hex: "666f6f0000038d7ea4c6800009")
    #expect(EngineKey.compare(t1, t0) < 0 && EngineKey.compare(bytes(hex: "666f6f00"), t1) < 0)
    #expect(try EngineKey(decoding: a).description == "\"foo\"@lock(1,a65a118c-5dcb-452b-bd82-7dd17e121138)")
  }

  @Test(arguments: ["", "01", "666f6f01", "666f6f0102", "666f6f000000000000000109" /* no sentinel */,
                    "666f6f00aabbcc04" /* 3-byte version */, "09"])
  func notEngineKeys(_ hex: String) {
    #expect(throws: KVError.self) { try EngineKey(decoding: bytes(hex: hex)) }
  }

  /// §1.3 ordering: `k`, `k@9`, `k@5`, `k@1`, `k\0`...; zero logical equals no logical;
  /// the synthetic byte is ignored.
  @Test func comparatorOrder() {
    func key(_ k: String, _ t: MVCCTimestamp?) -> [UInt8] {
      EngineKey(roachKey: Array(k.utf8), version: t.map { .mvcc($0) } ?? .none).encoded
    }
    let sorted = [key("a", nil), key("a", ts(9, 1)), key("a", ts(9)), key("a", ts(5)), key("a", ts(0, 3)),
                  key("a\0", nil), key("a\0", ts(2)), key("b", nil), key("b", ts(1))]
    for i in sorted.indices {
      for j in sorted.indices {
        let c = EngineKey.compare(sorted[i], sorted[j])
        #expect((c < 0) == (i < j) && (c == 0) == (i == j), "\(i) vs \(j)")
      }
    }
    // wall‖00000000 equals wall; 13-byte synthetic equals its 12-byte form.
    #expect(EngineKey.compare(bytes(hex: "6100000000000000000500000000" + "0d"), bytes(hex: "61000000000000000005" + "09")) == 0)
    #expect(EngineKey.compare(bytes(hex: "6100000000000000000500000001010e"), bytes(hex: "610000000000000000050000000" + "10d")) == 0)
  }

  /// Malformed version lengths order the same in the store's merge and in CockroachKV (they
  /// once disagreed): a length byte of 1 is an empty version (sorts as unversioned, as
  /// Pebble slices it); a missing sentinel or an oversized length compares bytewise.
  @Test func malformedVersionLengthsOrderAsTheStoreDoes() {
    let unversioned = bytes(hex: "6100"), emptyVersion = bytes(hex: "610001"), at5 = bytes(hex: "61000000000000000005" + "09")
    #expect(EngineKey.compare(emptyVersion, unversioned) == 0)
    #expect(EngineKey.compare(emptyVersion, at5) < 0)
    let noSentinel = bytes(hex: "6162" + "01"), tooLong = bytes(hex: "61" + "ff")
    #expect(EngineKey.compare(noSentinel, unversioned) > 0 && EngineKey.compare(tooLong, noSentinel) > 0)
    let keys = [unversioned, emptyVersion, at5, noSentinel, tooLong, bytes(hex: "00"), bytes(hex: "0002")]
    for a in keys { for b in keys { #expect(EngineKey.compare(a, b) == Comparer.cockroach.compare(a, b)) } }
  }

  static let fixtureFiles = ["pebble-gen/sst/pebblev4-zstd.points.jsonl", "pebble-gen/sst/rocksdbv2-snappy.points.jsonl",
                             "pebble-gen/sst/pebblev8-zstd.points.jsonl", "pebble-gen/sst/ingest-pebblev7-snappy.points.jsonl",
                             "pebble-gen/store-expected/final-state.points.jsonl",
                             "pebble-gen/store-expected/000011.points.jsonl"]

  /// Every key in the fixtures decodes to what CockroachDB's own `cockroachkvs` reported,
  /// and consecutive keys are in comparator order.
  @Test(arguments: fixtureFiles)
  func fixtureKeysMatchCockroach(_ file: String) throws {
    let lines = try Fixtures.jsonl(file)
    #expect(lines.count > 700)
    var previous: [UInt8]? = nil
    var versions = Set<Int>()
    for (n, x) in lines.enumerated() {
      let raw = bytes(hex: x.str("key_hex")!)
      let k = try EngineKey(decoding: raw)
      #expect(hexString(k.roachKey) == x.str("roach_key_hex"), "\(file):\(n)")
      let vhex = x.str("version_hex") ?? ""
      #expect(k.storedVersionLength * 2 == vhex.count, "\(file):\(n)")
      versions.insert(k.storedVersionLength)
      if let wall = x.uint64("wall_time").map({ Int64($0) }) {
        #expect(k.timestamp == ts(wall, Int32(x.int("logical")!)), "\(file):\(n)")
      } else if vhex.count == 34 {
        guard case .lock(let s, let id) = k.version else { Issue.record("\(file):\(n) not lock"); continue }
        #expect(OrderedEncoding.hex2(s) + hexString(id.bytes) == vhex)
      } else {
        #expect(k.version == .none, "\(file):\(n)")
      }
      if let p = previous {
        #expect(EngineKey.compare(p, raw) <= 0, "\(file):\(n) out of order")
      }
      previous = raw
    }
    #expect(versions.contains(0) && versions.contains(8) && versions.contains(12) && versions.contains(17))
    if file.contains("rocksdbv2") { #expect(versions.contains(13)) }
  }
}


struct MVCCTimestampTests {
  @Test(arguments: [(ts(1_700_000_000_000_000_000, 7), "1700000000.000000000,7"), (ts(0), "0,0"), (ts(0, 65535), "0,65535"),
                    (ts(1_643_550_788_737_652_545, 65535), "1643550788.737652545,65535"), (ts(5), "0.000000005,0"),
                    (ts(-1_500_000_000), "-1.500000000,0")])
  func textForm(_ t: MVCCTimestamp, _ text: String) throws {
    #expect(t.description == text)
    #expect(try MVCCTimestamp(parsing: text) == t)
  }

  @Test func lenientParsing() throws {
    #expect(try MVCCTimestamp(parsing: "1700000000") == ts(1_700_000_000_000_000_000))
    #expect(try MVCCTimestamp(parsing: "1700000000.5,2") == ts(1_700_000_000_500_000_000, 2))
    for bad in ["", ",1", "1.2.3", "1.00000000001", "abc", "1,x", "99999999999999999999", "1,2,3"] {
      #expect(throws: KVError.self, "\(bad)") { try MVCCTimestamp(parsing: bad) }
    }
    #expect(ts(1, 2) < ts(2, 0) && ts(2, 0) < ts(2, 1) && MVCCTimestamp.zero.isZero)
  }

  /// Issue 14: `--as-of 2025-03-08T00:00:00Z` failed with "bad seconds".
  @Test(arguments: ["2025-03-08T00:00:00Z", "2025-03-08T00:00:00.000000000Z", "2025-03-08t00:00:00z",
                    "2025-03-08T01:00:00+01:00", "2025-03-07T19:00:00.0-05:00", "2025-03-08 00:00:00+00",
                    "1741392000000000000.0000000000", "1741392000000000000", "1741392000", "1741392000.000000000,0"])
  func everySpellingOfOneInstant(_ text: String) throws {
    #expect(try MVCCTimestamp(parsing: text) == ts(1_741_392_000_000_000_000))
  }

  @Test func decimalFormCarriesLogical() throws {
    #expect(try MVCCTimestamp(parsing: "1741392000123456789.0000000007") == ts(1_741_392_000_123_456_789, 7))
    #expect(try MVCCTimestamp(parsing: "1.0000000001") == ts(1, 1))
    #expect(try MVCCTimestamp(parsing: "2025-03-08T00:00:00.123456789Z") == ts(1_741_392_000_123_456_789))
    for bad in ["2025-03-08T00:00:00", "2025-13-08T00:00:00Z", "2025-03-08T00:00:00.Z", "2025-03-08T00:00:00+1",
                "1741392000000000000.00000000001", "1741392000000000000,3", "1741392000000000000.9999999999"] {
      #expect(throws: KVError.self, "\(bad)") { try MVCCTimestamp(parsing: bad) }
    }
  }
}
