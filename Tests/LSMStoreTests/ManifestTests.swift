import Testing
import Foundation
import SSTable
@testable import LSMStore
import SalvageTestSupport

/// MANIFESTs decode to the edits Pebble's own decoder reported, field by field, and replay
/// to the LSM it reported; RocksDB's dialect (tag 10, custom fields) decodes too.
struct ManifestTests {
  static let cases = [
    ("pebble-gen/store/MANIFEST-000001", "pebble-gen/store-expected/MANIFEST-000001"),
    ("crdb-real/sirsinexusapp-v25.2/store/MANIFEST-000001", "crdb-real/sirsinexusapp-v25.2/expected/MANIFEST-000001"),
    ("crdb-real/sirsinexusapp-v25.2/store/MANIFEST-000256", "crdb-real/sirsinexusapp-v25.2/expected/MANIFEST-000256"),
  ]

  @Test(arguments: cases.map { $0.0 })
  func editsMatchEngine(_ file: String) throws {
    let expected = Self.cases.first { $0.0 == file }!.1
    let m = try Manifest(path: Fixtures.path(file))
    let want = try Fixtures.jsonl(expected + ".edits.jsonl").map(expectedEditLine)
    #expect(!want.isEmpty)
    expectSameLines(m.edits.map(editLine), want, file)
    #expect(m.issues.isEmpty, "\(m.issues)")
    #expect(m.dialect == .pebble)
  }

  @Test(arguments: cases.map { $0.0 })
  func lsmMatchesEngine(_ file: String) throws {
    let expected = Self.cases.first { $0.0 == file }!.1
    let v = try Manifest(path: Fixtures.path(file)).version
    let lsm = try Fixtures.json(expected + ".lsm.json") as! [String: Any]
    #expect(v.comparer == lsm.str("comparer"))
    #expect(v.lastSeqNum == lsm.uint64("last_seq_num"))
    #expect(v.minUnflushedLogNum == lsm.uint64("min_unflushed_log_num"))
    #expect(v.nextFileNum == lsm.uint64("next_file_num"))
    let want = ((lsm["tables"] as? [[String: Any]]) ?? []).map(expectedTableLine).sorted()
    #expect(v.tables.map { tableLine($0) }.sorted() == want)
    let blobs = ((lsm["blob_files"] as? [[String: Any]]) ?? []).map {
      "\($0.uint64("blob_file_id")!) \($0.uint64("file_num")!) \($0.uint64("size")!) \($0.uint64("value_size")!)"
    }.sorted()
    #expect(v.blobFiles.values.map { "\($0.fileID) \($0.fileNum) \($0.size) \($0.valueSize)" }.sorted() == blobs)
  }

  /// The blob hook: a table's reference index → blob file ID → physical file (lsm.json).
  @Test func blobReferencesMapToFiles() throws {
    let v = try Manifest(path: Fixtures.path("pebble-gen/store/MANIFEST-000001")).version
    let t11 = v.tables.first { $0.fileNum == 11 }!
    #expect(v.blobFileNumbers(for: t11) == [0: 7, 1: 10])
    let t13 = v.tables.first { $0.fileNum == 13 }!
    #expect(v.blobFileNumbers(for: t13) == [0: 14])
  }

  /// A flipped payload bit in edit #3: its checksum fails, it is skipped and reported with
  /// its offset, and edit #4 is still applied (so tables 6 and 9 stay, as edit #3 removed them).
  @Test func bitflippedEditIsSkippedAndLaterEditsKept() throws {
    let m = try Manifest(path: Fixtures.path("corrupt/pebble-MANIFEST-000001.bitflip"))
    let all = try Fixtures.jsonl("pebble-gen/store-expected/MANIFEST-000001.edits.jsonl")
    let want = [all[0], all[1], all[2], all[4]].map { expectedEditLine($0).replacingOccurrences(of: "#4 ", with: "#3 ") }
    expectSameLines(m.edits.map(editLine), want, "bitflip")
    let damage = m.issues.filter { $0.severity == .damage }
    #expect(damage.count == 1)
    #expect(damage.first?.error.offset == 259)
    #expect(damage.first?.error.file == "pebble-MANIFEST-000001.bitflip")
    #expect("\(damage.first!.error)".contains("checksum mismatch"))
    #expect(m.version.tables.map { "L\($0.level):\($0.fileNum)" }.sorted() == ["L0:13", "L0:6", "L0:9"])
    #expect(m.version.lastSeqNum == 894)
  }

