import Testing
import Foundation
import SSTable
@testable import LSMStore
import SalvageTestSupport

func visibleLines(_ store: Store) -> [String] {
  let it = store.makeVisibleIterator()
  var out: [String] = []
  while let e = it.next() { out.append("\(hexString(e.key)) = \(hexString(e.value))") }
  return out
}

func expectedVisibleLines(_ file: String) throws -> [String] {
  try Fixtures.jsonl(file).map { "\($0.str("key_hex")!) = \($0.str("value_hex")!)" }
}

/// A copy of a fixture store in a fresh temporary directory, minus some files.
func copyStore(_ relative: String, without: Set<String> = []) throws -> String {
  let fm = FileManager.default
  let dst = NSTemporaryDirectory() + "salvage-store-\(UUID().uuidString)"
  try fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
  for name in try fm.contentsOfDirectory(atPath: Fixtures.path(relative)) where !without.contains(name) {
    try fm.copyItem(atPath: Fixtures.path(relative) + "/" + name, toPath: dst + "/" + name)
  }
  return dst
}

/// The RocksDB store (CURRENT, L0 + L1 tables, a live WAL with range deletion, single
/// deletes and a 3-op batch) reads back exactly as RocksDB itself does after WAL replay.
struct RocksDBStoreTests {
  static let dir = "rocksdb/store"

