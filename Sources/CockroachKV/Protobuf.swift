/// A small protobuf wire-format reader (spec §7.2), shared by every layer that decodes
/// CockroachDB's protos (MVCCMetadata, RangeDescriptor, table descriptors...).
///
/// ```
/// message := field*
/// field   := tag(varint: number << 3 | wireType) payload
///   wire 0 varint   : LEB128, low 7 bits first, at most 10 bytes
///   wire 1 fixed64  : 8 bytes little-endian
///   wire 2 bytes    : varint length ‖ that many bytes (strings, embedded messages, packed)
///   wire 5 fixed32  : 4 bytes little-endian
///   wire 3/4 groups : never written by CockroachDB; rejected as .unsupported
/// ```
/// The reader never traps on input: every length is checked against what remains, and
/// a bad byte becomes a `KVError` naming the message and the offset of the field.
/// Unknown fields are the caller's to ignore: `next()` returns every field, decoded by wire type.
public struct ProtoReader: Sendable {
  /// The message bytes; indices are those of the underlying array.
  public let bytes: ArraySlice<UInt8>
  /// Index into `bytes` of the next tag.
  public private(set) var position: Int
  /// Name of the message for errors ("RangeDescriptor").
  public let what: String

  public init(_ bytes: ArraySlice<UInt8>, what: String = "protobuf") {
    self.bytes = bytes
    self.position = bytes.startIndex
    self.what = what
  }

  public init(_ bytes: [UInt8], what: String = "protobuf") {
    self.init(bytes[...], what: what)
  }

  public var isAtEnd: Bool { position >= bytes.endIndex }

  /// Offset of `position` from the start of the message, for errors.
  @inlinable public var offset: Int { position - bytes.startIndex }

  /// The next field, or nil at the end of the message.
  public mutating func next() throws(KVError) -> ProtoField? {
    guard position < bytes.endIndex else { return nil }
    let at = offset
    let tag = try readVarint()
    let number = tag >> 3
    guard number >= 1, number <= 0x1FFF_FFFF else {
      throw KVError(.corrupt, what, "invalid field number \(number)", offset: at)
    }
    let n = Int(number)
    switch tag & 7 {
    case 0:
      return ProtoField(number: n, offset: at, value: .varint(try readVarint()))
    case 1:
      return ProtoField(number: n, offset: at, value: .fixed64(try readFixed(8)))
    case 5:
      return ProtoField(number: n, offset: at, value: .fixed32(UInt32(truncatingIfNeeded: try readFixed(4))))
    case 2:
      let len = try readVarint()
      let remaining = bytes.endIndex - position
      guard len <= UInt64(remaining) else {
        throw KVError(.truncated, what, "field \(n) announces \(len) bytes, \(remaining) remain", offset: at)
      }
      let start = position
      position += Int(len)
      return ProtoField(number: n, offset: at, value: .bytes(bytes[start..<position]))
    case 3, 4:
      throw KVError(.unsupported, what, "field \(n) uses a protobuf group (wire type \(tag & 7))", offset: at)
    default:
      throw KVError(.corrupt, what, "field \(n) has invalid wire type \(tag & 7)", offset: at)
    }
  }

  /// Reads one LEB128 varint at `position`.
  @usableFromInline
  mutating func readVarint() throws(KVError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    let start = offset
    while true {
      guard position < bytes.endIndex else {
        throw KVError(.truncated, what, "varint runs past the end", offset: start)
      }
      let b = bytes[position]
      position += 1
      // The 10th byte may only carry the top bit of a 64-bit value.
      if shift == 63 && b > 1 { throw KVError(.corrupt, what, "varint overflows 64 bits", offset: start) }
      result |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return result }
      shift += 7
    }
  }

  @usableFromInline
  mutating func readFixed(_ n: Int) throws(KVError) -> UInt64 {
    guard bytes.endIndex - position >= n else {
      throw KVError(.truncated, what, "fixed\(n * 8) needs \(n) bytes, \(bytes.endIndex - position) remain",
                    offset: offset)
    }
    var v: UInt64 = 0
    for i in 0..<n { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += n
    return v
  }

  /// Decodes a standalone LEB128 varint (Go `binary.Uvarint`) at `index` of `bytes`;
  /// returns the value and the index just past it. Used outside protobufs too
  /// (Pebble range-key values, §1.5).
  public static func uvarint(_ bytes: ArraySlice<UInt8>, at index: Int, what: String = "uvarint")
    throws(KVError) -> (value: UInt64, next: Int)
  {
    var r = ProtoReader(bytes[index...], what: what)
    let v = try r.readVarint()
    return (v, r.position)
  }

  /// Zigzag (`sint64`, Go `binary.PutVarint`) decoding of a varint.
  @inlinable public static func zigzag(_ v: UInt64) -> Int64 {
    Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
  }
}

