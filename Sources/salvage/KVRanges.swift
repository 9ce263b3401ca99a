import ArgumentParser
import CockroachKV
import LSMStore
import Recovery

struct KVRanges: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ranges",
    abstract: "Every range the stores describe, which store holds which replica at which applied index, and the key spans no store covers.",
    discussion: """
      Per range the most advanced replica is chosen (highest Raft applied index, then lease applied index, \
      then lowest store id); all of the range's data is read from it, and from another replica only where \
      its files are damaged. Exit status: 0 every range has a surviving replica, 1 unreadable store, \
      2 some key span is lost or a store is damaged (e.g. a live WAL is missing).
      """)

  @Argument(help: "Store directories.") var directories: [String]
  @Option(help: "Output format: text or jsonl.") var format: OutputFormat = .text
  @Flag(help: "Check every block of every table (reads whole stores) so damaged key spans are read from another replica.") var verify = false
  @Flag(help: "Check Raft log replay against CockroachDB's own decisions: replay each replica's already-applied log tail and compare with its stored lease applied index, lease and writes.")
  var checkReplay = false

  func validate() throws {
    if directories.isEmpty { throw ValidationError("give at least one store directory") }
  }

  func run() throws {
    var stores: [LSMStore.Store] = []
    for dir in directories {
      do { stores.append(try LSMStore.Store(path: dir)) } catch {
        printError("salvage: \(error)")   // the error names the directory
        throw ExitCode(ReadStatus.failed)
      }
    }
    let catalogs = stores.map { StoreCatalog(store: $0, verifyTables: verify) }
    let view = ClusterView(catalogs)
    let plans = Dictionary(uniqueKeysWithValues: ReplicaPlanner.plan(view, catalogs: catalogs).map { ($0.rangeID, $0) })
    let out = Output()
    // Replay is planned from the Raft state the catalogs read; nothing is applied.
    let replays = raftReplayPlan(stores, logs: catalogs.map(\.raftLogs), view: view, plans: plans)
    if format == .jsonl {
      var j = KVRangesJSON(view: view, plans: plans, out: out)
      j.replays = replays
      j.write()
    } else {
      var t = KVRangesText(view: view, plans: plans, out: out)
      t.replays = replays
      t.write()
    }
    if checkReplay { writeReplayChecks(stores, view: view, format: format, out: out) }
    out.flush()
    TerminalList.lines(view.problems, "problems", indent: "salvage: ", seeAll: "(salvage recover lists them all in report.json)") { $0.description }
      .forEach(printError)
    let intents = catalogs.flatMap { c in c.intents.map { (c.path, $0) } }
    TerminalList.lines(intents, "intents", indent: "salvage: ", seeAll: "(salvage kv scan --intents lists them all)") { path, i in
      "\(path): uncommitted change (intent) at \(Keyspace.prettyPrint(i.key)) @\(i.timestamp), not used"
    }.forEach(printError)
    try ReadStatus.finish(damaged: !view.lost.isEmpty || !view.problems.isEmpty)
  }
}

fileprivate func replicaText(_ r: ReplicaDescriptor) -> String {
  let type = r.typeValue == 0 ? "" : " type \(r.typeValue)"
  return "n\(r.nodeID)/s\(r.storeID)/r\(r.replicaID)" + type
}

struct KVRangesText {
  let view: ClusterView
  let plans: [Int64: RangePlan]
  let out: Output
  var replays: [Int64: RangeReplay] = [:]

  func line(_ s: String) { out.write(s); out.endLine() }
  func label(_ store: Int) -> String { view.stores[store].label }

  func write() {
    line("stores:")
    for s in view.stores {
      if let ident = s.ident {
        line("  \(s.label) " + (ident.clusterID.map { "cluster \($0) " } ?? "") + s.path)
      } else {
        line("  \(s.path): no store ident found")
      }
    }
    line("ranges:")
    for r in view.ranges {
      let d = r.descriptor
      var head = "  r\(d.rangeID) \(r.span.pretty) gen \(d.generation)"
      if r.generationsSeen.count > 1 { head += " (generations seen: \(r.generationsSeen.map(String.init).joined(separator: ", ")))" }
      head += " from \(label(r.chosenFrom.store)) \(r.chosenFrom.source.rawValue)"
      if r.superseded { head += " SUPERSEDED" }
      line(head)
      line("    replicas: " + d.replicas.map(replicaText).joined(separator: " "))
      if let c = r.chosen {
        line("    use \(label(c.store)): applied \(c.raftAppliedIndex), lease applied \(c.leaseAppliedIndex)" + notes(c, d))
      } else {
        line("    no surviving replica")
      }
      for (c, gap) in r.lagging {
        line("    lagging \(label(c.store)): applied \(c.raftAppliedIndex), lease applied \(c.leaseAppliedIndex), \(gap) behind" + notes(c, d))
      }
      for m in r.missing { line("    missing \(replicaText(m)): no store s\(m.storeID) among the inputs") }
      for m in r.notFound { line("    missing \(replicaText(m)): no replica on that store") }
      for f in plans[d.rangeID]?.fallbacks ?? [] {
        line("    damaged on the chosen store: \(f.span.pretty) from " + (f.store.map(label) ?? "nowhere (lost)"))
      }
      if let rep = replays[d.rangeID] { line("    " + raftReplayText(rep, label: label)) }
    }
    if !view.conflicts.isEmpty {
      line("conflicts:")
      for c in view.conflicts { line("  \(c)") }
    }
    line("lost:" + (view.lost.isEmpty ? " none" : ""))
    for l in view.lost {
      var t = "  \(l.pretty)"
      t += l.rangeIDs.isEmpty ? " no descriptor known" : " " + l.rangeIDs.map { "r\($0)" }.joined(separator: " ")
      if !l.tableIDs.isEmpty { t += " tables " + l.tableIDs.map(String.init).joined(separator: " ") + (l.tablesOpenEnded ? " and up" : "") }
      if !l.indexIDs.isEmpty { t += " indexes " + l.indexIDs.map(String.init).joined(separator: " ") }
      line(t)
      for c in l.staleCopies {
        line("    stale copy on \(label(c.store)): r\(c.rangeID) gen \(c.generation) held \(c.overlap.pretty) (not used)")
      }
    }
  }

