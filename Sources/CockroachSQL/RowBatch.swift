/// Where each column of a table sits in a row of a `RowBatch`: every column the descriptor
/// knows (public ones, then those of mutations), by position. Built once per table.
public final class RowLayout: Sendable {
  public let columns: [ColumnDescriptor]
  public let types: [SQLType]
  /// Column ID → position, dense for the usual small IDs (no hashing per datum).
  @usableFromInline let denseOrdinal: [Int32]
  @usableFromInline let sparseOrdinal: [UInt32: Int]

  public init(table: TableDescriptor) {
    columns = table.allColumns
    types = columns.map(\.type)
    let maxID = columns.map(\.id).max() ?? 0
    var dense = [Int32](repeating: -1, count: maxID < 1 << 16 ? Int(maxID) + 1 : 0)
    var sparse: [UInt32: Int] = [:]
    // The first column with an ID wins, as `TableDescriptor.column(id:)` finds it.
    for (i, c) in columns.enumerated().reversed() {
      if Int(c.id) < dense.count { dense[Int(c.id)] = Int32(i) } else { sparse[c.id] = i }
    }
    denseOrdinal = dense
    sparseOrdinal = sparse
  }

  public var width: Int { columns.count }

  @inlinable public func ordinal(of id: UInt32) -> Int? {
    if Int(id) < denseOrdinal.count {
      let o = denseOrdinal[Int(id)]
      return o < 0 ? nil : Int(o)
    }
    return sparseOrdinal[id]
  }
}

/// Decoded rows of one table, typed and flat (issue 16): per row one slot per layout column;
/// fixed-width values inline, text, bytes and checked stored bodies as ranges of one byte
/// arena, and only the rare types (ENUM, TIMETZ, other arrays, odd values…) as `Datum`s.
/// Reused batch after batch, it allocates nothing per row or field once warm.
public struct RowBatch: Sendable {
  public enum Slot: UInt8, Sendable {
    /// Not written by the row's KVs: NULL (a missing family).
    case unset
    case null, bool, int, float
    /// UTF-8 text in the arena (`a` = offset, `b` = length).
    case string
    /// Bytes in the arena.
    case bytes
    /// Days since 1970 in `a`.
    case date
    /// Unix seconds in `a`, nanoseconds in `b`.
    case timestamp, timestampTZ
    /// A finite DECIMAL: its coefficient's digits in the arena at `a`; `b` packs the digit
    /// count (low 32 bits), the sign (bit 32) and the exponent (bits 33…). See `decimalParts`.
    case decimal
    /// A UUID's 16 bytes in the arena at `a`.
    case uuid
    /// JSONB as stored (`a` = offset in the arena, `b` = length), checked by `JSONB.isPlain`.
    case json
    /// TIME: microseconds since midnight in `a`.
    case time
    /// OID in `a`.
    case oid
    /// INTERVAL: nanoseconds in `a`; `b` packs days (low 32 bits) and months (high 32 bits).
    case interval
    /// INET: the mask byte then the 4 or 16 address bytes in the arena at `a`; `b` = address length.
    case inet
    /// BIT/VARBIT as ASCII '0'/'1' in the arena (`a` = offset, `b` = length).
    case bits
    /// An INT or STRING array body as stored (`a` = offset, `b` = length | element kind << 32),
    /// checked by `ArrayRaw.isPlain`.
    case array
    /// `datums[a]`.
    case datum
  }

  public let layout: RowLayout
  public var width: Int { layout.width }
  public private(set) var count = 0
  @usableFromInline var slots: [Slot] = []
  @usableFromInline var a: [Int64] = []
  @usableFromInline var b: [Int64] = []
  @usableFromInline var arena: [UInt8] = []
  @usableFromInline var datums: [Datum] = []
  /// Per row: how many problems its assembly noted (0 for a clean row).
  public private(set) var problemCounts: [Int32] = []

  public init(layout: RowLayout) { self.layout = layout }

  /// Bytes held, to cut batches by size as well as by row count.
  public var byteCount: Int { arena.count + slots.count * 17 }

  public mutating func removeAll() {
    count = 0
    slots.removeAll(keepingCapacity: true)
    a.removeAll(keepingCapacity: true)
    b.removeAll(keepingCapacity: true)
    arena.removeAll(keepingCapacity: true)
    datums.removeAll(keepingCapacity: true)
    problemCounts.removeAll(keepingCapacity: true)
  }

  // MARK: building (RowAssembler)

  struct Mark { var arena: Int; var datums: Int }

  /// Opens a new row with every slot unset.
  mutating func openRow() -> Mark {
    count += 1
    slots.append(contentsOf: repeatElement(.unset, count: width))
    a.append(contentsOf: repeatElement(0, count: width))
    b.append(contentsOf: repeatElement(0, count: width))
    problemCounts.append(0)
    return Mark(arena: arena.count, datums: datums.count)
  }

