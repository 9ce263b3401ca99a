import CockroachSQL
import Foundation

/// Rows of one chunk as the SQLite copy stores them: per cell an `ExportValue` kind and its
/// value (inline, or bytes in one arena). Built from a `RowBatch` by the worker that read it;
/// self-contained, so it can wait in a work file for its turn (`SQLiteRowCopy`).
///
/// Each value is what reading the chunk's CSV back gave before (`RecoveredCSVRows.value`):
/// the typed slots map directly, the rest goes through the CSV text and that same mapping.
struct SQLiteRows {
  enum Kind: UInt8 { case null, bool, int, float, decimal, text, bytes, timestamp, other }

  var width: Int
  var count = 0
  /// `Kind` raw values (bytes, so a work file holds them as they are).
  var kinds: [UInt8] = []
  /// BOOL and INT values, float bits, or the arena offset of text kinds.
  var values: [Int64] = []
  var lengths: [Int32] = []
  var arena: [UInt8] = []

  init(width: Int) { self.width = width }

  /// Bytes held (what a queue of them is bounded by).
  var byteCount: Int { arena.count + kinds.count * 13 }

  init(_ batch: RowBatch, ordinals: [Int], families: [TypeFamily?]) {
    self.init(width: ordinals.count)
    kinds.reserveCapacity(batch.count * width)
    values.reserveCapacity(batch.count * width)
    lengths.reserveCapacity(batch.count * width)
    var text = ByteSink(capacity: 64)
    var ignored: [String] = []   // the CSV rendering reported them
    for r in 0..<batch.count {
      for (k, o) in ordinals.enumerated() {
        guard o >= 0 else { append(Kind.null); continue }
        switch batch.slot(r, o) {
        case .unset, .null: append(Kind.null)
        case .bool: append(.bool, batch.inline(r, o) != 0 ? 1 : 0)
        case .int: append(.int, batch.inline(r, o))
        case .float: append(.float, batch.inline(r, o))
        case .string, .bytes:
          batch.withBytes(r, o) { append(batch.slot(r, o) == .string ? .text : .bytes, bytes: $0) }
        case .date, .timestamp, .timestampTZ, .decimal, .uuid, .json, .time, .oid, .interval, .inet, .bits, .array, .datum:
          text.removeAll()
          guard SQLText.write(batch, row: r, ordinal: o, into: &text, problems: &ignored) else { append(Kind.null); continue }
          if let kind = Self.textKind(families[k]) {
            text.bytes.withUnsafeBytes { append(kind, bytes: $0) }
          } else {
            append(value: RecoveredCSVRows.value(String(decoding: text.bytes, as: UTF8.self), families[k]))
          }
        }
      }
      count += 1
    }
  }

  /// The kind `RecoveredCSVRows.value` gives a family's text unchanged (nil: it parses the text).
  static func textKind(_ family: TypeFamily?) -> Kind? {
    switch family {
    case .bool, .int, .oid, .float, .bytes: return nil
    case .decimal: return .decimal
    case .timestamp, .timestampTZ, .date, .time, .timeTZ: return .timestamp
    case .string, .collatedString, .name: return .text
    default: return .other
    }
  }

  mutating func append(_ kind: Kind, _ value: Int64 = 0) {
    kinds.append(kind.rawValue)
    values.append(value)
    lengths.append(0)
  }

  mutating func append(_ kind: Kind, bytes: UnsafeRawBufferPointer) {
    kinds.append(kind.rawValue)
    values.append(Int64(arena.count))
    lengths.append(Int32(bytes.count))
    arena.append(contentsOf: bytes)
  }

  mutating func append(value v: ExportValue) {
    switch v {
    case .null: append(Kind.null)
    case .bool(let b): append(.bool, b ? 1 : 0)
    case .int(let i): append(.int, i)
    case .float(let f): append(.float, Int64(bitPattern: f.bitPattern))
    case .decimal(var s): s.withUTF8 { append(.decimal, bytes: UnsafeRawBufferPointer($0)) }
    case .text(var s): s.withUTF8 { append(.text, bytes: UnsafeRawBufferPointer($0)) }
    case .timestamp(var s): s.withUTF8 { append(.timestamp, bytes: UnsafeRawBufferPointer($0)) }
    case .other(var s): s.withUTF8 { append(.other, bytes: UnsafeRawBufferPointer($0)) }
    case .bytes(let b): b.withUnsafeBytes { append(.bytes, bytes: $0) }
    }
  }

