import Foundation
import Testing
import SalvageTestSupport

/// `salvage kv ranges --check-replay` on a store whose log still holds entries it applied
/// (RaftEnc.appliedTailStore): one summary line per store, a line per range that disagrees,
/// and the same facts as JSON lines.
struct KVCheckReplayCLITests {
  @Test func agreeingStoreIsOneLine() throws {
    let dir = try RaftEnc.appliedTailStore()
    let r = try CLI.run(["kv", "ranges", "--check-replay", dir])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("""
      replay checked against applied entries:
        s1 (n1): 1 range(s), 5 applied entries: 4 accepted, 1 rejected, 0 empty; 3 versioned writes found, 0 not in the store; 1 of 1 agree
      """), "\(r.stdout)")
  }

  @Test func disagreementIsNamed() throws {
    let dir = try RaftEnc.appliedTailStore(storedLAI: 8, reproposalApplied: true)
    let text = try CLI.run(["kv", "ranges", "--check-replay", dir]).stdout
    #expect(text.contains("0 of 1 agree"), "\(text)")
    #expect(text.contains("    r1 entries 10–14: lease applied index 7 replayed, 8 stored; 1 write(s) of rejected commands in the store"), "\(text)")
    let json = try CLI.run(["kv", "ranges", "--check-replay", "--format", "jsonl", dir]).stdout
    let line = try #require(json.split(separator: "\n").first { $0.contains("\"replay_check\"") })
    let check = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["replay_check"] as? [String: Any])
    #expect(check["range_id"] as? Int == 1 && check["accepted"] as? Int == 4 && check["rejected"] as? Int == 1)
    #expect(check["lease_applied_index"] as? [Int] == [7, 8])
    #expect(check["rejected_writes_present"] as? Int == 1)
    #expect(check["agrees"] as? Bool == false)
  }
}
