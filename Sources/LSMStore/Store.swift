import SSTable

/// A store directory opened for salvage: the MANIFEST's live tables (or, when it cannot be
/// trusted, every table on disk), the live WALs replayed into a memtable, and one merged
/// view over both. Opening never fails on damage: problems land in `issues`.
///
/// Immutable once opened: iterators made from one store may run on several threads at once
/// (each owns its tables, caches and blob resolver).
public final class Store {
  public let directory: StoreDirectory
  public private(set) var options: StoreOptions?
  public private(set) var optionsFile: String?
  public private(set) var manifestFile: String?
  /// How the MANIFEST was found ("marker.manifest iteration 1", "CURRENT", …).
  public private(set) var manifestHow = "none"
  public private(set) var manifest: Manifest?
  /// Nil when the MANIFEST was used; otherwise why every table on disk is read instead.
  public private(set) var fallbackReason: String?
  /// The fallback was asked for (`ignoreManifest`), so it is no damage.
  public private(set) var manifestIgnored = false
  public private(set) var comparer: Comparer = .bytewise
  /// Tables in merge priority order, grouped into merge sources (one per L0 table, one per
  /// deeper level; one per table in fallback).
  public private(set) var sourceGroups: [[TableSpec]] = []
  public private(set) var liveLogs: [UInt64] = []
  public private(set) var obsoleteLogs: [UInt64] = []
  public internal(set) var memtable = Memtable()
  /// Files the MANIFEST names that are not on disk, and files on disk it does not name.
  public private(set) var missingFiles: [String] = []
  /// Live WALs (or WAL segments) the MANIFEST needs that are not in the directory: the
  /// writes they held are lost (also listed in `missingFiles`).
  public private(set) var missingWALs: [MissingWAL] = []
  public private(set) var unreferencedFiles: [String] = []
  public internal(set) var rangeDeletions: [RangeDeletion] = []
  public internal(set) var rangeKeys: [RangeKey] = []
  public private(set) var issues: [StoreIssue] = []
  /// Makes the blob resolver of each new iterator (nil: blob values stay unresolved). Every
  /// iterator owns its resolver and the blob files' decoded-block caches inside it, so
  /// iterators of one store may run on different threads (a shared resolver crashed
  /// parallel recoveries of stores with blob files).
  public var makeBlobResolver: (@Sendable () -> StoreBlobResolver)? = { BlobFileResolver() }

  public var path: String { directory.path }
  public var version: LSMVersion? { manifest?.version }
  public var tables: [TableSpec] { sourceGroups.flatMap { $0 } }

  /// - Parameter ignoreManifest: read every table on disk even if the MANIFEST is fine.
  public init(path: String, ignoreManifest: Bool = false) throws(StoreError) {
    directory = try StoreDirectory(path: path)
    loadOptions()
    loadManifest(ignore: ignoreManifest)
    chooseComparer()
    checkFiles()
    buildSources()
    replayWALs()
    loadKeyspans()
  }

  /// Tables that belong to no store directory, read as one store: a backup's data files,
  /// for instance. Each inner list is one merge source of disjoint slices in key order, the
  /// newest source first; entries of one key in several sources are taken from the first.
  /// The comparer is the first readable table's (bytewise when none names one). `label`
  /// stands for the directory in messages.
  public init(tableGroups: [[TableSlice]], label: String) {
    directory = StoreDirectory(label: label)
    var number: UInt64 = 0
    for slices in tableGroups where !slices.isEmpty {
      sourceGroups.append(slices.map { slice in
        number += 1
        return TableSpec(path: slice.path, fileNum: number, meta: slice.meta(number: number), syntheticSeqNum: nil)
      })
    }
    let named = tableGroups.joined().lazy.compactMap { (try? Table(path: $0.path))?.properties.comparator }.first
    if let named, let c = Comparer(name: named) { comparer = c }
    memtable.seal(comparer)
    loadKeyspans()
  }

  func note(_ s: StoreIssue.Severity, _ k: StoreError.Kind, _ m: String, file: String? = nil) {
    issues.append(StoreIssue(s, StoreError(k, m, file: file ?? directory.path)))
  }

  func loadOptions() {
    guard let name = directory.latestOptions else { return }
    do {
      options = try StoreOptions(path: directory.file(name))
      optionsFile = name
    } catch {
      issues.append(StoreIssue(.warning, error))
    }
  }

  func loadManifest(ignore: Bool) {
    let found = directory.currentManifest()
    issues += found.issues
    manifestHow = found.how
    guard let name = found.name else {
      fallbackReason = "no MANIFEST in the directory"
      return
    }
    manifestFile = name
    if ignore { fallbackReason = "MANIFEST ignored on request"; manifestIgnored = true; return }
    do {
      let m = try Manifest(path: directory.file(name), dialect: options?.engine)
      issues += m.issues
      manifest = m
      if m.edits.isEmpty { fallbackReason = "\(name) holds no readable version edit" }
    } catch {
      issues.append(StoreIssue(.damage, error))
      fallbackReason = "\(name) is unreadable (\(error.message))"
    }
  }