  /// What sets this replica apart: an older descriptor, absence from the replica list,
  /// unapplied Raft log entries.
  func notes(_ c: ReplicaCopy, _ d: RangeDescriptor) -> String {
    var n: [String] = []
    if let g = c.localGeneration, g != d.generation { n.append("its descriptor: gen \(g)") }
    if !c.inDescriptor { n.append("not in the replica list") }
    if let last = c.raftLogLast, last > c.raftAppliedIndex { n.append("raft log to \(last), \(last - c.raftAppliedIndex) unapplied") }
    return n.isEmpty ? "" : " (" + n.joined(separator: "; ") + ")"
  }
}

struct KVRangesJSON {
  let view: ClusterView
  let plans: [Int64: RangePlan]
  let out: Output
  var replays: [Int64: RangeReplay] = [:]

  func storeJSON(_ i: Int) -> String {
    let s = view.stores[i]
    return "{\"path\":\(kvJSONString(s.path)),\"store_id\":\(s.ident.map { String($0.storeID) } ?? "null"),\"node_id\":\(s.ident.map { String($0.nodeID) } ?? "null")}"
  }

  func write() {
    for r in view.ranges {
      let d = r.descriptor
      var o = "{\"range_id\":\(d.rangeID),\"start_hex\":\"\(hexOfBytes(d.startKey))\",\"end_hex\":\"\(hexOfBytes(d.endKey))\""
      o += ",\"pretty\":\(kvJSONString(r.span.pretty)),\"generation\":\(d.generation),\"generations_seen\":[\(r.generationsSeen.map(String.init).joined(separator: ","))]"
      o += ",\"descriptor_from\":{\"store\":\(storeJSON(r.chosenFrom.store)),\"source\":\"\(r.chosenFrom.source.rawValue)\"}"
      o += ",\"replicas\":[" + d.replicas.map { "{\"node_id\":\($0.nodeID),\"store_id\":\($0.storeID),\"replica_id\":\($0.replicaID),\"type\":\($0.typeValue)}" }.joined(separator: ",") + "]"
      func copy(_ c: ReplicaCopy, gap: UInt64?) -> String {
        "{\"store\":\(storeJSON(c.store)),\"raft_applied_index\":\(c.raftAppliedIndex),\"lease_applied_index\":\(c.leaseAppliedIndex)"
          + (c.localGeneration.map { ",\"local_generation\":\($0)" } ?? "") + (gap.map { ",\"gap\":\($0)" } ?? "")
          + ",\"in_descriptor\":\(c.inDescriptor)" + (c.raftLogLast.map { ",\"raft_log_last\":\($0)" } ?? "") + "}"
      }
      o += ",\"chosen\":" + (r.chosen.map { copy($0, gap: nil) } ?? "null")
      o += ",\"lagging\":[" + r.lagging.map { copy($0.replica, gap: $0.gap) }.joined(separator: ",") + "]"
      o += ",\"missing_store_ids\":[" + r.missing.map { String($0.storeID) }.joined(separator: ",") + "]"
      o += ",\"not_found_store_ids\":[" + r.notFound.map { String($0.storeID) }.joined(separator: ",") + "]"
      o += ",\"fallbacks\":[" + (plans[d.rangeID]?.fallbacks ?? []).map {
        "{\"start_hex\":\"\(hexOfBytes($0.span.start))\",\"end_hex\":\"\(hexOfBytes($0.span.end))\",\"store\":" + ($0.store.map(storeJSON) ?? "null") + "}"
      }.joined(separator: ",") + "]"
      if let rep = replays[d.rangeID] { o += ",\"raft_replay\":" + raftReplayJSON(rep) }
      o += ",\"superseded\":\(r.superseded)}"
      out.write(o); out.endLine()
    }
    for c in view.conflicts {
      out.write("{\"conflict\":{\"range_ids\":[\(c.rangeIDs.0),\(c.rangeIDs.1)],\"overlap\":\(kvJSONString(c.overlap.pretty)),\"superseded_range_id\":\(c.supersededRangeID.map(String.init) ?? "null")}}")
      out.endLine()
    }
    for l in view.lost {
      let ids = { (xs: [UInt64]) in xs.map(String.init).joined(separator: ",") }
      let stale: [String] = l.staleCopies.map { c in
        let span = "\"start_hex\":\"\(hexOfBytes(c.overlap.start))\",\"end_hex\":\"\(hexOfBytes(c.overlap.end))\""
        return "{\"store\":\(storeJSON(c.store)),\"range_id\":\(c.rangeID),\"generation\":\(c.generation),\(span)}"
      }
      var o = "{\"lost\":{\"start_hex\":\"\(hexOfBytes(l.start))\",\"end_hex\":\"\(hexOfBytes(l.end))\",\"pretty\":\(kvJSONString(l.pretty))"
      o += ",\"range_ids\":[\(l.rangeIDs.map(String.init).joined(separator: ","))],\"table_ids\":[\(ids(l.tableIDs))]"
      o += ",\"tables_open_ended\":\(l.tablesOpenEnded),\"index_ids\":[\(ids(l.indexIDs))]"
      o += ",\"stale_copies\":[" + stale.joined(separator: ",") + "]}}"
      out.write(o)
      out.endLine()
    }
  }
}
