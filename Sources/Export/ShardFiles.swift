import Foundation
import Recovery

/// Sharded recovery on disk:
///
/// ```
/// OUT/shards/plan.json               the plan the shards ran (copied by the first shard)
/// OUT/shards/<i>/shard.json          shard i's statistics (written last: marks it complete)
/// OUT/shards/<i>/.salvage-work/...   its chunks' CSV parts, as RecoveryFiles writes them
/// OUT/shards/<i>.tmp-<random>/       a shard being written (renamed to <i> when complete)
/// ```
/// `finish` links the parts into OUT/.salvage-work and lets RecoveryFiles assemble the
/// tables, so the output is the one-machine output byte for byte.
public enum ShardFiles {
  public static func shardsDir(_ out: String) -> String { URL(fileURLWithPath: out).standardizedFileURL.path + "/shards" }

  /// Runs shard `shard` of `plan` into `out/shards/<shard>`, atomically. A complete shard of the
  /// same plan already there is kept (a retried or duplicate task does no work twice).
  public static func runShard(plan: ShardPlan, shard: Int, out: String, jobs: Int?,
                              progress: @escaping @Sendable (String) -> Void) throws -> (result: ShardResult, reused: Bool) {
    let fm = FileManager.default
    let dir = shardsDir(out)
    guard plan.shards.indices.contains(shard) else {
      throw RecoveryError("shard \(shard): the plan has shards 0..<\(plan.shards.count)")
    }
    do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      throw RecoveryError("shard \(shard): cannot create \(dir): \(error.localizedDescription)")
    }
    try recordPlan(plan, in: dir, shard: shard)
    let final = dir + "/\(shard)"
    if let done = completeResult(final, plan: plan) { return (done, true) }

