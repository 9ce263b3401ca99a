import ArgumentParser
import CockroachKV
import LSMStore
import Recovery

struct KV: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kv",
    abstract: "Read CockroachDB's key/value layer from store directories: MVCC versions, ranges and replicas.",
    subcommands: [KVScan.self, KVRanges.self])
}

/// `--span START..END` in the printer's notation (`/Table/53..`, `../Table/54`).
fileprivate func parseSpan(_ text: String) throws -> KeySpan {
  guard let r = text.firstRange(of: "..") else { throw ValidationError("--span needs START..END, got \"\(text)\"") }
  let lo = String(text[..<r.lowerBound]), hi = String(text[r.upperBound...])
  do {
    return KeySpan(start: lo.isEmpty ? [] : try Keyspace.parse(lo), end: hi.isEmpty ? LocalKeys.keyMax : try Keyspace.parse(hi))
  } catch {
    throw ValidationError("--span \"\(text)\": \(error)")
  }
}

fileprivate func openStore(_ path: String) throws -> LSMStore.Store {
  do { return try LSMStore.Store(path: path) } catch {
    printError("salvage: \(error)")   // the error names the directory
    throw ExitCode(ReadStatus.failed)
  }
}

struct KVScan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Print each store's MVCC view: every version, or with --as-of the newest committed version per key.",
    discussion: """
      Intents (provisional writes of unfinished transactions) are never printed as values: they go to \
      stderr, or to stdout as kind "intent" with --intents. With --as-of, point tombstones and MVCC range \
      tombstones hide what they delete. Exit status: 0 clean, 1 unreadable store, 2 damage or undecodable entries.
      """)

  @Argument(help: "Store directories.") var directories: [String]
  @Flag(help: "Print keys with the keyspace printer and decoded values (text), add \"value\" (jsonl).") var pretty = false
  @Option(name: .customLong("as-of"), help: AsOf.help) var asOf: String?
  @Option(help: "Only keys in START..END (printer notation, either side may be empty).") var span: String?
  @Option(help: "Output format: text or jsonl.") var format: OutputFormat = .text
  @Flag(help: "List intents on stdout (kind \"intent\") instead of stderr.") var intents = false

  func validate() throws {
    if directories.isEmpty { throw ValidationError("give at least one store directory") }
    if let a = asOf { _ = try AsOf.parse(a) }
    if let s = span { _ = try parseSpan(s) }
  }

  func run() throws {
    let keySpan = try span.map(parseSpan) ?? .everything
    let readTS = try asOf.map(AsOf.parse)
    let out = Output()
    var damaged = false
    for dir in directories {
      let store = try openStore(dir)
      var problems: [String] = []
      let printer = KVLinePrinter(out: out, store: dir, pretty: pretty, jsonl: format == .jsonl, intentsToStdout: intents)
      if format == .text {
        let ident = StoreCatalog(store: store).ident.map { ": s\($0.storeID) (n\($0.nodeID))" } ?? ": no store ident"
        out.write("# store \(dir)\(ident)"); out.endLine()
      }
      if let t = readTS {
        scanResolved(store, at: t, span: keySpan, printer, &problems)
      } else {
        scanVersions(store, span: keySpan, printer, &problems)
      }
      out.flush()
      for i in store.issues where i.severity == .warning { printError("salvage: \(dir): \(i)") }
      for i in store.issues where i.severity == .damage { problems.append("\(dir): \(i)") }
      TerminalList.lines(problems, "problems", indent: "salvage: ", seeAll: "(narrow with --span to list them)") { $0 }
        .forEach(printError)
      damaged = damaged || !problems.isEmpty
    }
    try ReadStatus.finish(damaged: damaged)
  }

  /// Newest committed version at or below `t` per roach key (`SpanScanner`, as recover reads).
  func scanResolved(_ store: LSMStore.Store, at t: MVCCTimestamp, span: KeySpan, _ p: KVLinePrinter, _ problems: inout [String]) {
    var damagedValues: [String] = []
    defer { problems += damagedValues }
    func damagedValue(_ k: [UInt8], _ ts: MVCCTimestamp?) -> (String) -> Void {
      { damagedValues.append("\(store.path): \(Keyspace.prettyPrint(k))\(ts.map { "@\($0)" } ?? ""): value damaged: \($0)") }
    }
    func emit(_ r: MVCCResolution) {
      for i in r.intents where i.isIntent { p.intent(i) }
      for e in r.problems { problems.append("\(store.path): \(Keyspace.prettyPrint(r.roachKey)): \(e)") }
      switch r.outcome {
      case .value(let ts, let v): p.version(r.roachKey, ts, kind: "value", raw: v.value.rawBytes, summary: valueSummary(v.value, damaged: damagedValue(r.roachKey, ts)))
      case .inline(let v): p.version(r.roachKey, nil, kind: "inline", raw: v.rawBytes, summary: valueSummary(v, damaged: damagedValue(r.roachKey, nil)))
      case .undecodable(let ts, let e): problems.append("\(store.path): \(Keyspace.prettyPrint(r.roachKey))@\(ts): \(e)")
      case .absent, .deleted, .deletedByRangeTombstone: break
      }
    }
    // The recovery's own cursor: MVCC range keys, separated intents and bytewise stores
    // resolved the same way. Raft log and other non-MVCC local records are not MVCCMetadata:
    // not part of this view.
    var scanner = SpanScanner(store: store, spans: [span], readTimestamp: t)
    scanner.skipsUnversioned = { !isMVCCMetadataKey(Array($0)) }
    let stats = scanner.run { _, r in emit(r) }
    problems += stats.problems.map { $0.inStore(store.path).description }
  }

  /// Every version of every key. An intent is one line (its metadata or lock-table entry
  /// joined with its provisional version), listed apart from the values.
  func scanVersions(_ store: LSMStore.Store, span: KeySpan, _ p: KVLinePrinter, _ problems: inout [String]) {
    var damagedValues: [String] = []
    defer { problems += damagedValues }
    func damagedValue(_ k: [UInt8], _ ts: MVCCTimestamp?) -> (String) -> Void {
      { damagedValues.append("\(store.path): \(Keyspace.prettyPrint(k))\(ts.map { "@\($0)" } ?? ""): value damaged: \($0)") }
    }
    // The recovery's own cursor, every version of each key handed on (`runGroups`).
    var listed = Set<[UInt8]>()   // locked keys whose separated intents were listed with their key
    var locks: [MVCCIntent] = []
    let stats = SpanScanner(store: store, spans: [span]).runGroups(locksRead: { r in
      locks = r.registeredLocks
    }) { _, group, resolver in
      let key = Array(group.roachKey)
      var pending = resolver.registeredLocks(on: group.roachKey).filter(\.isIntent).map { (ts: $0.timestamp, txn: $0.txnID?.description ?? "?") }
      if !pending.isEmpty { listed.insert(key) }
      group.forEachVersion { kind, ts, borrowed in
        let value = Array(borrowed)
        switch kind {
        case .lock: return
        case .unversioned:
          guard let md = try? MVCCMetadata(decoding: value) else {
            p.version(key, nil, kind: "raw", raw: value, summary: "\(value.count) bytes, not MVCC metadata")
            return
          }
          switch md.meaning {
          case .intent: pending.append((intentTimestamp(md), md.txn?.id?.description ?? "?"))
          case .inline(let v): p.version(key, nil, kind: "inline", raw: v.rawBytes, summary: valueSummary(v, damaged: damagedValue(key, nil)))
          case .unexpected: p.version(key, nil, kind: "raw", raw: value, summary: "MVCC metadata, neither intent nor inline value")
          }
        case .mvcc:
          if let i = pending.firstIndex(where: { $0.ts == ts }) {
            let v = try? MVCCValue(decoding: value)
            p.intentLine(key, ts, txn: pending[i].txn, provisional: v.map { valueSummary($0.value) } ?? hexOfBytes(value), raw: value)
            pending.remove(at: i)
            return
          }
          do {
            let v = try MVCCValue(decoding: value)
            if v.isTombstone {
              p.version(key, ts, kind: "tombstone", raw: value, summary: "")
            } else {
              p.version(key, ts, kind: "value", raw: v.value.rawBytes, summary: valueSummary(v.value, damaged: damagedValue(key, ts)))
            }
          } catch {
            problems.append("\(store.path): \(Keyspace.prettyPrint(key))@\(ts): \(error)")
          }
        }
      }
      for i in pending { p.intentLine(key, i.ts, txn: i.txn, provisional: nil) }
    }
    problems += (stats.problems + stats.issues.map { Problem($0) }).map { (p: Problem) in p.inStore(store.path).description }
    // Separated intents on keys of the span that hold no version.
    for i in locks where i.isIntent && span.contains(i.key) && !listed.contains(i.key) {
      p.intentLine(i.key, i.timestamp, txn: i.txnID?.description, provisional: nil)
    }
    var rangeKeyProblems: [Problem] = []
    defer { problems += rangeKeyProblems.map(\.description) }
    for rk in EngineEntries.mvccRangeKeys(store, problems: &rangeKeyProblems) {
      guard let part = KeySpan(start: rk.start, end: rk.end).intersection(span) else { continue }
      p.rangeKey(part, rk)
    }
  }
}

/// The provisional version's timestamp (MVCCMetadata.timestamp, else the txn's write timestamp).
fileprivate func intentTimestamp(_ md: MVCCMetadata?) -> MVCCTimestamp {
  guard let md else { return .zero }
  return md.timestamp.isZero ? (md.txn?.writeTimestamp ?? .zero) : md.timestamp
}

/// Unversioned keys whose value is an MVCCMetadata (not Raft log entries and the like).
fileprivate func isMVCCMetadataKey(_ roachKey: [UInt8]) -> Bool {
  switch LocalKeys.role(of: roachKey) {
  case .raftLog, .rangeIDLocal(_, false, _): return false
  default: return true
  }
}
