import SSTable

// Batch = the payload of one WAL record (spec §7.4):
//
//   +-------------+-----------+-------+-------+-----
//   | seqnum u64  | count u32 | op 0  | op 1  | ...
//   +-------------+-----------+-------+-------+-----
//   op := kind u8 ‖ uvarint len ‖ key ‖ [uvarint len ‖ value]
//
// Op i gets seqnum + i, except LOGDATA, which neither takes a seqnum nor counts in `count`.

/// One operation of a batch, with the seqnum it was applied at.
public struct BatchOp: Equatable, Sendable {
  public var kind: UInt8
  public var seq: UInt64
  public var key: [UInt8]
  /// Value, or the end key of RANGEDEL / range keys / EXCISE; empty for kinds without one.
  public var value: [UInt8]
}

public struct Batch: Sendable {
  /// File offset of the WAL record holding the batch.
  public var offset: Int
  public var seq: UInt64
  public var count: UInt32
  public var ops: [BatchOp]
  /// Set when the batch could not be decoded to its end: `ops` holds what came before.
  public var damage: StoreError?
}

public enum BatchDecoder {
  public static let headerSize = 12

  /// Whether an op of this kind carries a value after its key.
  public static func hasValue(_ kind: UInt8) -> Bool? {
    switch kind {
    case Kind.set, Kind.merge, Kind.rangeDel, Kind.rangeKeyDel, Kind.rangeKeyUnset, Kind.rangeKeySet,
         Kind.delSized, Kind.excise, Kind.ingestSSTWithBlob, Kind.setWithDel: true
    case Kind.del, Kind.logData, Kind.singleDel, Kind.ingestSST: false
    default: nil
    }
  }

  /// Decodes a batch. Bad bytes never trap: the ops before the fault are kept and the fault
  /// is in `damage`, naming `file` and the absolute offset (`recordOffset` + position is
  /// approximate for records split over chunks).
  public static func decode(_ payload: [UInt8], recordOffset: Int, file: String) -> Batch {
    payload.withUnsafeBytes { b in
      var batch = Batch(offset: recordOffset, seq: 0, count: 0, ops: [])
      func fail(_ m: String, _ p: Int) -> Batch {
        var out = batch
        out.damage = StoreError(.corrupt, "batch at record \(recordOffset): \(m) (payload byte \(p))", file: file, offset: recordOffset)
        return out
      }
      guard let seq = Bytes.uint64LE(b, 0), let count = Bytes.uint32LE(b, 8) else {
        return fail("shorter than the 12-byte batch header", 0)
      }
      batch.seq = seq
      batch.count = count
      var p = headerSize
      var next = seq
      var counted: UInt64 = 0
      while p < b.count {
        let opStart = p
        let kind = b[p]
        p += 1
        guard let withValue = hasValue(kind) else {
          let what = (4...14).contains(kind) || kind == 16 ? "a RocksDB column-family / 2PC op" : "an unknown op"
          return fail("kind \(kind) is \(what)", opStart)
        }
        guard let kn = Bytes.length(b, &p, limit: b.count - p), let key = Bytes.slice(b, p, kn) else {
          return fail("key length runs past the batch", p)
        }
        p += kn
        var value: [UInt8] = []
        if withValue {
          guard let vn = Bytes.length(b, &p, limit: b.count - p), let v = Bytes.slice(b, p, vn) else {
            return fail("value length runs past the batch", p)
          }
          p += vn
          value = Array(v)
        }
        if kind == Kind.logData {
          batch.ops.append(BatchOp(kind: kind, seq: 0, key: Array(key), value: value))
          continue
        }
        batch.ops.append(BatchOp(kind: kind, seq: next, key: Array(key), value: value))
        next &+= 1
        counted += 1
      }
      if counted != UInt64(count) {
        return fail("header counts \(count) ops but \(counted) were found", p)
      }
      return batch
    }
  }
}
