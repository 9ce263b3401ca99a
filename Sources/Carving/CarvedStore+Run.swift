extension CarvedStore {
  /// Scans `imagePath`, decides what is live, writes the files to `dir`: the whole job of
  /// `salvage carve` and of each `--disk-image`.
  public static func carve(image imagePath: String, into dir: String, includeObsolete: Bool = true, looseBlocks: Bool = false,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(CarveError) -> (CarvedStore, bytesWritten: Int) {
    let image = try DiskImage(path: imagePath)
    let scan = try Carver.scan(image, progress: progress)
    var store = try plan(scan, image: image)
    if looseBlocks { try store.findLooseBlocks(image: image) }
    let written = try store.write(to: dir, image: image, includeObsolete: includeObsolete)
    return (store, written)
  }

  /// The terminal summary: what was found and what the carved directory holds.
  public var summaryLines: [String] {
    let mb = Double(imageBytes) / 1_000_000
    var out = ["\(image): \(String(format: "%.0f", mb)) MB scanned in \(String(format: "%.2f", seconds)) s"
               + (seconds > 0 ? " (\(String(format: "%.0f", mb / seconds)) MB/s)" : "")]
    let blobs = files.filter { $0.file.kind == .blob }
    out.append("tables: \(liveTables) live, \(obsoleteTables) obsolete; blob files: \(blobs.filter { $0.status == .live }.count) live, "
               + "\(blobs.filter { $0.status == .obsolete }.count) obsolete; WALs: \(liveWALs) live, \(obsoleteWALs) obsolete")
    if manifestOffset == nil {
      out.append("no MANIFEST found: nothing is known to be live; every table is under obsolete/ (read them with salvage sst)")
    } else {
      out.append("MANIFEST at offset \(manifestOffset!) names \(liveTablesNamed) table(s); \(liveTablesMissing.count) not found"
                 + (liveTablesMissing.isEmpty ? "" : " (" + liveTablesMissing.prefix(8).map { pad6($0) + ".sst" }.joined(separator: ", ")
                    + (liveTablesMissing.count > 8 ? ", …" : "") + ")"))
    }
    let split = files.filter { $0.file.pieces != nil }
    if !split.isEmpty {
      let partial = split.filter { !$0.file.confirmed }.count
      out.append("\(split.count) table(s) reassembled from pieces across the image (split across extents)"
                 + (partial > 0 ? "; \(partial) partial (blocks not found: see carve.json)" : ""))
    }
    if !looseRegions.isEmpty {
      out.append("loose data blocks outside any table: \(looseRegions.map(\.dataBlocks).reduce(0, +)) block(s), "
                 + "\(looseRegions.map(\.entries).reduce(0, +)) entries in \(looseRegions.count) region(s) (obsolete/loose-at-*.sst, "
                 + "read with salvage sst scan; best effort: recover reads them only with --use-obsolete --loose-blocks)")
    }
    if !unconfirmedFooters.isEmpty {
      out.append("\(unconfirmedFooters.count) footer(s) whose file could not be confirmed (overwritten or split across extents)")
    }
    return out
  }
}
