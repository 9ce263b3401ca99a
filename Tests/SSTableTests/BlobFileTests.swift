import Foundation
import Testing
import SSTable
import SalvageTestSupport

/// Blob files (spec §5.3) and blob-resident values of the store's tables, against Pebble's
/// own `blob_layout` and its reader with `--load-blobs-from`.
struct BlobFileTests {
  static let blobs = ["000007", "000010", "000014"]

  /// `(offset, length, values)` of every physical block in a `*.blob_layout.txt`.
  static func layout(_ name: String) throws -> [(Int, Int, Int)] {
    let text = try String(contentsOfFile: Fixtures.path("pebble-gen/store-expected/\(name).blob_layout.txt"), encoding: .utf8)
    var out: [(Int, Int, Int)] = []
    var pending: (Int, Int)?
    for line in text.split(separator: "\n") {
      if line.hasPrefix("block "), let o = line.range(of: "offset="), let l = line.range(of: " length=") {
        pending = (Int(line[o.upperBound..<l.lowerBound])!, Int(line[l.upperBound...])!)
      } else if line.hasPrefix("values: "), let p = pending {
        out.append((p.0, p.1, Int(line.dropFirst(8))!))
        pending = nil
      }
    }
    return out
  }

  @Test(arguments: blobs)
  func blocksMatchPebbleLayout(_ name: String) throws {
    let want = try Self.layout(name)
    #expect(want.count > 2)
    let f = try BlobFile(path: Fixtures.path("pebble-gen/store/\(name).blob"))
    #expect(f.formatVersion == 2)
    #expect(f.footerChecksumOK)
    #expect(f.checksumType == .crc32c)
    #expect(f.originalFileNumber == UInt64(name)!)
    #expect(f.valueBlocks.count == want.count)
    for (i, w) in want.enumerated() where i < f.valueBlocks.count {
      #expect(f.valueBlocks[i] == BlockHandle(offset: w.0, length: w.1), "\(name) block \(i)")
      #expect(try f.valueCount(block: i) == w.2, "\(name) block \(i) values")
    }
    #expect(try f.properties().contains { $0.name == "compression_stats" })
  }

  /// reference index → blob file path for one store table, from `lsm.json` (normally the
  /// MANIFEST's per-table blob references and blob-file records).
  static func mapping(_ table: String) throws -> [UInt32: String] {
    let lsm = try Fixtures.json("pebble-gen/store-expected/lsm.json") as! [String: Any]
    let files = lsm["blob_file_id_to_file"] as! [String: String]
    let tables = lsm["tables"] as! [[String: Any]]
    let t = tables.first { ($0["file"] as! String) == table + ".sst" }!
    let ids = (t["blob_file_ids"] as! [NSNumber]).map { $0.intValue }
    var out: [UInt32: String] = [:]
    for (i, id) in ids.enumerated() { out[UInt32(i)] = Fixtures.path("pebble-gen/store/" + files[String(id)]!) }
    return out
  }

  @Test(arguments: ["000011", "000013"])
  func tableBlobValuesResolve(_ name: String) throws {
    let expected = try Fixtures.jsonl("pebble-gen/store-expected/\(name).points.jsonl")
    #expect(expected.count > 50)
    let table = try Table(path: Fixtures.path("pebble-gen/store/\(name).sst"))
    let it = table.makeIterator()
    it.blobResolver = BlobResolver(files: try Self.mapping(name))
    var i = 0, blobs = 0
    while let e = it.next() {
      guard i < expected.count else { Issue.record("\(name): more entries than expected"); break }
      let x = expected[i]
      var got = "\(hexString(e.userKey)) #\(e.seq) \(Kind.name(e.kind)) = \(hexString(e.value))"
      var want = "\(x.str("key_hex")!) #\(x.uint64("seq")!) \(x.str("kind")!) = \(x.str("value_hex")!)"
      if case .blob(let r) = e.storage {
        got += " blob \(r.referenceID)/\(r.valueLength)/\(r.blockID)/\(r.valueID) \(e.blobStatus)"
        blobs += 1
      } else {
        got += " \(ColumnarFixtureTests.storageName(e.storage))"
      }
      if let b = x["blob"] as? [String: Any] {
        want += " blob \(b.int("reference_id")!)/\(b.int("value_len")!)/\(b.int("block_id")!)/\(b.int("value_id")!) resolved"
      } else {
        want += " \(x.str("value_storage")!)"
      }
      if got != want {
        Issue.record("\(name) entry \(i):\n got  \(got.prefix(300))\n want \(want.prefix(300))")
        return
      }
      i += 1
    }
    #expect(i == expected.count)
    #expect(blobs == expected.filter { $0["blob"] != nil }.count)
    #expect(blobs > 10)
    #expect(it.damages.isEmpty, "\(it.damages)")
  }

