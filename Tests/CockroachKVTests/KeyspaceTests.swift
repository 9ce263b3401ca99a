import Testing
@testable import CockroachKV
import SalvageTestSupport

struct KeyspaceTests {
  /// Raw roach key → CockroachDB's printed form (pkg/keys/printer.go conventions).
  static let cases: [(String, String)] = [
    ("", "/Min"),
    ("ffff", "/Max"),
    ("03ffff", "/Meta2/Max"),
    ("02ffff", "/Meta1/Max"),
    ("bb898c88", "/Table/51/1/4/0"),                                  // encoding.md row
    ("f2898888", "/Table/106/1/0/0"),
    ("f289f66e88", "/Table/106/1/110/0"),
    ("bd89", "/Table/53/1"),
    ("bd8912666f6f0001", "/Table/53/1/\"foo\""),
    ("bd8900", "/Table/53/1/NULL"),
    ("bd8987ff", "/Table/53/1/-1"),
    ("bd8913979a939390fffe", "/Table/53/1/\"hello\""),               // descending bytes
    ("bd89126100ff620001", "/Table/53/1/\"a\\x00b\""),
    ("bd891665", "/Table/53/1/0x1665"),                               // undecoded marker (duration)
    ("bd8901", "/Table/53/1/!NULL"),
    ("bd89fe", "/Table/53/1/#"),
    ("a68a", "/NamespaceTable/30/2"),
    ("a7", "/NamespaceTable/Max"),
    ("fe8dbd89", "/Tenant/5/Table/53/1"),
    ("fe8d", "/Tenant/5"),
    ("01698d727261736b", "/Local/RangeID/5/r/RangeAppliedState"),
    ("01698d757266746c000000000000000a", "/Local/RangeID/5/u/RaftLog/logIndex:10"),
    ("01698d7572667474", "/Local/RangeID/5/u/RaftTruncatedState"),
    ("01698d7572667468", "/Local/RangeID/5/u/RaftHardState"),
    ("01698d72726c6c2d", "/Local/RangeID/5/r/RangeLease"),
    ("01698d7572667472", "/Local/RangeID/5/u\"rftr\""),              // RaftReplicaID has no printer name
    ("01736964656e", "/Local/Store/storeIdent"),
    ("017363766572", "/Local/Store/clusterVersion"),
    ("01736e746d6200000007", "/Local/Store/nodeTombstone/n7"),
    ("0173757074 6d".replacingOccurrences(of: " ", with: ""), "/Local/Store\"uptm\""),
    ("016b1261000172647363", "/Local/Range\"a\"/RangeDescriptor"),    // spec §4.2 derived vector; Go prints the raw key quoted, no slash
    ("016b12bd000172647363", "/Local/Range/Table/53/RangeDescriptor"),
    ("016b12f28988880001" + "74786e2d" + "cf379e85637142e6acc8ed5259fa177a",
     "/Local/Range/Table/106/1/0/0/Transaction/\"cf379e85-6371-42e6-acc8-ed5259fa177a\""),
    ("017a6b12f28989880001", "/Local/Lock/Table/106/1/1/0"),
    ("03bd", "/Meta2/Table/53"),
    ("0361", "/Meta2/\"a\""),
    ("0203bd", "/Meta1/Meta2/\"\\xbd\""),                          // meta1 records print their meta2 key raw, as Go does
    ("0400", "/System/\"\\x00\""),
    ("0464657363 2d6964 67656e".replacingOccurrences(of: " ", with: ""), "/System/\"desc-idgen\""),
    ("04006c6976656e6573732d89", "/System/NodeLiveness/1"),
    ("04737461747573 2d6e6f64652d 8a".replacingOccurrences(of: " ", with: ""), "/System/StatusNode/2"),
    ("05", "/System/Max"),
    ("0102", "/Local/\"\\x02\""),
  ]

  @Test(arguments: cases)
  func prettyPrint(_ hex: String, _ text: String) {
    #expect(Keyspace.prettyPrint(bytes(hex: hex)) == text, "\(hex)")
  }

  /// Descending strings print like ascending ones, so they parse back ascending.
  @Test(arguments: cases.filter { $0.0 != "bd8913979a939390fffe" })
  func parseRoundTrips(_ hex: String, _ text: String) throws {
    #expect(hexString(try Keyspace.parse(text)) == hex, "\(text)")
  }

  @Test(arguments: ["/Table/53/1/1.5", "/Table/53/1/-2.25", "/Table/53/1/#", "/Table/53/1/!NULL", "/Table/53/1/2016-03-30T13:40:35.053725008Z", "/Table/1/1970-01-01T00:00:00Z", "/Tenant/10/Table/53/1/\"x\"/NULL",
                    "/Local/RangeID/12/r/RangeAppliedState", "/Local/RangeID/1/r/AbortSpan/\"cf379e85-6371-42e6-acc8-ed5259fa177a\"",
                    "/Local/Range/Table/53/1/\"k\"/QueueLastProcessed/\"gc\"", "/Local/Lock/Local/Range\"a\"/RangeDescriptor"])
  func printParsePrint(_ text: String) throws {
    #expect(Keyspace.prettyPrint(try Keyspace.parse(text)) == text)
  }

