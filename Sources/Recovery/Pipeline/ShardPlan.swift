import CockroachKV
import Foundation
import LSMStore

/// `salvage plan`: a recovery's chunks cut into N shards of about equal bytes, so that
/// separate processes (Spark tasks, Kubernetes pods) can each read one shard and
/// `salvage finish` can assemble exactly what one `salvage recover` would write.
///
/// Every shard re-plans from the stores and compares with the plan (`fingerprint`), so a
/// shard never works from stores that changed since planning.
public struct ShardPlan: Codable, Equatable, Sendable {
  public static let formatName = "salvage-plan/1"

  public struct Table: Codable, Equatable, Sendable {
    public var tableID: UInt32
    public var name: String
    public var chunks: Int
    public var lostSpans: [String]
    enum CodingKeys: String, CodingKey { case tableID = "table_id", name, chunks, lostSpans = "lost_spans" }
  }

  public struct Chunk: Codable, Equatable, Sendable {
    public var tableID: UInt32
    public var index: Int
    public var span: String
    public var startHex: String
    public var endHex: String
    public var rangeID: Int64?
    /// Store path; nil for a lost chunk.
    public var store: String?
    /// Estimated bytes of table files to read.
    public var bytes: Int64
    enum CodingKeys: String, CodingKey {
      case tableID = "table_id", index, span, startHex = "start_hex", endHex = "end_hex", rangeID = "range_id", store, bytes
    }
  }

  public struct Shard: Codable, Equatable, Sendable {
    public var shard: Int
    public var bytes: Int64
    public var chunks: [Chunk]
  }

  public struct KeepLatestOption: Codable, Equatable, Sendable {
    public var count: Int
    public var partitionBy: String
    public var orderBy: String
    public init(count: Int, partitionBy: String, orderBy: String) {
      self.count = count; self.partitionBy = partitionBy; self.orderBy = orderBy
    }
    enum CodingKeys: String, CodingKey { case count, partitionBy = "partition_by", orderBy = "order_by" }
  }

  public var format = ShardPlan.formatName
  /// Absolute store paths, as every shard must open them.
  public var stores: [String]
  /// Read timestamp as wall nanos and logical; nil = newest.
  public var asOfWall: Int64?
  public var asOfLogical: Int32?
  public var tablePatterns: [String]
  public var keepLatest: KeepLatestOption?
  /// `--schema` files (their text), `--table-id`s and `--ignore-descriptors`: absent in plans
  /// made without them.
  public var schemaFiles: [SchemaFileText]?
  public var tableIDs: [String: UInt32]?
  public var ignoreDescriptors: Bool?
  /// How chunk bytes were estimated: "manifest" (table file sizes and key bounds) or "chunks" (equal counts).
  public var estimate: String
  public var fingerprint: String
  public var tables: [Table]
  public var lostChunks: [Chunk]
  public var shards: [Shard]

  enum CodingKeys: String, CodingKey {
    case format, stores, asOfWall = "as_of_wall", asOfLogical = "as_of_logical", tablePatterns = "table_patterns"
    case keepLatest = "keep_latest", schemaFiles = "schema_files", tableIDs = "table_ids", ignoreDescriptors = "ignore_descriptors", estimate, fingerprint, tables, lostChunks = "lost_chunks", shards
  }

  public var readTimestamp: MVCCTimestamp {
    guard let w = asOfWall else { return .max }
    return MVCCTimestamp(wallTime: w, logical: asOfLogical ?? 0)
  }

  public var options: RecoveryOptions {
    var o = RecoveryOptions(storePaths: stores)
    o.readTimestamp = readTimestamp
    o.tablePatterns = tablePatterns
    o.schemaFiles = schemaFiles ?? []
    o.tableIDs = tableIDs ?? [:]
    o.ignoreStoredDescriptors = ignoreDescriptors ?? false
    return o
  }

  // MARK: - Making a plan

