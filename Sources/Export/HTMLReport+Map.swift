import CockroachKV
import Foundation
import Recovery

/// One table's key space as the keyspace map draws it: the ranges that overlap the table,
/// in key order, and the parts no range descriptor covers (lost with the meta records).
/// Widths are by count (one segment per range), not to scale: key bytes say nothing about
/// how much data lies between them.
struct KeyspaceMap {
  enum State: String {
    /// Read from `store`.
    case read
    /// Read from `store`, except damaged blocks, read from another replica.
    case damaged
    /// Read from `store`, but damaged blocks had no intact replica: that part is lost.
    case partlyLost = "partly-lost"
    /// No surviving replica (or no range descriptor at all: `rangeID` nil).
    case lost
    /// Lost, and filled from a backup (`--fill-from`, issue 19).
    case filled
  }

  struct Segment {
    var rangeID: Int64?
    var span: KeySpan
    var store: String?
    var state: State
    /// What the tooltip adds: damaged parts and where they were read.
    var notes: [String] = []
  }

  var table: String
  var segments: [Segment]
  /// False when report.json holds no key bounds (written before the map existed).
  var placed: Bool

  /// [/Table/ID, /Table/ID+1).
  static func tableSpan(_ id: UInt32) -> KeySpan {
    var start: [UInt8] = [], end: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(UInt64(id), into: &start)
    OrderedEncoding.encodeUvarintAscending(UInt64(id) + 1, into: &end)
    return KeySpan(start: start, end: end)
  }

  /// The report's ranges, damaged and filled spans with their key bounds decoded once (a
  /// report may hold many thousands of ranges and tables).
  struct Spans {
    var ranges: [(range: ReportDocument.Range, span: KeySpan)]
    var damaged: [Int64: [(damaged: ReportDocument.DamagedSpan, span: KeySpan?)]]
    var filled: [KeySpan]
    var placed: Bool

    init(_ r: ReportDocument) {
      let all = r.ranges ?? []
      ranges = all.compactMap { g in KeyspaceMap.span(g.startHex, g.endHex).map { (g, $0) } }.sorted { $0.span < $1.span }
      placed = !all.isEmpty && ranges.count == all.count
      damaged = Dictionary(grouping: (r.damagedSpans ?? []).map { ($0, KeyspaceMap.span($0.startHex, $0.endHex)) }, by: { $0.0.rangeID })
      // Obsolete carved data (best effort) leaves a span lost on the map: it is not a backup's.
      filled = (r.filledSpans ?? []).filter { ($0.from ?? "backup") == "backup" }.compactMap { KeyspaceMap.span($0.startHex, $0.endHex) }
    }

    /// The ranges overlapping `whole`, in key order: ranges do not overlap each other, so
    /// they are one run of the sorted list, found by bisection.
    func overlapping(_ whole: KeySpan) -> [(range: ReportDocument.Range, span: KeySpan)] {
      var lo = 0, hi = ranges.count
      while lo < hi {   // first range starting at or after whole.end
        let mid = (lo + hi) / 2
        if ranges[mid].span.start.lexicographicallyPrecedes(whole.end) { lo = mid + 1 } else { hi = mid }
      }
      var first = lo
      while first > 0 && ranges[first - 1].span.overlaps(whole) { first -= 1 }
      return Array(ranges[first..<lo])
    }
  }

  init(table t: ReportDocument.Table, report r: ReportDocument) { self.init(table: t, spans: Spans(r)) }

  init(table t: ReportDocument.Table, spans all: Spans) {
    table = t.table
    placed = all.placed
    let whole = Self.tableSpan(t.tableID)
    let ranges = all.overlapping(whole)
    var out: [Segment] = ranges.map { g, s in
      var seg = Segment(rangeID: g.rangeID, span: s, store: g.store, state: g.store == nil ? .lost : .read)
      let damaged = (all.damaged[g.rangeID] ?? []).filter { $0.span?.overlaps(whole) ?? true }.map(\.damaged)
      if !damaged.isEmpty && seg.state == .read {
        seg.state = damaged.contains { $0.readFrom == nil } ? .partlyLost : .damaged
        seg.notes = damaged.map { "damaged \($0.span): " + ($0.readFrom.map { "read from " + $0 } ?? "LOST") }
      }
      if seg.state == .lost && all.filled.contains(where: { $0.overlaps(s) }) { seg.state = .filled }
      return seg
    }
    // The table's key space that no range covers: lost (no store held its descriptor).
    for gap in Self.complement(ranges.map(\.span), within: whole) {
      out.append(Segment(rangeID: nil, span: gap, store: nil, state: all.filled.contains { $0.overlaps(gap) } ? .filled : .lost))
    }
    segments = out.sorted { $0.span < $1.span }
  }

  /// `whole` less `spans`, in key order.
  static func complement(_ spans: [KeySpan], within whole: KeySpan) -> [KeySpan] {
    var out: [KeySpan] = []
    var cursor = whole.start
    for s in spans.sorted() {
      if cursor.lexicographicallyPrecedes(s.start) {
        if let gap = KeySpan(start: cursor, end: s.start).intersection(whole) { out.append(gap) }
      }
      if cursor.lexicographicallyPrecedes(s.end) { cursor = s.end }
    }
    if cursor.lexicographicallyPrecedes(whole.end) { out.append(KeySpan(start: cursor, end: whole.end)) }
    return out
  }

