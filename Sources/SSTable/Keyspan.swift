/// A range deletion `[start, end)#seq` (spec §4.6).
public struct RangeDeletion: Equatable, Sendable {
  public var start: [UInt8]
  public var end: [UInt8]
  public var seq: UInt64
  public init(start: [UInt8], end: [UInt8], seq: UInt64) { self.start = start; self.end = end; self.seq = seq }
}

/// One range key of a fragment (spec §4.5): RANGEKEYSET carries suffix and value,
/// RANGEKEYUNSET a suffix, RANGEKEYDEL neither.
public struct RangeKey: Equatable, Sendable {
  public var start: [UInt8]
  public var end: [UInt8]
  public var seq: UInt64
  public var kind: UInt8
  public var suffix: [UInt8]?
  public var value: [UInt8]?
  public init(start: [UInt8], end: [UInt8], seq: UInt64, kind: UInt8, suffix: [UInt8]? = nil, value: [UInt8]? = nil) {
    self.start = start; self.end = end; self.seq = seq; self.kind = kind; self.suffix = suffix; self.value = value
  }
}

extension Table {
  /// Range deletions, fragmented (overlapping tombstones split at every boundary so that
  /// fragments either coincide or do not overlap), ordered by start then seq descending.
  /// Pebble's `rocksdb.range_del2` block is stored that way; RocksDB's `rocksdb.range_del`
  /// is not, and is fragmented here as RocksDB's own reader does.
  public func rangeDeletions() throws(SSTableError) -> [RangeDeletion] {
    if format.isColumnar { return try columnarRangeDeletions() }
    let v2 = try metaHandle("rocksdb.range_del2")
    var handle = v2
    if handle == nil { handle = try metaHandle("rocksdb.range_del") }
    guard let h = handle else { return [] }
    var out: [RangeDeletion] = []
    do throws(SSTableError) {
      try blocks.read(h).withBytes { bytes throws(SSTableError) in
        var it = try RowBlockIterator(bytes)
        while try it.next() {
          guard let (start, seq, kind) = InternalKey.split(it.key), kind == Kind.rangeDel else {
            throw SSTableError(.corrupt, "range-del block entry is not a RANGEDEL key")
          }
          out.append(RangeDeletion(start: Array(start), end: Array(it.value), seq: syntheticSeqNum ?? seq))
        }
      }
    } catch {
      throw SSTableError(error.kind, "range-del block: \(error.message)", file: path, offset: h.offset)
    }
    return v2 == nil ? Table.fragment(out) : out
  }

  /// Splits tombstones at every start/end so overlapping fragments have identical bounds.
  public static func fragment(_ tombstones: [RangeDeletion]) -> [RangeDeletion] {
    let live = tombstones.filter { $0.start.lexicographicallyPrecedes($0.end) }
    var bounds = Set<[UInt8]>()
    for t in live { bounds.insert(t.start); bounds.insert(t.end) }
    let points = bounds.sorted { $0.lexicographicallyPrecedes($1) }
    var out: [RangeDeletion] = []
    for i in 0..<max(0, points.count - 1) {
      let lo = points[i], hi = points[i + 1]
      let covering = live.filter { !lo.lexicographicallyPrecedes($0.start) && !$0.end.lexicographicallyPrecedes(hi) }
      for t in covering.sorted(by: { $0.seq > $1.seq }) { out.append(RangeDeletion(start: lo, end: hi, seq: t.seq)) }
    }
    return out
  }

  /// Range keys (Pebblev2+ `pebble.range_key` block), one per (fragment, key), as stored.
  public func rangeKeys() throws(SSTableError) -> [RangeKey] {
    if format.isColumnar { return try columnarRangeKeys() }
    guard let h = try metaHandle("pebble.range_key") else { return [] }
    var out: [RangeKey] = []
    do throws(SSTableError) {
      try blocks.read(h).withBytes { bytes throws(SSTableError) in
        var it = try RowBlockIterator(bytes)
        while try it.next() {
          guard let (start, seq, kind) = InternalKey.split(it.key) else { throw SSTableError(.corrupt, "range-key entry without trailer") }
          try Table.decodeRangeKeyValue(start: Array(start), seq: syntheticSeqNum ?? seq, kind: kind, value: it.value, into: &out)
        }
      }
    } catch {
      throw SSTableError(error.kind, "range-key block: \(error.message)", file: path, offset: h.offset)
    }
    return out
  }

  /// The row-format (and batch) value of one range key (spec §4.5): the end key, or for
  /// RANGEKEYSET / RANGEKEYUNSET the end key and its one (suffix[, value]) pair, each
  /// uvarint-prefixed. `decodeRangeKeyValue` reads it back.
  public static func encodeRangeKeyValue(_ k: RangeKey) -> [UInt8] {
    guard k.kind != Kind.rangeKeyDel else { return k.end }
    let suffix = k.suffix ?? []
    var out = Bytes.uvarintBytes(UInt64(k.end.count)) + k.end + Bytes.uvarintBytes(UInt64(suffix.count)) + suffix
    if k.kind == Kind.rangeKeySet {
      let v = k.value ?? []
      out += Bytes.uvarintBytes(UInt64(v.count)) + v
    }
    return out
  }

  /// Decodes the row-format value of a range key (spec §4.5) into one `RangeKey` per
  /// (suffix, value).
  public static func decodeRangeKeyValue(start: [UInt8], seq: UInt64, kind: UInt8, value v: UnsafeRawBufferPointer,
                                         into out: inout [RangeKey]) throws(SSTableError) {
    let bad = SSTableError(.corrupt, "malformed \(Kind.name(kind)) value")
    switch kind {
    case Kind.rangeKeyDel:
      out.append(RangeKey(start: start, end: Array(v), seq: seq, kind: kind))
    case Kind.rangeKeySet, Kind.rangeKeyUnset:
      var p = 0
      guard let n = Bytes.length(v, &p, limit: v.count), let end = Bytes.slice(v, p, n) else { throw bad }
      p += n
      while p < v.count {
        guard let sn = Bytes.length(v, &p, limit: v.count), let suffix = Bytes.slice(v, p, sn) else { throw bad }
        p += sn
        var value: [UInt8]?
        if kind == Kind.rangeKeySet {
          guard let vn = Bytes.length(v, &p, limit: v.count), let val = Bytes.slice(v, p, vn) else { throw bad }
          p += vn
          value = Array(val)
        }
        out.append(RangeKey(start: start, end: Array(end), seq: seq, kind: kind, suffix: Array(suffix), value: value))
      }
    default:
      throw SSTableError(.corrupt, "range-key block holds a \(Kind.name(kind)) key")
    }
  }
}

/// A span with settable bounds: a range deletion or a range key (clipped to a virtual table).
public protocol KeySpanBounds {
  var start: [UInt8] { get set }
  var end: [UInt8] { get set }
}

extension RangeDeletion: KeySpanBounds {}
extension RangeKey: KeySpanBounds {}
