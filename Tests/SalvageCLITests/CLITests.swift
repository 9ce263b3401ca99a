import Foundation
import Testing
import SalvageTestSupport

/// Runs the built `salvage` binary end to end and pins stdout, stderr and exit status.
enum CLI {
  static let binary: String = {
    // The test bundle sits next to the package's executables in the build folder.
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let p = candidate.appendingPathComponent("salvage").path
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return dir.appendingPathComponent("salvage").path
  }()

  static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let (status, out, err) = try runProgram(binary, args, environment: environment)
    return (status, String(decoding: out, as: UTF8.self), err)
  }
}

/// Runs salvage with `args`; (stdout, stderr, exit status).
func runSalvage(_ args: [String]) throws -> (String, String, Int32) {
  let r = try CLI.run(args)
  return (r.stdout, r.stderr, r.status)
}

struct SSTCommandTests {
  @Test func binaryWasBuilt() {
    #expect(FileManager.default.isExecutableFile(atPath: CLI.binary), "\(CLI.binary)")
  }

  /// The text lines print each byte of a key or value as itself when printable (not a
  /// backslash) and as `\xNN` otherwise, whatever the word-at-a-time path does: checked here
  /// byte by byte against the engine's own dump of a table with binary CockroachDB keys and
  /// values, and of one with text keys and values.
  @Test func scanTextLinesQuoteEveryByteOfTheEngineDump() throws {
    func quoted(_ hex: String) -> String {
      var out = ""
      var i = hex.startIndex
      while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        let b = UInt8(hex[i..<j], radix: 16)!
        out += b >= 0x20 && b < 0x7f && b != 0x5c ? String(UnicodeScalar(b)) : "\\x" + hex[i..<j]
        i = j
      }
      return out
    }
    for name in ["pebble-gen/sst/pebblev3-snappy", "rocksdb/sst/large-multiblock"] {
      let r = try CLI.run(["sst", "scan", "--points-only", Fixtures.path(name + ".sst")])
      #expect(r.status == 0, "\(r.stderr)")
      let want = try Fixtures.jsonl(name + ".points.jsonl").map { p -> String in
        let kind = p["kind"] as! String
        let head = quoted(p["key_hex"] as! String) + " #\(p["seq"] as! Int),\(kind)"
        let where_ = p["value_storage"] as? String == "value_block" ? " (value block) = " : " = "
        return head + where_ + quoted(p["value_hex"] as! String)
      }
      let got = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
      #expect(got.count == want.count && want.count > 500, "\(name)")
      for (g, w) in zip(got, want) where g != w {
        Issue.record("\(name): \(g) / \(w)")
        break
      }
    }
  }

  @Test func scanJSONLinesEqualTheEngineDump() throws {
    let name = "rocksdb/sst/range-deletions"
    let r = try CLI.run(["sst", "scan", "--format", "jsonl", Fixtures.path(name + ".sst")])
    #expect(r.status == 0 && r.stderr.isEmpty)
    let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    let points = try Fixtures.jsonl(name + ".points.jsonl")
    let dels = try Fixtures.jsonl(name + ".rangedels.jsonl")
    #expect(lines.count == points.count + dels.count)
    for (got, want) in zip(lines, points + dels) {
      for field in ["key_hex", "value_hex", "start_hex", "end_hex", "kind"] {
        #expect(got[field] as? String == want[field] as? String, "\(field)")
      }
      #expect(got.int("seq") == want.int("seq"))
      #expect(got.int("kind_code") == want.int("kind_code"))
    }
  }

  /// `sst scan` on several threads (runs of data blocks, printed into memory, written in
  /// order) prints what one thread prints, byte for byte, damage lines and status included:
  /// on fixtures of every format (runs of about 4 KiB, so each table is many runs) and on a
  /// damaged copy.
  @Test(arguments: ["rocksdb/sst/large-multiblock.sst", "pebble-gen/sst/pebblev8-zstd-twolevel-bloom-large.sst",
                    "corrupt/rocksdb-fv5-snappy.bitflip.sst", "corrupt/pebblev3-snappy.bitflip.sst"])
  func scanOnSeveralThreadsPrintsWhatOneDoes(_ name: String) throws {
    let small = ["SALVAGE_SCAN_RUN_BYTES": "4096"]
    for format in ["text", "jsonl"] {
      let one = try CLI.run(["sst", "scan", "--format", format, "--jobs", "1", Fixtures.path(name)], environment: small)
      let three = try CLI.run(["sst", "scan", "--format", format, "--jobs", "3", Fixtures.path(name)], environment: small)
      #expect(one.stdout.count > 1000)
      #expect(three.stdout == one.stdout && three.stderr == one.stderr && three.status == one.status,
              "\(name) \(format): status \(three.status)/\(one.status), stdout \(three.stdout.count)/\(one.stdout.count) bytes, stderr: \(three.stderr.prefix(2000))")
    }
  }

  @Test func checkIsCleanOnGoodFilesAndListsDamage() throws {
    let good = try CLI.run(["sst", "check", Fixtures.path("rocksdb/sst/fv5-zstd.sst")])
    #expect(good.status == 0)
    #expect(good.stdout.contains("ok (RocksDBv5, crc32c)"))
    let bad = try CLI.run(["sst", "check", Fixtures.path("corrupt/rocksdb-fv5-snappy.bitflip.sst")])
    #expect(bad.status == 2)
    #expect(bad.stdout.contains("data block offset 18949 size 1307: block checksum mismatch"))
    #expect(bad.stdout.contains("keys (6b6579303030323838, 6b6579303030333038]"))
    let unreadable = try CLI.run(["sst", "check", Fixtures.path("corrupt/rocksdb-fv5-snappy.bad-magic.sst")])
    #expect(unreadable.status == 1)
    #expect(unreadable.stdout.contains("UNREADABLE: bad magic"))
  }

  @Test func scanSalvagesAndSaysSo() throws {
    let r = try CLI.run(["sst", "scan", Fixtures.path("corrupt/rocksdb-fv5-snappy.truncated-footer.sst")])
    #expect(r.status == 2)
    #expect(r.stdout.split(separator: "\n").count == 600)
    #expect(r.stderr.contains("found 33 blocks by scanning"))
    let strict = try CLI.run(["sst", "scan", "--strict", Fixtures.path("corrupt/rocksdb-fv5-snappy.truncated-footer.sst")])
    #expect(strict.status == 1 && strict.stdout.isEmpty)
    #expect(strict.stderr.split(separator: "\n").count == 1)
  }

  @Test func layoutListsBlocksLikePebble() throws {
    let r = try CLI.run(["sst", "layout", Fixtures.path("pebble-gen/sst/pebblev3-snappy.sst")])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    // Pebble's own layout: 21 data blocks, 1 index, range-del, range-key, 20 value blocks,
    // value index, properties, metaindex, footer at 77634/53.
    #expect(lines.filter { $0.count > 2 && $0[2] == "data" }.count == 21)
    #expect(lines.filter { $0.count > 2 && $0[2] == "value-block" }.count == 20)
    #expect(lines.contains(["44777", "128", "range-del", "none"]))
    #expect(lines.contains(["77634", "53", "footer", "-"]))
  }

  @Test func propertiesShowTypedFields() throws {
    let r = try CLI.run(["sst", "properties", Fixtures.path("rocksdb/sst/fv4-snappy.sst")])
    #expect(r.status == 0)
    for line in ["format              RocksDBv4", "entries             600", "merge operands      20",
                 "deletions           35", "comparator          leveldb.BytewiseComparator", "data blocks         29",
                 "seqnums             0-0"] {
      #expect(r.stdout.contains(line), "\(line)")
    }
  }

  /// Pebble tables written with real seqnums (pebble-gen README: 10…900011 incl. range keys).
  @Test func propertiesShowSeqnumBounds() throws {
    let name = "pebble-gen/sst/pebblev3-snappy"
    let seqs = try (Fixtures.jsonl(name + ".points.jsonl") + Fixtures.jsonl(name + ".rangedels.jsonl")
                    + Fixtures.jsonl(name + ".rangekeys.jsonl")).map { $0.uint64("seq")! }
    let r = try CLI.run(["sst", "properties", Fixtures.path(name + ".sst")])
    #expect(r.stdout.contains("seqnums             \(seqs.min()!)-\(seqs.max()!)\n"))
  }

  @Test func missingFileIsAOneLineError() throws {
    let r = try CLI.run(["sst", "scan", "/nonexistent/x.sst"])
    #expect(r.status == 1)
    #expect(r.stderr == "salvage: /nonexistent/x.sst: cannot open: No such file or directory\n")
  }
}

