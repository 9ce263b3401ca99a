import Foundation
import Plot
import Recovery

/// `report.html`: what `report.json` says, for a person. One self-contained file: inline CSS
/// and SVG, no script, nothing fetched. Rendered from report.json itself (the same path for
/// `recover`, `finish` and `salvage report`), so an older report.json renders too.
public enum HTMLReport {
  /// Items shown per list; the rest are counted and left to report.json.
  static let listLimit = 50

  /// Renders `OUT/report.json` (and `OUT/verify.json` when `salvage verify` left one there)
  /// into `OUT/report.html`; returns its path.
  @discardableResult
  public static func write(directory: String) throws -> String {
    let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
    let verify = try? Data(contentsOf: URL(fileURLWithPath: directory + "/verify.json"))
    let path = directory + "/report.html"
    try atomicWrite(try render(reportJSON: json, verifyJSON: verify), to: path)
    return path
  }

  /// The page for a report.json text; `verifyJSON`: `salvage verify`'s report, if any (one
  /// inside report.json under `verify` wins).
  public static func render(reportJSON: Data, verifyJSON: Data? = nil) throws -> String {
    var doc: ReportDocument
    do { doc = try ReportDocument.decode(reportJSON) } catch { throw ExportError(.invalidReport("\(error)"), file: "report.json") }
    if doc.verify == nil, let v = verifyJSON { doc.verify = try? VerifyDocument.decode(v) }
    return page(doc)
  }

  static func page(_ r: ReportDocument) -> String {
    let html = HTML(
      .lang(.english),
      .head(
        .meta(.charset(.utf8)),
        .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
        .element(named: "title", text: "Salvage recovery report"),
        .style(css)
      ),
      .body(
        .raw(KeyspaceMap.patterns),
        .header(
          .h1("Salvage recovery report"),
          .p(.class("status " + (r.somethingLost == true ? "bad" : "good")),
             .text(r.somethingLost == true ? "Something was lost: see the lost spans below."
                                            : "Everything the surviving stores knew was recovered."))
        ),
        summary(r),
        tables(r),
        keyspace(r),
        stores(r),
        lost(r),
        intents(r),
        problems(r),
        verify(r),
        .footer(.p(.text("Written by salvage from report.json; every list here is complete in report.json.")))
      )
    )
    return html.render(indentedBy: nil) + "\n"
  }

  // MARK: sections

  static func summary(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    let rows = r.tables.reduce(0) { $0 + $1.rows }
    let lost = r.lostSpans?.count ?? 0
    let problems = r.problems?.count ?? 0
    let cards: [(String, String, String?)] = [
      ("Stores read", "\(r.stores.count)", nil),
      ("As of", r.asOf ?? "newest", nil),
      ("Tables", "\(r.tables.count)", nil),
      ("Rows recovered", grouped(rows), nil),
      ("Lost spans", "\(lost)", lost > 0 ? "bad" : nil),
      ("Problems", "\(problems)", problems > 0 ? "warn" : nil),
      ("Table bytes read", r.bytesRead.map(megabytes) ?? "—", nil),
      ("Seconds", r.seconds.map { String(format: "%.1f", $0) } ?? "—", nil),
    ]
    return .section(.id("summary"), .div(.class("cards"), .group(cards.map { c in
      .div(.class("card" + (c.2.map { " " + $0 } ?? "")), .attribute(named: "data-card", value: HTMLEscape.attribute(c.0)),
           .div(.class("value"), safe(c.1)), .div(.class("label"), safe(c.0)))
    })))
  }

