import Testing
import CockroachKV
@testable import CockroachSQL

@Suite struct ValueDecodingTests {
  @Test(arguments: [
    ("348b0100", "256"), ("348d0f4272", "10000.50"), ("1a89", "-0"), ("27", "0"), ("18", "NaN"),
    ("35", "Infinity"), ("19", "-Infinity"), ("2964", "0.100"), ("288a01", "0.001"), ("2905", "0.5"), ("258105", "-0.33029"),
  ])
  func nonsortingDecimals(_ v: (String, String)) throws {
    #expect(try ValueEncoding.nonsortingDecimal(hex(v.0)[...]).description == v.1)
  }

  @Test func nsUvarintAndTags() throws {
    var b = hex("8103")[...]
    #expect(try ValueEncoding.nsUvarint(&b) == 0x83)
    // JSON (type 15) uses the two-part tag: delta 2 → 2f ‖ 0f.
    b = hex("2f0f")[...]
    let t = try ValueEncoding.tag(&b)
    #expect(t.delta == 2 && t.type == 15)
  }

  @Test func jsonbVectors() throws {
    #expect(try JSONB.decode(hex("80000001a000000403348b7b")[...]) == .array([.number(SQLDecimal("123")!)]))
    let j = try JSONB.decode(hex("8000000480000000200000041000000150000004033489013140000000")[...])
    #expect(j == .array([.null, .number(SQLDecimal("1")!), .string("1"), .object([])]))
    #expect(j.description == "[null, 1, \"1\", {}]")
    // {"a": true, "b": "x"}: keys a,b then values true, "x" (all lengths).
    let obj = hex("40000002" + "10000001" + "10000001" + "40000000" + "10000001" + "61" + "62" + "78")
    #expect(try JSONB.decode(obj[...]).description == "{\"a\": true, \"b\": \"x\"}")
    for n in 0..<obj.count { _ = try? JSONB.decode(obj[..<n]) }
  }

  @Test func arrayBodies() throws {
    let intArr = SQLType(.array, element: SQLType(.int))
    #expect(try DatumDecoding.array(intArr, hex("110303020206")[...]) == .array([.int(1), .null, .int(3)]))
    let strArr = SQLType(.array, element: SQLType(.string))
    #expect(try DatumDecoding.array(strArr, hex("01060201610162")[...]) == .array([.string("a"), .string("b")]))
    let boolArr = SQLType(.array, element: SQLType(.bool))
    #expect(try DatumDecoding.array(boolArr, hex("010a020a0b")[...]) == .array([.bool(true), .bool(false)]))
  }

  func tuple(_ t: SQLType, _ h: String, catalog: TypeCatalog = TypeCatalog()) throws -> Datum {
    var b = hex(h)[...]
    let tag = try ValueEncoding.tag(&b)
    let d = try DatumDecoding.value(t, encType: tag.type, &b, catalog: catalog)
    #expect(b.isEmpty)
    return d
  }

