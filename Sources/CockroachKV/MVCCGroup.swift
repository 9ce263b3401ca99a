import LSMStore
import SSTable

/// The versions of one roach key, gathered from borrowed engine entries into storage reused
/// from key to key (no allocation per entry once warm): the roach key, then each value,
/// in one byte arena. The grouping half of MVCC resolution, shared by every scan
/// (`SpanScanner`, `MVCCResolver.resolve(entries:)`); `MVCCResolver.resolve(_:)` is the other half.
///
/// Views it hands out are valid until the next `begin`, `add` or `resolve`.
public final class MVCCGroup {
  /// One version: what `EngineKey.Version` says, without the allocation of a lock's UUID.
  struct Entry {
    typealias Kind = VersionKind
    var kind: Kind
    var timestamp: MVCCTimestamp
    /// Offsets into the arena: the value, and for a lock the 17 version bytes.
    var valueStart: Int
    var valueCount: Int
    var lockStart: Int
  }

  public enum VersionKind: UInt8, Sendable { case unversioned, mvcc, lock }

  let arena = KeyBuffer()
  var keyCount = 0
  var entries: [Entry] = []

  public init() {}

  public var roachKey: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena.bytes.baseAddress, count: keyCount)
  }

  public var count: Int { entries.count }

  /// Starts a new roach key (the previous group's views become invalid).
  public func begin(roachKey: UnsafeRawBufferPointer) {
    arena.set(roachKey)
    keyCount = roachKey.count
    entries.removeAll(keepingCapacity: true)
  }

  /// Adds a version given as the engine key's raw version bytes and its value. Returns
  /// false, adding nothing, for a version length other than 0, 8, 12, 13 or 17, or when
  /// `droppingDuplicate` and the previous version is the same one.
  @discardableResult
  public func add(rawVersion v: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, droppingDuplicate: Bool = false) -> Bool {
    var e = Entry(kind: .unversioned, timestamp: .zero, valueStart: 0, valueCount: value.count, lockStart: 0)
    switch v.count {
    case 0: break
    case 17:
      e.kind = .lock
    case 8, 12, 13:
      e.kind = .mvcc
      let w = UInt64(bigEndian: v.loadUnaligned(as: UInt64.self))
      let l = v.count >= 12 ? UInt32(bigEndian: v.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) : 0
      e.timestamp = MVCCTimestamp(wallTime: Int64(bitPattern: w), logical: Int32(bitPattern: l))
    default:
      return false
    }
    if droppingDuplicate, let last = entries.last, last.kind == e.kind, last.timestamp == e.timestamp,
       e.kind != .lock || Comparer.bytes(bytes(last.lockStart, 17), v) == 0 {
      return false
    }
    if e.kind == .lock {
      e.lockStart = arena.bytes.count
      arena.append(v)
    }
    e.valueStart = arena.bytes.count
    arena.append(value)
    entries.append(e)
    return true
  }

  @inline(__always)
  func bytes(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena.bytes.baseAddress.map { $0 + start }, count: count)
  }

  @inline(__always)
  func value(_ e: Entry) -> UnsafeRawBufferPointer { bytes(e.valueStart, e.valueCount) }

  /// Each version in the group's order: its kind, timestamp (zero unless `.mvcc`) and value.
  public func forEachVersion(_ body: (_ kind: VersionKind, _ timestamp: MVCCTimestamp, _ value: UnsafeRawBufferPointer) throws -> Void) rethrows {
    for e in entries { try body(e.kind, e.timestamp, value(e)) }
  }

  /// Unversioned first, then versions newest first (engine order): a store written with the
  /// bytewise comparer gives versions oldest first. Locks sort as timestamp zero.
  public func sortNewestFirst() {
    func before(_ a: Entry, _ b: Entry) -> Bool {
      if a.kind == .unversioned { return true }
      if b.kind == .unversioned { return false }
      return a.timestamp > b.timestamp
    }
    guard entries.count > 1 else { return }
    var sorted = true
    for i in 1..<entries.count where before(entries[i], entries[i - 1]) { sorted = false; break }
    if !sorted { entries.sort(by: before) }
  }

  /// Appends scratch bytes (an inline value) to the arena; returns their offset.
  func appendScratch(_ b: [UInt8]) -> Int {
    let at = arena.bytes.count
    b.withUnsafeBytes { arena.append($0) }
    return at
  }
}
