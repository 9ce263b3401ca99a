import Testing
import Foundation
import SalvageTestSupport


/// The scenario of `ClusterFixture.swift`, built once per process with `ldb`.
fileprivate let stores: Result<[String], Error> = Result { try ClusterScenario.build("kvcli") }

/// Output with the temp directory replaced by `<root>`.
fileprivate func relative(_ text: String, _ paths: [String]) -> String {
  text.replacingOccurrences(of: (paths[0] as NSString).deletingLastPathComponent, with: "<root>")
}

fileprivate func jsonLines(_ text: String) throws -> [NSDictionary] {
  try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary }
}

struct KVCLITests {
  /// A block with a bad checksum is skipped by `kv scan` (both views), never silently: it is
  /// listed and the command exits 2, as `store scan` does.
  @Test(arguments: [[], ["--as-of", "2100-01-01T00:00:00Z"]])
  func scanReportsDamagedBlocks(_ extra: [String]) throws {
    let damaged = Simulator.repo + "/examples/dead-cluster/stores/n6"
    let r = try CLI.run(["kv", "scan", damaged] + extra)
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.contains("000005.sst") && r.stderr.contains("block checksum mismatch"), "\(r.stderr)")
  }

  /// `--as-of` reads through the recovery's cursor (`SpanScanner`): every key it prints has
  /// the version the full listing (newest first) gives first for that key, on each of the
  /// example's stores (range tombstones and intents hide some keys; none is printed older).
  @Test func asOfPrintsTheNewestListedVersion() throws {
    for n in ["n1", "n6", "n7"] {
      let dir = Simulator.repo + "/examples/dead-cluster/stores/" + n
      let listing = try jsonLines(try CLI.run(["kv", "scan", "--format", "jsonl", dir]).stdout)
      var newest: [String: (NSNumber, NSNumber)] = [:]
      for e in listing where e["kind"] as? String != "intent" {
        let k = e["key_hex"] as! String
        if newest[k] == nil { newest[k] = (e["wall_time"] as! NSNumber, e["logical"] as! NSNumber) }
      }
      let r = try CLI.run(["kv", "scan", "--format", "jsonl", "--as-of", "2100-01-01T00:00:00Z", dir])
      let resolved = try jsonLines(r.stdout)
      #expect(resolved.count > 50, "\(n)")
      for e in resolved {
        let k = e["key_hex"] as! String
        #expect(newest[k]?.0 == e["wall_time"] as? NSNumber && newest[k]?.1 == e["logical"] as? NSNumber, "\(n) \(e)")
      }
      // A key whose newest versions share a wall time differ only in the logical part.
      #expect(!r.stderr.contains("out of engine-key order"), "\(r.stderr)")
    }
  }

  @Test func rangesText() throws {
    let paths = try stores.get()
    let (out, err, status) = try runSalvage(["kv", "ranges"] + paths)
    #expect(status == 2)
    #expect(relative(out, paths) == """
      stores:
        s1 (n1) cluster 10111213-1415-1617-1819-1a1b1c1d1e1f <root>/s1
        s2 (n2) cluster 10111213-1415-1617-1819-1a1b1c1d1e1f <root>/s2
        s3 (n3) cluster 10111213-1415-1617-1819-1a1b1c1d1e1f <root>/s3
      ranges:
        r1 [/Min, /Table/50) gen 1 from s1 (n1) range-local
          replicas: n1/s1/r1 n2/s2/r2 n3/s3/r3
          use s2 (n2): applied 100, lease applied 51
          lagging s1 (n1): applied 100, lease applied 50, 0 behind (raft log to 101, 1 unapplied)
          lagging s3 (n3): applied 90, lease applied 40, 10 behind
        r2 [/Table/50, /Table/52) gen 3 (generations seen: 2, 3) from s1 (n1) range-local
          replicas: n1/s1/r1 n2/s2/r2 n4/s4/r3
          use s1 (n1): applied 200, lease applied 120
          lagging s2 (n2): applied 180, lease applied 110, 20 behind (its descriptor: gen 2)
          missing n4/s4/r3: no store s4 among the inputs
        r3 [/Table/52, /Table/53) gen 3 from s1 (n1) range-local
          replicas: n1/s1/r1 n2/s2/r2 n4/s4/r3
          use s1 (n1): applied 15, lease applied 5
          missing n4/s4/r3: no store s4 among the inputs
          missing n2/s2/r2: no replica on that store
        r4 [/Table/53, /Table/54) gen 1 from s1 (n1) meta2
          replicas: n4/s4/r1 n5/s5/r2 n6/s6/r3
          no surviving replica
          missing n4/s4/r1: no store s4 among the inputs
          missing n5/s5/r2: no store s5 among the inputs
          missing n6/s6/r3: no store s6 among the inputs
        r5 [/Table/54, /Max) gen 1 from s1 (n1) range-local
          replicas: n1/s1/r1 n2/s2/r2 n3/s3/r3
          use s1 (n1): applied 30, lease applied 10
          lagging s2 (n2): applied 30, lease applied 10, 0 behind
          missing n3/s3/r3: no replica on that store
      lost:
        [/Table/53, /Table/54) r4 tables 53

      """)
    #expect(relative(err, paths) == "salvage: <root>/s1: uncommitted change (intent) at /Local/Range/Table/54/RangeDescriptor @3.000000000,0, not used\n")
  }

  @Test func rangesJSONL() throws {
    let paths = try stores.get()
    let (out, _, status) = try runSalvage(["kv", "ranges", "--format", "jsonl"] + paths)
    #expect(status == 2)
    let lines = try jsonLines(out)
    #expect(lines.count == 6)
    let r2 = lines[1]
    #expect(r2["range_id"] as? Int == 2)
    #expect(r2["start_hex"] as? String == "ba" && r2["end_hex"] as? String == "bc")
    #expect(r2["generations_seen"] as? [Int] == [2, 3])
    #expect(((r2["chosen"] as? NSDictionary)?["store"] as? NSDictionary)?["store_id"] as? Int == 1)
    let lagging = try #require(r2["lagging"] as? [NSDictionary])
    #expect(lagging.map { $0["gap"] as? Int } == [20])
    #expect(lagging.map { $0["local_generation"] as? Int } == [2])
    #expect(r2["missing_store_ids"] as? [Int] == [4])
    #expect(lines[3]["chosen"] is NSNull)
    #expect(lines[5] == ["lost": ["start_hex": "bd", "end_hex": "be", "pretty": "[/Table/53, /Table/54)", "range_ids": [4],
                                  "table_ids": [53], "tables_open_ended": false,
                                  "index_ids": [] as [Int], "stale_copies": [] as [Int]]] as NSDictionary)
  }

  /// Without s1, r3 (the split's right side) is lost too; s2's pre-split replica of r2 is
  /// named as a stale copy of its keys but not used.
  @Test func rangesWithoutStoreOne() throws {
    let paths = try stores.get()
    let (out, _, status) = try runSalvage(["kv", "ranges", paths[1], paths[2]])
    #expect(status == 2)
    #expect(out.hasSuffix("""
      lost:
        [/Table/52, /Table/54) r3 r4 tables 52 53
          stale copy on s2 (n2): r2 gen 2 held [/Table/52, /Table/53) (not used)

      """))
  }

  /// With a store holding r4, nothing is lost: exit status 0.
  @Test func rangesAllCovered() throws {
    let paths = try stores.get()
    var s4 = StoreSpec()
    s4.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 4, store: 4))
    s4.put(Enc.unversioned(Enc.rangeIDKey(4, replicated: true, "rask")), Enc.appliedState(raft: 7, lease: 3))
    s4.put(Enc.mvcc(Enc.rangeDescriptorKey(ClusterScenario.t53), wallSeconds: 1), ClusterScenario.d4())
    let dir = try makeTempDir("kvcli-s4") + "/s4"
    try s4.write(to: dir)
    let (out, _, status) = try runSalvage(["kv", "ranges"] + paths + [dir])
    #expect(status == 0)
    #expect(out.contains("  r4 [/Table/53, /Table/54) gen 1 from s4 (n4) range-local\n    replicas: n4/s4/r1 n5/s5/r2 n6/s6/r3\n    use s4 (n4): applied 7, lease applied 3\n"))
    #expect(out.hasSuffix("lost: none\n"))
  }

  /// Every version; intents are one line each, on stderr unless --intents.
  @Test func scanVersionsText() throws {
    let paths = try stores.get()
    let (out, err, status) = try runSalvage(["kv", "scan", "--pretty", "--span", "/Table/54..", paths[0]])
    #expect(status == 0)
    #expect(relative(out, paths) == """
      # store <root>/s1: s1 (n1)
      /Table/54/1/1/0 @20.000000000,0 value INT 2
      /Table/54/1/1/0 @10.000000000,0 value INT 1
      /Table/54/1/2/0 @20.000000000,0 tombstone
      /Table/54/1/2/0 @10.000000000,0 value BYTES "a"
      /Table/54/1/3/0 @5.000000000,0 value INT 5

      """)
    #expect(relative(err, paths) == """
      salvage: <root>/s1: /Table/54/1/3/0 @30.000000000,0 intent txn a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf provisional INT 6
      salvage: <root>/s1: /Table/54/1/4/0 @40.000000000,0 intent txn a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf provisional INT 7

      """)
    let (withIntents, _, _) = try runSalvage(["kv", "scan", "--pretty", "--intents", "--span", "/Table/54/1/3../Table/54/1/5", paths[0]])
    #expect(relative(withIntents, paths) == """
      # store <root>/s1: s1 (n1)
      /Table/54/1/3/0 @30.000000000,0 intent txn a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf provisional INT 6
      /Table/54/1/3/0 @5.000000000,0 value INT 5
      /Table/54/1/4/0 @40.000000000,0 intent txn a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf provisional INT 7

      """)
  }

  /// --as-of: newest committed version at or below T; the tombstone hides row 2 from T=20
  /// on; intents never count (row 3 stays 5, row 4 has no committed value).
  @Test func scanAsOf() throws {
    let paths = try stores.get()
    let (at15, _, s15) = try runSalvage(["kv", "scan", "--pretty", "--as-of", "15", "--span", "/Table/54..", paths[0]])
    #expect(s15 == 0)
    #expect(relative(at15, paths) == """
      # store <root>/s1: s1 (n1)
      /Table/54/1/1/0 @10.000000000,0 value INT 1
      /Table/54/1/2/0 @10.000000000,0 value BYTES "a"
      /Table/54/1/3/0 @5.000000000,0 value INT 5

      """)
    let (latest, err, _) = try runSalvage(["kv", "scan", "--as-of", "100", "--format", "jsonl", "--span", "/Table/54..", paths[0]])
    #expect(try jsonLines(latest) == [
      ["store": paths[0], "key_hex": "be898988", "pretty": "/Table/54/1/1/0", "wall_time": 20_000_000_000, "logical": 0, "value_hex": "000000000104", "kind": "value"],
      ["store": paths[0], "key_hex": "be898b88", "pretty": "/Table/54/1/3/0", "wall_time": 5_000_000_000, "logical": 0, "value_hex": "00000000010a", "kind": "value"],
    ] as [NSDictionary])
    #expect(try jsonLines(err).map { $0["kind"] as? String } == ["intent", "intent"])
    #expect(try jsonLines(err).map { $0["pretty"] as? String } == ["/Table/54/1/3/0", "/Table/54/1/4/0"])
  }

  /// Store-local records are inline values; the span and timestamp arguments are checked.
  @Test func scanInlineAndBadArguments() throws {
    let paths = try stores.get()
    let (out, _, status) = try runSalvage(["kv", "scan", "--as-of", "1", "--span", "/Local/Store/storeIdent../Local/Max", "--format", "jsonl", paths[2]])
    #expect(status == 0)
    #expect(try jsonLines(out).map { $0["pretty"] as? String } == ["/Local/Store/storeIdent"])
    #expect(try jsonLines(out).first?["kind"] as? String == "inline")
    #expect(try jsonLines(out).first?["wall_time"] as? Int == 0)
    #expect(try jsonLines(out).first?["value_hex"] as? String == "00000000030a10101112131415161718191a1b1c1d1e1f10031803")
    let (_, err, bad) = try runSalvage(["kv", "scan", "--as-of", "yesterday", paths[0]])
    #expect(bad == 64)
    #expect(err.contains("--as-of"))
    let (_, _, missing) = try runSalvage(["kv", "ranges", paths[0] + "-nonexistent"])
    #expect(missing == 1)
  }
  /// A damaged DECIMAL whose exponent is near 2^31 (issue 14, item 7) once made the value
  /// summary pad ~1.8·10^9 zeros (51 s, 3.5 GB): it is now reported as damaged at once, and
  /// a damaged value is a problem like any other (exit 2).
  @Test func hostileDecimalValueIsReportedAsDamaged() throws {
    let dir = try makeTempDir("kv-hostile-decimal")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var spec = StoreSpec()
    spec.put(Enc.mvcc(Enc.row(54, 1), wallSeconds: 1), Enc.roachValue(tag: 5, bytes(hex: "34f96b0000042c")))
    try spec.write(to: dir)
    for pretty in [["--pretty"], []] {
      let (out, err, status) = try runSalvage(["kv", "scan"] + pretty + [dir])
      #expect(status == 2)
      #expect(err.contains("/Table/54/1/1/0@1.000000000,0: value damaged: DECIMAL: exponent 1795162116 out of range"), "\(err)")
      let line = out.split(separator: "\n").last.map(String.init) ?? ""
      if pretty.isEmpty {
        #expect(line.hasSuffix(" value 000000000534f96b0000042c"), "\(line)")
      } else {
        #expect(line == "/Table/54/1/1/0 @1.000000000,0 value tag 5 34f96b0000042c (damaged: DECIMAL: exponent 1795162116 out of range)")
      }
    }
  }
}
