import Testing
@testable import CockroachKV
import SalvageTestSupport

struct MVCCValueTests {
  /// pkg/storage/testdata/TestEncodeDecodeMVCCValue/header_int (spec §2.2, §8).
  @Test func headerIntVector() throws {
    let v = try MVCCValue(decoding: bytes(hex: "00000004650a020809000000000122"))
    #expect(v.header?.localTimestamp == ts(9))
    #expect(v.header?.importEpoch == 0)
    #expect(!v.isTombstone)
    #expect(v.value.tag == .int)
    #expect(try v.value.decoded() == .int(17))
  }

  /// More verbatim vectors from pkg/storage/testdata/TestEncodeDecodeMVCCValue/*.
  @Test func cockroachTestdataVectors() throws {
    let full = try MVCCValue(decoding: bytes(hex: "00000008650a02080920032801000000000122"))       // headerFull_int
    #expect(full.header?.localTimestamp == ts(9) && full.header?.importEpoch == 3 && full.header?.originID == 1)
    #expect(try full.value.decoded() == .int(17))
    let fullTomb = try MVCCValue(decoding: bytes(hex: "00000006650a0208092003"))                    // headerFull_tombstone
    #expect(fullTomb.isTombstone && fullTomb.header?.importEpoch == 3)
    let job = try MVCCValue(decoding: bytes(hex: "00000004650a002003000000000122"))                 // headerJobIDOnly_int
    #expect(job.header?.importEpoch == 3 && job.header?.localTimestamp == .zero)
    let originTs = try MVCCValue(decoding: bytes(hex: "00000008650a00320408011001000000000122"))    // headerOriginTsOnly_int
    #expect(originTs.header?.originTimestamp == ts(1, 1))
    let originID = try MVCCValue(decoding: bytes(hex: "00000004650a0028010000000003666f6f"))        // headerOriginIDOnly_bytes
    #expect(try originID.header?.originID == 1 && originID.value.decoded() == .bytes(Array("foo".utf8)))
    let plain = try MVCCValue(decoding: bytes(hex: "0000000003666f6f"))                             // bytes
    #expect(try plain.header == nil && plain.value.decoded() == .bytes(Array("foo".utf8)))
  }

  @Test func simpleAndTombstones() throws {
    let simple = try MVCCValue(decoding: bytes(hex: "000000000122"))
    #expect(try simple.header == nil && simple.value.decoded() == .int(17))
    #expect(try MVCCValue(decoding: [UInt8]()).isTombstone)
    let extTomb = try MVCCValue(decoding: bytes(hex: "00000004650a020809"))
    #expect(extTomb.isTombstone && extTomb.header?.localTimestamp == ts(9))
    // An always-emitted empty local_timestamp (0a 00) and origin_timestamp (32 00).
    let empties = try MVCCValue(decoding: bytes(hex: "00000004650a003200"))
    #expect(empties.isTombstone && empties.header?.localTimestamp == .zero)
  }

  @Test func everyHeaderField() throws {
    var h = PB()
    var t = PB(); t.varint(1, 1_700_000_000_000_000_000); t.varint(2, 3)
    h.message(1, t)
    h.bytes(2, [1, 2])
    h.varint(3, 1)
    h.varint(4, 7)
    h.varint(5, 2)
    var o = PB(); o.varint(1, 42)
    h.message(6, o)
    h.varint(99, 5)  // unknown field: tolerated
    let len = h.bytes.count
    let raw = [0, 0, 0, UInt8(len), 0x65] + h.bytes + bytes(hex: "0000000003") + Array("x".utf8)
    let v = try MVCCValue(decoding: raw)
    let hd = try #require(v.header)
    #expect(hd.localTimestamp == ts(1_700_000_000_000_000_000, 3))
    #expect(hd.kvnemesisSeq == [1, 2] && hd.omitInRangefeeds && hd.importEpoch == 7 && hd.originID == 2)
    #expect(hd.originTimestamp == ts(42))
    #expect(try v.value.decoded() == .bytes([0x78]))
  }

  @Test(arguments: ["00", "00000000", "0000000565", "000000ff650a00", "00000002650a0500" /* bad inner */,
                    "000000016507" /* bad wire type */, "0000000265" + "0b00" /* group */])
  func malformedThrows(_ hex: String) {
    #expect(throws: KVError.self) { try MVCCValue(decoding: bytes(hex: hex)) }
  }

  /// MVCC tombstones of the fixtures: SET with an empty value at a versioned key.
  @Test func fixtureTombstones() throws {
    var tombstones = 0
    for x in try Fixtures.jsonl("pebble-gen/sst/pebblev4-zstd.points.jsonl") where x.str("kind") == "SET" {
      guard (x.str("version_hex") ?? "").count == 16 || (x.str("version_hex") ?? "").count == 24 else { continue }
      let v = try MVCCValue(decoding: bytes(hex: x.str("value_hex")!))
      if v.isTombstone { tombstones += 1 }
      #expect(v.isTombstone == x.str("value_hex")!.isEmpty)
    }
    #expect(tombstones > 10)
  }
}

