import Testing
@testable import CockroachKV
import SalvageTestSupport

struct ProtobufTests {
  @Test func decodesEveryWireType() throws {
    var m = PB()
    m.varint(1, 150)                       // 08 96 01 — the protobuf docs' example
    m.int(2, -2)                           // 10-byte varint
    m.varint(3, ProtoReaderTestsZigzag.encode(-3))
    m.fixed64(4, 0x0102_0304_0506_0708)
    m.fixed32(5, 0xDEAD_BEEF)
    m.bytes(6, Array("testing".utf8))
    var inner = PB()
    inner.varint(1, 7)
    m.message(7, inner)
    #expect(hexString(m.bytes.prefix(3)) == "089601")

    var r = ProtoReader(m.bytes, what: "Test")
    let f1 = try #require(try r.next())
    #expect(try f1.number == 1 && f1.wireType == 0 && f1.varint() == 150)
    let f2 = try #require(try r.next())
    #expect(try f2.int64() == -2)
    #expect(try f2.int32() == -2)
    let f3 = try #require(try r.next())
    #expect(try f3.sint64() == -3)
    let f4 = try #require(try r.next())
    #expect(try f4.fixed64() == 0x0102_0304_0506_0708)
    let f5 = try #require(try r.next())
    #expect(try f5.fixed32() == 0xDEAD_BEEF)
    let f6 = try #require(try r.next())
    #expect(try f6.string() == "testing")
    let f7 = try #require(try r.next())
    var ir = try f7.message("Inner")
    #expect(try ir.next()?.varint() == 7)
    #expect(try ir.next() == nil)
    #expect(try r.next() == nil)
  }

  @Test func wrongWireTypeIsAnErrorNotAMisread() throws {
    var r = ProtoReader([0x08, 0x01], what: "T")
    let f = try #require(try r.next())
    #expect(throws: KVError.self) { try f.bytes() }
    #expect(throws: KVError.self) { try f.fixed64() }
  }

  @Test func packedAndUnpackedRepeatedVarints() throws {
    var r = ProtoReader([0x0A, 0x03, 0x01, 0x96, 0x01, 0x08, 0x05], what: "T")
    #expect(try r.next()?.packedVarints() == [1, 150])
    #expect(try r.next()?.packedVarints() == [5])
  }

  @Test func uvarintAndZigzagHelpers() throws {
    let (v, next) = try ProtoReader.uvarint([0xAC, 0x02, 0xFF], at: 0)
    #expect(v == 300 && next == 2)
    #expect(ProtoReader.zigzag(0) == 0 && ProtoReader.zigzag(1) == -1 && ProtoReader.zigzag(4) == 2)
    #expect(ProtoReader.zigzag(UInt64.max) == Int64.min)
  }

  /// Malformed messages: each must throw a KVError of the named kind, never trap.
  @Test(arguments: [
    ("08", KVError.Kind.truncated),                      // tag without payload
    ("0880", .truncated),                                // varint runs off the end
    ("08ffffffffffffffffff7f", .corrupt),                // 11-byte varint
    ("08ffffffffffffffffff02", .corrupt),                // 10th byte overflows
    ("0a05616263", .truncated),                          // length past the end
    ("0affffffffffffffff7f", .truncated),                // absurd length
    ("09010203", .truncated),                            // short fixed64
    ("0d01", .truncated),                                // short fixed32
    ("0b", .unsupported),                                // start group
    ("0c", .unsupported),                                // end group
    ("0e00", .corrupt),                                  // wire type 6
    ("0700", .corrupt),                                  // field number 0
  ])
  func malformedInputThrows(_ hex: String, _ kind: KVError.Kind) {
    var r = ProtoReader(bytes(hex: hex), what: "Bad")
    do {
      while try r.next() != nil {}
      Issue.record("\(hex): no error")
    } catch {
      #expect(error.kind == kind, "\(hex): \(error)")
      #expect(error.description.hasPrefix("Bad"))
    }
  }

  /// Every truncation and every single-byte corruption of a valid message either decodes
  /// or throws; none traps (deterministic, cheap).
  @Test func mutationsNeverTrap() {
    var m = PB()
    m.varint(1, 12345)
    m.bytes(2, Array("start".utf8))
    var inner = PB()
    inner.varint(1, 1); inner.varint(2, 2); inner.int(3, -1)
    m.message(4, inner)
    m.fixed64(5, 9)
    func walk(_ b: [UInt8]) {
      var r = ProtoReader(b, what: "M")
      while let f = try? r.next() {
        if case .bytes(let s) = f.value {
          var ir = ProtoReader(s, what: "I")
          while (try? ir.next()) != nil {}
        }
      }
    }
    for n in 0...m.bytes.count { walk(Array(m.bytes.prefix(n))) }
    for i in m.bytes.indices {
      for x: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF, m.bytes[i] ^ 0x04] {
        var b = m.bytes
        b[i] = x
        walk(b)
      }
    }
  }
}

enum ProtoReaderTestsZigzag {
  static func encode(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
}
