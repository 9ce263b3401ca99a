extension MVCCValue {
  /// Where the RoachValue bytes start inside a stored MVCCValue.
  public struct Location {
    public var header: MVCCValueHeader?
    public var roachValueStart: Int
  }

  /// The RoachValue's place in stored MVCCValue bytes, over borrowed bytes: no allocation
  /// unless the value has an extended header. Accepts exactly what `init(decoding:)`
  /// accepts and returns nil where it throws (it owns the error messages: call it for the
  /// reason).
  public static func locate(_ b: UnsafeRawBufferPointer) -> Location? {
    if b.isEmpty { return Location(header: nil, roachValueStart: 0) }
    guard b.count > 4 else { return nil }
    guard b[4] == RoachValue.Tag.mvccExtendedEncodingSentinel.rawValue else {
      return Location(header: nil, roachValueStart: 0)  // a simple value of ≥ 5 bytes
    }
    let h = Int(UInt32(bigEndian: b.loadUnaligned(as: UInt32.self)))
    guard h <= b.count - 5 else { return nil }
    guard let header = try? MVCCValueHeader(decoding: Array(b[5..<(5 + h)])[...]) else { return nil }
    let rest = b.count - 5 - h
    guard rest == 0 || rest >= 5 else { return nil }
    return Location(header: header, roachValueStart: 5 + h)
  }
}

extension RoachValue {
  /// Bytes already checked to be a RoachValue (empty, or ≥ 5 bytes).
  init(validated raw: [UInt8]) { rawBytes = raw }
}
