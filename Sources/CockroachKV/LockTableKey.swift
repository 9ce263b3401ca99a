/// A separated lock-table entry (spec §1.4): engine key
/// `01 7a 6b ‖ bytes-asc(lockedKey) ‖ 00 ‖ strength ‖ txnUUID(16) ‖ 0x12`, value an
/// MVCCMetadata. Strength 3 is an intent (a provisional value at `lockedKey@ts`) in every
/// version; 1/2 are replicated shared/exclusive locks (23.2+) with no provisional value.
public struct LockTableKey: Equatable, Sendable {
  public var lockedKey: [UInt8]
  public var strength: UInt8
  public var txnID: UUID16

  public static let intentStrength: UInt8 = 3

  public init(lockedKey: [UInt8], strength: UInt8, txnID: UUID16) {
    self.lockedKey = lockedKey
    self.strength = strength
    self.txnID = txnID
  }

  public var isIntent: Bool { strength == LockTableKey.intentStrength }

  /// nil when `key` is not a lock-table key; throws when it claims to be one but is malformed.
  public init?(_ key: EngineKey) throws(KVError) {
    guard key.roachKey.starts(with: LocalKeys.lockTableSingleKeyPrefix) else { return nil }
    guard case .lock(let s, let id) = key.version else {
      throw KVError(.corrupt, "LockTableKey", "lock-table key without a 17-byte version: \(kvHex(key.encoded))")
    }
    let (locked, rest) = try OrderedEncoding.decodeBytesAscending(key.roachKey.dropFirst(3))
    guard rest.isEmpty else { throw KVError(.corrupt, "LockTableKey", "\(rest.count) bytes after the locked key") }
    self.init(lockedKey: locked, strength: s, txnID: id)
  }

  public var engineKey: EngineKey {
    EngineKey(roachKey: LocalKeys.lockTableKey(lockedKey: lockedKey), version: .lock(strength: strength, txnID: txnID))
  }
}
