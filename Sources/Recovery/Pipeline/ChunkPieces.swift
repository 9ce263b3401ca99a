import Foundation
import Synchronization
import CockroachKV
import CockroachSQL
import LSMStore
import SSTable

/// Work units inside a range (issue 15, item 4): a chunk whose data blocks on its chosen
/// store weigh more than `pieceBytes` is cut into pieces of about that size, so that one
/// large range can be read by several workers. Cut keys come from data-block boundaries of
/// the store's level holding most of the chunk: the first key of the block after a boundary,
/// reduced to its row prefix (`SQLKeyPrefix.splitFamily`). Every KV of a row starts with the
/// row prefix, so no row straddles a cut and the pieces' outputs, concatenated in key order,
/// are the chunk's output whatever the cut. Keys that are not SQL row keys are not cut at.
extension RecoveryRun {
  /// About 8 MiB of table blocks per piece: a 64 MiB range (compressed to 20–64 MiB of
  /// blocks) gives 3–8 pieces; the test clusters' ranges stay whole.
  public static let defaultPieceBytes: Int64 = 8 << 20

  /// `chunks` with the large ones cut (per table in key order, renumbered). Chunks of stores
  /// that were measured carry `estimatedBytes` (the weight `workUnits` balances).
  /// Stores are measured on up to `jobs` threads (each reads its whole index: serial, it
  /// was a tenth of a second per gigabyte before any worker started).
  static func cutLargeChunks(_ chunks: [RecoveryChunk], stores: [Store], pieceBytes: Int64, jobs: Int = 1) -> [RecoveryChunk] {
    guard pieceBytes > 0 else { return chunks }
    var cuts = [[[UInt8]]](repeating: [], count: chunks.count)
    var sizes = [Int64?](repeating: nil, count: chunks.count)
    let work = stores.indices.compactMap { s -> (store: Int, chunks: [Int])? in
      let mine = chunks.indices.filter { chunks[$0].store == s }.sorted { chunks[$0].span < chunks[$1].span }
      return !mine.isEmpty && bytesOfTables([stores[s]]) > pieceBytes ? (s, mine) : nil
    }
    let found = Mutex([(cuts: [[[UInt8]]], bytes: [Int64])?](repeating: nil, count: work.count))
    let threads = max(1, min(jobs, work.count))
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      for w in stride(from: t, to: work.count, by: threads) {
        let r = PieceCutter(store: stores[work[w].store], spans: work[w].chunks.map { chunks[$0].span }, pieceBytes: pieceBytes).run()
        found.withLock { $0[w] = r }
      }
    }
    for (w, r) in zip(work, found.withLock { $0 }) {
      guard let r else { continue }
      for (k, i) in w.chunks.enumerated() { cuts[i] = r.cuts[k]; sizes[i] = r.bytes[k] }
    }
    var out: [RecoveryChunk] = []
    var next: [Int: Int] = [:]      // table → next chunk number
    for (i, c) in chunks.enumerated() {
      let bounds = [c.span.start] + cuts[i] + [c.span.end]
      let share = sizes[i].map { $0 / Int64(bounds.count - 1) }
      for j in 0..<(bounds.count - 1) {
        var p = c
        p.span = KeySpan(start: bounds[j], end: bounds[j + 1])
        p.index = next[c.table, default: 0]
        p.estimatedBytes = share
        next[c.table] = p.index + 1
        out.append(p)
      }
    }
    return out
  }
}

/// Measures one store's chunks (data-block bytes per span, per level) and picks their cuts.
struct PieceCutter {
  let store: Store
  /// Sorted, disjoint roach-key spans (one store's chunks).
  let spans: [KeySpan]
  let pieceBytes: Int64

  /// The span holding `key` (an engine key or index separator, compared bytewise with the
  /// roach-key bounds: close enough to weigh blocks), or nil.
  func span(of key: [UInt8]) -> Int? {
    var lo = 0, hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if key.lexicographicallyPrecedes(spans[mid].start) { hi = mid } else { lo = mid + 1 }
    }
    guard lo > 0, key.lexicographicallyPrecedes(spans[lo - 1].end) else { return nil }
    return lo - 1
  }

  func run() -> (cuts: [[[UInt8]]], bytes: [Int64]) {
    let groups = store.sourceGroups.map { g in g.compactMap { $0.unreadable ? nil : try? Table(path: $0.path) } }
    // Pass 1: bytes of each level's blocks per span (a block counts where its separator falls).
    var bytes = [[Int64]](repeating: [Int64](repeating: 0, count: spans.count), count: groups.count)
    for (g, tables) in groups.enumerated() {
      for t in tables {
        var it = IndexIterator(t)
        while let e = it.next() {
          if let k = span(of: e.separatorUserKey) { bytes[g][k] += Int64(e.handle.length) }
        }
      }
    }
    let total = spans.indices.map { k in bytes.reduce(Int64(0)) { $0 + $1[k] } }
    // Pass 2: in the level holding most of a large span, a cut after each block where the
    // level's running bytes pass another 1/n of its share (n pieces of about pieceBytes).
    var cuts = [[[UInt8]]](repeating: [], count: spans.count)
    var level = [Int?](repeating: nil, count: spans.count)
    var pieces = [Int64](repeating: 1, count: spans.count)
    for k in spans.indices where total[k] > pieceBytes && !groups.isEmpty {
      level[k] = groups.indices.max { bytes[$0][k] < bytes[$1][k] }
      pieces[k] = min(64, (total[k] + pieceBytes - 1) / pieceBytes)
    }
    for (g, tables) in groups.enumerated() where level.contains(g) {
      var running = [Int64](repeating: 0, count: spans.count)
      var made = [Int64](repeating: 0, count: spans.count)   // targets passed so far
      var pending: Int? = nil                                 // span wanting a cut at the next block
      for t in tables {
        var it = IndexIterator(t)
        while let e = it.next() {
          let k = span(of: e.separatorUserKey)
          if let p = pending, p == k, let key = t.firstUserKey(ofBlock: e), let cut = rowBoundary(key, in: spans[p]),
             cut.lexicographicallyPrecedes(spans[p].end), cuts[p].last.map({ $0.lexicographicallyPrecedes(cut) }) ?? true {
            cuts[p].append(cut)
          }
          pending = nil
          guard let k, level[k] == g else { continue }
          running[k] += Int64(e.handle.length)
          let share = bytes[g][k]
          var passed = made[k]
          while passed + 1 < pieces[k], running[k] * pieces[k] >= share * (passed + 1) { passed += 1 }
          if passed > made[k] { made[k] = passed; pending = k }
        }
      }
    }
    return (cuts, total)
  }

  /// The row prefix of an engine key when it is a SQL row key strictly inside `span`.
  func rowBoundary(_ engineKey: [UInt8], in span: KeySpan) -> [UInt8]? {
    guard let ek = try? EngineKey(decoding: engineKey),
          (try? SQLKeyPrefix.parse(ek.roachKey[...])) != nil,
          let row = try? SQLKeyPrefix.splitFamily(ek.roachKey[...]).row else { return nil }
    let cut = Array(row)
    return span.start.lexicographicallyPrecedes(cut) && cut.lexicographicallyPrecedes(span.end) ? cut : nil
  }
}
