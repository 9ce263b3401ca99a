import Foundation
import Recovery
#if canImport(Glibc)
import Glibc
#endif

/// Resuming into the same OUT:
///
/// ```
/// OUT/.salvage-work/manifest.json            {"format", "fingerprint"}: inputs and options of the work below
/// OUT/.salvage-work/<table id>/table.csv     the table so far: its first chunks in key order (TableStream)
/// OUT/.salvage-work/<table id>/N.csv.tmp     a chunk being written out of turn
/// OUT/.salvage-work/<table id>/N.csv         a finished chunk out of turn, waiting for its turn
/// OUT/.salvage-work/<table id>/N.json        its record: bytes, CRC-32C, where (offset in table.csv or
///                                            its part), figures for the report; written once it is done
/// ```
/// A chunk is kept only when its record is there and its bytes are where the record says with
/// the recorded CRC (nothing is fsynced per chunk: a crash may leave any prefix of any file);
/// table.csv is cut after the last chunk kept in turn. Anything else of an earlier run is
/// deleted. A different fingerprint discards all earlier work.
extension RecoveryFiles {
  struct Manifest: Codable {
    var format = "salvage-work/2"
    var fingerprint: String
  }

  struct Record: Codable {
    var bytes: Int64
    var crc: UInt32
    /// Where the bytes start in the table file; nil: in the chunk's part.
    var offset: Int64?
    var result: ChunkResult
    var renderProblems: [String]
    enum CodingKeys: String, CodingKey { case bytes, crc, offset, result, renderProblems = "render_problems" }
  }

  func recordPath(_ c: RecoveryChunk) -> String { Self.recordPath(partPath(c)) }
  static func recordPath(_ part: String) -> String { String(part.dropLast(".csv".count)) + ".json" }

  public func chunkDone(_ chunk: RecoveryChunk, result: ChunkResult) throws {
    stateLock.lock()
    let problems = pendingRenderProblems.removeValue(forKey: partPath(chunk)) ?? []
    stateLock.unlock()
    renderProblems += problems
    let placed = try streams[chunk.table].done(chunk)
    for slot in placed {
      if slot.chunk.index == chunk.index {
        try writeRecord(Record(bytes: slot.bytes, crc: slot.crc, offset: slot.place.offset, result: result, renderProblems: problems), of: chunk)
      } else if var r = readRecord(of: slot.chunk) {
        // An earlier chunk's part just joined the table file.
        r.offset = slot.place.offset
        try writeRecord(r, of: slot.chunk)
      }
    }
    if !placed.contains(where: { $0.chunk.index == chunk.index }) {
      let slot = streams[chunk.table].slot(of: chunk)
      try writeRecord(Record(bytes: slot.bytes, crc: slot.crc, offset: nil, result: result, renderProblems: problems), of: chunk)
    }
    sqliteCopy?.chunkDone(chunk)
    postgresCopy?.chunkDone(chunk)
  }

  func readRecord(of c: RecoveryChunk) -> Record? {
    FileManager.default.contents(atPath: recordPath(c)).flatMap { try? JSONDecoder().decode(Record.self, from: $0) }
  }

  /// Written whole under a temporary name, then renamed (not fsynced: the CRC guards it).
  func writeRecord(_ r: Record, of c: RecoveryChunk) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let path = recordPath(c), tmp = path + ".tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: try e.encode(r)), rename(tmp, path) == 0 else {
      throw RecoveryError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
  }

  public func resume(fingerprint: String) throws -> ResumeState {
    let fp = RecoveryRun.fnv1a(fingerprint + "\nkeep-latest " + (keepLatest.map { "\($0.count) \($0.partitionBy) \($0.orderBy)" } ?? "-"))
    let manifestPath = work + "/manifest.json"
    let fm = FileManager.default
    if let data = fm.contents(atPath: manifestPath), let m = try? JSONDecoder().decode(Manifest.self, from: data), m.fingerprint == fp {
      var done: [Int: ChunkResult] = [:]
      let position = Dictionary(uniqueKeysWithValues: chunks.enumerated().map { ($1.key, $0) })
      for t in tables.indices {
        for (c, r) in streams[t].resume(records: { readRecord(of: $0) }) {
          done[position[c.key]!] = r.result
          renderProblems += r.renderProblems
          if sqliteCopy != nil || postgresCopy != nil { try reuseForDatabases(c, record: r) }
        }
        // Parts that joined the table file while resuming.
        for slot in try streams[t].takeTurns() {
          if var r = readRecord(of: slot.chunk) { r.offset = slot.place.offset; try writeRecord(r, of: slot.chunk) }
        }
      }
      let readable = chunks.filter { $0.store != nil }.count
      return ResumeState(done: done, note: done.isEmpty ? nil : "resuming: \(done.count) of \(readable) span(s) were finished by an earlier run into \(directory)")
    }
    // Nothing usable: start clean (an earlier run's parts must not leak into this one).
    let hadWork = (fm.enumerator(atPath: work)?.allObjects as? [String] ?? []).contains { !$0.allSatisfy(\.isNumber) }
    try? fm.removeItem(atPath: work)
    try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
    try makePartDirectories()
    makeStreams()
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let out = try AtomicOutputFile(path: manifestPath, gzip: false, guard: .none)
    try out.write(Array(try e.encode(Manifest(fingerprint: fp))))
    try out.commit()
    return ResumeState(note: hadWork ? "\(work) held unfinished work of a run with other inputs or options: discarded, starting over" : nil)
  }


  /// The database copies take a kept chunk's rows from its CSV bytes, copied out for them
  /// (from its stretch of the table file, or its part).
  func reuseForDatabases(_ c: RecoveryChunk, record r: Record) throws {
    let reuse = { (extract: String) in
      self.sqliteCopy?.reuse(c, part: extract)
      self.postgresCopy?.reuse(c, part: extract)
    }
    let extract = partPath(c) + ".reuse"
    unlink(extract)
    guard r.bytes > 0 else {
      // No rows in the table (a chunk rebuilt from indexes into <table>.partial.csv only):
      // the table file may not even exist yet.
      guard FileManager.default.createFile(atPath: extract, contents: Data()) else { throw RecoveryError("cannot write \(extract)") }
      return reuse(extract)
    }
    guard let offset = r.offset else {
      // A hard link: the part itself joins the table file (and goes) before SQLite reads it.
      if r.bytes > 0, link(partPath(c), extract) != 0 { try FileManager.default.copyItem(atPath: partPath(c), toPath: extract) }
      return reuse(extract)
    }
    let data = try FileHandle(forReadingFrom: URL(fileURLWithPath: streams[c.table].path))
    defer { try? data.close() }
    try data.seek(toOffset: UInt64(offset))
    let bytes = try data.read(upToCount: Int(r.bytes)) ?? Data()
    guard FileManager.default.createFile(atPath: extract, contents: bytes) else { throw RecoveryError("cannot write \(extract)") }
    reuse(extract)
  }

  static func size(_ path: String) -> Int64? {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : nil
  }
}
