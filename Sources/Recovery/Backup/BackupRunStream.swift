import CockroachKV
import Foundation
import SSTable

/// The versions of one run of a layer's files (disjoint spans, in key order): for each key
/// of the span, its newest version ≤ the read time, tombstones included (they hide older
/// layers). A key's versions are adjacent in a backup SST under both comparators (no SQL key
/// is another's prefix followed by a 00 byte).
final class BackupRunStream {
  struct Piece { var file: BackupManifest.File; var path: String }
  struct Version { var key: [UInt8]; var ts: MVCCTimestamp; var value: [UInt8] }

  let pieces: [Piece]
  let span: KeySpan
  let readTime: MVCCTimestamp
  private(set) var problems: [Problem] = []
  private var index = -1
  private var iterator: TableIterator?
  private var lower: [UInt8] = []
  private var upper: [UInt8] = []
  /// The newest version so far of the key being read.
  private var pending: Version?

  init(pieces: [Piece], span: KeySpan, readTime: MVCCTimestamp) {
    self.pieces = pieces
    self.span = span
    self.readTime = readTime
  }

  func next() throws -> Version? {
    while true {
      guard let it = iterator else {
        if let p = pending { pending = nil; return p }
        guard openNext() else { return nil }
        continue
      }
      guard let e = it.next() else {
        for d in it.damages { problems.append(Problem(.damage, file: d.file, "damaged backup data file \(d); its keys are skipped")) }
        iterator = nil
        continue
      }
      guard e.kind == 1 || e.kind == 0x12 else { continue }   // SET / SETWITHDEL
      let ek: EngineKey
      do { ek = try EngineKey(decoding: Array(e.userKey)) } catch {
        problems.append(Problem(.undecodable, file: pieces[index].path, "\(error)"))
        continue
      }
      guard case .mvcc(let ts) = ek.version, ts <= readTime else { continue }
      let k = ek.roachKey
      if k.lexicographicallyPrecedes(lower) || (!upper.isEmpty && !k.lexicographicallyPrecedes(upper)) { continue }
      if var p = pending, p.key == k {
        if ts > p.ts { p.ts = ts; p.value = Self.roachValue(e.value); pending = p }
        continue
      }
      let done = pending
      pending = Version(key: k, ts: ts, value: Self.roachValue(e.value))
      if let d = done { return d }
    }
  }

  /// Opens the next piece's SST, skipping (and reporting) one that cannot be opened.
  private func openNext() -> Bool {
    while index + 1 < pieces.count {
      index += 1
      let p = pieces[index]
      lower = max(p.file.start, span.start, by: { $0.lexicographicallyPrecedes($1) })
      upper = [p.file.end, span.end].filter { !$0.isEmpty }.min(by: { $0.lexicographicallyPrecedes($1) }) ?? []
      do {
        iterator = try Table(path: p.path).makeIterator()
        return true
      } catch {
        problems.append(Problem(.damage, file: p.path, "damaged backup data file \(p.path): \(error); its keys are skipped"))
      }
    }
    return false
  }

  /// The roachpb.Value of an MVCC value, without an extended header (spec §2.1); empty = tombstone.
  static func roachValue(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
    guard raw.count > 4, raw[4] == 0x65 else { return Array(raw) }
    let h = Int(raw[0]) << 24 | Int(raw[1]) << 16 | Int(raw[2]) << 8 | Int(raw[3])
    guard h <= raw.count - 5 else { return Array(raw) }
    return Array(raw[(5 + h)...])
  }
}

private func max(_ a: [UInt8], _ b: [UInt8], by less: ([UInt8], [UInt8]) -> Bool) -> [UInt8] { less(a, b) ? b : a }
