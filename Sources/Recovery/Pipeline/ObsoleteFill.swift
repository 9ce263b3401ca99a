import CockroachKV
import Foundation
import LSMStore

/// `recover --disk-image … --use-obsolete` (docs/carving.md §5.1): the obsolete tables and
/// WALs carved from the images (compacted away, or of ranges that moved off the node, not yet
/// overwritten) fill the key spans that no intact replica and no live carved table holds.
/// Their data may be older than the lost replicas' was, so they are used for nothing else, and
/// every row read from them is marked (`report.json` `filled_spans` with `from: "obsolete
/// carved table"`, `tables[].obsolete_rows`, `<table>.from-obsolete.keys`, the summary).
///
/// The obsolete files are one more source of chunks, as a backup is (BackupFill.swift): a
/// directory of those files opened without a MANIFEST, read by the same MVCC scan as a store
/// (newest version as of the read time among the obsolete data): its chunks' source is
/// `.obsolete`.
public struct ObsoleteCarvedData: Sendable {
  /// One obsolete carved file: the image it came from and where, its name in `storePath`,
  /// and for tables the roach keys of its first and last point keys.
  public struct File: Sendable, Equatable {
    public var image: String
    public var name: String
    public var kind: String
    public var offset: Int
    public var length: Int
    public var smallest: [UInt8]?
    public var largest: [UInt8]?
    public init(image: String, name: String, kind: String, offset: Int, length: Int, smallestEngineKey: [UInt8]?, largestEngineKey: [UInt8]?) {
      (self.image, self.name, self.kind, self.offset, self.length) = (image, name, kind, offset, length)
      smallest = smallestEngineKey.map(Self.roachKey)
      largest = largestEngineKey.map(Self.roachKey)
    }

    static func roachKey(_ k: [UInt8]) -> [UInt8] {
      guard let n = k.withUnsafeBytes({ EngineKey.split($0) })?.roachKeyCount else { return k }
      return Array(k[..<n])
    }

    /// Whether the file may hold keys of `span` (a WAL may hold any).
    func mayHold(_ span: KeySpan) -> Bool {
      guard kind != "wal" else { return true }
      guard let lo = smallest, let hi = largest else { return false }
      return lo.lexicographicallyPrecedes(span.end) && !hi.lexicographicallyPrecedes(span.start)
    }
  }

  public var storePath: String
  public var files: [File]
  public init(storePath: String, files: [File]) { self.storePath = storePath; self.files = files }
}

extension RecoveryRun {

  /// Points the chunks still lost (after `--fill-from`) at the obsolete carved files that may
  /// hold their keys; the others stay lost.
  func planObsolete(_ chunks: inout [RecoveryChunk], stores: [Store]) throws {
    guard let data = options.obsolete else { return }
    let usable = data.files.filter { $0.kind == "wal" || $0.smallest != nil }
    guard !usable.isEmpty else { return }
    let store: Store
    do { store = try Store(path: data.storePath, ignoreManifest: true) } catch {
      throw RecoveryError("cannot open the obsolete carved files in \(data.storePath): \(error)")
    }
    obsoleteStore = store
    for i in chunks.indices where chunks[i].store == nil && usable.contains(where: { $0.mayHold(chunks[i].span) }) {
      lostBeforeFill.insert(chunks[i].key)
      chunks[i].read(from: .obsolete, storeCount: stores.count)
      chunks[i].estimatedBytes = nil
    }
  }

  /// A finished obsolete chunk in the report (caller holds `lock` or runs alone): the span,
  /// its rows and the carved files that may have given them (image and offset).
  func addObsolete(_ r: ChunkResult, of c: RecoveryChunk) {
    // Nothing there after all (a WAL may hold any key): the span stays lost, as it was.
    guard r.rows > 0 || r.deletedKeys > 0 else {
      report.tables[c.table].lostSpans.append(c.span.pretty)
      return
    }
    report.tables[c.table].obsoleteRows += r.rows
    let files = (options.obsolete?.files ?? []).filter { $0.mayHold(c.span) }
    report.filledSpans.append(.init(table: report.tables[c.table].table, span: c.span.pretty, start: c.span.start, end: c.span.end,
                                    rows: r.rows, lost: true, from: RecoveryReport.FilledSpan.fromObsolete, obsoleteFiles: files))
  }
}