  /// Without a resolver the handle is still reported, marked unresolved.
  @Test func withoutResolverHandlesAreKept() throws {
    let expected = try Fixtures.jsonl("pebble-gen/store-expected/000013.points.jsonl")
    let it = try Table(path: Fixtures.path("pebble-gen/store/000013.sst")).makeIterator()
    var i = 0
    while let e = it.next() {
      if let b = expected[i]["blob"] as? [String: Any] {
        #expect(e.storage == .blob(BlobReference(referenceID: UInt32(b.int("reference_id")!), valueLength: UInt32(b.int("value_len")!),
                                                 blockID: UInt32(b.int("block_id")!), valueID: UInt32(b.int("value_id")!))))
        #expect(e.blobStatus == .unresolved)
        #expect(e.value.count == 0)
      } else {
        #expect(e.blobStatus == .notBlob)
      }
      i += 1
    }
    #expect(i == expected.count)
  }

  /// A missing blob file loses values, never entries: each keeps its handle and says why.
  @Test func missingBlobFileKeepsEntries() throws {
    let expected = try Fixtures.jsonl("pebble-gen/store-expected/000011.points.jsonl")
    var map = try Self.mapping("000011")
    map[1] = "/nonexistent/000010.blob"
    let it = try Table(path: Fixtures.path("pebble-gen/store/000011.sst")).makeIterator()
    it.blobResolver = BlobResolver(files: map)
    var i = 0, missing = 0, resolved = 0
    while let e = it.next() {
      #expect(hexString(e.userKey) == expected[i].str("key_hex")!)
      if case .blob(let r) = e.storage {
        if r.referenceID == 1 {
          #expect(e.blobStatus == .fileMissing); missing += 1
        } else {
          #expect(e.blobStatus == .resolved)
          #expect(hexString(e.value) == expected[i].str("value_hex")!)
          resolved += 1
        }
      }
      i += 1
    }
    #expect(i == expected.count)
    #expect(missing > 0 && resolved > 0)
    #expect(it.damages.count == 1)
    #expect(it.damages.first?.message.contains("/nonexistent/000010.blob") == true)
  }

  /// A flipped byte in one value block damages only that block's values; a broken footer
  /// makes the whole file damaged. Entries are kept either way.
  @Test func damagedBlobFile() throws {
    let src = Fixtures.path("pebble-gen/store/000014.blob")
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: src)))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("salvage-blob-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    bytes[100] ^= 0x10                       // inside physical block 0
    let flipped = dir.appendingPathComponent("flipped.blob").path
    try Data(bytes).write(to: URL(fileURLWithPath: flipped))
    bytes[100] ^= 0x10
    bytes[bytes.count - 1] ^= 0xFF           // magic
    let badMagic = dir.appendingPathComponent("badmagic.blob").path
    try Data(bytes).write(to: URL(fileURLWithPath: badMagic))

    let f = try BlobFile(path: flipped)
    #expect(throws: SSTableError.self) { try f.value(blockID: 0, valueID: 0) }
    #expect(try f.value(blockID: 1, valueID: 0).count > 0)
    #expect(throws: SSTableError.self) { try BlobFile(path: badMagic) }

    for (path, status) in [(flipped, BlobValueStatus.valueDamaged), (badMagic, .fileDamaged)] {
      let it = try Table(path: Fixtures.path("pebble-gen/store/000013.sst")).makeIterator()
      it.blobResolver = BlobResolver(files: [0: path])
      var n = 0, bad = 0
      while let e = it.next() {
        n += 1
        if case .blob(let r) = e.storage, e.blobStatus != .resolved {
          #expect(e.blobStatus == status)
          if status == .valueDamaged { #expect(r.blockID == 0) }
          bad += 1
        }
      }
      #expect(n == 70)
      #expect(bad > 0)
      #expect(!it.damages.isEmpty)
    }
  }

  /// The resolver on its own: a value by handle, an unmapped reference, a footer whose
  /// checksum no longer matches (reported, not fatal).
  @Test func resolverAndFooterChecksum() throws {
    let x = try Fixtures.jsonl("pebble-gen/store-expected/000013.points.jsonl").first { $0["blob"] != nil }!
    let b = x["blob"] as! [String: Any]
    let ref = BlobReference(referenceID: UInt32(b.int("reference_id")!), valueLength: UInt32(b.int("value_len")!),
                            blockID: UInt32(b.int("block_id")!), valueID: UInt32(b.int("value_id")!))
    let resolver = BlobResolver(files: try Self.mapping("000013"))
    #expect((try? resolver.value(ref).get()).map { hexString($0) } == x.str("value_hex"))
    var other = ref
    other.referenceID = 5
    if case .failure(let e) = resolver.value(other) { #expect(e.status == .unresolved) } else { Issue.record("unmapped reference resolved") }
    var wrongLength = ref
    wrongLength.valueLength += 1
    if case .failure(let e) = resolver.value(wrongLength) { #expect(e.status == .valueDamaged) } else { Issue.record("length not checked") }

    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("pebble-gen/store/000014.blob"))))
    bytes[bytes.count - 70 + 22] ^= 0x01      // original file number, covered by the footer CRC
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("salvage-blobcrc-\(getpid()).blob").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let f = try BlobFile(path: path)
    #expect(!f.footerChecksumOK)
    #expect(f.originalFileNumber == 15)
    #expect(try f.value(blockID: ref.blockID, valueID: ref.valueID).count == Int(ref.valueLength))
  }

  /// Hostile lookups are errors, not traps.
  @Test func outOfRangeLookups() throws {
    let f = try BlobFile(path: Fixtures.path("pebble-gen/store/000007.blob"))
    #expect(throws: SSTableError.self) { try f.value(blockID: 9999, valueID: 0) }
    #expect(throws: SSTableError.self) { try f.value(blockID: 0, valueID: 9999) }
    #expect(throws: SSTableError.self) { try f.value(blockID: .max, valueID: .max) }
  }
}