  func chooseComparer() {
    let name = (manifest?.version.comparer).flatMap { $0.isEmpty ? nil : $0 } ?? options?.comparer
    guard let name else {
      note(.warning, .missing, "comparer unknown (no MANIFEST comparer, no OPTIONS): assuming leveldb.BytewiseComparator")
      return
    }
    if let c = Comparer(name: name) { comparer = c } else {
      note(.warning, .unsupported, "comparer \(name) is not known: ordering keys bytewise")
    }
  }

  func checkFiles() {
    guard let v = manifest?.version, !(manifest?.edits.isEmpty ?? true) else {
      unreferencedFiles = directory.tables.keys.sorted().map { directory.tables[$0]! }
        + directory.blobFiles.keys.sorted().map { directory.blobFiles[$0]! }
      return
    }
    var usedTables = Set<UInt64>()
    for t in v.tables {
      usedTables.insert(t.diskFileNum)
      if directory.tables[t.diskFileNum] == nil, !missingFiles.contains(pad6(t.diskFileNum) + ".sst") {
        missingFiles.append(pad6(t.diskFileNum) + ".sst")
      }
    }
    for b in v.blobFiles.values.sorted(by: { $0.fileNum < $1.fileNum }) where directory.blobFiles[b.fileNum] == nil {
      missingFiles.append(pad6(b.fileNum) + ".blob")
    }
    let usedBlobs = Set(v.blobFiles.values.map(\.fileNum))
    unreferencedFiles = directory.tables.keys.sorted().filter { !usedTables.contains($0) }.map { directory.tables[$0]! }
      + directory.blobFiles.keys.sorted().filter { !usedBlobs.contains($0) }.map { directory.blobFiles[$0]! }
    for f in missingFiles { note(.damage, .missing, "\(manifestFile ?? "MANIFEST") names \(f), which is not in the directory") }
    if fallbackReason == nil && missingFiles.contains(where: { $0.hasSuffix(".sst") }) {
      fallbackReason = "\(manifestFile!) names \(missingFiles.filter { $0.hasSuffix(".sst") }.count) table(s) missing from the directory"
    }
  }

  func spec(_ t: TableMeta?, fileNum: UInt64, name: String) -> TableSpec {
    var s = TableSpec(path: directory.file(name), fileNum: fileNum, meta: t, syntheticSeqNum: t?.syntheticSeqNum)
    if let t, let v = version {
      for (i, n) in v.blobFileNumbers(for: t) {
        s.blobPaths[i] = directory.file(directory.blobFiles[n] ?? pad6(n) + ".blob")
      }
    }
    return s
  }

  func buildSources() {
    let v = manifest.flatMap { $0.edits.isEmpty ? nil : $0.version }
    if let reason = fallbackReason {
      // Damage unless asked for: deleted data may come back.
      note(manifestIgnored ? .warning : .damage, .missing, "FALLBACK: \(reason). Reading every table in the directory (newest file first); "
           + "deleted or compacted-away data may reappear and ingested tables may have wrong seqnums.")
      let known = Dictionary((v?.tables ?? []).map { ($0.diskFileNum, $0) }, uniquingKeysWith: { a, _ in a })
      for n in directory.tables.keys.sorted(by: >) {
        sourceGroups.append([spec(known[n], fileNum: n, name: directory.tables[n]!)])
      }
      return
    }
    guard let v else { return }
    let present = v.tables.filter { directory.tables[$0.diskFileNum] != nil }
    // L0 tables overlap: one source each, newest first.
    let l0 = present.filter { $0.level == 0 }.sorted {
      $0.largestSeq != $1.largestSeq ? $0.largestSeq > $1.largestSeq : $0.fileNum > $1.fileNum
    }
    for t in l0 { sourceGroups.append([spec(t, fileNum: t.fileNum, name: directory.tables[t.diskFileNum]!)]) }
    for level in Set(present.map(\.level)).subtracting([0]).sorted() {
      let ts = present.filter { $0.level == level }.sorted { comparer.compare($0.smallest.userKey, $1.smallest.userKey) < 0 }
      sourceGroups.append(ts.map { spec($0, fileNum: $0.fileNum, name: directory.tables[$0.diskFileNum]!) })
    }
  }

  func replayWALs() {
    let v = manifest.flatMap { $0.edits.isEmpty ? nil : $0.version }
    let numbers = directory.logs.keys.sorted()
    if let v {
      liveLogs = numbers.filter { $0 >= v.minUnflushedLogNum }
      obsoleteLogs = numbers.filter { $0 < v.minUnflushedLogNum }
    } else {
      liveLogs = numbers
      if !numbers.isEmpty {
        note(.warning, .missing, "no MANIFEST log number: replaying every WAL (\(numbers.count)); obsolete logs may bring back flushed-over data")
      }
    }
    // wal_dir alone is no alarm (CockroachDB set it to the store's own original path): only
    // WALs the MANIFEST needs and the directory lacks are.
    if let v {
      for m in findMissingLiveWALs(minUnflushed: v.minUnflushedLogNum) {
        let w = MissingWAL(file: m.file, meaning: m.meaning + walElsewhereHint)
        missingWALs.append(w)
        missingFiles.append(w.file)
        note(.damage, .missing, w.meaning, file: "")   // the meaning names the files
      }
    }
    for n in liveLogs { memtable.replay(directory: directory.path, files: directory.logs[n]!, logNumber: n) }
    issues += memtable.issues
    memtable.seal(comparer)
    // Flushable ingests named only by the WAL: newest after the memtable.
    let known = Set(tables.map(\.fileNum))
    for (n, seq) in memtable.ingestedTables.reversed() where !known.contains(n) {
      guard let name = directory.tables[n] else {
        note(.damage, .missing, "WAL ingests table \(pad6(n)).sst, which is not in the directory")
        continue
      }
      var s = spec(nil, fileNum: n, name: name)
      s.syntheticSeqNum = seq
      sourceGroups.insert([s], at: 0)
    }
  }