  @Test func layout() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    #expect(s.fallbackReason == nil)
    #expect(s.manifestFile == "MANIFEST-000005" && s.manifestHow == "CURRENT")
    #expect(s.comparer == .bytewise)
    #expect(s.options?.engine == .rocksdb)
    #expect(s.options?.engineVersion == "7.8.3")
    #expect(s.options?.comparer == "leveldb.BytewiseComparator")
    #expect(s.options?.tableFormatVersion == 5)
    #expect(s.liveLogs == [13] && s.obsoleteLogs.isEmpty)
    #expect(s.sourceGroups.map { $0.map(\.fileNum) } == [[14], [12]])
    #expect(s.missingFiles.isEmpty && s.unreferencedFiles.isEmpty)
    #expect(s.issues.filter { $0.severity != .note }.isEmpty, "\(s.issues)")
    #expect(s.memtable.points.count == 39)
    #expect(s.memtable.rangeDeletions == [RangeDeletion(start: Array("user/0060".utf8), end: Array("user/0070".utf8), seq: 485)])
    // Table 14's tombstone and the WAL's.
    #expect(s.rangeDeletions.map(\.seq).sorted() == [446, 485])
  }

  /// Every one of the 265 visible keys, with its value, in order.
  @Test func finalStateMatchesEngine() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    let want = try expectedVisibleLines("rocksdb/store-expected/final-state.points.jsonl")
    #expect(want.count == 265)
    expectSameLines(visibleLines(s), want, "rocksdb final state")
  }

  /// `--raw`: every internal point entry of memtable and tables, in comparer order.
  /// RocksDB's `idump` (393 entries) omits some entries; all it prints appear, in order.
  @Test func rawEntriesContainEngineDump() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    let it = s.makeRawIterator()
    var got: [String] = []
    var keys: [[UInt8]] = []
    while let e = it.next() {
      got.append("\(hexString(e.userKey)) #\(e.seq) \(Kind.name(e.kind)) = \(hexString(e.value))")
      keys.append(Array(e.userKey))
    }
    #expect(got.count == 333 + 42 + 39)
    let want = try Fixtures.jsonl("rocksdb/store-expected/all-versions.jsonl").map {
      "\($0.str("key_hex")!) #\($0.uint64("seq")!) \($0.str("kind")!) = \($0.str("value_hex")!)"
    }
    var j = 0
    for g in got where j < want.count && g == want[j] { j += 1 }
    #expect(j == want.count, "engine entry \(j) not found in order: \(j < want.count ? want[j] : "")")
    #expect(zip(keys, keys.dropFirst()).allSatisfy { !$1.lexicographicallyPrecedes($0) })
    #expect(it.issues.isEmpty)
  }

  /// No MANIFEST and no CURRENT: every table and WAL is read, the store says so, and the
  /// visible state is still right (the seqnums inside the files suffice here).
  @Test func fallbackWithoutManifest() throws {
    let dir = try copyStore(Self.dir, without: ["MANIFEST-000005", "CURRENT"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = try Store(path: dir)
    #expect(s.fallbackReason == "no MANIFEST in the directory")
    #expect(s.issues.contains { "\($0)".contains("FALLBACK") })
    #expect(s.unreferencedFiles == ["000012.sst", "000014.sst"])
    #expect(s.liveLogs == [13])
    expectSameLines(visibleLines(s), try expectedVisibleLines("rocksdb/store-expected/final-state.points.jsonl"), "fallback")
  }

  /// CURRENT names a MANIFEST that is gone, and another table is missing: both reported.
  @Test func staleCurrentAndMissingTable() throws {
    let dir = try copyStore(Self.dir, without: ["000014.sst"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "MANIFEST-000099\n".write(toFile: dir + "/CURRENT", atomically: false, encoding: .utf8)
    let s = try Store(path: dir)
    #expect(s.manifestFile == "MANIFEST-000005" && s.manifestHow == "highest-numbered MANIFEST")
    #expect(s.issues.contains { "\($0)".contains("CURRENT names MANIFEST-000099") })
    #expect(s.missingFiles == ["000014.sst"])
    #expect(s.fallbackReason?.contains("missing") == true)
    let lines = visibleLines(s)
    #expect(lines.count > 200)
    #expect(lines.contains("77616c6f6e6c792f30303030 = 77616c2d76616c75652d30"))   // WAL-only write survives
  }

  /// A garbage MANIFEST: nothing decodes; fallback, loudly, with the same final state.
  @Test func unreadableManifest() throws {
    let dir = try copyStore(Self.dir, without: ["MANIFEST-000005"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data(repeating: 0x5A, count: 300).write(to: URL(fileURLWithPath: dir + "/MANIFEST-000005"))
    let s = try Store(path: dir)
    #expect(s.fallbackReason?.contains("no readable version edit") == true)
    #expect(s.issues.contains { $0.severity == .damage && $0.error.file == "MANIFEST-000005" })
    expectSameLines(visibleLines(s), try expectedVisibleLines("rocksdb/store-expected/final-state.points.jsonl"), "garbage manifest")
  }
}

/// The Pebble store: marker files, stale-free WAL selection, recycled logs, blob files.
/// Its tables are Pebblev7 (columnar), which `Table` does not read yet: everything but the
/// table contents is checked here; the final state runs once columnar tables open.
struct PebbleStoreTests {
  static let dir = "pebble-gen/store"

  @Test func layout() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    #expect(s.manifestFile == "MANIFEST-000001" && s.manifestHow == "marker.manifest iteration 1")
    #expect(s.directory.current == nil)
    #expect(s.directory.formatVersionMarker?.version == 29 && s.directory.formatVersionMarker?.iteration == 16)
    #expect(s.fallbackReason == nil)
    #expect(s.comparer == .cockroach)
    #expect(s.options?.engine == .pebble && s.options?.formatMajorVersion == 29)
    #expect(s.options?.comparer == "cockroach_comparator" && s.options?.merger == "cockroach_merge_operator")
    #expect(s.options?.keySchema == "crdb1")
    #expect(s.liveLogs == [12] && s.obsoleteLogs == [5, 8])
    #expect(s.sourceGroups.map { $0.map(\.fileNum) } == [[13], [11]])
    #expect(s.missingFiles.isEmpty && s.unreferencedFiles.isEmpty)
    #expect(s.memtable.logs.map { "\($0.name) \($0.records) \($0.end.map { "\($0)" } ?? "-")" } == ["000012.log 2 eofTrailer"])
    #expect(s.memtable.batches == 2)
    // The blob hook: reference index → blob file, per table.
    let t11 = s.tables.first { $0.fileNum == 11 }!
    #expect(t11.blobPaths == [0: Fixtures.path(Self.dir + "/000007.blob"), 1: Fixtures.path(Self.dir + "/000010.blob")])
    #expect(s.tables.first { $0.fileNum == 13 }!.blobPaths == [0: Fixtures.path(Self.dir + "/000014.blob")])
  }

  /// The WAL-only writes (seq 895..919) are the memtable, sorted in CockroachDB order.
  @Test func memtableIsTheLiveWAL() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    let ops = try Fixtures.jsonl("pebble-gen/store-expected/000012.wal.jsonl")
    let points = ops.filter { ["SET", "DEL"].contains($0.str("kind")!) }
    #expect(s.memtable.points.count == points.count)
    let want = Set(points.map { "\($0.str("key_hex")!)#\($0.uint64("seq")!)" })
    #expect(Set(s.memtable.points.map { "\(hexString($0.key))#\($0.seq)" }) == want)
    #expect(zip(s.memtable.points, s.memtable.points.dropFirst()).allSatisfy { s.comparer.compare($0.key, $1.key) <= 0 })
    #expect(s.memtable.rangeDeletions.map(\.seq) == [917])
    #expect(s.memtable.rangeKeys.map { "\(hexString($0.start))-\(hexString($0.end))#\($0.seq)" } == ["f489e28800-f489e78800#918"])
  }

  /// A live table that cannot be opened is named, and the rest of the store still reads.
  @Test func unreadableTablesAreReported() throws {
    let dir = try copyStore(Self.dir, without: ["000011.sst"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    FileManager.default.createFile(atPath: dir + "/000011.sst", contents: Data(repeating: 0x5A, count: 4096))
    let s = try Store(path: dir)
    #expect(s.hasUnreadableTables)
    #expect(s.issues.contains { $0.error.file == "000011.sst" })
    var n = 0
    let it = s.makeVisibleIterator()
    while it.next() != nil { n += 1 }
    #expect(n > 0 && n < 781)
  }

  /// All 781 visible keys with values (blob values resolved) and the 6 range-key fragments.
  @Test func finalStateMatchesEngine() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    #expect(!s.hasUnreadableTables)
    let want = try expectedVisibleLines("pebble-gen/store-expected/final-state.points.jsonl")
    #expect(want.count == 781)
    let it = s.makeVisibleIterator()
    var got: [String] = []
    var unresolved = 0
    while let e = it.next() {
      if e.unresolvedBlob { unresolved += 1 }
      got.append("\(hexString(e.key)) = \(hexString(e.value))")
    }
    // 443 table values live in blob files (000007/10/14.blob): Store.makeBlobResolver must be set.
    #expect(unresolved == 0, "\(unresolved) blob values unresolved: set Store.makeBlobResolver")
    expectSameLines(got, want, "pebble final state")
    let rk = try Fixtures.jsonl("pebble-gen/store-expected/final-state.rangekeys.jsonl").map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!) @\($0.str("suffix_hex") ?? "") =\($0.str("value_hex") ?? "")"
    }
    let gotRK = s.visibleRangeKeys().map { "\(hexString($0.start))-\(hexString($0.end)) @\(hexString($0.suffix ?? [])) =\(hexString($0.value ?? []))" }
    expectSameLines(gotRK, rk, "pebble range keys")
  }

  /// Iterators of one store on several threads at once (recover's work units do this): each
  /// sees the whole final state with every blob value resolved. A resolver shared between
  /// iterators crashed here (its blob-file dictionary and decoded-block cache are unlocked).
  @Test func concurrentIteratorsShareNothingMutable() throws {
    let s = try Store(path: Fixtures.path(Self.dir))
    let want = try expectedVisibleLines("pebble-gen/store-expected/final-state.points.jsonl")
    let threads = 4, rounds = 3
    let results = ResultSlots(count: threads)
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      var lines: [String] = []
      var unresolved = 0
      for _ in 0..<rounds {
        lines.removeAll(keepingCapacity: true)
        let it = s.makeVisibleIterator()
        while let e = it.next() {
          if e.unresolvedBlob { unresolved += 1 }
          lines.append("\(hexString(e.key)) = \(hexString(e.value))")
        }
      }
      results.set(t, (lines, unresolved))
    }
    for t in 0..<threads {
      let (lines, unresolved) = results.get(t)
      #expect(unresolved == 0, "thread \(t): \(unresolved) blob values unresolved")
      expectSameLines(lines, want, "thread \(t)")
    }
  }

  /// Newer Pebble stores may keep a stale CURRENT (naming MANIFEST-000000); the marker with
  /// the highest iteration wins, and lower iterations are ignored.
  @Test func markerBeatsStaleCurrent() throws {
    let dir = try copyStore(Self.dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "MANIFEST-000000\n".write(toFile: dir + "/CURRENT", atomically: false, encoding: .utf8)
    _ = FileManager.default.createFile(atPath: dir + "/marker.manifest.000000.MANIFEST-000099", contents: Data())
    let s = try Store(path: dir)
    #expect(s.manifestFile == "MANIFEST-000001" && s.manifestHow == "marker.manifest iteration 1")
    #expect(s.directory.current == "MANIFEST-000000")
    #expect(s.fallbackReason == nil)
    #expect(s.liveLogs == [12])
  }

  /// The real CockroachDB v25.2 directory (MANIFESTs and OPTIONS only; tables were in Git LFS):
  /// the marker picks MANIFEST-000256 over the rotated-out MANIFEST-000001, and all 7 tables
  /// are reported missing, and so is its live WAL 000448.log (min unflushed log 448; the
  /// original directory listing had it, in Git LFS).
  @Test func realCockroachDirectory() throws {
    let s = try Store(path: Fixtures.path("crdb-real/sirsinexusapp-v25.2/store"))
    #expect(s.manifestFile == "MANIFEST-000256" && s.manifestHow == "marker.manifest iteration 2")
    #expect(s.directory.formatVersionMarker?.version == 21)
    #expect(s.version?.lastSeqNum == 12911601 && s.version?.minUnflushedLogNum == 448)
    #expect(s.missingFiles == (451...457).map { pad6(UInt64($0)) + ".sst" } + ["000448.log"])
    #expect(s.missingWALs.map(\.file) == ["000448.log"])
    #expect(s.fallbackReason != nil)
    #expect(s.options?.formatMajorVersion == 19 && s.options?.comparer == "cockroach_comparator")
    #expect(s.makeVisibleIterator().next() == nil)
  }
}

/// Hostile directory contents: odd names, empty and garbage files. Nothing traps; the
/// damage is reported and the rest is still read.
struct HostileStoreTests {
  @Test func garbageWALAndOddNames() throws {
    let dir = try copyStore("rocksdb/store", without: ["000013.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var garbage = [UInt8](repeating: 0, count: 5000)
    var x: UInt32 = 12345
    for i in garbage.indices { x = x &* 1103515245 &+ 12345; garbage[i] = UInt8(truncatingIfNeeded: x >> 16) }
    try Data(garbage).write(to: URL(fileURLWithPath: dir + "/000013.log"))
    for name in [".log", "-1.log", "x.sst", "MANIFEST-", "marker.manifest.", "marker.manifest.abc.MANIFEST-000005", "000099.sst"] {
      _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
    }
    let s = try Store(path: dir)
    #expect(s.liveLogs == [13])
    #expect(s.memtable.points.isEmpty)
    #expect(s.issues.contains { $0.severity == .damage && $0.error.file == "000013.log" })
    #expect(s.unreferencedFiles == ["000099.sst"])
    // Unreferenced tables are listed, not merged (obsolete or unfinished compaction output).
    #expect(!s.tables.contains { $0.fileNum == 99 })
    // Without the WAL, the state is the tables' alone: no walonly/ keys.
    let lines = visibleLines(s)
    #expect(!lines.isEmpty && !lines.contains { $0.hasPrefix("77616c6f6e6c79") })
  }

  /// Every single-byte mutation of the Pebble MANIFEST decodes or reports; none traps.
  @Test func everyManifestByteMutationIsSafe() throws {
    let original = try fileBytes("pebble-gen/store/MANIFEST-000001")
    for i in original.indices {
      var m = original
      m[i] ^= 0xA5
      let manifest = Manifest(bytes: m, name: "m", dialect: nil)
      #expect(manifest.edits.count + manifest.issues.count >= 1)
    }
  }
}

/// An ingested table (every key written with seqnum 0) gets its seqnum from the MANIFEST
/// (smallest == largest seqnum, spec §4.4): points and range deletions alike.
struct IngestedTableTests {
  @Test func syntheticSeqnumFromManifest() throws {
    let dir = try copyStore("rocksdb/store", without: ["MANIFEST-000005"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.copyItem(atPath: Fixtures.path("rocksdb/sst/range-deletions.sst"), toPath: dir + "/000020.sst")
    // The original MANIFEST plus one edit: L0 table 20, seqnums 500..500.
    var e: [UInt8] = []
    func uv(_ v: UInt64) { var x = v; repeat { var b = UInt8(x & 0x7F); x >>= 7; if x != 0 { b |= 0x80 }; e.append(b) } while x != 0 }
    func ikey(_ k: String, _ seq: UInt64, _ kind: UInt8) { let b = Array(k.utf8) + withUnsafeBytes(of: (seq << 8 | UInt64(kind)).littleEndian, Array.init); uv(UInt64(b.count)); e += b }
    uv(100); uv(0); uv(20); uv(14826); ikey("a", 500, 15); ikey("key000250", InternalKey.maxSeqNum, 15); uv(500); uv(500)
    var log = LogBuilder(logNumber: 0)
    log.bytes = try fileBytes("rocksdb/store/MANIFEST-000005")
    log.record(e, header: 7)
    try Data(log.bytes).write(to: URL(fileURLWithPath: dir + "/MANIFEST-000005"))

    let s = try Store(path: dir)
    #expect(s.fallbackReason == nil, "\(s.issues)")
    #expect(s.sourceGroups.map { $0.map(\.fileNum) } == [[20], [14], [12]])
    #expect(s.tables.first?.syntheticSeqNum == 500)
    // 5 tombstones, fragmented as RocksDB's reader does (one overlap splits into 3 + 1).
    #expect(s.rangeDeletions.filter { $0.seq == 500 }.count == 7)
    let raw = s.makeRawIterator()
    var seqs = Set<UInt64>()
    while let x = raw.next() { if x.source == 1 { seqs.insert(x.seq) } }   // 0 = memtable, 1 = table 20
    #expect(seqs == [500])
    // The table's own tombstones do not delete its points (same seqnum), so its keys show.
    let lines = visibleLines(s)
    #expect(lines.contains { $0.hasPrefix("6b6579303030303030 = ") })   // key000000
    #expect(!lines.contains { $0.hasPrefix("6b6579303030303034 = ") })  // key000004 is a DEL
  }
}

/// Per-thread results of a concurrent test, behind a lock.
final class ResultSlots: @unchecked Sendable {
  let lock = NSLock()
  var slots: [([String], Int)]
  init(count: Int) { slots = Array(repeating: ([], 0), count: count) }
  func set(_ i: Int, _ v: ([String], Int)) { lock.lock(); slots[i] = v; lock.unlock() }
  func get(_ i: Int) -> ([String], Int) { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
