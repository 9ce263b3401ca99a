import Foundation
import LSMStore
import SSTable
import Testing
@testable import Recovery

/// Problems are data (kind, store, file, subject, key, detail); their one line is made here.
struct ProblemTests {
  @Test func lineNamesTheStoreOnceThenFileSubjectAndDetail() {
    #expect(Problem(.missing, "no range descriptors found").description == "no range descriptors found")
    #expect(Problem(.undecodable, store: "/d/s1", subject: "/Local/Range/1", "bad value").description == "/d/s1: /Local/Range/1: bad value")
    // A file inside the store names the store already.
    #expect(Problem(.damage, store: "/d/s1", file: "/d/s1/000007.sst", "checksum mismatch").description == "/d/s1/000007.sst: checksum mismatch")
    #expect(Problem(.damage, store: "/d/s1/", file: "/d/s1/000007.sst", "x").description == "/d/s1/000007.sst: x")
    // A file elsewhere (a sibling whose name only starts the same) does not.
    #expect(Problem(.damage, store: "/d/s1", file: "/d/s10/000007.sst", "x").description == "/d/s1: /d/s10/000007.sst: x")
    // A store without an ident is labelled by its path, and its own issues start with it.
    #expect(Problem(.warning, store: "/d/s1", "/d/s1: MANIFEST-000020 names 000180.sst").description == "/d/s1: MANIFEST-000020 names 000180.sst")
    #expect(Problem(.warning, store: "/d/s1", "/d/s10: x").description == "/d/s1: /d/s10: x")
    #expect(Problem(.schema, subject: "game.t", "no DDL").inStore("/d/s2").description == "/d/s2: game.t: no DDL")
  }

  @Test func damageAndStoreIssuesKeepTheirOwnText() {
    let d = Damage(file: "/d/s1/000007.sst", blockKind: "data", handle: BlockHandle(offset: 10, length: 20), message: "checksum mismatch",
                   lowerKey: [0x61], upperKey: nil)
    let p = Problem(d, store: "/d/s1")
    #expect(p.description == "\(d)" && p.kind == .damage && p.file == d.file)
    let warning = StoreIssue(.warning, StoreError(.missing, "no MANIFEST pointer", file: "CURRENT"))
    #expect(Problem(warning).description == "\(warning)" && Problem(warning).kind == .warning)
    let damage = StoreIssue(.damage, StoreError(.corrupt, "torn record", file: "000003.log", offset: 7))
    #expect(Problem(damage, store: "/d/s1").description == "/d/s1: \(damage)" && Problem(damage).kind == .damage)
  }

  @Test func problemsSortAsTheirLinesAndRoundTripThroughJSON() throws {
    let ps = [Problem(.damage, store: "b", "2"), Problem(.missing, "a: 9"), Problem(.undecodable, subject: "b", key: [1, 2], "1")]
    #expect(ps.sorted().map(\.description) == ["a: 9", "b: 1", "b: 2"])
    let back = try JSONDecoder().decode([Problem].self, from: JSONEncoder().encode(ps))
    #expect(back == ps)
  }
}