struct BlobScanTests {
  /// Blob-resident values are resolved through the MANIFEST of the table's directory (or
  /// `--blob-dir`), and equal what Pebble's reader returned.
  @Test func blobValuesResolveThroughTheStoreManifest() throws {
    let expected = try Fixtures.jsonl("pebble-gen/store-expected/000011.points.jsonl")
    let copy = NSTemporaryDirectory() + "salvage-blob-\(UUID().uuidString).sst"
    try FileManager.default.copyItem(atPath: Fixtures.path("pebble-gen/store/000011.sst"), toPath: copy.replacingOccurrences(of: "salvage-blob-", with: "000011-"))
    let moved = copy.replacingOccurrences(of: "salvage-blob-", with: "000011-")
    defer { try? FileManager.default.removeItem(atPath: moved) }
    for args in [[Fixtures.path("pebble-gen/store/000011.sst")],
                 ["--blob-dir", Fixtures.path("pebble-gen/store"), moved]] {
      let r = try CLI.run(["sst", "scan", "--format", "jsonl", "--points-only"] + args)
      #expect(r.status == 0, "\(r.stderr)")
      let got = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
      #expect(got.count == expected.count)
      #expect(zip(got, expected).allSatisfy { $0.str("value_hex") == $1.str("value_hex") && $0.str("key_hex") == $1.str("key_hex") })
      #expect(got.filter { $0.str("value_storage") == "blob" }.count == expected.filter { $0.str("value_storage") == "blob" }.count)
    }
    // Without the MANIFEST the entries are still listed, with their handles, and exit 2.
    let alone = try CLI.run(["sst", "scan", "--format", "jsonl", "--points-only", moved])
    #expect(alone.status == 2)
    #expect(alone.stderr.contains("blob values unresolved"))
    #expect(alone.stdout.split(separator: "\n").count == expected.count)
  }
}
