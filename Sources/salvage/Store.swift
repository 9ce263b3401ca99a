import ArgumentParser
import LSMStore
import SSTable

struct Store: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store",
    abstract: "Read a whole store directory (MANIFEST, WALs, tables) of Pebble or RocksDB.",
    subcommands: [StoreInfo.self, StoreScan.self])
}

/// Shared by the store commands: open the directory, print its problems on stderr.
struct StoreOptionsGroup: ParsableArguments {
  @Argument(help: "Store directory.") var directory: String
  @Flag(help: "Ignore the MANIFEST and read every table in the directory.") var ignoreManifest = false

  func open() throws -> LSMStore.Store {
    do { return try LSMStore.Store(path: directory, ignoreManifest: ignoreManifest) } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
  }
}

fileprivate func printIssues(_ issues: [StoreIssue], verbose: Bool) {
  for i in issues where verbose || i.severity != .note { printError("salvage: \(i)") }
}

struct StoreInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Describe a store: engine, MANIFEST, live tables per level, blob files, WALs, missing files.",
    discussion: "Exit status: 0 clean, 1 unreadable directory, 2 damage found: a missing table or live WAL, a damaged MANIFEST, an unrequested MANIFEST fallback (listed on stderr).")

  @OptionGroup var store: StoreOptionsGroup
  @Option(help: "Output format: text, or jsonl (one JSON object, fields as the fixtures' lsm.json).") var format: OutputFormat = .text

  func run() throws {
    let s = try store.open()
    let out = Output()
    if format == .jsonl {
      writeJSON(s, out)
      out.flush()
      printIssues(s.issues, verbose: true)
      try ReadStatus.finish(damaged: s.isDamaged)
      return
    }
    func line(_ t: String) { out.write(t); out.endLine() }
    line("store: \(s.path)")
    if let o = s.options {
      line("engine: \(o.engine?.rawValue ?? "unknown") \(o.engineVersion ?? "") (\(s.optionsFile ?? ""))")
      var f: [String] = []
      if let v = o.formatMajorVersion { f.append("format_major_version=\(v)") }
      if let v = o.tableFormatVersion { f.append("table format_version=\(v)") }
      if let v = o.keySchema { f.append("key_schema=\(v)") }
      if let v = o.merger { f.append("merger=\(v)") }
      if let v = o.compression { f.append("compression=\(v)") }
      if let v = o.walDir, !v.isEmpty { f.append("wal_dir=\(v)") }
      if let v = o.walFailoverSecondaryDir { f.append("wal_failover_secondary=\(v)") }
      if !f.isEmpty { line("options: " + f.joined(separator: " ")) }
    } else {
      line("engine: unknown (no readable OPTIONS file)")
    }
    if let m = s.directory.formatVersionMarker { line("format major version marker: \(m.version) (iteration \(m.iteration))") }
    if let c = s.directory.current { line("CURRENT: \(c)") }
    line("comparer: \(s.comparer.name)")
    if let name = s.manifestFile {
      var t = "manifest: \(name) (via \(s.manifestHow))"
      if let m = s.manifest { t += ", \(m.edits.count) edits, dialect \(m.dialect?.rawValue ?? "-")" }
      line(t)
    } else {
      line("manifest: none")
    }
    if let v = s.version {
      line("next file number \(v.nextFileNum), last seqnum \(v.lastSeqNum), min unflushed log \(v.minUnflushedLogNum)")
      for t in v.tables {
        var d = "  L\(t.level) \(pad(t.fileNum)).sst size \(t.size) seqs \(t.smallestSeq)-\(t.largestSeq)"
        if let seq = t.syntheticSeqNum { d += " (ingested, synthetic seqnum \(seq))" }
        if let b = t.backingFileNum { d += " virtual over \(pad(b)).sst" }
        d += " ["; out.write(d)
        t.smallest.userKey.withUnsafeBytes { out.quoted($0) }
        out.write("#\(t.smallest.seq),\(Kind.name(t.smallest.kind)) .. ")
        t.largest.userKey.withUnsafeBytes { out.quoted($0) }
        out.write("#\(t.largest.seq),\(Kind.name(t.largest.kind))]")
        let blobs = v.blobFileNumbers(for: t).sorted { $0.key < $1.key }
        if !blobs.isEmpty { out.write(" blob refs " + blobs.map { "\($0.key)→\(pad($0.value)).blob" }.joined(separator: " ")) }
        out.endLine()
      }
      for b in v.blobFiles.values.sorted(by: { $0.fileID < $1.fileID }) {
        line("  blob file id \(b.fileID) → \(pad(b.fileNum)).blob size \(b.size) values \(b.valueSize)")
      }
    }
    if let reason = s.fallbackReason { line("FALLBACK: \(reason); every table in the directory is read") }
    for l in s.memtable.logs {
      let end = l.end.map { "\($0)" } ?? "-"
      line("wal: \(l.name) live, \(l.records) records, ended: \(end)" + (l.unreadableBytes > 0 ? ", \(l.unreadableBytes) bytes unreadable" : ""))
    }
    for n in s.obsoleteLogs { line("wal: \(s.directory.logs[n]!.joined(separator: " ")) obsolete (number < min unflushed log)") }
    line("memtable: \(s.memtable.batches) batches, \(s.memtable.points.count) points, \(s.memtable.rangeDeletions.count) range deletions, \(s.memtable.rangeKeys.count) range keys")
    if !s.missingFiles.isEmpty { line("missing: " + s.missingFiles.joined(separator: " ")) }
    if !s.unreferencedFiles.isEmpty { line("unreferenced: " + s.unreferencedFiles.joined(separator: " ")) }
    out.flush()
    printIssues(s.issues, verbose: true)
    try ReadStatus.finish(damaged: s.isDamaged)
  }
}

