/// An `OPTIONS-NNNNNN` file (spec §7.1): INI-like text, `[Section "name"]` headers and
/// `key=value` lines. Pebble writes `[Version] pebble_version=…` and `[Options]`; RocksDB
/// `[Version] rocksdb_version=…`, `[CFOptions "default"]` and `[TableOptions/BlockBasedTable "default"]`.
public struct StoreOptions: Sendable {
  public struct Section: Sendable {
    public var name: String
    public var entries: [(key: String, value: String)]
    public subscript(_ key: String) -> String? { entries.last { $0.key == key }?.value }
  }

  public var sections: [Section] = []

  /// Parses the text; lines that are neither headers, comments nor `key=value` are ignored.
  public init(text: String) {
    for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
      let line = raw.trimmingSpaces
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        sections.append(Section(name: String(line.dropFirst().dropLast()), entries: []))
        continue
      }
      guard let eq = line.firstIndex(of: "="), !sections.isEmpty else { continue }
      let k = line[..<eq].trimmingSpaces, v = line[line.index(after: eq)...].trimmingSpaces
      sections[sections.count - 1].entries.append((k, v))
    }
  }

  public init(path: String) throws(StoreError) {
    self.init(text: String(decoding: try readWholeFile(path, limit: 16 << 20), as: UTF8.self))
  }

  public func section(_ name: String) -> Section? { sections.first { $0.name == name } }

  /// First value of `key` in any of the named sections, in order.
  func first(_ key: String, in names: [String]) -> String? {
    for n in names { if let v = section(n)?[key] { return v } }
    return nil
  }

  public var engine: ManifestDialect? {
    if section("Version")?["rocksdb_version"] != nil { return .rocksdb }
    if section("Version")?["pebble_version"] != nil { return .pebble }
    return nil
  }
  public var engineVersion: String? { section("Version")?["rocksdb_version"] ?? section("Version")?["pebble_version"] }
  public var comparer: String? { first("comparer", in: ["Options", "CFOptions \"default\""]) ?? first("comparator", in: ["CFOptions \"default\""]) }
  public var merger: String? { first("merger", in: ["Options"]) ?? first("merge_operator", in: ["CFOptions \"default\""]) }
  /// Pebble format major version.
  public var formatMajorVersion: Int? { section("Options")?["format_major_version"].flatMap { Int($0) } }
  /// RocksDB block-based table format_version.
  public var tableFormatVersion: Int? { section("TableOptions/BlockBasedTable \"default\"")?["format_version"].flatMap { Int($0) } }
  public var keySchema: String? { section("Options")?["key_schema"] }
  public var walDir: String? { section("Options")?["wal_dir"] ?? section("DBOptions")?["wal_dir"] }
  public var walFailoverSecondaryDir: String? { section("WAL Failover")?["secondary_dir"] }
  public var compression: String? { section("CFOptions \"default\"")?["compression"] ?? section("Level \"0\"")?["compression"] }
}

extension StringProtocol {
  var trimmingSpaces: String {
    let s = drop { $0 == " " || $0 == "\t" }
    var e = s.endIndex
    while e > s.startIndex, s[s.index(before: e)] == " " || s[s.index(before: e)] == "\t" { e = s.index(before: e) }
    return String(s[..<e])
  }
}
