#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// User-key orderings a store can use. A closed enum rather than a protocol: the merge
/// compares keys once per entry and an existential call there costs ~10x (style §3).
public enum Comparer: Sendable, Equatable {
  /// `leveldb.BytewiseComparator`.
  case bytewise
  /// CockroachDB's `cockroach_comparator` over engine keys `roachKey ‖ 0x00 ‖ version ‖ len`
  /// (cockroachdb-encoding §1.3).
  case cockroach

  public init?(name: String) {
    switch name {
    case "leveldb.BytewiseComparator": self = .bytewise
    case "cockroach_comparator": self = .cockroach
    default: return nil
    }
  }

  public var name: String { self == .bytewise ? "leveldb.BytewiseComparator" : "cockroach_comparator" }

  @inlinable
  public func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    switch self {
    case .bytewise: return Comparer.bytes(a, b)
    case .cockroach: return Comparer.engineKeys(a, b)
    }
  }

  public func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { x in b.withUnsafeBytes { y in compare(x, y) } }
  }

  /// Orders range-key suffixes: CockroachDB sorts newer timestamps (greater bytes) first.
  public func compareSuffixes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let c = a.withUnsafeBytes { x in b.withUnsafeBytes { y in Comparer.bytes(x, y) } }
    return self == .cockroach ? -c : c
  }

  @inlinable
  public static func bytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
      let c = memcmpBytes(a.baseAddress!, b.baseAddress!, n)
      if c != 0 { return c }
    }
    return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
  }

  @inlinable
  static func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int {
    Int(memcmp(a, b, n))
  }

  /// Engine keys: roach keys bytewise; an unversioned key first; then versions newest first,
  /// compared as normalized bytes in reverse. Keys whose length byte does not fit fall back
  /// to bytewise so damaged keys still have a total order. A length byte of 1 (an empty
  /// version) sorts as unversioned, as Pebble's comparer slices it. The project's one
  /// implementation of this order (`EngineKey.compare` calls it).
  @inlinable
  public static func engineKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    guard let (ar, av) = split(a), let (br, bv) = split(b) else { return bytes(a, b) }
    let c = bytes(ar, br)
    if c != 0 { return c }
    if av.count == 0 || bv.count == 0 { return av.count == bv.count ? 0 : (av.count == 0 ? -1 : 1) }
    return bytes(normalize(bv), normalize(av))
  }

  /// (roach key without the 0x00 sentinel, version without its length byte).
  @inlinable
  static func split(_ k: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
    guard let last = k.last else { return nil }
    let versionLen = Int(last)  // = len(version) + 1, or 0 when unversioned
    guard versionLen < k.count else { return nil }
    let sentinel = k.count - 1 - versionLen
    guard k[sentinel] == 0 else { return nil }
    let roach = UnsafeRawBufferPointer(rebasing: k[0..<sentinel])
    let version = versionLen == 0 ? UnsafeRawBufferPointer(rebasing: k[k.count..<k.count])
                                  : UnsafeRawBufferPointer(rebasing: k[(sentinel + 1)..<(k.count - 1)])
    return (roach, version)
  }

  /// Drops a 13th synthetic byte and an all-zero logical part, so equal timestamps in the
  /// legacy and current encodings compare equal.
  @inlinable
  static func normalize(_ v: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var n = v.count
    if n == 13 { n = 12 }
    if n == 12 && v[8] == 0 && v[9] == 0 && v[10] == 0 && v[11] == 0 { n = 8 }
    return UnsafeRawBufferPointer(rebasing: v[0..<n])
  }
}