extension StoreInfo {
  /// The store as one JSON object: the LSM with the fields of the fixtures' `lsm.json`, plus
  /// how the MANIFEST was found, WALs, missing and unreferenced files.
  func writeJSON(_ s: LSMStore.Store, _ out: Output) {
    func bound(_ b: KeyBound) {
      out.write("{\"key_hex\":\""); out.hex(b.userKey)
      out.write("\",\"seq\":"); out.decimal(b.seq)
      out.write(",\"kind\":\""); out.write(Kind.name(b.kind)); out.write("\"}")
    }
    func strings(_ xs: [String]) { out.write("[" + xs.map(jsonString).joined(separator: ",") + "]") }
    out.write("{\"store\":" + jsonString(s.path))
    out.write(",\"comparer\":" + jsonString(s.comparer.name))
    out.write(",\"manifest\":" + (s.manifestFile.map(jsonString) ?? "null"))
    out.write(",\"manifest_found_by\":" + jsonString(s.manifestHow))
    out.write(",\"fallback\":" + (s.fallbackReason.map(jsonString) ?? "null"))
    if let v = s.version {
      out.write(",\"last_seq_num\":"); out.decimal(v.lastSeqNum)
      out.write(",\"min_unflushed_log_num\":"); out.decimal(v.minUnflushedLogNum)
      out.write(",\"next_file_num\":"); out.decimal(v.nextFileNum)
      out.write(",\"tables\":[")
      for (i, t) in v.tables.enumerated() {
        if i > 0 { out.write(",") }
        out.write("{\"level\":"); out.decimal(UInt64(t.level))
        out.write(",\"file_num\":"); out.decimal(t.fileNum)
        out.write(",\"size\":"); out.decimal(t.size)
        out.write(",\"smallest\":"); bound(t.smallest)
        out.write(",\"largest\":"); bound(t.largest)
        out.write(",\"smallest_seq\":"); out.decimal(t.smallestSeq)
        out.write(",\"largest_seq\":"); out.decimal(t.largestSeq)
        out.write(",\"has_point_keys\":\(t.hasPointKeys),\"has_range_keys\":\(t.hasRangeKeys),\"virtual\":\(t.isVirtual)")
        if let b = t.backingFileNum { out.write(",\"backing_file_num\":"); out.decimal(b) }
        if !t.blobReferences.isEmpty { out.write(",\"blob_file_ids\":[" + t.blobReferences.map { String($0.fileID) }.joined(separator: ",") + "]") }
        if let c = t.creationTime { out.write(",\"creation_time\":"); out.decimal(c) }
        out.write("}")
      }
      out.write("],\"blob_files\":[")
      for (i, b) in v.blobFiles.values.sorted(by: { $0.fileID < $1.fileID }).enumerated() {
        if i > 0 { out.write(",") }
        out.write("{\"blob_file_id\":"); out.decimal(b.fileID)
        out.write(",\"file_num\":"); out.decimal(b.fileNum)
        out.write(",\"size\":"); out.decimal(b.size)
        out.write(",\"value_size\":"); out.decimal(b.valueSize); out.write("}")
      }
      out.write("]")
    }
    out.write(",\"live_wals\":"); strings(s.liveLogs.flatMap { s.directory.logs[$0]! })
    out.write(",\"obsolete_wals\":"); strings(s.obsoleteLogs.flatMap { s.directory.logs[$0]! })
    out.write(",\"missing\":"); strings(s.missingFiles)
    out.write(",\"unreferenced\":"); strings(s.unreferencedFiles)
    out.write("}")
    out.endLine()
  }
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
func jsonString(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case _ where u.value < 0x20: out += "\\u00" + String(repeating: "0", count: u.value < 16 ? 1 : 0) + String(u.value, radix: 16)
    default: out.unicodeScalars.append(u)
    }
  }
  return out + "\""
}

