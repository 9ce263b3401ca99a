import Testing
import CockroachKV
@testable import Recovery

/// The scenario's stores, built once per process with `ldb` (a failure names the missing tool).
let scenarioPaths: Result<[String], Error> = Result { try ClusterScenario.build("recovery") }

func scenarioCatalogs() throws -> [StoreCatalog] {
  try scenarioPaths.get().map { try StoreCatalog.read(path: $0) }
}

struct EncoderTests {
  /// The test encoders agree with CockroachKV's key builders.
  @Test func encodersMatchCockroachKV() {
    #expect(Enc.rangeDescriptorKey(Enc.table(50)) == LocalKeys.rangeDescriptorKey(startKey: [0xBA]))
    #expect(Enc.rangeIDKey(7, replicated: true, "rask") == LocalKeys.rangeAppliedStateKey(rangeID: 7))
    #expect(Enc.rangeIDKey(1, replicated: false, "rftl", detail: [0, 0, 0, 0, 0, 0, 0, 98]) == LocalKeys.raftLogKey(rangeID: 1, index: 98))
    #expect(Enc.meta2Key(Enc.table(53)) == LocalKeys.meta2Key(rangeEndKey: [0xBD]))
    #expect(Enc.storeIdentKey == LocalKeys.storeIdentKey)
    #expect(Enc.uvarint(300) == { var b: [UInt8] = []; OrderedEncoding.encodeUvarintAscending(300, into: &b); return b }())
    #expect(Enc.lock(Enc.row(54, 4), txn: ClusterScenario.txn).dropLast(18) == LocalKeys.lockTableKey(lockedKey: Enc.row(54, 4)) + [0])
    #expect(Keyspace.prettyPrint(Enc.row(54, 1)) == "/Table/54/1/1/0")
  }
}