  /// Drops the row just opened (its key did not decode).
  mutating func dropRow(_ m: Mark) {
    count -= 1
    slots.removeLast(width)
    a.removeLast(width)
    b.removeLast(width)
    problemCounts.removeLast()
    arena.removeSubrange(m.arena...)
    datums.removeSubrange(m.datums...)
  }

  @inline(__always) mutating func set(_ ordinal: Int, _ s: Slot, _ x: Int64 = 0, _ y: Int64 = 0) {
    let i = (count - 1) * width + ordinal
    slots[i] = s
    a[i] = x
    b[i] = y
  }

  /// Clears the row just opened back to unset slots (a fast path gave up on its key).
  mutating func resetRow(_ m: Mark) {
    let start = (count - 1) * width
    for i in start..<(start + width) { slots[i] = .unset; a[i] = 0; b[i] = 0 }
    problemCounts[count - 1] = 0
    arena.removeSubrange(m.arena...)
    datums.removeSubrange(m.datums...)
  }

  /// Stores a finite decimal whose coefficient digits were just appended to the arena at `start`.
  mutating func setDecimal(_ ordinal: Int, negative: Bool, digitsAt start: Int, count n: Int, exponent: Int) {
    set(ordinal, .decimal, Int64(start), Int64(n) | (negative ? 1 << 32 : 0) | Int64(exponent) << 33)
  }

  mutating func set(_ ordinal: Int, datum d: Datum) {
    if case .null = d { set(ordinal, Slot.null); return }
    set(ordinal, Slot.datum, Int64(datums.count))
    datums.append(d)
  }

  mutating func notedProblem() { problemCounts[count - 1] += 1 }

  // MARK: reading

  public func slot(_ row: Int, _ ordinal: Int) -> Slot { slots[row * width + ordinal] }

  /// Whether the row's KVs wrote the column (a decoded NULL counts; a missing family does not).
  public func isSet(_ row: Int, _ ordinal: Int) -> Bool { slots[row * width + ordinal] != .unset }

  /// The slot's value as a `Datum` (allocates: for tests, filters and the slow sinks).
  public func datum(_ row: Int, _ ordinal: Int) -> Datum {
    let i = row * width + ordinal
    switch slots[i] {
    case .unset, .null: return .null
    case .bool: return .bool(a[i] != 0)
    case .int: return .int(a[i])
    case .float: return .float(Double(bitPattern: UInt64(bitPattern: a[i])))
    case .string: return .string(String(decoding: arena[Int(a[i])..<Int(a[i] + b[i])], as: UTF8.self))
    case .bytes: return .bytes(Array(arena[Int(a[i])..<Int(a[i] + b[i])]))
    case .date: return .date(days: a[i])
    case .timestamp: return .timestamp(seconds: a[i], nanos: b[i])
    case .timestampTZ: return .timestampTZ(seconds: a[i], nanos: b[i])
    case .decimal:
      let d = decimalParts(a[i], b[i])
      return .decimal(SQLDecimal(negative: d.negative, coefficient: String(decoding: arena[d.digits], as: UTF8.self),
                                 exponent: d.exponent))
    case .uuid: return .uuid(Array(arena[Int(a[i])..<Int(a[i] + 16)]))
    case .json:
      // Checked when stored, so it decodes; `.null` only if that promise were ever broken.
      return .json((try? JSONB.decode(arena[Int(a[i])..<Int(a[i] + b[i])])) ?? .null)
    case .time: return .time(micros: a[i])
    case .oid: return .oid(UInt32(a[i]))
    case .interval: return .interval(months: b[i] >> 32, days: Int64(Int32(truncatingIfNeeded: b[i])), nanos: a[i])
    case .inet:
      let at = Int(a[i])
      return .inet(mask: arena[at], addr: Array(arena[(at + 1)..<(at + 1 + Int(b[i]))]))
    case .bits: return .bits(String(decoding: arena[Int(a[i])..<Int(a[i] + b[i])], as: UTF8.self))
    case .array:
      // Checked when stored, so it decodes; `.null` only if that promise were ever broken.
      let body = arena[Int(a[i])..<(Int(a[i]) + Int(b[i] & 0xFFFF_FFFF))]
      return (try? DatumDecoding.array(layout.types[ordinal], body)) ?? .null
    case .datum: return datums[Int(a[i])]
    }
  }

  /// The parts of a `.decimal` slot: where its digits sit in the arena, sign and exponent.
  @inline(__always) func decimalParts(_ a: Int64, _ b: Int64) -> (digits: Range<Int>, negative: Bool, exponent: Int) {
    let start = Int(a), n = Int(b & 0xFFFF_FFFF)
    return (start..<(start + n), b & (1 << 32) != 0, Int(b >> 33))
  }

  /// The inline value of a BOOL, INT, FLOAT (bits), DATE or TIMESTAMP (seconds) slot.
  public func inline(_ row: Int, _ ordinal: Int) -> Int64 { a[row * width + ordinal] }

  /// The bytes of a string or bytes slot, borrowed for `body`.
  public func withBytes<R>(_ row: Int, _ ordinal: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let i = row * width + ordinal
    return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[Int(a[i])..<Int(a[i] + b[i])])) }
  }
}