struct StoreScan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Print the store's visible key/value pairs (memtable and tables merged), or with --raw every internal entry.",
    discussion: """
      --format jsonl prints {"key_hex","value_hex"} per visible key (as the fixtures'
      final-state.points.jsonl); --range-keys appends the visible range keys
      {"start_hex","end_hex","suffix_hex","value_hex"}.
      --raw prints every internal entry instead: {"key_hex","seq","kind","kind_code","value_hex"}
      per point entry (newest first per key), then every range deletion
      {"start_hex","end_hex","seq","kind":"RANGEDEL","kind_code":15} and every stored range key
      {"start_hex","end_hex","seq","kind","kind_code","suffix_hex","value_hex"}
      (--points-only leaves those out). Problems go to stderr; the exit status is then 2.
      """)

  @OptionGroup var store: StoreOptionsGroup
  @Flag(help: "Every internal point entry instead of the visible state.") var raw = false
  @Flag(help: "Also print the visible range keys.") var rangeKeys = false
  @Flag(help: "With --raw: print point entries only.") var pointsOnly = false
  @Option(help: "Output format: text or jsonl.") var format: OutputFormat = .text

  func run() throws {
    let s = try store.open()
    printIssues(s.issues, verbose: false)
    let out = Output()
    var issues: [StoreIssue]
    var unresolved = 0
    if raw {
      let it = s.makeRawIterator()
      while let e = it.next() {
        switch format {
        case .jsonl:
          out.write("{\"key_hex\":\""); out.hex(e.userKey)
          out.write("\",\"seq\":"); out.decimal(e.seq)
          out.write(",\"kind\":\""); out.write(Kind.name(e.kind))
          out.write("\",\"kind_code\":"); out.decimal(UInt64(e.kind))
          out.write(",\"value_hex\":\""); out.hex(e.value); out.write("\"")
          if case .blob(let b) = e.storage {
            out.write(",\"blob\":{\"reference_id\":"); out.decimal(UInt64(b.referenceID))
            out.write(",\"value_len\":"); out.decimal(UInt64(b.valueLength))
            out.write(",\"block_id\":"); out.decimal(UInt64(b.blockID))
            out.write(",\"value_id\":"); out.decimal(UInt64(b.valueID)); out.write("}")
          }
          out.write("}")
        case .text:
          out.quoted(e.userKey); out.write(" #"); out.decimal(e.seq); out.write(","); out.write(Kind.name(e.kind))
          if case .blob(let b) = e.storage { out.write(" (blob ref \(b.referenceID) block \(b.blockID) value \(b.valueID) len \(b.valueLength))") }
          else { out.write(" = "); out.quoted(e.value) }
        }
        out.endLine()
      }
      issues = it.issues
    } else {
      let it = s.makeVisibleIterator()
      while let e = it.next() {
        if e.unresolvedBlob { unresolved += 1 }
        switch format {
        case .jsonl:
          out.write("{\"key_hex\":\""); out.hex(e.key)
          out.write("\",\"value_hex\":\""); out.hex(e.value); out.write("\"")
          if e.unresolvedBlob { out.write(",\"value_unresolved\":\"blob\"") }
          out.write("}")
        case .text:
          e.key.withUnsafeBytes { out.quoted($0) }
          out.write(e.unresolvedBlob ? " = (blob value not resolved)" : " = ")
          e.value.withUnsafeBytes { out.quoted($0) }
        }
        out.endLine()
      }
      issues = it.issues
    }
    if raw && !pointsOnly {
      for r in s.rangeDeletions.sorted(by: { s.comparer.compare($0.start, $1.start) < 0 }) {
        out.rangeDeletion(r, jsonl: format == .jsonl, textPrefix: "range deletion ", textKind: false)
        out.endLine()
      }
    }
    if (raw && !pointsOnly) || (!raw && rangeKeys) {
      for r in raw ? s.rangeKeys : s.visibleRangeKeys() {
        out.rangeKey(r, jsonl: format == .jsonl, withSeq: raw, textPrefix: "range key ")
        out.endLine()
      }
    }
    out.flush()
    printIssues(issues, verbose: false)
    if unresolved > 0 { printError("salvage: warning: \(unresolved) blob-resident values could not be read (listed without their value)") }
    try ReadStatus.finish(damaged: s.isDamaged || issues.contains(where: { $0.severity == .damage }) || unresolved > 0)
  }
}

fileprivate func pad(_ n: UInt64) -> String {
  let s = String(n)
  return String(repeating: "0", count: max(0, 6 - s.count)) + s
}