  func loadKeyspans() {
    rangeDeletions = memtable.rangeDeletions
    rangeKeys = memtable.rangeKeys
    for g in sourceGroups.indices {
      for i in sourceGroups[g].indices {
        let s = sourceGroups[g][i]
        let table: Table
        do { table = try Table(path: s.path) } catch {
          issues.append(StoreIssue(.damage, StoreError(error, file: baseName(s.path))))
          sourceGroups[g][i].unreadable = true
          continue
        }
        if let seq = s.syntheticSeqNum { table.syntheticSeqNum = seq }
        let prefix = s.meta?.syntheticPrefix ?? []
        do {
          var dels = try table.rangeDeletions().map { RangeDeletion(start: prefix + $0.start, end: prefix + $0.end, seq: $0.seq) }
          if let m = s.meta, m.isVirtual { dels = clip(dels, to: m) }
          rangeDeletions += dels
        } catch {
          issues.append(StoreIssue(.damage, StoreError(error, file: baseName(s.path))))
        }
        do {
          var keys = try table.rangeKeys().map {
            var k = $0; k.start = prefix + k.start; k.end = prefix + k.end; return k
          }
          if let m = s.meta, m.isVirtual { keys = clip(keys, to: m) }
          rangeKeys += keys
        } catch {
          issues.append(StoreIssue(.damage, StoreError(error, file: baseName(s.path))))
        }
        if let m = s.meta, m.syntheticSuffix != nil {
          note(.warning, .unsupported, "virtual table \(pad6(m.fileNum)) has a synthetic suffix, which is not applied", file: baseName(s.path))
        }
      }
    }
  }

  /// A virtual table sees only its own key range of the backing file's range deletions and
  /// range keys. An inclusive upper bound keeps the span's end (no comparer-independent
  /// successor key); only the lower bound and an exclusive upper bound are applied.
  func clip<Span: KeySpanBounds>(_ spans: [Span], to m: TableMeta) -> [Span] {
    spans.compactMap { s in
      var s = s
      if comparer.compare(s.start, m.smallest.userKey) < 0 { s.start = m.smallest.userKey }
      if m.largest.isExclusiveSentinel && comparer.compare(s.end, m.largest.userKey) > 0 { s.end = m.largest.userKey }
      return comparer.compare(s.start, s.end) < 0 ? s : nil
    }
  }

  /// Every internal point entry (memtable and tables), newest first per key (`--raw`).
  /// `lowerBound`: a seek (see `MergedIterator.init`).
  public func makeRawIterator(skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)? = nil,
                              lowerBound: [UInt8]? = nil) -> MergedIterator {
    MergedIterator(comparer: comparer, memtables: [memtable.points], groups: sourceGroups, skipBlock: skipBlock, lowerBound: lowerBound)
  }

  /// The visible key/value pairs. With `skipBlock`, data blocks it rejects are not read (a
  /// reader wanting part of the key space; see `TableIterator.skipBlock`): their entries
  /// are neither returned nor able to shadow others, so the caller must skip only blocks
  /// whose keys it does not want at all.
  /// With `lowerBound`, reading starts at the first data blocks that may hold keys at or
  /// after it (keys below it may still come: the caller filters them).
  public func makeVisibleIterator(skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)? = nil,
                                  lowerBound: [UInt8]? = nil) -> VisibleIterator {
    VisibleIterator(raw: makeRawIterator(skipBlock: skipBlock, lowerBound: lowerBound),
                    rangeDels: RangeDelIndex(rangeDeletions, comparer: comparer), resolver: makeBlobResolver?())
  }

  /// The range keys a reader sees.
  public func visibleRangeKeys() -> [RangeKey] { RangeKeyView.visible(rangeKeys, comparer: comparer) }

  /// Whether opening found damage (a damage-class issue): the one input to the read
  /// commands' exit status 2. Warnings and notes are reported but do not change it.
  public var isDamaged: Bool { issues.contains { $0.severity == .damage } }

  /// True when a table of the store could not be opened (e.g. a format not readable yet).
  public var hasUnreadableTables: Bool { tables.contains { $0.unreadable } }
}

func pad6(_ n: UInt64) -> String {
  let s = String(n)
  return String(repeating: "0", count: max(0, 6 - s.count)) + s
}
