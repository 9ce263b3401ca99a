import CockroachKV
import LSMStore
import Testing
@testable import Recovery

/// Which data blocks a partial reader may pass over (`SpanScanner.blockFilter`): only blocks
/// whose index bounds prove every key unwanted, and never one that may hold lock-table keys.
struct BlockFilterTests {
  static let start: [UInt8] = [0xBE, 0x89]          // /Table/54/1
  static let end: [UInt8] = [0xBE, 0x8A]            // /Table/54/2
  static let lockKey: [UInt8] = LocalKeys.lockTableSingleKeyPrefix + [0xBE, 0x89, 0x90]
  static func bare(_ roach: [UInt8]) -> [UInt8] { roach + [0x00] }
  /// roach ‖ 00 ‖ wall time (8 bytes) ‖ 09: a versioned engine key.
  static func versioned(_ roach: [UInt8]) -> [UInt8] { roach + [0x00, 0x16, 0, 0, 0, 0, 0, 0, 1, 0x09] }

  @Test func bytewiseStoresCompareRawKeys() {
    let skip = SpanScanner.blockFilter(start: Self.start, end: Self.end, comparer: .bytewise)
    // Table 53's rows: all below /Table/54/1, after the lock table.
    #expect(skip(Self.versioned([0xBD, 0x89, 0x90]), Self.versioned([0xBD, 0x89, 0xF0])))
    // The first block (no lower bound) and a block that may hold lock-table keys are read.
    #expect(!skip(nil, Self.versioned([0xBD, 0x89, 0x90])))
    #expect(!skip(Self.lockKey, Self.versioned([0xBD, 0x89, 0x90])))
    // A block reaching the wanted span, or beyond it, is read: bytewise order does not
    // bound roach keys from below.
    #expect(!skip(Self.versioned([0xBD, 0x89]), Self.versioned([0xBE, 0x89, 0x90])))
    #expect(!skip(Self.versioned([0xBE, 0x8A, 0x90]), Self.versioned([0xBE, 0x8A, 0xF0])))
  }

  @Test func cockroachStoresCompareRoachKeys() {
    let skip = SpanScanner.blockFilter(start: Self.start, end: Self.end, comparer: .cockroach)
    #expect(skip(Self.versioned([0xBD, 0x89, 0x90]), Self.bare([0xBD, 0x89, 0xF0])))
    #expect(!skip(Self.lockKey + [0x00], Self.versioned([0xBD, 0x89, 0x90])))
    #expect(!skip(Self.versioned([0xBD, 0x89]), Self.versioned([0xBE, 0x89, 0x90])))
    // Roach-key order: a block starting at or after the span's end holds nothing wanted.
    #expect(skip(Self.versioned([0xBE, 0x8A]), Self.versioned([0xBF])))
    #expect(!skip(Self.versioned([0xBE, 0x89, 0xFF]), Self.versioned([0xBF])))
    // A separator that is not an engine key never skips.
    #expect(!skip(Self.versioned([0xBD, 0x89]), [0xBD, 0x89, 0x90, 0x05, 0x07]))
  }

  /// Range-ID-local keys (`/Local/RangeID/…`: Raft logs, applied states) sort before the lock
  /// table: a block of them alone is passed over (read by every unit's pass before, though
  /// Raft logs can be most of a store's local keys); a block reaching the lock table is read.
  @Test func rangeIDLocalBlocksArePassedOver() {
    let raftLog: (UInt8) -> [UInt8] = { i in [0x01, 0x69, 0x89, 0x75, 0x72, 0x66, 0x74, 0x6C, 0, 0, 0, 0, 0, 0, 0, i] }
    for comparer in [Comparer.bytewise, .cockroach] {
      let skip = SpanScanner.blockFilter(start: Self.start, end: Self.end, comparer: comparer)
      #expect(skip(Self.bare(raftLog(1)), Self.bare(raftLog(9))), "\(comparer)")
      // Range-local keys (/Local/Range/…, 01 6B) sort before the lock table (01 7A 6B) too.
      #expect(skip(Self.bare(raftLog(9)), Self.versioned([0x01, 0x6B, 0x12, 0xBE, 0x00, 0x01])), "\(comparer)")
      #expect(!skip(Self.bare(raftLog(9)), Self.lockKey + [0x00]), "\(comparer)")
      #expect(!skip(Self.bare(raftLog(9)), Self.versioned([0xBD, 0x89, 0x90])), "\(comparer)")
    }
  }
}

