import Foundation
import Recovery
#if canImport(Glibc)
import Glibc
#endif

/// Resuming into the same OUT:
///
/// ```
/// OUT/.salvage-work/manifest.json       {"format", "fingerprint"}: inputs and options of the work below
/// OUT/.salvage-work/<table id>/N.csv.tmp  a chunk being written
/// OUT/.salvage-work/<table id>/N.csv      a finished chunk's rows (fsynced, then renamed)
/// OUT/.salvage-work/<table id>/N.json     its record (bytes of N.csv, figures for the report),
///                                         written after the rename: the chunk counts as done
/// ```
/// A chunk is kept only when its record is there and its part has the recorded size; anything
/// else of an earlier run is deleted. A different fingerprint discards all earlier work.
extension RecoveryFiles {
  struct Manifest: Codable {
    var format = "salvage-work/1"
    var fingerprint: String
  }

  struct Record: Codable {
    var bytes: Int64
    var result: ChunkResult
    var renderProblems: [String]
    enum CodingKeys: String, CodingKey { case bytes, result, renderProblems = "render_problems" }
  }

  func recordPath(_ c: RecoveryChunk) -> String { partDir(c.table) + "/" + String(format: "%08d.json", c.index) }

  public func chunkDone(_ chunk: RecoveryChunk, result: ChunkResult) throws {
    let part = partPath(chunk), tmp = part + ".tmp"
    var bytes: Int64 = 0
    if FileManager.default.fileExists(atPath: tmp) {
      let fd = open(tmp, O_WRONLY | O_CLOEXEC)
      guard fd >= 0, fsync(fd) == 0 else {
        if fd >= 0 { close(fd) }
        throw RecoveryError("cannot fsync \(tmp): \(String(cString: strerror(errno)))")
      }
      close(fd)
      guard rename(tmp, part) == 0 else { throw RecoveryError("cannot rename \(tmp): \(String(cString: strerror(errno)))") }
      bytes = Self.size(part) ?? 0
    }
    stateLock.lock()
    let problems = pendingRenderProblems.removeValue(forKey: tmp) ?? []
    stateLock.unlock()
    renderProblems += problems
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let out = try AtomicOutputFile(path: recordPath(chunk), gzip: false, guard: .none)
    try out.write(Array(try e.encode(Record(bytes: bytes, result: result, renderProblems: problems))))
    try out.commit()
    sqliteCopy?.chunkDone(chunk)
  }

  public func resume(fingerprint: String) throws -> ResumeState {
    let fp = RecoveryRun.fnv1a(fingerprint + "\nkeep-latest " + (keepLatest.map { "\($0.count) \($0.partitionBy) \($0.orderBy)" } ?? "-"))
    let manifestPath = work + "/manifest.json"
    let fm = FileManager.default
    if let data = fm.contents(atPath: manifestPath), let m = try? JSONDecoder().decode(Manifest.self, from: data), m.fingerprint == fp {
      var done: [Int: ChunkResult] = [:]
      for (i, c) in chunks.enumerated() where c.store != nil {
        let part = partPath(c)
        if let d = fm.contents(atPath: recordPath(c)), let r = try? JSONDecoder().decode(Record.self, from: d),
           (Self.size(part) ?? 0) == r.bytes {
          done[i] = r.result
          renderProblems += r.renderProblems
          sqliteCopy?.reuse(c, part: part)
        } else {
          for p in [part, part + ".tmp", recordPath(c)] { try? fm.removeItem(atPath: p) }
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
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let out = try AtomicOutputFile(path: manifestPath, gzip: false, guard: .none)
    try out.write(Array(try e.encode(Manifest(fingerprint: fp))))
    try out.commit()
    return ResumeState(note: hadWork ? "\(work) held unfinished work of a run with other inputs or options: discarded, starting over" : nil)
  }

  static func size(_ path: String) -> Int64? {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : nil
  }
}
