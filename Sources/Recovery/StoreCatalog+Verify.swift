import CockroachKV
import LSMStore
import SSTable

extension StoreCatalog {
  /// Opens the store at `path`; with `verifyTables`, also checks every block of every live
  /// table against its checksum (reads the whole store, decompresses nothing) so that
  /// `damagedSpans` names the damaged keys. A block whose checksum holds but whose content
  /// does not decode is found (and reported) only by the read itself.
  public static func read(path: String, verifyTables: Bool) throws(StoreError) -> StoreCatalog {
    StoreCatalog(store: try Store(path: path), verifyTables: verifyTables)
  }

  /// The catalog of an open store; with `verifyTables`, every block is checked (see above).
  public init(store: Store, verifyTables: Bool) {
    self.init(store: store)
    if verifyTables { damagedSpans = Coverage.union(damagedSpans + Self.blockDamage(store, problems: &problems)) }
  }

  /// Damaged blocks as roach-key spans (`damagedSpan`).
  static func blockDamage(_ store: Store, problems: inout [Problem]) -> [KeySpan] {
    var spans: [KeySpan] = []
    for t in store.tables where !t.unreadable {
      let bounds = TableBounds(t)
      let damages: [Damage]
      do { damages = try Table(path: t.path).verify(checksumsOnly: true) } catch {
        problems.append(Problem(.damage, store: store.path, file: t.path, "\(error)"))
        spans.append(bounds.span)
        continue
      }
      for d in damages {
        problems.append(Problem(d, store: store.path))
        if d.losesEntries { spans.append(bounds.span(lower: d.lowerKey, upper: d.upperKey)) }
      }
    }
    return spans
  }
}

/// A table's roach-key bounds (from the MANIFEST), and the roach-key span of a block between
/// two index separators. Separators may be shortened and then are no engine keys: such a
/// bound is read as a roach key and the span widened (upper bound + ff), never narrowed. A
/// missing bound is the table's own.
struct TableBounds {
  let low: [UInt8]
  let high: [UInt8]

  init(_ t: TableSpec) {
    low = t.meta.flatMap { try? EngineKey(decoding: $0.smallest.userKey).roachKey } ?? []
    high = t.meta.flatMap { try? EngineKey(decoding: $0.largest.userKey).roachKey }.map { $0 + [0] } ?? LocalKeys.keyMax
  }

  /// The whole table.
  var span: KeySpan { KeySpan(start: low, end: high) }

  func span(lower: [UInt8]?, upper: [UInt8]?) -> KeySpan {
    let lo = lower.map { Self.roachKey($0) ?? $0 } ?? low
    let hi = upper.map { Self.roachKey($0).map { $0 + [0] } ?? $0 + [0xFF] } ?? high
    return KeySpan(start: lo, end: hi)
  }

  /// `EngineKey(decoding:).roachKey` without decoding the version (checks run it per block).
  static func roachKey(_ k: [UInt8]) -> [UInt8]? {
    k.withUnsafeBytes { b in SpanScanner.engineKeyParts(b).map { Array(b[..<$0.roachKeyCount]) } }
  }
}