/// One decoded field. Accessors check the wire type, so a field of the right number but
/// the wrong type is reported instead of being misread.
public struct ProtoField: Sendable {
  public enum Value: Sendable, Equatable {
    case varint(UInt64)
    case fixed64(UInt64)
    case fixed32(UInt32)
    case bytes(ArraySlice<UInt8>)
  }

  public let number: Int
  /// Offset of the tag from the start of the message.
  public let offset: Int
  public let value: Value

  public var wireType: Int {
    switch value {
    case .varint: 0
    case .fixed64: 1
    case .bytes: 2
    case .fixed32: 5
    }
  }

  @inline(never)
  func wrongType(_ want: String, _ what: String) -> KVError {
    KVError(.corrupt, what, "field \(number) has wire type \(wireType), expected \(want)", offset: offset)
  }

  /// uint64 / uint32 / enum / bool as the raw varint.
  public func varint(_ what: String = "protobuf") throws(KVError) -> UInt64 {
    guard case .varint(let v) = value else { throw wrongType("varint", what) }
    return v
  }

  /// int64: negative values are 10-byte varints of the two's complement.
  public func int64(_ what: String = "protobuf") throws(KVError) -> Int64 {
    Int64(bitPattern: try varint(what))
  }

  /// int32 / enum: Go truncates the 64-bit varint to 32 bits.
  public func int32(_ what: String = "protobuf") throws(KVError) -> Int32 {
    Int32(truncatingIfNeeded: try varint(what))
  }

  public func uint32(_ what: String = "protobuf") throws(KVError) -> UInt32 {
    UInt32(truncatingIfNeeded: try varint(what))
  }

  public func bool(_ what: String = "protobuf") throws(KVError) -> Bool { try varint(what) != 0 }

  /// sint64 (zigzag).
  public func sint64(_ what: String = "protobuf") throws(KVError) -> Int64 {
    ProtoReader.zigzag(try varint(what))
  }

  public func fixed64(_ what: String = "protobuf") throws(KVError) -> UInt64 {
    guard case .fixed64(let v) = value else { throw wrongType("fixed64", what) }
    return v
  }

  public func fixed32(_ what: String = "protobuf") throws(KVError) -> UInt32 {
    guard case .fixed32(let v) = value else { throw wrongType("fixed32", what) }
    return v
  }

  public func double(_ what: String = "protobuf") throws(KVError) -> Double {
    Double(bitPattern: try fixed64(what))
  }

  public func float(_ what: String = "protobuf") throws(KVError) -> Float {
    Float(bitPattern: try fixed32(what))
  }

  /// Length-delimited payload (bytes, string, embedded message, packed repeated).
  public func bytes(_ what: String = "protobuf") throws(KVError) -> ArraySlice<UInt8> {
    guard case .bytes(let b) = value else { throw wrongType("length-delimited", what) }
    return b
  }

  public func string(_ what: String = "protobuf") throws(KVError) -> String {
    String(decoding: try bytes(what), as: UTF8.self)
  }

  /// A reader over an embedded message.
  public func message(_ what: String) throws(KVError) -> ProtoReader {
    ProtoReader(try bytes(what), what: what)
  }

  /// Elements of a repeated varint field, packed or not (gogoproto writes proto2
  /// repeated scalars unpacked but readers must accept both, §7.2).
  public func packedVarints(_ what: String = "protobuf") throws(KVError) -> [UInt64] {
    switch value {
    case .varint(let v): return [v]
    case .bytes(let b):
      var r = ProtoReader(b, what: what)
      var out: [UInt64] = []
      while !r.isAtEnd { out.append(try r.readVarint()) }
      return out
    default: throw wrongType("varint or packed", what)
    }
  }
}