  static func tables(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    let keepLatest = r.tables.contains { ($0.filteredOut ?? 0) > 0 }
    var head = ["Table", "Rows recovered", "Lost spans", "Deleted keys", "Rows with problems", "Filled from backup", "Rebuilt from indexes", "Rebuilt into .partial.csv"]
    if keepLatest { head.append("Dropped by --keep-latest") }
    return .section(.id("tables"), .h2("Tables"),
      .table(.class("grid"),
        .thead(.tr(.group(head.enumerated().map { i, h in .th(i == 0 ? .empty : .class("num"), safe(h)) }))),
        .tbody(.group(r.tables.map { t in
          let lost = t.lostSpans?.count ?? 0
          var cells: [Node<HTML.TableRowContext>] = [
            .td(safe(t.table)),
            .td(.class("num"), safe(grouped(t.rows))),
            .td(.class(lost > 0 ? "num bad" : "num"), safe("\(lost)")),
            .td(.class("num"), safe(t.deletedKeys.map(grouped) ?? "—")),
            .td(.class((t.rowProblems ?? 0) > 0 ? "num warn" : "num"), safe(t.rowProblems.map(grouped) ?? "—")),
            .td(.class("num"), safe(t.filledRows.map(grouped) ?? "—")),
            .td(.class("num"), safe(t.rebuiltRows.map(grouped) ?? "—")),
            .td(.class("num"), safe(Self.partialCell(t))),
          ]
          if keepLatest { cells.append(.td(.class("num"), safe(grouped(t.filteredOut ?? 0)))) }
          return .tr(.attribute(named: "data-table", value: HTMLEscape.attribute(t.table)), .group(cells))
        }))))
  }

  /// "12 (3 full)": rows of `<table>.partial.csv`, of which full ones (every column known).
  static func partialCell(_ t: ReportDocument.Table) -> String {
    guard t.partialRows != nil || t.fullRowsAside != nil else { return "—" }
    let full = t.fullRowsAside ?? 0
    return grouped((t.partialRows ?? 0) + full) + (full > 0 ? " (\(grouped(full)) full)" : "")
  }

  static func keyspace(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    let spans = KeyspaceMap.Spans(r)
    let maps = r.tables.map { KeyspaceMap(table: $0, spans: spans) }
    let storeLabels = (r.storeInfo?.map(\.label) ?? []) + (r.ranges ?? []).compactMap(\.store)
    var seen = Set<String>()
    let palette = MapPalette(stores: storeLabels.filter { seen.insert($0).inserted })
    var legend = palette.byStore.sorted { $0.key < $1.key }.map { ("read from " + $0.key, KeyspaceMap.swatch(fill: $0.value)) }
    legend += [("lost", KeyspaceMap.swatch(fill: MapPalette.lost)),
               ("damaged blocks, read from another replica", KeyspaceMap.swatch(fill: "#cccccc", pattern: "hatch-damaged")),
               ("damaged blocks, no intact replica", KeyspaceMap.swatch(fill: "#cccccc", pattern: "hatch-lost")),
               ("filled from a backup", KeyspaceMap.swatch(fill: MapPalette.filled))]
    let unplaced = maps.contains { !$0.placed }
    return .section(.id("keyspace"), .h2("Keyspace map"),
      .p(.class("note"), .text("Each bar is one table's key space in key order, one segment per range (widths are not to scale). Hover a segment for its span.")),
      .div(.class("legend"), .group(legend.map { .span(.class("item"), .raw($0.1), safe($0.0)) })),
      unplaced ? .p(.class("note warn"), .text("This report.json has no key bounds per range (an older salvage wrote it): run the recovery again for the map.")) : .empty,
      .group(maps.map { m in
        let ranges = m.segments.filter { $0.rangeID != nil }.count
        let lost = m.segments.filter { $0.state == .lost }.count
        return .div(.class("maprow"),
          .div(.class("mapname"), safe(m.table),
               .small(safe("\(ranges) range\(ranges == 1 ? "" : "s")" + (lost > 0 ? ", \(lost) lost" : "")))),
          .raw(m.svg(palette)))
      }))
  }