  /// Plans `shards` shards from prepared work. Deterministic: same stores and options give
  /// the same plan, byte for byte once encoded.
  public static func make(_ p: RecoveryRun.Prepared, options: RecoveryOptions, shards n: Int,
                          keepLatest: KeepLatestOption?) -> ShardPlan {
    let (bytes, estimate) = estimateBytes(p)
    let chunks = p.chunks.enumerated().map { i, c in describe(c, p, bytes: bytes[i]) }
    let readable = chunks.indices.filter { p.chunks[$0].store != nil }
    // Contiguous runs in (store, key) order: a shard touches few stores and few files.
    let ordered = readable.sorted { a, b in
      let (x, y) = (p.chunks[a], p.chunks[b])
      return x.store! != y.store! ? x.store! < y.store! : x.span < y.span
    }
    let total = ordered.reduce(Int64(0)) { $0 + chunks[$1].bytes }
    var out = (0..<n).map { Shard(shard: $0, bytes: 0, chunks: []) }
    var before: Int64 = 0
    for i in ordered {
      let b = chunks[i].bytes
      // The shard whose share holds the chunk's middle byte.
      let mid = Double(before) + Double(b) / 2
      let s = total == 0 ? 0 : min(n - 1, Int(mid * Double(n) / Double(total)))
      out[s].chunks.append(chunks[i])
      out[s].bytes += b
      before += b
    }
    for s in out.indices {
      out[s].chunks.sort { ($0.tableID, $0.index) < ($1.tableID, $1.index) }
    }
    var perTable = Array(repeating: (chunks: 0, lost: [String]()), count: p.tables.count)
    for c in p.chunks {
      perTable[c.table].chunks += 1
      if c.store == nil { perTable[c.table].lost.append(c.span.pretty) }
    }
    let tables = p.tables.enumerated().map { t, table in
      Table(tableID: table.descriptor.id, name: table.qualifiedName.joined(separator: "."),
            chunks: perTable[t].chunks, lostSpans: perTable[t].lost)
    }
    let ts = options.readTimestamp
    return ShardPlan(stores: options.storePaths, asOfWall: ts == .max ? nil : ts.wallTime, asOfLogical: ts == .max ? nil : ts.logical,
                     tablePatterns: options.tablePatterns, keepLatest: keepLatest,
                     schemaFiles: options.schemaFiles.isEmpty ? nil : options.schemaFiles,
                     tableIDs: options.tableIDs.isEmpty ? nil : options.tableIDs,
                     ignoreDescriptors: options.ignoreStoredDescriptors ? true : nil, estimate: estimate,
                     fingerprint: fingerprint(p, stores: options.storePaths), tables: tables,
                     lostChunks: chunks.indices.filter { p.chunks[$0].store == nil }.map { chunks[$0] }, shards: out)
  }

  static func describe(_ c: RecoveryChunk, _ p: RecoveryRun.Prepared, bytes: Int64) -> Chunk {
    Chunk(tableID: p.tables[c.table].descriptor.id, index: c.index, span: c.span.pretty,
          startHex: hex(c.span.start), endHex: hex(c.span.end), rangeID: c.rangeID,
          store: c.store.map { p.stores[$0].path }, bytes: bytes)
  }

  /// Per chunk, the bytes of the store's table files whose key bounds overlap it, each file
  /// shared equally by the chunks it overlaps. Without MANIFEST bounds, 1 per chunk.
  static func estimateBytes(_ p: RecoveryRun.Prepared) -> ([Int64], String) {
    var bytes = Array(repeating: Int64(0), count: p.chunks.count)
    var usedManifest = false
    for (s, store) in p.stores.enumerated() {
      // The store's chunks do not overlap: sorted by start, their ends are sorted too.
      let mine = p.chunks.indices.filter { p.chunks[$0].store == s }.sorted { p.chunks[$0].span < p.chunks[$1].span }
      for t in store.tables {
        guard let m = t.meta else { continue }
        usedManifest = true
        // Bounds are engine keys (roach key, 0x00, version): compare their roach-key part.
        let lo = roachPart(m.smallest.userKey), hi = roachPart(m.largest.userKey)
        var first = 0, last = mine.count   // first chunk ending after lo
        while first < last {
          let mid = (first + last) / 2
          if p.chunks[mine[mid]].span.end.lexicographicallyPrecedes(lo) || p.chunks[mine[mid]].span.end == lo { first = mid + 1 } else { last = mid }
        }
        var hit: [Int] = []
        var k = first
        while k < mine.count, !hi.lexicographicallyPrecedes(p.chunks[mine[k]].span.start) { hit.append(mine[k]); k += 1 }
        guard !hit.isEmpty else { continue }
        let share = Int64(m.size) / Int64(hit.count)
        for i in hit { bytes[i] += share }
      }
    }
    // Every readable chunk costs something (opening, seeking), and equal counts are the fallback.
    for i in bytes.indices where p.chunks[i].store != nil { bytes[i] += 1 }
    return (bytes, usedManifest ? "manifest" : "chunks")
  }