  @Test(arguments: ["", "Table/53", "/Nope", "/Table/abc", "/Table/53/\"unterminated", "/Local/RangeID/x/r",
                    "/Local/RangeID/5/r/NoSuchSuffix", "/Tenant/x", "/Table/53/0xzz"])
  func parseRejects(_ text: String) {
    #expect(throws: KVError.self) { try Keyspace.parse(text) }
  }

  /// Every roach key in a fixture prints and parses back to the same bytes.
  @Test func fixtureKeysRoundTrip() throws {
    var printed = Set<String>()
    for x in try Fixtures.jsonl("pebble-gen/sst/pebblev4-zstd.points.jsonl") {
      let rk = bytes(hex: x.str("roach_key_hex")!)
      let s = Keyspace.prettyPrint(rk)
      printed.insert(s)
      #expect(try Keyspace.parse(s) == rk, "\(s)")
    }
    #expect(printed.contains("/Local/RangeID/5/u/RaftLog/logIndex:10"))
    #expect(printed.contains("/Local/RangeID/5/r/RangeAppliedState"))
    #expect(printed.contains("/Local/RangeID/5/u/RaftTruncatedState"))
    #expect(printed.contains("/Table/106/1/299/0"))
    #expect(printed.contains { $0.hasPrefix("/Local/Lock/Table/106/1/") })
    #expect(printed.contains { $0.hasPrefix("/System/tsd/\"cr.node.sql.conns\"") })
  }

  /// Expected strings from pkg/keys/printer_test.go TestPrettyPrint.
  @Test func printerTestForms() throws {
    func key(_ build: (inout [UInt8]) -> Void) -> [UInt8] {
      var k: [UInt8] = [0x88 + 42]
      build(&k)
      return k
    }
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeFloatAscending(233.221112, into: &$0) }) == "/Table/42/233.221112")
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeFloatAscending(.infinity, into: &$0) }) == "/Table/42/+Inf")
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeFloatAscending(.nan, into: &$0) }) == "/Table/42/NaN")
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeVarintDescending(1222, into: &$0) }) == "/Table/42/-1223")
    #expect(Keyspace.prettyPrint(key {
      OrderedEncoding.encodeVarintAscending(1222, into: &$0)
      OrderedEncoding.encodeBytesAscending(Array("handsome man".utf8), into: &$0)
    }) == "/Table/42/1222/\"handsome man\"")
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeBytesAscending([1, 2, 8, 255], into: &$0) }) == #"/Table/42/"\x01\x02\b\xff""#)
    // 2016-03-30T13:40:35.053725008Z
    #expect(Keyspace.prettyPrint(key { OrderedEncoding.encodeTimeAscending(seconds: 1_459_345_235, nanos: 53_725_008, into: &$0) })
            == "/Table/42/2016-03-30T13:40:35.053725008Z")
    // Decimals: 12.34 (E=1, M = 0c 22 → 25 44) and spec vectors 1 → 2a0200, 1.1 → 2a031400,
    // 0.1 → 291400, −1 → 24fd00, 1234 → 2b1944 ... 00.
    #expect(Keyspace.prettyPrint(bytes(hex: "b2" + "2a194400")) == "/Table/42/12.34")
    for (hex, text) in [("2a0200", "1"), ("2a031400", "1.1"), ("291400", "0.1"), ("24fd00", "-1"), ("2b194400", "1234"),
                        ("27", "0"), ("2903" + "2e00", "0.0123")] {
      #expect(Keyspace.prettyPrint(bytes(hex: "b2" + hex)) == "/Table/42/" + text, "\(hex)")
    }
    // Bit array B00111010 = 58 in 8 bits: word 0x3a00…, 8 bits used.
    #expect(Keyspace.prettyPrint(bytes(hex: "b2" + "3a" + "fd3a00000000000000" + "00" + "90")) == "/Table/42/B00111010")
    #expect(Keyspace.prettyPrint(bytes(hex: "bf898888")) == "/Table/55/1/0/0")  // sequence key
    #expect(Keyspace.prettyPrint(bytes(hex: "016b12fe8d0001")) == "/Local/Range/Tenant/5")
  }

  /// strconv.FormatFloat(f, 'g', -1, 64) outputs.
  @Test(arguments: [(233.221112, "233.221112"), (1e6, "1e+06"), (1_234_567, "1.234567e+06"), (100_000, "100000"),
                    (0.0001, "0.0001"), (0.00001, "1e-05"), (-1.5, "-1.5"), (1e21, "1e+21"), (1.25e-300, "1.25e-300"),
                    (123_456.5, "123456.5"), (0.1, "0.1"), (-0.0, "-0"), (5e-324, "5e-324")])
  func floatsFormatLikeGo(_ f: Double, _ text: String) {
    #expect(Keyspace.formatFloat(f) == text)
  }

  @Test func goQuoteMatchesGo() {
    #expect(GoQuote.quote(Array("a\"b\\c".utf8)) == #""a\"b\\c""#)
    #expect(GoQuote.quote([0x00, 0x7F, 0x0A, 0xFF]) == #""\x00\x7f\n\xff""#)
    #expect(GoQuote.quote(Array("héllo ☃".utf8)) == "\"héllo ☃\"")
    #expect(GoQuote.quote([0xC2, 0xA0]) == #""\u00a0""#)   // NBSP is not printable in Go
  }
}
