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

  /// A problem line naming its store once: texts that start with a path inside the store
  /// (a table file's) name it already.
  public static func problem(_ store: String, _ text: String) -> String {
    text.hasPrefix(store.hasSuffix("/") ? store : store + "/") ? text : "\(store): \(text)"
  }

  /// Damaged blocks as roach-key spans. Block bounds are index separators, which may be
  /// shortened and then are no engine keys: such a bound is read as a roach key and the
  /// span widened (upper bound + ff), never narrowed. A missing bound is the table's own.
  static func blockDamage(_ store: Store, problems: inout [String]) -> [KeySpan] {
    var spans: [KeySpan] = []
    for t in store.tables where !t.unreadable {
      let tableLow = t.meta.flatMap { try? EngineKey(decoding: $0.smallest.userKey).roachKey } ?? []
      let tableHigh = t.meta.flatMap { try? EngineKey(decoding: $0.largest.userKey).roachKey }.map { $0 + [0] } ?? LocalKeys.keyMax
      let damages: [Damage]
      do { damages = try Table(path: t.path).verify(checksumsOnly: true) } catch {
        problems.append(Self.problem(store.path, "\(t.path): \(error)"))
        spans.append(KeySpan(start: tableLow, end: tableHigh))
        continue
      }
      for d in damages {
        problems.append(Self.problem(store.path, "\(d)"))
        guard d.losesEntries else { continue }
        let lo = d.lowerKey.map { (try? EngineKey(decoding: $0).roachKey) ?? $0 } ?? tableLow
        let hi = d.upperKey.map { (try? EngineKey(decoding: $0).roachKey).map { $0 + [0] } ?? $0 + [0xFF] } ?? tableHigh
        spans.append(KeySpan(start: lo, end: hi))
      }
    }
    return spans
  }
}