  static func roachPart(_ engineKey: [UInt8]) -> [UInt8] {
    engineKey.withUnsafeBytes { raw in
      EngineKey.split(raw).map { Array(engineKey.prefix($0.roachKeyCount)) } ?? engineKey
    }
  }

  /// FNV-1a over the tables and every chunk's table, index, span and store: equal when two
  /// planning passes cut the work the same way.
  public static func fingerprint(_ p: RecoveryRun.Prepared, stores: [String]) -> String {
    var text = stores.joined(separator: "\n") + "\n"
    for t in p.tables { text += "T \(t.descriptor.id) \(t.qualifiedName.joined(separator: "."))\n" }
    for c in p.chunks {
      text += "C \(p.tables[c.table].descriptor.id) \(c.index) \(hex(c.span.start)) \(hex(c.span.end)) \(c.store.map(String.init) ?? "-")\n"
    }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return String(format: "%016llx", h)
  }

  // MARK: - Encoding

  public func encoded() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var d = try e.encode(self)
    d.append(0x0a)
    return d
  }

  public static func load(path: String) throws -> ShardPlan {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw RecoveryError("cannot read plan \(path): \(error.localizedDescription)")
    }
    let plan: ShardPlan
    do { plan = try JSONDecoder().decode(ShardPlan.self, from: data) } catch {
      throw RecoveryError("\(path) is not a salvage plan: \(error)")
    }
    guard plan.format == formatName else { throw RecoveryError("\(path): plan format \(plan.format), expected \(formatName)") }
    return plan
  }
}

/// What one shard did, for `salvage finish` and the Spark driver (`shard.json`).
public struct ShardResult: Codable, Sendable {
  public struct TableStats: Codable, Sendable {
    public var tableID: UInt32
    public var rows: Int
    public var deletedKeys: Int
    public var rowProblems: Int
    enum CodingKeys: String, CodingKey { case tableID = "table_id", rows, deletedKeys = "deleted_keys", rowProblems = "row_problems" }
  }
  public struct Intent: Codable, Sendable {
    public var key: String
    public var keyHex: String
    public var txnID: String
    public var timestamp: String
    enum CodingKeys: String, CodingKey { case key, keyHex = "key_hex", txnID = "txn_id", timestamp }
  }
  public var shard: Int
  public var shards: Int
  public var fingerprint: String
  public var chunks: Int
  public var rows: Int
  public var bytesEstimated: Int64
  public var seconds: Double
  public var tables: [TableStats]
  public var intents: [Intent]
  public var problems: [Problem]
  /// Damaged blocks the shard's checks met while reading, and the parts no replica held.
  public var damaged: [ChunkResult.Damaged]? = nil
  public var lost: [Lost]? = nil

  public struct Lost: Codable, Sendable {
    public var tableID: UInt32
    public var rangeID: Int64
    public var span: ChunkResult.Span
    enum CodingKeys: String, CodingKey { case tableID = "table_id", rangeID = "range_id", span }
  }

  enum CodingKeys: String, CodingKey {
    case shard, shards, fingerprint, chunks, rows, bytesEstimated = "bytes_estimated", seconds, tables, intents, problems, damaged, lost
  }
}