struct MVCCMetadataTests {
  static func txnMeta() -> PB {
    var t = PB()
    t.bytes(1, bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))
    t.varint(2, 1)
    t.bytes(3, Array("anchor".utf8))
    t.varint(4, 2)
    var w = PB(); w.varint(1, 1_700_000_000_000_000_000); w.varint(2, 4)
    t.message(5, w)
    t.varint(6, 12345)
    t.varint(7, 9)
    var mn = PB(); mn.varint(1, 1_699_999_999_000_000_000)
    t.message(9, mn)
    t.varint(10, 3)
    return t
  }

  @Test func interleavedIntent() throws {
    var m = PB()
    m.message(1, Self.txnMeta())
    var t = PB(); t.varint(1, 1_700_000_000_000_000_000); t.varint(2, 4)
    m.message(2, t)
    m.varint(3, 0)
    m.varint(4, 12)
    m.varint(5, 30)
    var h = PB(); h.varint(1, 1); h.bytes(2, bytes(hex: "000000000122"))
    m.message(8, h)
    m.varint(9, 1)
    let md = try MVCCMetadata(decoding: m.bytes)
    #expect(md.meaning == .intent)
    let txn = try #require(md.txn)
    #expect(txn.id?.description == "cf379e85-6371-42e6-acc8-ed5259fa177a")
    #expect(txn.isoLevel == 1 && txn.key == Array("anchor".utf8) && txn.epoch == 2)
    #expect(txn.writeTimestamp == ts(1_700_000_000_000_000_000, 4))
    #expect(txn.priority == 12345 && txn.sequence == 9 && txn.coordinatorNodeID == 3)
    #expect(txn.minTimestamp == ts(1_699_999_999_000_000_000))
    #expect(md.timestamp == ts(1_700_000_000_000_000_000, 4))
    #expect(md.keyBytes == 12 && md.valBytes == 30 && md.txnDidNotUpdateMeta == true)
    #expect(md.intentHistory.count == 1 && md.intentHistory[0].sequence == 1)
  }

  @Test func inlineValue() throws {
    var m = PB()
    m.bytes(6, bytes(hex: "0000000003") + Array("v".utf8))
    let md = try MVCCMetadata(decoding: m.bytes)
    guard case .inline(let v) = md.meaning else { Issue.record("not inline"); return }
    #expect(try v.decoded() == .bytes([0x76]))
    #expect(try MVCCMetadata(decoding: [UInt8]()).meaning == .unexpected)
  }

  @Test func badTxnIDIsReported() {
    var t = PB(); t.bytes(1, [1, 2, 3])
    var m = PB(); m.message(1, t)
    #expect(throws: KVError.self) { try MVCCMetadata(decoding: m.bytes) }
  }
}

struct MVCCRangeKeyTests {
  static func uv(_ n: Int) -> [UInt8] { PB.varintBytes(UInt64(n)) }

  /// Every fixture range key, re-assembled into Pebble's RANGEKEYSET/UNSET value layout,
  /// decodes back to its bounds and timestamp.
  @Test(arguments: ["pebble-gen/sst/pebblev4-zstd.rangekeys.jsonl", "pebble-gen/store-expected/final-state.rangekeys.jsonl"])
  func fixtureRangeKeys(_ file: String) throws {
    let lines = try Fixtures.jsonl(file)
    #expect(lines.count >= 5)
    for x in lines {
      let start = bytes(hex: x.str("start_hex")!), end = bytes(hex: x.str("end_hex")!)
      let kind = x.str("kind") ?? "RANGEKEYSET"
      guard let sh = x.str("suffix_hex") else { #expect(kind == "RANGEKEYDEL"); continue }
      let suffix = bytes(hex: sh)
      let want = try EngineKey(decoding: [0] + suffix).timestamp
      if kind == "RANGEKEYUNSET" {
        let (e, t) = try MVCCRangeKey.decodeUnset(value: Self.uv(end.count) + end + Self.uv(suffix.count) + suffix)
        #expect(e == Array(end.dropLast()) && t == [want!])
        continue
      }
      let v = bytes(hex: x.str("value_hex") ?? "")
      let keys = try MVCCRangeKey.decodeSet(startEngineKey: start,
                                            value: Self.uv(end.count) + end + Self.uv(suffix.count) + suffix + Self.uv(v.count) + v)
      #expect(keys.count == 1)
      let k = keys[0]
      #expect(k.start == Array(start.dropLast()) && k.end == Array(end.dropLast()) && k.timestamp == want)
      #expect(k.isTombstone == v.isEmpty)  // the one opaque value is not a valid MVCCValue
      #expect(k.covers(k.start) && !k.covers(k.end))
    }
  }

  @Test func stackedFragmentAndErrors() throws {
    let end = bytes(hex: "f289978800")
    let s1 = bytes(hex: "17979d004e9b1a0009"), s2 = bytes(hex: "17979cff602ff2000000000109" .dropLast(2) + "0d")
    let value = Self.uv(end.count) + end + Self.uv(s1.count) + s1 + [0] + Self.uv(s2.count) + s2 + [0]
    let keys = try MVCCRangeKey.decodeSet(startEngineKey: bytes(hex: "f289948800"), value: value)
    #expect(keys.map(\.timestamp) == [try MVCCRangeKey.suffixTimestamp(s1), try MVCCRangeKey.suffixTimestamp(s2)])
    #expect(keys[1].timestamp.logical == 1)
    for n in 0..<value.count {  // every truncation throws or yields fewer keys, never traps
      if let k = try? MVCCRangeKey.decodeSet(startEngineKey: bytes(hex: "f289948800"), value: Array(value.prefix(n))) {
        #expect(k.count < 2)
      }
    }
    #expect(throws: KVError.self) { try MVCCRangeKey.decodeSet(startEngineKey: bytes(hex: "f28994"), value: value) }
    #expect(throws: KVError.self) { try MVCCRangeKey.suffixTimestamp(bytes(hex: "0102")) }
  }
}
