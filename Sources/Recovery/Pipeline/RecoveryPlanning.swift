import CockroachKV
import CockroachSQL
import LSMStore
import SSTable

extension RecoveryRun {
  /// The schema from system.descriptor (table 3), read from the chosen replicas of the
  /// ranges that hold it and resolved as of the read timestamp.
  /// `supplied`: --schema files were given, so finding no descriptor is expected, not a problem.
  func discoverSchema(stores: [Store], plans: [RangePlan], supplied: Bool = false) throws -> (catalog: SchemaCatalog, problems: [Problem]) {
    var catalog = SchemaCatalog()
    var problems: [Problem] = []
    let descriptors = KeySpan(start: try Keyspace.parse("/Table/3"), end: try Keyspace.parse("/Table/4"))
    var found = 0
    for plan in plans {
      guard let piece = plan.span.intersection(descriptors) else { continue }
      guard let s = plan.chosenStore else {
        problems.append(Problem(.missing, key: piece.start, "descriptors in \(piece.pretty) are lost with range r\(plan.rangeID): tables there cannot be named"))
        continue
      }
      let stats = SpanScanner(store: stores[s], spans: [piece], readTimestamp: options.readTimestamp).run { _, r in
        guard case .value(_, let v) = r.outcome else { return }
        do {
          if try catalog.addRow(key: r.roachKey, roachValue: v.value.rawBytes) { found += 1 }
        } catch {
          problems.append(Problem(.undecodable, subject: "descriptor at \(Keyspace.prettyPrint(r.roachKey))", key: r.roachKey, "\(error)"))
        }
      }
      problems += stats.problems
    }
    if found == 0 {
      if supplied { report.notices.append("no descriptor found in system.descriptor: the --schema files describe the tables") }
      else { problems.append(Problem(.missing, "no table descriptor found (system.descriptor unreadable): supply --schema")) }
    }
    for (id, ps) in catalog.problems.sorted(by: { $0.key < $1.key }) {
      problems += ps.map { Problem(.undecodable, subject: "descriptor \(id)", "\($0)") }
    }
    return (catalog, problems)
  }

  /// Data tables matching the patterns, with names, DDL and primary-index spans.
  func selectTables(_ catalog: SchemaCatalog) -> [RecoveredTable] {
    var out: [RecoveredTable] = []
    func nameOf(_ t: TableDescriptor) -> String { let n = catalog.qualifiedName(of: t); return n[0] + "." + n[2] }
    let live = Dictionary(catalog.dataTables.filter { $0.state != .drop }.map { (nameOf($0), $0.id) }, uniquingKeysWith: max)
    for t in catalog.dataTables {
      let name = catalog.qualifiedName(of: t)
      let dotted = name[0] + "." + name[2]
      if !options.tablePatterns.isEmpty && !options.tablePatterns.contains(where: { Self.glob($0, dotted) }) { continue }
      if t.state == .drop {
        // DROP then CREATE of the same name is ordinary history, not a loss.
        if let id = live[dotted] {
          report.notices.append("table \(dotted) (id \(t.id)) is dropped; \(dotted) id \(id) is exported")
        } else {
          report.problems.append(Problem(.schema, "table \(dotted) (id \(t.id)) is dropped; its data is not exported"))
        }
        continue
      }
      var ddlProblems: [String] = []
      let ddl = catalog.ddl(for: t, problems: &ddlProblems)
      report.problems += ddlProblems.map { Problem(.schema, subject: dotted, $0) }
      var prefix: [UInt8] = []
      OrderedEncoding.encodeUvarintAscending(UInt64(t.id), into: &prefix)
      OrderedEncoding.encodeUvarintAscending(UInt64(t.primaryIndex.id), into: &prefix)
      let columns = t.dataColumns
      out.append(RecoveredTable(descriptor: t, qualifiedName: name, ddl: ddl,
                                primarySpan: KeySpan(start: prefix, end: Self.prefixEnd(prefix)), columns: columns,
                                types: catalog.types))
    }
    return out
  }

  /// The smallest key greater than every key with this prefix.
  static func prefixEnd(_ p: [UInt8]) -> [UInt8] { Bytes.prefixEnd(p) ?? LocalKeys.keyMax }

  /// `*` matches any run of characters.
  static func glob(_ pattern: String, _ s: String) -> Bool {
    let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
    if parts.count == 1 { return pattern == s }
    guard s.hasPrefix(parts[0]) else { return false }
    var rest = Substring(s.dropFirst(parts[0].count))
    for (i, part) in parts.enumerated().dropFirst() {
      if i == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
      guard let r = rest.range(of: part) else { return false }
      rest = rest[r.upperBound...]
    }
    return true
  }

  /// Cuts every table's primary span at range boundaries: each piece is read from the
  /// range's chosen store, except damaged pieces (fallback store) and lost ones (no store).
  func makeChunks(tables: [RecoveredTable], plans: [RangePlan]) -> [RecoveryChunk] {
    var out: [RecoveryChunk] = []
    for t in tables.indices {
      let tableSpan = tables[t].primarySpan
      var pieces: [RecoveryChunk] = []
      for plan in plans {
        guard let piece = plan.span.intersection(tableSpan) else { continue }
        var rest = [piece]
        for f in plan.fallbacks {
          guard let bad = f.span.intersection(piece) else { continue }
          rest = rest.flatMap { Self.subtract($0, bad) }
          pieces.append(RecoveryChunk(table: t, index: 0, span: bad, rangeID: plan.rangeID, store: f.store))
        }
        for r in rest { pieces.append(RecoveryChunk(table: t, index: 0, span: r, rangeID: plan.rangeID, store: plan.chosenStore)) }
      }
      // Parts of the table no range descriptor covers are lost too.
      let covered = Coverage.union(pieces.map(\.span)).sorted()
      var cursor = tableSpan.start
      for c in covered {
        if cursor.lexicographicallyPrecedes(c.start) {
          pieces.append(RecoveryChunk(table: t, index: 0, span: KeySpan(start: cursor, end: c.start), rangeID: nil, store: nil))
        }
        if cursor.lexicographicallyPrecedes(c.end) { cursor = c.end }
      }
      if cursor.lexicographicallyPrecedes(tableSpan.end) {
        pieces.append(RecoveryChunk(table: t, index: 0, span: KeySpan(start: cursor, end: tableSpan.end), rangeID: nil, store: nil))
      }
      pieces.sort { $0.span < $1.span }
      for i in pieces.indices { pieces[i].index = i }
      out += pieces
    }
    return out
  }

  /// `a` minus `b`: zero, one or two spans.
  static func subtract(_ a: KeySpan, _ b: KeySpan) -> [KeySpan] {
    guard a.overlaps(b) else { return [a] }
    var out: [KeySpan] = []
    if a.start.lexicographicallyPrecedes(b.start) { out.append(KeySpan(start: a.start, end: b.start)) }
    if b.end.lexicographicallyPrecedes(a.end) { out.append(KeySpan(start: b.end, end: a.end)) }
    return out
  }
}