  static func stores(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    let info = r.storeInfo ?? r.stores.map { .init(path: $0, label: $0) }
    let ranges = Dictionary(grouping: (r.ranges ?? []).compactMap(\.store), by: { $0 }).mapValues(\.count)
    return .section(.id("stores"), .h2("Stores"),
      .table(.class("grid"),
        .thead(.tr(.th(safe("Store")), .th(safe("Directory")), .th(safe("Engine")), .th(.class("num"), safe("Format")),
                   .th(.class("num"), safe("Table bytes read")), .th(.class("num"), safe("Ranges read")))),
        .tbody(.group(info.map { s in
          .tr(.td(safe(s.label)), .td(.code(safe(s.path))),
              .td(safe([s.engine, s.engineVersion].compactMap { $0 }.joined(separator: " ").ifEmpty("—"))),
              .td(.class("num"), safe(s.formatMajorVersion.map(String.init) ?? "—")),
              .td(.class("num"), safe(s.tableBytes.map(megabytes) ?? "—")),
              .td(.class("num"), safe("\(ranges[s.label] ?? 0)")))
        }))),
      list("Live WALs missing (the writes after each store's last flush are lost)", "wals", r.lostWals ?? [], noun: "WALs") {
        "\($0.store): \($0.file) — \($0.meaning)"
      })
  }

  static func lost(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    .section(.id("lost"), .h2("Lost and damaged key spans"),
      (r.lostSpans ?? []).isEmpty ? .p(.class("note"), .text("No key span was lost.")) : .empty,
      list("Key spans with no surviving replica", "lost-spans", r.lostSpans ?? [], noun: "spans") { l in
        var held = ""
        for (i, x) in (l.indexes ?? []).enumerated() {
          held += (i > 0 && l.indexes![i - 1].table == x.table ? ", " : (i == 0 ? " — " : "; ") + x.table + ": ") + x.index
        }
        let ranges = (l.rangeIDs ?? []).isEmpty ? "no range descriptor" : "ranges " + l.rangeIDs!.map(String.init).joined(separator: ",")
        return "\(l.span) (\(ranges))\(held)"
      },
      list("Damaged blocks (their key spans read from another replica where one was intact)", "damaged", r.damagedSpans ?? [], noun: "damaged spans") { d in
        "\(d.span) of range \(d.rangeID) on \(d.store): " + (d.readFrom.map { "read from " + $0 } ?? "LOST")
      },
      list("Table IDs with data but no schema (not exported)", "unnamed", r.unnamedTables ?? [], noun: "tables") {
        "table \($0.tableID): \($0.keys) live key(s), e.g. \($0.sampleKey)"
      },
      list("Tenants (virtual clusters) with data (not exported)", "tenants", r.unrecoveredTenants ?? [], noun: "tenants") {
        "/Tenant/\($0.tenantID): " + UnrecoveredTenant.held(keys: $0.keys, ranges: $0.ranges, rangesLost: $0.rangesLost, sampleKey: $0.sampleKey, tables: $0.tables)
      })
  }

  static func intents(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    let all = r.intents ?? []
    return .section(.id("intents"), .h2("Uncommitted intents (\(all.count))"),
      all.isEmpty ? .p(.class("note"), .text("None.")) : .p(.class("note"), .text("Writes of transactions that had not committed: not exported.")),
      list(nil, "intent-list", all, noun: "intents") { "\($0.key) — txn \($0.txnID) at \($0.timestamp)" })
  }

  static func problems(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    .section(.id("problems"), .h2("Problems (\(r.problems?.count ?? 0))"),
      (r.problems ?? []).isEmpty ? .p(.class("note"), .text("None.")) : .empty,
      list(nil, "problem-list", r.problems ?? [], noun: "problems") { $0 },
      list("Notices", "notices", r.notices ?? [], noun: "notices") { $0 })
  }

