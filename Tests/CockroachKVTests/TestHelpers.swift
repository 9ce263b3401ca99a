@testable import CockroachKV

/// A tiny protobuf writer for hand-built test messages (the reader under test is ours too,
/// so messages are also checked against bytes written out by hand).
struct PB {
  var bytes: [UInt8] = []

  static func varintBytes(_ v: UInt64) -> [UInt8] {
    var v = v
    var out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
    out.append(UInt8(v))
    return out
  }

  mutating func varint(_ field: Int, _ v: UInt64) { bytes += PB.varintBytes(UInt64(field << 3)) + PB.varintBytes(v) }
  mutating func int(_ field: Int, _ v: Int64) { varint(field, UInt64(bitPattern: v)) }
  mutating func bytes(_ field: Int, _ b: [UInt8]) {
    bytes += PB.varintBytes(UInt64(field << 3 | 2)) + PB.varintBytes(UInt64(b.count)) + b
  }
  mutating func message(_ field: Int, _ m: PB) { bytes(field, m.bytes) }
  mutating func fixed64(_ field: Int, _ v: UInt64) {
    bytes += PB.varintBytes(UInt64(field << 3 | 1))
    for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
  }
  mutating func fixed32(_ field: Int, _ v: UInt32) {
    bytes += PB.varintBytes(UInt64(field << 3 | 5))
    for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
  }
}

func ts(_ wall: Int64, _ logical: Int32 = 0) -> MVCCTimestamp { MVCCTimestamp(wallTime: wall, logical: logical) }