extension RecoveryRun {
  /// Reads shard `shard` of `plan` into `sink` (whose `finish` is not called: the shard's
  /// output is assembled later by `salvage finish`). Fails when the stores no longer give
  /// the planned chunks.
  public func runShard(_ plan: ShardPlan, shard: Int, sink: RecoveredRowSink,
                       progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> (ShardResult, RecoveryReport) {
    guard plan.shards.indices.contains(shard) else {
      throw RecoveryError("shard \(shard): the plan has shards 0..<\(plan.shards.count)")
    }
    let started = Date()
    let p = try prepare(findUnnamed: false, progress: progress)
    let global = report.problems.count
    let fp = ShardPlan.fingerprint(p, stores: options.storePaths)
    guard fp == plan.fingerprint else {
      throw RecoveryError("shard \(shard): the stores no longer give the planned chunks (fingerprint \(fp), plan \(plan.fingerprint)); plan again")
    }
    let position = Dictionary(uniqueKeysWithValues: p.chunks.enumerated().map { i, c in
      ("\(p.tables[c.table].descriptor.id)/\(c.index)", i)
    })
    let mine = try plan.shards[shard].chunks.map { c -> RecoveryChunk in
      guard let i = position["\(c.tableID)/\(c.index)"] else {
        throw RecoveryError("shard \(shard): chunk \(c.tableID)/\(c.index) of the plan is unknown")
      }
      return p.chunks[i]
    }
    try sink.begin(tables: p.tables, chunks: p.chunks)
    try read(p, chunks: mine, sink: sink, progress: progress)
    let r = report
    let result = ShardResult(
      shard: shard, shards: plan.shards.count, fingerprint: fp, chunks: mine.count,
      rows: r.tables.reduce(0) { $0 + $1.rows }, bytesEstimated: plan.shards[shard].bytes,
      seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
      tables: r.tables.map { .init(tableID: $0.tableID, rows: $0.rows, deletedKeys: $0.deletedKeys, rowProblems: $0.rowProblems) },
      intents: r.intents.map { .init(key: $0.key, keyHex: $0.keyHex, txnID: $0.txnID, timestamp: $0.timestamp) },
      problems: Array(r.problems[global...]),
      damaged: damagedWhileReading,
      lost: lostWhileReading.map { .init(tableID: p.tables[$0.table].descriptor.id, rangeID: $0.rangeID, span: .init($0.span)) })
    return (result, r)
  }

  /// The report of a whole sharded run: the global parts from planning again (cheap: metadata
  /// only), the rest summed over the shards. Intents and shard problems come in a fixed order
  /// (key order; sorted), so the report does not depend on which shard finished first.
  public func assembleReport(_ plan: ShardPlan, results: [ShardResult],
                             progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> (Prepared, RecoveryReport) {
    let p = try prepare(progress: progress)
    let fp = ShardPlan.fingerprint(p, stores: options.storePaths)
    guard fp == plan.fingerprint else {
      throw RecoveryError("the stores no longer give the planned chunks (fingerprint \(fp), plan \(plan.fingerprint)); plan and run the shards again")
    }
    var r = report
    let at = Dictionary(uniqueKeysWithValues: r.tables.enumerated().map { ($1.tableID, $0) })
    var intents: [ShardResult.Intent] = []
    var problems = Set<Problem>()
    for s in results {
      for t in s.tables {
        guard let i = at[t.tableID] else { continue }
        r.tables[i].rows += t.rows
        r.tables[i].deletedKeys += t.deletedKeys
        r.tables[i].rowProblems += t.rowProblems
      }
      intents += s.intents
      problems.formUnion(s.problems)
      damagedWhileReading += s.damaged ?? []
      for l in s.lost ?? [] {
        guard let i = at[l.tableID] else { continue }
        lostWhileReading.append(LostPart(table: i, rangeID: l.rangeID, span: l.span.keySpan))
      }
    }
    report = r
    settleDamage(p.chunks)
    r = report
    r.intents = intents.sorted { ($0.keyHex, $0.timestamp) < ($1.keyHex, $1.timestamp) }
      .map { .init(key: $0.key, keyHex: $0.keyHex, txnID: $0.txnID, timestamp: $0.timestamp) }
    r.problems += problems.sorted()
    r.bytesRead = Self.bytesOfTables(p.stores)
    r.seconds = results.reduce(0) { $0 + $1.seconds }
    return (p, r)
  }
}