  @Test func tupleBodiesForEveryType() throws {
    let catalog = TypeCatalog([TypeDescriptor(id: 80, name: "mood", members: [EnumMember(physical: [0x80], label: "ok")])])
    #expect(try tuple(SQLType(.bool), "1a") == .bool(true))
    #expect(try tuple(SQLType(.int), "1301") == .int(-1))
    #expect(try tuple(SQLType(.float), "14bff0000000000000") == .float(-1))
    #expect(try tuple(SQLType(.decimal), "1505348d0f4272") == .decimal(SQLDecimal("10000.50")!))
    #expect(try tuple(SQLType(.string), "1603426f62") == .string("Bob"))
    #expect(try tuple(SQLType(.bytes), "160200ff") == .bytes([0, 0xff]))
    #expect(try tuple(SQLType(.date), "13f7fb01") == .date(days: -16_124))
    #expect(try tuple(SQLType(.time), "1302") == .time(micros: 1))
    #expect(try tuple(SQLType(.timestamp), "18b4edb68c0b04") == .timestamp(seconds: 1_489_427_290, nanos: 2))
    #expect(try tuple(SQLType(.timestampTZ), "180000") == .timestampTZ(seconds: 0, nanos: 0))
    #expect(try tuple(SQLType(.interval), "19020406") == .interval(months: 1, days: 2, nanos: 3))
    #expect(try tuple(SQLType(.uuid), "1c" + String(repeating: "ab", count: 16)) == .uuid(Array(repeating: 0xab, count: 16)))
    #expect(try tuple(SQLType(.inet), "1e00180a000000") == .inet(mask: 24, addr: [10, 0, 0, 0]))
    #expect(try tuple(SQLType(.json), "1f0f0c80000001a000000403348b7b") == .json(.array([.number(SQLDecimal("123")!)])))
    #expect(try tuple(SQLType(.bit), "1f1103a000000000000000") == .bits("101"))
    #expect(try tuple(SQLType(.timeTZ), "1f1302a09902") == .timeTZ(micros: 1, offsetSecs: 18_000))
    #expect(try tuple(SQLType(.oid), "1334") == .oid(26))
    #expect(try tuple(SQLType(.enumType, oid: 100_080), "160180", catalog: catalog) == .enumValue(physical: [0x80], label: "ok"))
    #expect(try tuple(SQLType(.array, element: SQLType(.int)), "1d06110303020206") == .array([.int(1), .null, .int(3)]))
    #expect(try tuple(SQLType(.collatedString, locale: "en"), "1603426f62") == .string("Bob"))
    // A tag that does not fit the column type is reported, not guessed.
    #expect(throws: SQLDecodeError.self) { try tuple(SQLType(.uuid), "1301") }
  }

  @Test func bareValuesForEveryType() throws {
    func bare(_ t: SQLType, _ tag: UInt8, _ h: String) throws -> Datum { try DatumDecoding.bare(t, tag: tag, hex(h)[...]) }
    #expect(try bare(SQLType(.bool), 1, "02") == .bool(true))
    #expect(try bare(SQLType(.int), 1, "22") == .int(17))
    #expect(try bare(SQLType(.float), 2, "3ff0000000000000") == .float(1))
    #expect(try bare(SQLType(.decimal), 5, "348b0100") == .decimal(SQLDecimal("256")!))
    #expect(try bare(SQLType(.string), 3, "416c696365") == .string("Alice"))
    #expect(try bare(SQLType(.interval), 6, "16fb4e94914f00008889") == .interval(months: 0, days: 1, nanos: 0))
    var ts: [UInt8] = [0x14]
    OrderedEncoding.encodeVarintAscending(-1, into: &ts)
    OrderedEncoding.encodeVarintAscending(500, into: &ts)
    #expect(try DatumDecoding.bare(SQLType(.timestampTZ), tag: 4, ts[...]) == .timestampTZ(seconds: -1, nanos: 500))
    #expect(try bare(SQLType(.bit), 11, "03a000000000000000") == .bits("101"))
    #expect(try bare(SQLType(.inet), 3, "0180" + String(repeating: "00", count: 15) + "01") == .inet(mask: 128, addr: Array(repeating: 0, count: 15) + [1]))
    #expect(try bare(SQLType(.json), 3, "80000001a000000403348b7b") == .json(.array([.number(SQLDecimal("123")!)])))
    #expect(try bare(SQLType(.array, element: SQLType(.int)), 3, "110303020206") == .array([.int(1), .null, .int(3)]))
    #expect(try bare(SQLType(.date), 1, "00") == .date(days: 0))
    #expect(throws: SQLDecodeError.self) { try bare(SQLType(.int), 3, "00") }
    #expect(throws: SQLDecodeError.self) { try bare(SQLType(.uuid), 3, "00") }
  }

  @Test func unknownFamilyPassesThroughAsHex() throws {
    var t = SQLType(.unknown)
    t.familyID = 99
    #expect(try tuple(t, "160200ff") == .raw(type: "family 99", bytes: [0x02, 0x00, 0xff]))
    var p: [String] = []
    #expect(SQLText.render(.raw(type: "family 99", bytes: [0x02]), problems: &p) == "\\x02" && p.count == 1)
  }
}