/// Blob layouts no fixture holds, assembled from the blocks of `000014.blob`: a v1 (38-byte)
/// footer, and an index with virtual blocks (what a blob-file rewrite leaves behind).
struct SyntheticBlobFileTests {
  static let source = Fixtures.path("pebble-gen/store/000014.blob")

  static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

  /// `bytes ‖ type 0 ‖ masked CRC32C(bytes ‖ type)`.
  static func withTrailer(_ bytes: [UInt8]) -> [UInt8] {
    let body = bytes + [0]
    let crc = body.withUnsafeBytes { Checksum.masked(Checksum.crc32c($0)) }
    return body + le(crc)
  }

  /// Value blocks of the source file, then `index` (with trailer), then a v1 footer.
  static func v1File(index: [UInt8]?) throws -> (path: String, original: BlobFile) {
    let original = try BlobFile(path: source)
    let all = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
    var out: [UInt8]
    let indexHandle: BlockHandle
    if let index {
      out = Array(all[0..<original.indexHandle.offset])
      indexHandle = BlockHandle(offset: out.count, length: index.count)
      out += withTrailer(index)
    } else {
      indexHandle = original.indexHandle
      out = Array(all[0..<(indexHandle.offset + indexHandle.length + 5)])
    }
    var footer = le(UInt64(indexHandle.offset)) + le(UInt64(indexHandle.length)) + [1, 1] + le(UInt64(14))
    footer += le(UInt64(0x80a6_9ff0_b3aa_9ff0))   // v1 magic
    let crc = footer.withUnsafeBytes { Checksum.masked(Checksum.crc32c($0)) }
    out += le(crc) + footer
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("salvage-blobv1-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("v1-\(index == nil ? "plain" : "virtual").blob").path
    try Data(out).write(to: URL(fileURLWithPath: path))
    return (path, original)
  }

  @Test func v1FooterReadsSameValues() throws {
    let (path, original) = try Self.v1File(index: nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let f = try BlobFile(path: path)
    #expect(f.formatVersion == 1)
    #expect(f.footerChecksumOK)
    #expect(f.propertiesHandle == nil)
    #expect(f.originalFileNumber == 14)
    #expect(f.valueBlocks == original.valueBlocks)
    var n = 0
    for b in 0..<original.valueBlocks.count {
      for v in 0..<(try original.valueCount(block: b)) {
        #expect(try f.value(blockID: UInt32(b), valueID: UInt32(v)) == original.value(blockID: UInt32(b), valueID: UInt32(v)))
        n += 1
      }
    }
    #expect(n > 10)
  }

  /// Index block with virtual blocks: header M = 3; col 0 (uint64) virtual entries, col 1
  /// (uint32) physical block offsets.
  @Test func virtualBlocksRemapIDs() throws {
    let original = try BlobFile(path: Self.source)
    let n = original.valueBlocks.count
    let virt: [UInt64] = [1 << 32 | 2, 0x0000_0000_FFFF_FFFF, 0]   // block 2 from row 1; elided; block 0
    var ix = Self.le(UInt32(virt.count)) + [1] + Self.le(UInt16(2)) + Self.le(UInt32(n))
    let col0 = 4 + 7 + 10
    let col0Data = 24                                       // encoding byte at 21, aligned to 8
    let col1 = col0Data + 8 * virt.count
    ix += [2] + Self.le(UInt32(col0)) + [2] + Self.le(UInt32(col1))
    ix += [0x08, 0, 0] + virt.flatMap { Self.le($0) }
    ix += [0x04, 0, 0, 0]                                   // encoding byte at col1, aligned to 4
    let offsets = original.valueBlocks.map { UInt32($0.offset) } + [UInt32(original.indexHandle.offset)]
    ix += offsets.flatMap { Self.le($0) } + [0]             // + trailing padding byte
    let (path, _) = try Self.v1File(index: ix)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let f = try BlobFile(path: path)
    #expect(f.valueBlocks == original.valueBlocks)
    #expect(f.virtualBlocks.count == 3)
    #expect(try f.value(blockID: 0, valueID: 0) == original.value(blockID: 2, valueID: 1))
    #expect(try f.value(blockID: 2, valueID: 1) == original.value(blockID: 0, valueID: 1))
    #expect(throws: SSTableError.self) { try f.value(blockID: 1, valueID: 0) }   // elided
    #expect(throws: SSTableError.self) { try f.value(blockID: 3, valueID: 0) }   // not in the index
  }
}
