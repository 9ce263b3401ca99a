import ArgumentParser
import Foundation
import LSMStore
import SSTable

struct SSTScan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Print every entry of each table: points in iterator order, then range deletions and range keys.",
    discussion: """
      --format jsonl prints one JSON object per line with the fields of the fixtures' expected files:
      points {"key_hex","seq","kind","kind_code","value_hex","value_storage"}, range deletions
      {"start_hex","end_hex","seq","kind":"RANGEDEL","kind_code":15}, range keys
      {"start_hex","end_hex","seq","kind","kind_code","suffix_hex","value_hex"}.
      Damaged blocks are skipped and listed on stderr; the exit status is then 2.
      """)

  @Argument(help: "Table files to scan.") var files: [String]
  @Option(help: "Output format: text or jsonl.") var format: OutputFormat = .text
  @Flag(help: "Print point entries only.") var pointsOnly = false
  @Flag(help: "Refuse files whose footer is unusable instead of finding their blocks by checksum.") var strict = false
  @Option(help: "Store directory whose MANIFEST and .blob files resolve blob-resident values (default: the table's own directory).")
  var blobDir: String?
  @Option(help: "Threads that decode one table's data blocks (default: every core). The output is the same for any value.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func run() throws {
    let out = Output()
    var status: Int32 = 0
    for path in files {
      let opened: SalvagedTable
      do {
        if strict { opened = SalvagedTable(table: try Table(path: path), mode: .normal, notes: [], dataBlocks: nil) } else {
          opened = try Table.salvage(path: path)
        }
      } catch {
        out.flush()
        printError("salvage: \(error)")
        status = ReadStatus.failed
        continue
      }
      let table = opened.table
      table.warnings.forEach { printError("salvage: warning: \(path): \($0)") }
      if opened.mode != .normal {
        opened.notes.forEach { printError("salvage: \(path): \($0)") }
        status = max(status, ReadStatus.damaged)
      }
      // The format is read once: an option's getter per entry cost 7 % of a scan.
      let jsonl = format == .jsonl
      let hasBlobs = (table.properties.uint("pebble.num.values.in.blob-files") ?? 0) > 0
      if let shared = ParallelTableScan(opened, jobs: hasBlobs ? 1 : jobs) {
        // Several threads, each a run of data blocks into memory, written in block order.
        var damages = shared.run { it, o in while let e = it.next() { printPoint(e, jsonl: jsonl, o) } } write: { out.write(collected: $0) }
        finish(table, path: path, damages: &damages, out: out, status: &status)
        continue
      }
      let it = opened.makeIterator()
      if hasBlobs {
        let (resolver, note) = blobResolver(for: path)
        it.blobResolver = resolver
        if let note {
          printError("salvage: \(path): \(note)")
          status = max(status, ReadStatus.damaged)
        }
      }
      while let e = it.next() { printPoint(e, jsonl: jsonl, out) }
      var damages = it.damages
      finish(table, path: path, damages: &damages, out: out, status: &status)
    }
    out.flush()
    if status != 0 { throw ExitCode(status) }
  }

  /// After a table's points: its range deletions and range keys, then what was damaged.
  func finish(_ table: Table, path: String, damages: inout [Damage], out: Output, status: inout Int32) {
      if !pointsOnly {
        do { for r in try table.rangeDeletions() { printRangeDel(r, out) } } catch {
          damages.append(Damage(file: path, blockKind: "range-del", handle: nil, message: error.message))
        }
        do { for r in try table.rangeKeys() { printRangeKey(r, out) } } catch {
          damages.append(Damage(file: path, blockKind: "range-key", handle: nil, message: error.message))
        }
      }
      out.flush()
      for d in damages { printError("salvage: damaged: \(d)") }
      if !damages.isEmpty && status == 0 { status = ReadStatus.damaged }
  }

  /// Blob handles name a reference index; the table's MANIFEST record maps it to a blob
  /// file (spec §5.2). Without that record the values stay unresolved (listed with handles).
  func blobResolver(for path: String) -> (BlobResolver?, String?) {
    let dir = blobDir ?? (path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ".")
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let fileNum = UInt64(name.prefix { $0.isNumber }) else {
      return (nil, "blob values unresolved: the file name carries no table number to look up in a MANIFEST")
    }
    do {
      let sd = try StoreDirectory(path: dir)
      guard let m = sd.currentManifest().name else { return (nil, "blob values unresolved: no MANIFEST in \(dir)") }
      let version = try Manifest(path: sd.file(m)).version
      guard let meta = version.tables.first(where: { $0.fileNum == fileNum }) else {
        return (nil, "blob values unresolved: table \(fileNum) is not in \(dir)/\(m)")
      }
      var files: [UInt32: String] = [:]
      for (ref, blobNum) in version.blobFileNumbers(for: meta) {
        files[ref] = sd.blobFiles[blobNum].map { sd.file($0) } ?? sd.file(String(repeating: "0", count: max(0, 6 - String(blobNum).count)) + "\(blobNum).blob")
      }
      return (BlobResolver(files: files), nil)
    } catch {
      return (nil, "blob values unresolved: \(error)")
    }
  }

  func printPoint(_ e: PointEntry, jsonl: Bool, _ out: Output) {
    if jsonl {
      out.write("{\"key_hex\":\""); out.hex(e.userKey)
      out.write("\",\"seq\":"); out.decimal(e.seq)
      out.write(",\"kind\":\""); out.kindName(e.kind)
      out.write("\",\"kind_code\":"); out.decimal(UInt64(e.kind))
      out.write(",\"value_hex\":\""); out.hex(e.value)
      out.write("\",\"value_storage\":\"")
      switch e.storage {
      case .inline: out.write("inline")
      case .valueBlock: out.write("value_block")
      case .blob: out.write("blob")
      case .missing: out.write("missing")
      }
      out.write("\"")
      if case .blob(let b) = e.storage {
        out.write(",\"blob\":{\"reference_id\":"); out.decimal(UInt64(b.referenceID))
        out.write(",\"value_len\":"); out.decimal(UInt64(b.valueLength))
        out.write(",\"block_id\":"); out.decimal(UInt64(b.blockID))
        out.write(",\"value_id\":"); out.decimal(UInt64(b.valueID))
        out.write("}")
      }
      if e.obsolete { out.write(",\"obsolete\":true") }
      out.write("}")
    } else {
      out.quoted(e.userKey); out.write(" #"); out.decimal(e.seq); out.write(",")
      out.kindName(e.kind)
      if e.obsolete { out.write(",obsolete") }
      switch e.storage {
      case .inline: out.write(" = ")
      case .valueBlock: out.write(" (value block) = ")
      case .blob(let b):
        out.write(" (blob ref \(b.referenceID) block \(b.blockID) value \(b.valueID) len \(b.valueLength))")
        if e.blobStatus == .resolved { out.write(" = ") }
      case .missing: out.write(" (value block unreadable)")
      }
      out.quoted(e.value)
    }
    out.endLine()
  }

  func printRangeDel(_ r: RangeDeletion, _ out: Output) {
    out.rangeDeletion(r, jsonl: format == .jsonl)
    out.endLine()
  }

  func printRangeKey(_ r: RangeKey, _ out: Output) {
    out.rangeKey(r, jsonl: format == .jsonl, withSeq: true)
    out.endLine()
  }
}
