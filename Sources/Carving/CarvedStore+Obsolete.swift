import Foundation
import LSMStore
import SSTable

/// An obsolete carved file copied out for `recover --use-obsolete` (docs/carving.md §5.1):
/// where it lay in the image and, for a table, its first and last point keys (raw engine
/// keys), so the recovery reads it only for the lost spans it can hold.
public struct ObsoleteCopy: Sendable, Equatable {
  public var name: String
  public var kind: CarvedFile.Kind
  public var offset: Int
  public var length: Int
  public var smallestKey: [UInt8]?
  public var largestKey: [UInt8]?
  /// A table made of loose data blocks (`looseRegions`, LooseTable.swift).
  public var loose = false
}

extension CarvedStore {
  /// Copies the obsolete tables and WALs into `dir` as one more store directory, opened
  /// without a MANIFEST (every table, every WAL), numbered from `firstNumber` so that
  /// several images share it. Tables whose every checksum held only: a damaged obsolete
  /// table is no evidence worth reading. A recyclable WAL keeps its log number (its chunks
  /// carry it); one whose number is taken is left out. `dir` gets an OPTIONS file naming the
  /// comparer when it has none. Nothing is written to the image.
  public func writeObsolete(to dir: String, image: DiskImage, firstNumber: UInt64) throws(CarveError) -> [ObsoleteCopy] {
    try makeDirectory(dir)
    var out: [ObsoleteCopy] = []
    var number = firstNumber
    let present = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
    for p in files where p.status == .obsolete && p.file.confirmed {
      switch p.file.kind {
      case .table:
        let name = pad6(number) + ".sst"
        number += 1
        var c = ObsoleteCopy(name: name, kind: .table, offset: p.file.offset, length: p.file.length)
        var bytes = try image.bytes(at: p.file.offset, count: p.file.length)
        for piece in p.file.pieces ?? [] {
          bytes.replaceSubrange(piece.tableOffset..<(piece.tableOffset + piece.length),
                                with: try image.bytes(at: piece.imageOffset, count: piece.length))
        }
        let file = bytes.withUnsafeBytes { MappedFile(copying: $0, name: "\(image.path)@\(p.file.offset)") }
        if let t = try? Table(file: file) {
          let it = t.makeIterator()
          while let e = it.next() {
            if c.smallestKey == nil { c.smallestKey = Array(e.userKey) }
            c.largestKey = Array(e.userKey)
          }
        }
        try writeBytes(bytes, to: dir + "/" + name)
        out.append(c)
      case .wal:
        let n: UInt64
        if let e = p.file.embeddedNumber { n = e } else { n = number; number += 1 }
        let name = pad6(n) + ".log"
        guard !present.contains(name), !out.contains(where: { $0.name == name }) else { continue }
        try copy(image, p.file.offset, p.file.length, to: dir + "/" + name)
        out.append(ObsoleteCopy(name: name, kind: .wal, offset: p.file.offset, length: p.file.length))
      default:
        continue
      }
    }
    // Loose data blocks (`findLooseBlocks`), as tables of their own.
    for r in looseRegions {
      let region = try image.bytes(at: r.offset, count: r.length)
      let file = region.withUnsafeBytes { MappedFile(copying: $0, name: "\(image.path)@\(r.offset)") }
      guard let s = try? Table.salvage(file: file) else { continue }
      let cmp = comparer.flatMap { Comparer(name: $0) } ?? .bytewise
      for table in LooseTable.build(region, s, comparer: cmp) {
        let name = pad6(number) + ".sst"
        number += 1
        try writeBytes(table, to: dir + "/" + name)
        var c = ObsoleteCopy(name: name, kind: .table, offset: r.offset, length: r.length, loose: true)
        let t = table.withUnsafeBytes { MappedFile(copying: $0, name: name) }
        if let t = try? Table(file: t) {
          let it = t.makeIterator()
          while let e = it.next() {
            if c.smallestKey == nil { c.smallestKey = Array(e.userKey) }
            c.largestKey = Array(e.userKey)
          }
        }
        out.append(c)
      }
    }
    if !present.contains(where: { $0.hasPrefix("OPTIONS-") }) {
      if let o = files.first(where: { $0.file.kind == .options && $0.status == .metadata }) {
        try copy(image, o.file.offset, o.file.length, to: dir + "/OPTIONS-000001")
      } else if let c = comparer {
        try writeText("[Options]\n  comparer=\(c)\n", to: dir + "/OPTIONS-000001")
      }
    }
    return out
  }
}