    let tmp = dir + "/\(shard).tmp-" + UUID().uuidString.prefix(8).lowercased()
    do {
      let files = try RecoveryFiles(directory: tmp, inputs: plan.stores)
      files.writesInPlace = false   // `finish` assembles the shards' parts
      if let k = plan.keepLatest { files.keepLatest = KeepLatest(count: k.count, partitionBy: k.partitionBy, orderBy: k.orderBy) }
      var options = plan.options
      if let jobs { options.jobs = jobs }
      var (result, _) = try RecoveryRun(options: options).runShard(plan, shard: shard, sink: files, progress: progress)
      result.problems += files.renderProblems.map { Problem(.undecodable, $0) }
      try write(result, to: tmp + "/shard.json")
      try install(tmp, as: final, plan: plan)
      return (result, false)
    } catch {
      try? fm.removeItem(atPath: tmp)
      throw RecoveryError("shard \(shard) (\(tmp)): \(error)")
    }
  }

  /// Moves a finished temporary shard into place. If another attempt installed a complete
  /// shard meanwhile, that one stays; an incomplete or foreign one is replaced.
  static func install(_ tmp: String, as final: String, plan: ShardPlan) throws {
    let fm = FileManager.default
    if rename(tmp, final) == 0 { return }
    if completeResult(final, plan: plan) != nil { try? fm.removeItem(atPath: tmp); return }
    let old = final + ".old-" + UUID().uuidString.prefix(8).lowercased()
    if fm.fileExists(atPath: final) { try fm.moveItem(atPath: final, toPath: old) }
    guard rename(tmp, final) == 0 else {
      throw RecoveryError("cannot rename \(tmp) to \(final): \(String(cString: strerror(errno)))")
    }
    try? fm.removeItem(atPath: old)
  }

  /// The shard's statistics when `dir` holds a complete shard of this plan.
  static func completeResult(_ dir: String, plan: ShardPlan) -> ShardResult? {
    guard let data = FileManager.default.contents(atPath: dir + "/shard.json"),
          let r = try? JSONDecoder().decode(ShardResult.self, from: data),
          r.fingerprint == plan.fingerprint, r.shards == plan.shards.count else { return nil }
    return r
  }

  /// Copies the plan beside the shards once; refuses shards of another plan in the same place.
  static func recordPlan(_ plan: ShardPlan, in dir: String, shard: Int) throws {
    let path = dir + "/plan.json"
    if FileManager.default.fileExists(atPath: path) {
      let there = try ShardPlan.load(path: path)
      guard there.fingerprint == plan.fingerprint, there.shards.count == plan.shards.count else {
        throw RecoveryError("shard \(shard): \(dir) holds shards of another plan (\(path)); use a new output directory")
      }
      return
    }
    let tmp = path + ".tmp-" + UUID().uuidString.prefix(8).lowercased()
    try plan.encoded().write(to: URL(fileURLWithPath: tmp))
    guard rename(tmp, path) == 0 else { throw RecoveryError("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))") }
  }

  static func write(_ r: ShardResult, to path: String) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try e.encode(r).write(to: URL(fileURLWithPath: path))
  }

  /// `salvage finish`: checks that every shard is complete, then writes OUT exactly as
  /// `salvage recover` would. Re-runnable: the shards are only read.
  public static func finish(out: String, planPath: String?, keepShards: Bool = true,
                            progress: @escaping @Sendable (String) -> Void) throws -> (files: RecoveryFiles, report: RecoveryReport) {
    let fm = FileManager.default
    let dir = shardsDir(out)
    let planFile = planPath ?? dir + "/plan.json"
    guard fm.fileExists(atPath: planFile) else {
      throw RecoveryError("no plan at \(planFile): run the shards first (or pass --plan)")
    }
    let plan = try ShardPlan.load(path: planFile)
    var results: [ShardResult] = []
    var missing: [Int] = []
    for i in plan.shards.indices {
      if let r = completeResult(dir + "/\(i)", plan: plan) { results.append(r) } else { missing.append(i) }
    }
    guard missing.isEmpty else {
      let names = missing.prefix(10).map { "\(dir)/\($0)" }.joined(separator: ", ")
      throw RecoveryError("\(missing.count) of \(plan.shards.count) shard(s) missing or incomplete: \(names)\(missing.count > 10 ? ", …" : ""); run them, then finish again")
    }
    let (prepared, report) = try RecoveryRun(options: plan.options).assembleReport(plan, results: results, progress: progress)
    let files = try RecoveryFiles(directory: out, inputs: plan.stores)
    if let k = plan.keepLatest { files.keepLatest = KeepLatest(count: k.count, partitionBy: k.partitionBy, orderBy: k.orderBy) }
    try files.begin(tables: prepared.tables, chunks: prepared.chunks)
    let position = Dictionary(uniqueKeysWithValues: prepared.chunks.map { ("\(prepared.tables[$0.table].descriptor.id)/\($0.index)", $0) })
    for s in plan.shards {
      for c in s.chunks {
        guard let chunk = position["\(c.tableID)/\(c.index)"] else {
          throw RecoveryError("shard \(s.shard): chunk \(c.tableID)/\(c.index) is not in the recomputed plan")
        }
        let dst = files.partPath(chunk)
        let src = dir + "/\(s.shard)/.salvage-work" + dst.dropFirst(files.work.count)
        guard fm.fileExists(atPath: src) else { continue }   // a chunk without rows writes no part
        try? fm.removeItem(atPath: dst)
        do { try fm.linkItem(atPath: src, toPath: dst) } catch {
          // Some shared file systems have no hard links.
          do { try fm.copyItem(atPath: src, toPath: dst) } catch {
            throw RecoveryError("shard \(s.shard): cannot take \(src): \(error.localizedDescription)")
          }
        }
      }
    }
    try files.finish(report)
    // Leftovers of killed attempts; with keepShards false, the shards too.
    for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !keepShards || name.contains(".tmp-") || name.contains(".old-") {
      try? fm.removeItem(atPath: dir + "/" + name)
    }
    if !keepShards { try? fm.removeItem(atPath: dir) }
    return (files, report)
  }
}
