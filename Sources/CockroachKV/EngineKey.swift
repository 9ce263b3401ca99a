#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LSMStore

/// A Pebble/RocksDB user key as CockroachDB writes it (spec §1.1–1.3).
///
/// ```
/// EngineKey := roachKey ‖ 0x00 ‖ [ version ‖ len(version)+1 ]
///
/// len(version)  last byte  version layout
///   0           00         (none: MVCC metadata, inline value, raft/local state)
///   8           09         wall_time uint64 BE
///  12           0d         wall_time ‖ logical uint32 BE
///  13           0e         wall_time ‖ logical ‖ synthetic flag (legacy 20.2–22.2; ignored)
///  17           12         lock strength (1 byte) ‖ transaction UUID (16)   — /Local/Lock keys
/// ```
/// Example (pkg/storage/mvcc_key_test.go): `666f6f 00 16cf10bc05055741 0000ffff 0d` is
/// "foo" @ 1643550788.737652545,65535.
public struct EngineKey: Hashable, Sendable, CustomStringConvertible {
  public enum Version: Hashable, Sendable {
    /// No version: the key sorts before every version of its roach key.
    case none
    case mvcc(MVCCTimestamp)
    /// Lock-table version (§1.4): strength byte 3 is an intent in every CockroachDB version;
    /// 1 and 2 are shared/exclusive locks (23.2+).
    case lock(strength: UInt8, txnID: UUID16)
  }

  public var roachKey: [UInt8]
  public var version: Version
  /// Length of the version as stored (0, 8, 12, 13 or 17), kept for diagnostics; `encoded`
  /// always writes the canonical form.
  public var storedVersionLength: Int

  public init(roachKey: [UInt8], version: Version = .none) {
    self.roachKey = roachKey
    self.version = version
    switch version {
    case .none: storedVersionLength = 0
    case .mvcc(let t): storedVersionLength = t.isZero ? 0 : (t.logical == 0 ? 8 : 12)
    case .lock: storedVersionLength = 17
    }
  }

  /// The MVCC timestamp, or nil for unversioned and lock-table keys.
  public var timestamp: MVCCTimestamp? {
    if case .mvcc(let t) = version { return t }
    return nil
  }

  public var isUnversioned: Bool { version == .none }

  /// Decodes a raw engine key. Throws `.corrupt` for keys that are not CockroachDB engine keys
  /// (missing sentinel, impossible version length).
  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    let b = Array(raw)
    guard let parts = b.withUnsafeBytes({ EngineKey.split($0) }) else {
      throw KVError(.corrupt, "EngineKey", "no 0x00 sentinel before the version length byte (key \(kvHex(b.prefix(64))))")
    }
    let (rk, vl) = parts
    roachKey = Array(b[0..<rk])
    storedVersionLength = vl
    let v = b[(rk + 1)..<(rk + 1 + vl)]
    switch vl {
    case 0: version = .none
    case 8, 12, 13: version = .mvcc(EngineKey.timestamp(v))
    case 17: version = .lock(strength: v[v.startIndex], txnID: UUID16(v.dropFirst())!)
    default:
      throw KVError(.corrupt, "EngineKey", "version of \(vl) bytes (valid: 0, 8, 12, 13, 17)", offset: rk + 1)
    }
  }

  /// The canonical encoding: logical omitted when 0, no version for the zero timestamp.
  public var encoded: [UInt8] {
    var out = roachKey
    out.append(0)
    switch version {
    case .none: break
    case .mvcc(let t):
      if t.isZero { break }
      let w = UInt64(bitPattern: t.wallTime)
      for i in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(i))) }
      if t.logical != 0 {
        let l = UInt32(bitPattern: t.logical)
        for i in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: l >> UInt32(i))) }
        out.append(13)
      } else {
        out.append(9)
      }
    case .lock(let s, let id):
      out.append(s)
      out.append(contentsOf: id.bytes)
      out.append(18)
    }
    return out
  }

  public var description: String {
    let k = Keyspace.prettyPrint(roachKey)
    switch version {
    case .none: return k
    case .mvcc(let t): return k + "@" + t.description
    case .lock(let s, let id): return k + "@lock(\(s),\(id))"
    }
  }

  // MARK: raw buffers (hot path; no allocation)

  /// Splits a raw engine key into (roachKey length, version length) without copying, or nil
  /// when the key is not shaped like an engine key. The version is `raw[rk+1 ..< rk+1+vl]`.
  /// Any version length is accepted here; `init(decoding:)` checks which are meaningful.
  @inlinable
  public static func split(_ raw: UnsafeRawBufferPointer) -> (roachKeyCount: Int, versionCount: Int)? {
    guard let last = raw.last else { return nil }
    let n = Int(last)  // version length + 1, or 0 when the last byte is the sentinel itself
    if n == 0 { return (raw.count - 1, 0) }
    guard n >= 2, n < raw.count else { return nil }  // n == 1 would be an empty version
    let sentinel = raw.count - 1 - n
    guard raw[sentinel] == 0 else { return nil }
    return (sentinel, n - 1)
  }

  /// Decodes an 8-, 12- or 13-byte MVCC version (a 13th synthetic byte is ignored).
  @inlinable
  static func timestamp<C: Collection>(_ v: C) -> MVCCTimestamp where C.Element == UInt8 {
    var w: UInt64 = 0
    var l: UInt32 = 0
    for (i, x) in v.enumerated() {
      if i < 8 { w = (w << 8) | UInt64(x) } else if i < 12 { l = (l << 8) | UInt32(x) }
    }
    return MVCCTimestamp(wallTime: Int64(bitPattern: w), logical: Int32(bitPattern: l))
  }

  /// The `cockroach_comparator` order over raw engine keys (spec §1.3), as the store's
  /// merge uses it (`Comparer.engineKeys` owns the rule). Returns <0, 0, >0.
  @inlinable
  public static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    Comparer.engineKeys(a, b)
  }

  /// `compare` over arrays.
  public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compare(pa, pb) } }
  }
}
