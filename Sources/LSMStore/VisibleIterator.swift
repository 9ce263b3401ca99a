import SSTable

/// What a reader of the store sees for one user key (the copying form of a visible entry).
public struct VisibleEntry {
  public var key: [UInt8]
  public var value: [UInt8]
  /// Seqnum of the newest entry that contributed.
  public var seq: UInt64
  /// SET, or MERGE when the value is a stack of merge operands (concatenated oldest first).
  public var kind: UInt8
  /// The value lives in a blob file and no resolver was given (or it failed): `value` is empty.
  public var unresolvedBlob: Bool
}

/// The user-visible view: per user key the newest entry wins; DEL, SINGLEDEL and DELSIZED
/// hide; SETWITHDEL is a SET; a range deletion hides points below its seqnum; MERGE operands
/// stack until a SET or deletion and are concatenated oldest first (the stand-in merger
/// the fixtures use; CockroachDB's real merger combines timeseries protos).
///
/// `nextBorrowed()` steps without allocating once warm: `key` is the iterator's copy of the
/// user key (it must outlive the source's own buffer to pass over older entries), `value` a
/// view into the block or the memtable arena for a plain SET, or into an iterator-owned
/// buffer for merges and blob values. Both are valid until the next step (Pebble's
/// iterator contract). The older entries of a key are passed over lazily, at the next step,
/// so the newest SET's value is still in place when it is handed out.
public final class VisibleIterator {
  public let raw: MergedIterator
  let rangeDels: RangeDelIndex
  let resolver: StoreBlobResolver?
  var pending: StoreEntry?
  var exhausted = false
  /// The older entries of the current key are still in `raw`.
  var skipping = false
  let keyBuffer = KeyBuffer()
  /// Merge operands of the current key, newest first, end offsets in `operandEnds`.
  let operandBytes = KeyBuffer()
  var operandEnds: [Int] = []
  /// A merged value or a blob value.
  let valueBuffer = KeyBuffer()
  let blobBuffer = KeyBuffer()

  /// The current entry (after `nextBorrowed()` returned true); views valid until the next step.
  public private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
  public private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)
  /// Seqnum of the newest entry that contributed.
  public private(set) var seq: UInt64 = 0
  /// SET, or MERGE when the value is a stack of merge operands.
  public private(set) var kind: UInt8 = 0
  /// The value lives in a blob file and could not be read: `value` is empty.
  public private(set) var unresolvedBlob = false

  init(raw: MergedIterator, rangeDels: RangeDelIndex, resolver: StoreBlobResolver?) {
    self.raw = raw
    self.rangeDels = rangeDels
    self.resolver = resolver
  }

  public var issues: [StoreIssue] { raw.issues }

  /// The next visible entry as copies (a thin wrapper over `nextBorrowed`).
  public func next() -> VisibleEntry? {
    guard nextBorrowed() else { return nil }
    return VisibleEntry(key: Array(key), value: Array(value), seq: seq, kind: kind, unresolvedBlob: unresolvedBlob)
  }

  @inline(__always)
  func pull() -> StoreEntry? {
    if let p = pending { pending = nil; return p }
    if exhausted { return nil }
    if let n = raw.next() { return n }
    exhausted = true
    return nil
  }

  /// Steps to the next visible entry; false at the end. See the type's comment for how long
  /// `key` and `value` stay valid.
  public func nextBorrowed() -> Bool {
    if skipping {
      skipping = false
      skipRest()
    }
    groups: while let first = pull() {
      keyBuffer.set(first.userKey)
      operandBytes.removeAll()
      operandEnds.removeAll(keepingCapacity: true)
      var newestSeq: UInt64 = 0
      var x = first
      while true {
        if operandEnds.isEmpty { newestSeq = x.seq }
        switch fold(x, newestSeq: newestSeq) {
        case .emitted:
          skipping = true
          return true
        case .hidden:
          skipRest()
          continue groups
        case .undecided:
          break
        }
        guard let n = pull() else { break }
        if raw.comparer.compare(n.userKey, keyBuffer.bytes) != 0 { pending = n; break }
        x = n
      }
      if !operandEnds.isEmpty {
        emitMerged(base: UnsafeRawBufferPointer(start: nil, count: 0), seq: newestSeq, unresolved: false)
        return true
      }
    }
    return false
  }

  /// Passes over the older entries of the current key.
  func skipRest() {
    while let n = pull() {
      if raw.comparer.compare(n.userKey, keyBuffer.bytes) != 0 { pending = n; return }
    }
  }

  enum Fold { case emitted, hidden, undecided }

  /// Folds one entry (newest first) into the current key's result.
  func fold(_ x: StoreEntry, newestSeq: UInt64) -> Fold {
    let deleted = rangeDels.coveringSeq(x.userKey).map { $0 > x.seq } ?? false
    if deleted || x.kind == Kind.del || x.kind == Kind.singleDel || x.kind == Kind.delSized {
      guard !operandEnds.isEmpty else { return .hidden }
      emitMerged(base: UnsafeRawBufferPointer(start: nil, count: 0), seq: newestSeq, unresolved: false)
      return .emitted
    }
    switch x.kind {
    case Kind.set, Kind.setWithDel:
      var v = x.value
      var unresolved = false
      if case .blob(let ref) = x.storage {
        v = UnsafeRawBufferPointer(start: nil, count: 0)
        unresolved = true
        if let r = resolver {
          do {
            let b = try r.value(of: ref, referencePaths: raw.blobPaths(ofSource: x.source))
            b.withUnsafeBytes { blobBuffer.set($0) }
            v = blobBuffer.bytes
            unresolved = false
          } catch {
            raw.log.add(StoreIssue(.damage, StoreError(.corrupt, "blob value of key \(Array(keyBuffer.bytes).hex) unreadable: \(error)")))
          }
        }
      }
      if operandEnds.isEmpty {
        key = keyBuffer.bytes
        value = v
        seq = x.seq
        kind = Kind.set
        unresolvedBlob = unresolved
      } else {
        emitMerged(base: v, seq: newestSeq, unresolved: unresolved)
      }
      return .emitted
    case Kind.merge:
      operandBytes.append(x.value)
      operandEnds.append(operandBytes.bytes.count)
      return .undecided
    default:
      return .undecided  // not a point kind: ignore
    }
  }

  /// `base` followed by the operands oldest first, into the value buffer.
  func emitMerged(base: UnsafeRawBufferPointer, seq s: UInt64, unresolved: Bool) {
    valueBuffer.set(base)
    let all = operandBytes.bytes
    for i in operandEnds.indices.reversed() {
      let start = i == 0 ? 0 : operandEnds[i - 1]
      valueBuffer.append(UnsafeRawBufferPointer(rebasing: all[start..<operandEnds[i]]))
    }
    key = keyBuffer.bytes
    value = valueBuffer.bytes
    seq = s
    kind = Kind.merge
    unresolvedBlob = unresolved
  }
}
