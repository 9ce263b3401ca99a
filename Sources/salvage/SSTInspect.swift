import ArgumentParser
import SSTable

struct SSTProperties: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "properties", abstract: "Print a table's format, footer and properties.")
  @Argument(help: "Table file.") var file: String

  func run() throws {
    let t = try openTable(file)
    let out = Output()
    let f = t.footer
    out.write("file                \(file)\n")
    out.write("format              \(f.format)\n")
    out.write("checksum            \(f.checksumType)\n")
    out.write("metaindex           \(f.metaindex)\n")
    out.write("index               \(f.index) (\(t.isTwoLevelIndex ? "two-level" : "single-level"))\n")
    if let a = f.attributes { out.write("attributes          0x\(String(a, radix: 16))\n") }
    if let c = f.footerChecksum { out.write("footer checksum     \(c.stored == c.computed ? "ok" : "MISMATCH")\n") }
    let p = t.properties
    func line(_ name: String, _ v: CustomStringConvertible?) {
      guard let v else { return }
      out.write(padRight(name, 20)); out.write(v.description); out.endLine()
    }
    line("entries", p.numEntries)
    line("data blocks", p.numDataBlocks)
    line("deletions", p.numDeletions)
    line("range deletions", p.numRangeDeletions)
    line("merge operands", p.numMergeOperands)
    line("range key sets", p.numRangeKeySets)
    line("raw key size", p.rawKeySize)
    line("raw value size", p.rawValueSize)
    line("comparator", p.comparator)
    line("merge operator", p.mergeOperator)
    line("compression", p.compression)
    line("filter policy", p.filterPolicy)
    line("key schema", p.keySchema)
    line("global seqnum", p.globalSeqNum)
    if let (lo, hi) = t.seqNumBounds() { line("seqnums", "\(lo)-\(hi)") }
    for user in [false, true] {
      let group = p.raw.filter { TableProperties.isEngineProperty($0.name) != user }
      if group.isEmpty { continue }
      out.write(user ? "user properties:\n" : "properties:\n")
      for (name, value) in group { out.write("  \(name) = \(p.displayValue(name, value))\n") }
    }
    for w in t.warnings { out.write("warning: \(w)\n") }
    out.flush()
  }
}

struct SSTLayout: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout", abstract: "List every block with its offset, size and compression.")
  @Argument(help: "Table file.") var file: String

  func run() throws {
    let t = try openTable(file)
    let out = Output()
    let (blocks, damages) = t.layout()
    out.write("offset      length      kind               compression\n")
    for b in blocks {
      out.write(pad(b.handle.offset, 12)); out.write(pad(b.handle.length, 12))
      out.write(padRight(b.kind, 19))
      out.write(b.compression.map { CompressionType(rawValue: $0)?.description ?? "unknown(\($0))" } ?? "-")
      out.endLine()
    }
    out.write(pad(t.footer.offset, 12)); out.write(pad(t.footer.length, 12)); out.write("footer             -\n")
    out.flush()
    for d in damages { printError("salvage: damaged: \(d)") }
    if !damages.isEmpty { throw ExitCode(ReadStatus.damaged) }
  }

  func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s + String(repeating: " ", count: max(1, width - s.count))
  }
}

struct SSTCheck: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Verify every block and footer; list each damaged block.",
    discussion: "Exit status: 0 when every file is clean, 2 when a block is damaged, 1 when a file cannot be opened.")
  @Argument(help: "Table files.") var files: [String]

  func run() throws {
    var status: Int32 = 0
    let out = Output()
    for file in files {
      let t: Table
      do { t = try Table(path: file) } catch {
        out.write("\(file): UNREADABLE: \(error.message)\n")
        status = ReadStatus.failed
        continue
      }
      let damages = t.verify()
      if damages.isEmpty {
        out.write("\(file): ok (\(t.format), \(t.footer.checksumType))\n")
      } else {
        out.write("\(file): \(damages.count) damaged block(s)\n")
        for d in damages {
          out.write("  \(d.blockKind) block")
          if let h = d.handle { out.write(" offset \(h.offset) size \(h.length)") }
          out.write(": \(d.message)")
          if d.lowerKey != nil || d.upperKey != nil {
            out.write("; keys (\(d.lowerKey.map { $0.hex } ?? "start"), \(d.upperKey.map { $0.hex } ?? "end")]")
          }
          out.endLine()
        }
        if status == 0 { status = ReadStatus.damaged }
      }
    }
    out.flush()
    if status != 0 { throw ExitCode(status) }
  }
}

/// Opens a table for the inspection commands: a one-line error and exit status 1 on failure.
func openTable(_ path: String) throws -> Table {
  do { return try Table(path: path) } catch {
    printError("salvage: \(error)")
    throw ExitCode(ReadStatus.failed)
  }
}
