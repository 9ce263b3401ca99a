import Testing
import SSTable
@testable import LSMStore

struct BatchTests {
  func header(_ seq: UInt64, _ count: UInt32) -> [UInt8] {
    withUnsafeBytes(of: seq.littleEndian, Array.init) + withUnsafeBytes(of: count.littleEndian, Array.init)
  }

  /// LOGDATA takes no seqnum and is not counted; every other kind takes the next one.
  @Test func logDataTakesNoSeqnum() {
    let b = header(100, 3) + [1, 1, 0x61, 1, 0x41] + [3, 2, 0x7a, 0x7a] + [0, 1, 0x62] + [15, 1, 0x63, 1, 0x64]
    let batch = BatchDecoder.decode(b, recordOffset: 0, file: "t")
    #expect(batch.damage == nil)
    #expect(batch.ops.map { "\(Kind.name($0.kind))#\($0.seq)" } == ["SET#100", "LOGDATA#0", "DEL#101", "RANGEDEL#102"])
    #expect(batch.ops[3].value == [0x64])
  }

  /// Truncation, hostile lengths, column-family ops and a wrong count keep the ops before
  /// the fault and say where it is.
  @Test func damageKeepsEarlierOps() {
    let ok: [UInt8] = [1, 1, 0x61, 1, 0x41]
    for (bytes, keep, text) in [
      (header(5, 2) + ok + [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], 1, "key length"),
      (header(5, 2) + ok + [1, 1, 0x62, 9], 1, "value length"),
      (header(5, 2) + ok + [5, 0, 1, 0x62], 1, "column-family"),
      (header(5, 7) + ok, 1, "counts 7"),
      ([1, 2, 3], 0, "12-byte"),
    ] as [([UInt8], Int, String)] {
      let batch = BatchDecoder.decode(bytes, recordOffset: 4096, file: "000001.log")
      #expect(batch.ops.count == keep)
      #expect(batch.damage.map { "\($0)".contains(text) && $0.offset == 4096 && $0.file == "000001.log" } == true, "\(String(describing: batch.damage))")
    }
  }
}

final class FakeResolver: StoreBlobResolver {
  var calls: [(BlobReference, [UInt32: String])] = []
  func value(of ref: BlobReference, referencePaths: [UInt32: String]) throws -> [UInt8] {
    calls.append((ref, referencePaths))
    return Array("blob-\(ref.valueID)".utf8)
  }
}

/// The blob hook: a blob-resident SET is resolved through the resolver with the blob paths
/// of the table it came from; without a resolver it is flagged, never silently empty.
struct BlobHookTests {
  @Test func resolverGetsTheTablesBlobPaths() {
    let raw = MergedIterator(comparer: .bytewise, memtables: [[entry("k", 1, Kind.set)]], groups: [])
    raw.sources[0].blobPaths = [0: "/s/000007.blob"]
    let ref = BlobReference(referenceID: 0, valueLength: 6, blockID: 0, valueID: 3)
    let e = [UInt8]("k".utf8).withUnsafeBytes { k in
      StoreEntry(userKey: k, seq: 1, kind: Kind.set, value: UnsafeRawBufferPointer(start: nil, count: 0), storage: .blob(ref), source: 0)
    }
    let resolver = FakeResolver()
    let it = VisibleIterator(raw: raw, rangeDels: RangeDelIndex([], comparer: .bytewise), resolver: resolver)
    #expect(it.fold(e, newestSeq: 1) == .emitted)
    #expect(Array(it.value) == Array("blob-3".utf8) && it.unresolvedBlob == false)
    #expect(resolver.calls.count == 1 && resolver.calls[0].1 == [0: "/s/000007.blob"] && resolver.calls[0].0 == ref)

    let bare = VisibleIterator(raw: raw, rangeDels: RangeDelIndex([], comparer: .bytewise), resolver: nil)
    #expect(bare.fold(e, newestSeq: 1) == .emitted)
    #expect(bare.unresolvedBlob == true && bare.value.isEmpty)
  }
}
