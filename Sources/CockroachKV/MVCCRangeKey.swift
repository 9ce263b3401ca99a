/// MVCC range keys (spec §1.5): `[start, end)@ts → MVCCValue`. The only kind is the MVCC
/// range tombstone; it hides every point version `k@t` with start ≤ k < end and t < ts.
///
/// Pebble stores them in the range-key block (kinds 19–21):
/// ```
/// RANGEKEYSET    user key = start ‖ 00
///                value = uvarint(len end) ‖ end ‖ { uvarint(len suffix) ‖ suffix ‖ uvarint(len v) ‖ v }*
/// RANGEKEYUNSET  value = uvarint(len end) ‖ end ‖ { uvarint(len suffix) ‖ suffix }*
/// RANGEKEYDEL    value = end (no length prefix)
/// ```
/// `end` is an engine key (`endRoachKey ‖ 00`); `suffix` is an MVCC version with its length
/// byte (`<wall8> 09`); uvarints are LEB128.
public struct MVCCRangeKey: Equatable, Sendable {
  /// Roach keys (no sentinel).
  public var start: [UInt8]
  public var end: [UInt8]
  public var timestamp: MVCCTimestamp
  /// The stored value bytes; `value` is nil when they are not a valid MVCCValue (Pebble
  /// allows opaque range-key values; CockroachDB writes none, so report them).
  public var rawValue: [UInt8]
  public var value: MVCCValue?

  public init(start: [UInt8], end: [UInt8], timestamp: MVCCTimestamp, rawValue: [UInt8] = []) {
    self.start = start
    self.end = end
    self.timestamp = timestamp
    self.rawValue = rawValue
    self.value = try? MVCCValue(decoding: rawValue)
  }

  /// An MVCC range tombstone: an MVCCValue with an empty roachpb.Value.
  public var isTombstone: Bool { value?.isTombstone ?? false }

  /// Does this range key cover roach key `key` (start ≤ key < end)?
  public func covers(_ key: [UInt8]) -> Bool {
    !key.lexicographicallyPrecedes(start) && key.lexicographicallyPrecedes(end)
  }

  /// Decodes a Pebble RANGEKEYSET entry (start engine key + value) into its stacked range keys.
  public static func decodeSet(startEngineKey: [UInt8], value: [UInt8]) throws(KVError) -> [MVCCRangeKey] {
    let start = try boundRoachKey(startEngineKey, "start")
    let b = value[...]
    let (endLen, first) = try ProtoReader.uvarint(b, at: 0, what: "RANGEKEYSET")
    var i = first
    let end = try take(b, &i, endLen, "end key")
    let endKey = try boundRoachKey(Array(end), "end")
    var out: [MVCCRangeKey] = []
    while i < b.endIndex {
      let (sl, j) = try ProtoReader.uvarint(b, at: i, what: "RANGEKEYSET suffix length")
      i = j
      let suffix = try take(b, &i, sl, "suffix")
      let (vl, k) = try ProtoReader.uvarint(b, at: i, what: "RANGEKEYSET value length")
      i = k
      let v = try take(b, &i, vl, "value")
      out.append(MVCCRangeKey(start: start, end: endKey, timestamp: try suffixTimestamp(suffix), rawValue: Array(v)))
    }
    return out
  }

  /// Decodes a RANGEKEYUNSET value: the end key and the unset timestamps.
  public static func decodeUnset(value: [UInt8]) throws(KVError) -> (end: [UInt8], timestamps: [MVCCTimestamp]) {
    let b = value[...]
    let (endLen, first) = try ProtoReader.uvarint(b, at: 0, what: "RANGEKEYUNSET")
    var i = first
    let end = try boundRoachKey(Array(try take(b, &i, endLen, "end key")), "end")
    var ts: [MVCCTimestamp] = []
    while i < b.endIndex {
      let (sl, j) = try ProtoReader.uvarint(b, at: i, what: "RANGEKEYUNSET suffix length")
      i = j
      ts.append(try suffixTimestamp(try take(b, &i, sl, "suffix")))
    }
    return (end, ts)
  }

  /// An MVCC suffix *with* its trailing length byte (`…09`, `…0d`, `…0e`) → timestamp.
  public static func suffixTimestamp<C: Collection>(_ suffix: C) throws(KVError) -> MVCCTimestamp where C.Element == UInt8 {
    let s = Array(suffix)
    guard let last = s.last, Int(last) == s.count, [9, 13, 14].contains(s.count) else {
      throw KVError(.corrupt, "MVCCRangeKey", "suffix \(kvHex(s)) is not an MVCC timestamp")
    }
    return EngineKey.timestamp(s.dropLast())
  }

  /// A range-key bound is an unversioned engine key `roachKey ‖ 00`.
  static func boundRoachKey(_ k: [UInt8], _ which: String) throws(KVError) -> [UInt8] {
    guard k.last == 0 else { throw KVError(.corrupt, "MVCCRangeKey", "\(which) bound \(kvHex(k)) lacks the 00 sentinel") }
    return Array(k.dropLast())
  }

  static func take(_ b: ArraySlice<UInt8>, _ i: inout Int, _ n: UInt64, _ what: String) throws(KVError) -> ArraySlice<UInt8> {
    guard n <= UInt64(b.endIndex - i) else {
      throw KVError(.truncated, "MVCCRangeKey", "\(what) of \(n) bytes, \(b.endIndex - i) remain", offset: i)
    }
    defer { i += Int(n) }
    return b[i..<(i + Int(n))]
  }
}