  /// Binds row `r` to the prepared insert (the mapping of `SQLiteSink.withCell`).
  func bind(_ r: Int, _ stmt: OpaquePointer) {
    arena.withUnsafeBytes { a in
      for c in 0..<width {
        let i = r * width + c
        let cell: SQLiteCell
        switch Kind(rawValue: kinds[i]) ?? .null {
        case .null: cell = .null
        case .bool, .int: cell = .int(values[i])
        case .float: cell = .real(Double(bitPattern: UInt64(bitPattern: values[i])))
        case .bytes: cell = .blob(UnsafeRawBufferPointer(rebasing: a[Int(values[i])..<(Int(values[i]) + Int(lengths[i]))]))
        case .decimal, .text, .timestamp, .other:
          cell = .text(UnsafeRawBufferPointer(rebasing: a[Int(values[i])..<(Int(values[i]) + Int(lengths[i]))]))
        }
        SQLiteSink.bind(cell, stmt, Int32(c + 1))
      }
    }
  }

  /// Row `r` as export values (for the description of a rejected row).
  func row(_ r: Int) -> ExportRow {
    (0..<width).map { c in
      let i = r * width + c
      let text = { String(decoding: arena[Int(values[i])..<(Int(values[i]) + Int(lengths[i]))], as: UTF8.self) }
      switch Kind(rawValue: kinds[i]) ?? .null {
      case .null: return .null
      case .bool: return .bool(values[i] != 0)
      case .int: return .int(values[i])
      case .float: return .float(Double(bitPattern: UInt64(bitPattern: values[i])))
      case .decimal: return .decimal(text())
      case .text: return .text(text())
      case .bytes: return .bytes(Array(arena[Int(values[i])..<(Int(values[i]) + Int(lengths[i]))]))
      case .timestamp: return .timestamp(text())
      case .other: return .other(text: text())
      }
    }
  }

  // MARK: work files

  /// `count ‖ width ‖ arena bytes` (3 × Int64), then kinds, values, lengths, arena, in the
  /// machine's byte order: a work file is read back by the process that wrote it.
  func write(to fd: Int32) throws {
    var header = [Int64(count), Int64(width), Int64(arena.count)]
    try Self.writeAll(fd, &header)
    var k = kinds, v = values, l = lengths, a = arena
    try Self.writeAll(fd, &k)
    try Self.writeAll(fd, &v)
    try Self.writeAll(fd, &l)
    try Self.writeAll(fd, &a)
  }

  static func writeAll<T>(_ fd: Int32, _ array: inout [T]) throws {
    try array.withUnsafeBytes { p in
      var done = 0
      while done < p.count {
        let n = Foundation.write(fd, p.baseAddress! + done, p.count - done)
        guard n > 0 else { throw ExportError(.io(operation: "write", errno: errno)) }
        done += n
      }
    }
  }

  /// The next record of a work file, or nil at its end.
  static func read(from fd: Int32) throws -> SQLiteRows? {
    var header = [Int64](repeating: 0, count: 3)
    guard try readAll(fd, &header, allowEnd: true) else { return nil }
    let (count, width, arenaCount) = (Int(header[0]), Int(header[1]), Int(header[2]))
    guard count >= 0, width >= 0, arenaCount >= 0, count.multipliedReportingOverflow(by: width).overflow == false else {
      throw ExportError(.io(operation: "read (work file damaged)", errno: EIO))
    }
    var rows = SQLiteRows(width: width)
    rows.count = count
    rows.kinds = [UInt8](repeating: 0, count: count * width)
    _ = try readAll(fd, &rows.kinds, allowEnd: false)
    rows.values = [Int64](repeating: 0, count: count * width)
    _ = try readAll(fd, &rows.values, allowEnd: false)
    rows.lengths = [Int32](repeating: 0, count: count * width)
    _ = try readAll(fd, &rows.lengths, allowEnd: false)
    rows.arena = [UInt8](repeating: 0, count: arenaCount)
    _ = try readAll(fd, &rows.arena, allowEnd: false)
    return rows
  }

  /// Fills `array`; false at a clean end of file when `allowEnd`.
  static func readAll<T>(_ fd: Int32, _ array: inout [T], allowEnd: Bool) throws -> Bool {
    try array.withUnsafeMutableBytes { p in
      var done = 0
      while done < p.count {
        let n = Foundation.read(fd, p.baseAddress! + done, p.count - done)
        if n == 0 && done == 0 && allowEnd { return false }
        guard n > 0 else { throw ExportError(.io(operation: "read", errno: n == 0 ? EIO : errno)) }
        done += n
      }
      return true
    }
  }
}
