import SalvageTestSupport

/// A tiny protobuf writer for hand-built descriptors (test-only). Field numbers in the tests
/// are those of structured.proto / types.proto as listed in spec §7.3–7.5.
struct PBWriter {
  var bytes: [UInt8] = []

  static func varintBytes(_ v: UInt64) -> [UInt8] {
    var v = v
    var out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
    out.append(UInt8(v))
    return out
  }

  @discardableResult
  mutating func varint(_ field: Int, _ v: UInt64) -> PBWriter {
    bytes += PBWriter.varintBytes(UInt64(field << 3)) + PBWriter.varintBytes(v); return self
  }
  mutating func bool(_ field: Int, _ v: Bool) { varint(field, v ? 1 : 0) }
  mutating func string(_ field: Int, _ s: String) { self.bytes(field, Array(s.utf8)) }
  mutating func bytes(_ field: Int, _ b: [UInt8]) {
    bytes += PBWriter.varintBytes(UInt64(field << 3 | 2)) + PBWriter.varintBytes(UInt64(b.count)) + b
  }
  mutating func message(_ field: Int, _ m: PBWriter) { bytes(field, m.bytes) }
  mutating func packed(_ field: Int, _ vs: [UInt64]) { bytes(field, vs.flatMap { PBWriter.varintBytes($0) }) }
}

func hex(_ s: String) -> [UInt8] { bytes(hex: s.replacingOccurrences(of: " ", with: "")) }
func hexOf<C: Collection>(_ b: C) -> String where C.Element == UInt8 { hexString(b) }
