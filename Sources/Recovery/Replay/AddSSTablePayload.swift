import Foundation
import LSMStore
import SSTable

/// The SST of a replayed AddSSTable command (docs/raft-log-format.md R-SIDELOAD) as overlay
/// operations: its point entries, range deletions and range keys (MVCC range tombstones,
/// which AddSSTable may carry from 22.2 on), in table order.
public enum AddSSTablePayload {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
  }

  /// Where a store keeps the sideloaded payload of (range, index, term): 20.x+
  /// `auxiliary/sideloading/r<id/10000>XXXX/r<id>/i<index>.t<term>`; the older
  /// `auxiliary/sideloading/<id%1000>/<id>.<replicaID>/…` is searched by prefix.
  public static func sideloadedPath(store: String, rangeID: Int64, index: UInt64, term: UInt64) -> String? {
    let base = store + "/auxiliary/sideloading"
    let name = "i\(index).t\(term)"
    let fm = FileManager.default
    let current = "\(base)/r\(rangeID / 10000)XXXX/r\(rangeID)/\(name)"
    if fm.fileExists(atPath: current) { return current }
    let shard = "\(base)/\(rangeID % 1000)"
    for dir in ((try? fm.contentsOfDirectory(atPath: shard)) ?? []).sorted() where dir.hasPrefix("\(rangeID).") {
      if fm.fileExists(atPath: "\(shard)/\(dir)/\(name)") { return "\(shard)/\(dir)/\(name)" }
    }
    return nil
  }

  /// The table's operations; `.failure` names what could not be read.
  public static func ops(path: String) -> Result<[BatchOp], Failure> {
    let table: Table
    do { table = try Table(path: path) } catch { return .failure(Failure("\(path): \(error)")) }
    var out: [BatchOp] = []
    let it = table.makeIterator()
    while let e = it.next() {
      out.append(.overlay(kind: e.kind, key: Array(e.userKey), value: Array(e.value)))
    }
    if let d = it.damages.first { return .failure(Failure("\(path): \(d)")) }
    do {
      for d in try table.rangeDeletions() { out.append(.overlay(kind: Kind.rangeDel, key: d.start, value: d.end)) }
      for k in try table.rangeKeys() { out.append(.overlay(kind: k.kind, key: k.start, value: Table.encodeRangeKeyValue(k))) }
    } catch {
      return .failure(Failure("\(path): \(error)"))
    }
    return .success(out)
  }

  /// The sideloaded table at `path`, if its CRC-32C is the command's `add_sstable.crc32`:
  /// CockroachDB refuses to apply a payload that does not match (R-SIDELOAD), so another
  /// file under that name is not the committed table.
  public static func ops(path: String, crc32: UInt32) -> Result<[BatchOp], Failure> {
    let bytes: Data
    do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { return .failure(Failure("\(path): \(error)")) }
    if let why = mismatch(bytes.withUnsafeBytes { Checksum.crc32c($0) }, crc32) { return .failure(Failure("\(path): \(why)")) }
    return ops(path: path)
  }

  static func mismatch(_ got: UInt32, _ want: UInt32) -> String? {
    got == want ? nil : String(format: "CRC-32C %08x, the command says %08x", got, want)
  }

  /// Inline SST bytes (an AddSSTable that was not sideloaded), CRC-checked like a sideloaded
  /// file, read through a temporary file.
  public static func ops(bytes: [UInt8], crc32: UInt32) -> Result<[BatchOp], Failure> {
    if let why = mismatch(bytes.withUnsafeBytes { Checksum.crc32c($0) }, crc32) { return .failure(Failure("inline table: \(why)")) }
    let path = NSTemporaryDirectory() + "salvage-addsst-\(UUID().uuidString).sst"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
      return .failure(Failure("cannot write a temporary file for an inline AddSSTable"))
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return ops(path: path)
  }
}