  static func verify(_ r: ReportDocument) -> Node<HTML.BodyContext> {
    guard let v = r.verify else { return .empty }
    return .section(.id("verify"), .h2("Verified against \(v.sourceKind)"),
      .p(.class("status " + (v.passed ? "good" : "bad")), safe((v.passed ? "PASS" : "FAIL") + " — against " + v.source)),
      .table(.class("grid"),
        .thead(.tr(.th(safe("Table")), .th(.class("num"), safe("Rows in source")), .th(.class("num"), safe("Rows recovered")),
                   .th(.class("num"), safe("Missing keys")), .th(.class("num"), safe("Only recovered")),
                   .th(.class("num"), safe("Rows differing")), .th(safe("Result")))),
        .tbody(.group(v.tables.map { t in
          .tr(.td(safe(t.table)), .td(.class("num"), safe(grouped(t.sourceRows))), .td(.class("num"), safe(grouped(t.recoveredRows))),
              .td(.class(t.missingKeys > 0 ? "num bad" : "num"), safe(grouped(t.missingKeys))), .td(.class("num"), safe(grouped(t.extraKeys))),
              .td(.class(t.rowsDiffering > 0 ? "num bad" : "num"), safe(grouped(t.rowsDiffering))),
              .td(.class(t.passed ? "good" : "bad"), safe(t.passed ? "ok" : "FAIL")))
        }))),
      list("Failed checks", "verify-failures", v.failures, noun: "failures", seeAll: "in verify.json") { $0 })
  }

  // MARK: helpers

  /// A capped list: at most `listLimit` items, then `… N more in report.json`.
  static func list<T>(_ title: String?, _ id: String, _ items: [T], noun: String, seeAll: String = "in report.json",
                      _ text: (T) -> String) -> Node<HTML.BodyContext> {
    guard !items.isEmpty else { return .empty }
    let shown = items.prefix(listLimit)
    let more = items.count - shown.count
    return .div(.id(id), .class("list"),
      title.map { .h3(safe($0 + " (\(items.count))")) } ?? .empty,
      .ul(.group(shown.map { .li(safe(text($0))) })),
      more > 0 ? .p(.class("more"), safe("… \(more) more \(noun) \(seeAll)")) : .empty)
  }

  /// Text from the data: escaped here (see `HTMLEscape`), then written as is.
  static func safe<C>(_ s: String) -> Node<C> { .raw(HTMLEscape.text(s)) }

  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  static func megabytes(_ b: Int64) -> String {
    b < 10_000_000 ? String(format: "%.2f MB", Double(b) / 1e6) : grouped(Int(b / 1_000_000)) + " MB"
  }

  static let css = """
    :root { --bad: #c0392b; --warn: #b9770e; --good: #1e8449; --line: #e3e3e3; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; padding: 20px 28px 40px; max-width: 1120px; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 14px; margin: 14px 0 6px; }
    .status { margin: 0 0 16px; font-weight: 600; }
    .good { color: var(--good); } .bad { color: var(--bad); } .warn { color: var(--warn); }
    .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
    .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: #fafafa; }
    .card .value { font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
    .card .label { color: #666; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .card.bad .value { color: var(--bad); } .card.warn .value { color: var(--warn); }
    table.grid { border-collapse: collapse; width: 100%; }
    table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
    table.grid th { font-size: 12px; color: #555; font-weight: 600; background: #f6f6f6; }
    table.grid .num { text-align: right; font-variant-numeric: tabular-nums; }
    code { font: 12px/1.3 "DejaVu Sans Mono", Menlo, monospace; overflow-wrap: anywhere; }
    .note { color: #555; margin: 4px 0 10px; }
    .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 12px; font-size: 12px; color: #444; }
    .legend .item { display: inline-flex; align-items: center; gap: 5px; }
    .swatch { border: 1px solid #ccc; }
    .maprow { display: flex; align-items: center; gap: 12px; margin: 6px 0; }
    .mapname { width: 260px; flex: none; overflow-wrap: anywhere; }
    .mapname small { display: block; color: #777; }
    svg.keymap { flex: 1 1 auto; min-width: 0; height: 22px; border: 1px solid #ccc; }
    .list ul { margin: 0; padding-left: 20px; font: 12px/1.5 "DejaVu Sans Mono", Menlo, monospace; }
    .list li { overflow-wrap: anywhere; }
    .more { color: #555; font-style: italic; margin: 4px 0 0 20px; }
    footer { margin-top: 32px; color: #888; font-size: 12px; }
    """
}

extension String {
  fileprivate func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
