import Testing
import Foundation
import SalvageTestSupport


fileprivate func parsedLines(_ text: String) throws -> [NSDictionary] {
  try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary }
}

struct StoreCLITests {
  /// `store scan --format jsonl` prints exactly RocksDB's visible state, exit status 0.
  @Test func scanRocksDBStore() throws {
    let (out, err, status) = try runSalvage(["store", "scan", "--format", "jsonl", Fixtures.path("rocksdb/store")])
    #expect(status == 0, "\(err)")
    let want = try String(contentsOfFile: Fixtures.path("rocksdb/store-expected/final-state.points.jsonl"), encoding: .utf8)
    #expect(try parsedLines(out) == (try parsedLines(want)))
  }

  /// `--raw` adds seq and kind and lists every internal entry: 414 points, then the two
  /// range deletions (table 000014's and the WAL's).
  @Test func rawScanRocksDBStore() throws {
    let (out, _, status) = try runSalvage(["store", "scan", "--raw", "--format", "jsonl", Fixtures.path("rocksdb/store")])
    #expect(status == 0)
    let lines = try parsedLines(out)
    #expect(lines.count == 416)
    #expect(lines.first == ["key_hex": "62617463682f61", "seq": 486, "kind": "SET", "kind_code": 1, "value_hex": "41"] as NSDictionary)
    #expect(Array(lines.suffix(2)) == [
      ["start_hex": "6d756c74692f30303430", "end_hex": "6d756c74692f30303435", "seq": 446, "kind": "RANGEDEL", "kind_code": 15],
      ["start_hex": "757365722f30303630", "end_hex": "757365722f30303730", "seq": 485, "kind": "RANGEDEL", "kind_code": 15],
    ] as [NSDictionary])
    let (pointsOnly, _, _) = try runSalvage(["store", "scan", "--raw", "--points-only", "--format", "jsonl", Fixtures.path("rocksdb/store")])
    #expect(try parsedLines(pointsOnly).count == 414)
  }

  @Test func infoPebbleStore() throws {
    let (out, err, status) = try runSalvage(["store", "info", Fixtures.path("pebble-gen/store")])
    #expect(out.contains("manifest: MANIFEST-000001 (via marker.manifest iteration 1), 5 edits, dialect pebble"))
    #expect(out.contains("wal: 000012.log live, 2 records, ended: eofTrailer"))
    #expect(out.contains("wal: 000005.log obsolete"))
    #expect(out.contains("blob refs 0→000007.blob 1→000010.blob"))
    // Until columnar tables are readable the two tables are reported (status 2).
    #expect(status == 0 || (status == 2 && err.contains("000011.sst")))
  }

  /// `store info --format jsonl`: the LSM fields equal Pebble's own lsm.json for the MANIFEST.
  @Test func infoJSONMatchesEngineLSM() throws {
    let (out, _, _) = try runSalvage(["store", "info", "--format", "jsonl", Fixtures.path("pebble-gen/store")])
    let got = try #require(try parsedLines(out).first)
    let want = try Fixtures.json("pebble-gen/store-expected/MANIFEST-000001.lsm.json") as! NSDictionary
    for k in ["comparer", "last_seq_num", "min_unflushed_log_num", "next_file_num", "blob_files"] {
      #expect(got[k] as? NSObject == want[k] as? NSObject, "\(k)")
    }
    let tables = { (d: NSDictionary) in Set((d["tables"] as! [NSDictionary]).map { $0 }) }
    #expect(tables(got) == tables(want))
    #expect(got["live_wals"] as? [String] == ["000012.log"])
    #expect(got["obsolete_wals"] as? [String] == ["000005.log", "000008.log"])
    #expect(got["manifest"] as? String == "MANIFEST-000001")
  }

  @Test func missingDirectoryFails() throws {
    let (_, err, status) = try runSalvage(["store", "info", "/nonexistent/store"])
    #expect(status == 1)
    #expect(err.contains("/nonexistent/store"))
  }
}