  /// RocksDB 7.8 MANIFEST (ldb manifest_dump): tag 10 is "min log number to keep", new-file-4
  /// custom fields all carry a varstring.
  @Test func rocksDBManifest() throws {
    let m = try Manifest(path: Fixtures.path("rocksdb/store/MANIFEST-000005"))
    #expect(m.issues.isEmpty, "\(m.issues)")
    #expect(m.edits.count == 10)
    #expect(m.dialect == .rocksdb)
    #expect(m.edits.first?.dialect == .pebble)   // the first edit decodes in either dialect
    #expect(m.edits.filter { $0.dialect == .rocksdb }.count >= 3)
    #expect(m.edits.compactMap(\.minLogNumberToKeep) == [8, 10, 13])
    let v = m.version
    #expect(v.comparer == "leveldb.BytewiseComparator")
    #expect(v.minUnflushedLogNum == 13)
    #expect(v.lastSeqNum == 448)
    #expect(v.nextFileNum == 15)
    #expect(v.tables.map { tableLine($0, blobIDs: false) } == [
      "L0 14 size=1739 [6d756c74692f30303430#446,RANGEDEL - 757365722f30323139#445,SET] seqs=406-448 points=true ranges=false virtual=false created=1795461466",
      "L1 12 size=4734 [6d756c74692f30303030#322,SET - 757365722f30313939#0,SET] seqs=0-405 points=true ranges=false virtual=false created=1795461466",
    ])
  }

  /// Hand-built Pebble edits: virtual table over a backing file, synthetic prefix/suffix,
  /// blob references, excise, blob file replaced under the same ID; hostile counts.
  @Test func pebbleOnlyRecords() {
    var e: [UInt8] = []
    func uv(_ v: UInt64) { var x = v; repeat { var b = UInt8(x & 0x7F); x >>= 7; if x != 0 { b |= 0x80 }; e.append(b) } while x != 0 }
    func vs(_ s: [UInt8]) { uv(UInt64(s.count)); e += s }
    func ikey(_ k: String, _ seq: UInt64, _ kind: UInt8) -> [UInt8] { Array(k.utf8) + withUnsafeBytes(of: (seq << 8 | UInt64(kind)).littleEndian, Array.init) }
    uv(105); uv(20); uv(999)                         // backing 20 created
    uv(103); uv(5); uv(21); uv(100)                  // new file 4: L5 #21
    vs(ikey("b", 7, 1)); vs(ikey("d", 7, 1)); uv(7); uv(7)
    uv(66); uv(20)                                   // virtual over 20
    uv(67); vs(Array("p/".utf8))
    uv(69); uv(1); uv(2); uv(3); uv(100); uv(4); uv(50)
    uv(1)
    uv(10); vs(Array("x".utf8)); vs(Array("y".utf8)); uv(0); uv(42)
    uv(107); uv(3); uv(30); uv(10); uv(9); uv(0)
    uv(108); uv(3); uv(25)
    guard case .success(let edit) = VersionEdit.decode(e, dialect: nil) else { Issue.record("decode failed"); return }
    #expect(edit.dialect == .pebble)
    let t = edit.newTables[0]
    #expect(t.isVirtual && t.diskFileNum == 20 && t.syntheticPrefix == Array("p/".utf8))
    #expect(t.syntheticSeqNum == 7)
    #expect(t.blobReferences.map(\.fileID) == [3, 4])
    #expect(edit.excises == [ExciseBounds(start: [0x78], end: [0x79], endInclusive: false, seq: 42)])
    var v = LSMVersion()
    v.apply(VersionEdit.decodeOrFail([108, 3, 25]))   // unknown blob: nothing happens
    v.apply(edit)
    #expect(v.backings == [20: 999])
    #expect(v.blobFiles[3]?.fileNum == 30)
    #expect(v.blobFileNumbers(for: t) == [0: 30])

    // A reference count far beyond the record is refused before allocating.
    var h: [UInt8] = [104, 0, 1, 0, 0]
    h += [2, 0x61, 0x62, 2, 0x61, 0x62, 0, 0, 69, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
    if case .success = VersionEdit.decode(h, dialect: .pebble) { Issue.record("hostile edit decoded") }
  }
}

extension VersionEdit {
  static func decodeOrFail(_ b: [UInt8]) -> VersionEdit {
    if case .success(let e) = decode(b, dialect: .pebble) { return e }
    return VersionEdit()
  }
}
