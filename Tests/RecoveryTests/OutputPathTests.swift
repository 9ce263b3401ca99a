import Testing
@testable import Recovery

/// Table names may hold `/`, `..` and anything else a quoted identifier allows: the files
/// recover writes (and verify looks for) stay inside OUT/<db>/.
@Suite struct OutputPathTests {
  @Test func namesStayInsideTheOutput() {
    #expect(OutputPath.csv(database: "../x", schema: "public", table: "a/b") == "%2E.%2Fx/a%2Fb.csv")
    #expect(OutputPath.csv(database: "db", schema: "s p", table: "..", gzip: true) == "db/s%20p.%2E..csv.gz")
    #expect(OutputPath.csv(database: "game", schema: "public", table: "events") == "game/events.csv")
    #expect(OutputPath.component("") == "%" && OutputPath.component("é") == "%C3%A9")
  }
}