  static func span(_ start: String?, _ end: String?) -> KeySpan? {
    guard let start, let end, let s = bytes(hex: start), let e = bytes(hex: end) else { return nil }
    return KeySpan(start: s, end: e)
  }

  static func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
      default: return nil
      }
    }
    var i = 0
    while i < digits.count {
      guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
      out.append(hi << 4 | lo)
      i += 2
    }
    return out
  }
}

/// Colours: one per store (in report order), red for lost, amber hatching for damaged
/// blocks read from another replica, purple for what a backup filled.
struct MapPalette {
  static let storeColours = ["#4e79a7", "#59a14f", "#76b7b2", "#9c755f", "#edc948", "#8cd17d", "#86bcb6", "#bab0ac",
                             "#a0cbe8", "#499894", "#d4a6c8", "#79706e"]
  static let lost = "#e15759"
  static let damaged = "#f28e2b"
  static let filled = "#b07aa1"

  var byStore: [String: String] = [:]

  init(stores: [String]) {
    for (i, s) in stores.enumerated() { byStore[s] = Self.storeColours[i % Self.storeColours.count] }
  }

  func colour(_ s: KeyspaceMap.Segment) -> String {
    switch s.state {
    case .lost: return Self.lost
    case .filled: return Self.filled
    case .read, .damaged, .partlyLost: return s.store.flatMap { byStore[$0] } ?? "#999999"
    }
  }
}

extension KeyspaceMap {
  static let width = 760.0
  static let height = 22.0

  /// The bar as inline SVG: one `rect.seg` per segment with `data-range` (absent for a part
  /// no range covers), `data-state`, `data-store`, and a `<title>` tooltip.
  func svg(_ palette: MapPalette) -> String {
    let n = max(segments.count, 1)
    let w = Self.width / Double(n)
    var s = "<svg class=\"keymap\" data-table=\"\(HTMLEscape.attribute(table))\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\""
    s += " viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"key space of \(HTMLEscape.attribute(table))\">"
    s += "<rect class=\"frame\" x=\"0\" y=\"0\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" fill=\"#f4f4f4\"/>"
    for (i, seg) in segments.enumerated() {
      let x = Self.format(Double(i) * w), width = Self.format(w)
      var title = (seg.rangeID.map { "range \($0) " } ?? "no range descriptor: ") + seg.span.pretty
      switch seg.state {
      case .lost: title += seg.rangeID == nil ? " — LOST" : " — LOST (no surviving replica)"
      case .filled: title += " — lost, filled from the backup"
      default: title += " — read from " + (seg.store ?? "?")
      }
      title += seg.notes.map { "\n" + $0 }.joined()
      s += "<rect class=\"seg\""
      if let id = seg.rangeID { s += " data-range=\"\(id)\"" }
      s += " data-state=\"\(seg.state.rawValue)\""
      if let store = seg.store { s += " data-store=\"\(HTMLEscape.attribute(store))\"" }
      s += " x=\"\(x)\" y=\"0\" width=\"\(width)\" height=\"\(Int(Self.height))\" fill=\"\(palette.colour(seg))\""
      s += " stroke=\"#ffffff\" stroke-width=\"\(w >= 4 ? 1 : 0)\" vector-effect=\"non-scaling-stroke\"><title>\(HTMLEscape.text(title))</title></rect>"
      switch seg.state {
      case .damaged: s += hatch(x: x, width: width, pattern: "hatch-damaged")
      case .partlyLost: s += hatch(x: x, width: width, pattern: "hatch-lost")
      default: break
      }
    }
    return s + "</svg>"
  }

  private func hatch(x: String, width: String, pattern: String) -> String {
    "<rect class=\"hatch\" x=\"\(x)\" y=\"0\" width=\"\(width)\" height=\"\(Int(Self.height))\" fill=\"url(#\(pattern))\" pointer-events=\"none\"/>"
  }

  static func format(_ v: Double) -> String { String(format: "%.2f", v) }

  /// The hatching patterns every map refers to (defined once in the page).
  static let patterns = """
    <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>\
    <pattern id="hatch-damaged" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
    <rect width="3" height="6" fill="\(MapPalette.damaged)"/></pattern>\
    <pattern id="hatch-lost" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
    <rect width="3" height="6" fill="\(MapPalette.lost)"/></pattern>\
    </defs></svg>
    """

  /// A small swatch for the legend.
  static func swatch(fill: String, pattern: String? = nil) -> String {
    var s = "<svg class=\"swatch\" width=\"18\" height=\"12\" aria-hidden=\"true\"><rect width=\"18\" height=\"12\" fill=\"\(fill)\"/>"
    if let pattern { s += "<rect width=\"18\" height=\"12\" fill=\"url(#\(pattern))\"/>" }
    return s + "</svg>"
  }
}
