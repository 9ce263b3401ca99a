import CZlib
import Foundation

/// A stream of rows, each a list of text values (nil = NULL).
public protocol RowStream: AnyObject {
  func next() throws -> [String?]?
}

/// How a SOURCE's CSV files spell NULL and whether they start with a header line. recover
/// writes no header and `\N`; `cockroach sql --format=csv` and `COPY … WITH CSV HEADER`
/// write a header, and PostgreSQL's CSV NULL is the unquoted empty field.
public struct CSVDialect: Sendable, Equatable {
  public enum Header: String, Sendable { case auto, yes, no }
  public var header: Header = .auto
  /// An unquoted field with exactly this text is NULL (a quoted one never is): `""` makes
  /// unquoted empty fields NULL and quoted `""` empty strings, as PostgreSQL's CSV does.
  public var null = "\\N"
  public init(header: Header = .auto, null: String = "\\N") { self.header = header; self.null = null }

  /// Whether `first`, the file's first record, is a header to skip: always with `.yes`;
  /// with `.auto` when it is the table's column names (case-insensitive, in order).
  public func isHeader(_ first: [String?], columns: [String]) -> Bool {
    switch header {
    case .yes: return true
    case .no: return false
    case .auto:
      return first.count == columns.count
        && zip(first, columns).allSatisfy { $0?.trimmingCharacters(in: .whitespaces).lowercased() == $1.lowercased() }
    }
  }
}

/// The project's one CSV reader (verify, and the database loaders through `RecoveredCSVRows`):
/// streams the records of a CSV file, plain or gzip (`.gz`), with RFC 4180 quoting (quoted
/// fields may hold newlines), `\n` or `\r\n` line ends, and by default recover's dialect:
/// unquoted `\N` = NULL, no header. Reads 1 MiB at a time.
public final class CSVRecordReader: RowStream {
  public let path: String
  /// Unquoted text read as NULL.
  let null: [UInt8]
  /// Whether a last record without its newline is an error (a cut-short file recover wrote)
  /// rather than a record (hand-made CSVs often end so).
  let requireFinalNewline: Bool
  let handle: FileHandle?
  let gz: gzFile?
  var buffer: [UInt8] = []
  var pos = 0
  var eof = false
  public private(set) var records = 0

  public init(path: String, null: String = "\\N", requireFinalNewline: Bool = false) throws {
    self.path = path
    self.null = Array(null.utf8)
    self.requireFinalNewline = requireFinalNewline
    if path.hasSuffix(".gz") {
      guard let g = gzopen(path, "rb") else { throw RecoveryError("cannot read \(path)") }
      gz = g
      handle = nil
    } else {
      guard let h = FileHandle(forReadingAtPath: path) else { throw RecoveryError("cannot read \(path)") }
      handle = h
      gz = nil
    }
  }

  deinit {
    try? handle?.close()
    if let gz { gzclose(gz) }
  }

  /// Reads more bytes, keeping the unconsumed tail; false at end of file.
  func refill() throws -> Bool {
    if eof { return false }
    buffer.removeFirst(pos)
    pos = 0
    let before = buffer.count
    if let gz {
      buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
      let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress! + before, 1 << 20) }
      buffer.removeLast((1 << 20) - Int(max(n, 0)))
      guard n >= 0 else { throw RecoveryError("\(path): gzip data damaged") }
    } else if let more = try handle!.read(upToCount: 1 << 20) {
      buffer.append(contentsOf: more)
    }
    if buffer.count == before { eof = true; return false }
    return true
  }

  public func next() throws -> [String?]? {
    while true {
      if let (fields, end) = try parse(from: pos) {
        pos = end
        records += 1
        return fields
      }
      if try !refill() {
        guard pos < buffer.count else { return nil }
        if requireFinalNewline {
          throw RecoveryError("\(path): record \(records + 1) is cut short (unterminated quote or missing newline)")
        }
        // Last record without a final newline.
        if let (fields, end) = try parse(from: pos, atEOF: true) { pos = end; records += 1; return fields }
        throw RecoveryError("\(path): unterminated quoted field in record \(records + 1)")
      }
    }
  }

  /// One record starting at `start`, or nil when the buffer ends first.
  func parse(from start: Int, atEOF: Bool = false) throws -> ([String?], Int)? {
    var i = start
    var fields: [String?] = []
    let n = buffer.count
    if i >= n { return nil }
    while true {
      if i < n && buffer[i] == UInt8(ascii: "\"") {
        var v: [UInt8] = []
        i += 1
        while true {
          // Copy up to the next quote in one go.
          let s = i
          while i < n && buffer[i] != UInt8(ascii: "\"") { i += 1 }
          v.append(contentsOf: buffer[s..<i])
          guard i < n else { return nil }
          if i + 1 < n && buffer[i + 1] == UInt8(ascii: "\"") { v.append(buffer[i]); i += 2; continue }
          if i + 1 >= n && !atEOF { return nil }
          i += 1
          break
        }
        fields.append(String(decoding: v, as: UTF8.self))
      } else {
        let s = i
        while i < n && buffer[i] != UInt8(ascii: ",") && buffer[i] != UInt8(ascii: "\n") { i += 1 }
        if i >= n && !atEOF { return nil }
        var e = i
        if e > s && buffer[e - 1] == UInt8(ascii: "\r") { e -= 1 }
        let raw = buffer[s..<e]
        fields.append(raw.elementsEqual(null) ? nil : String(decoding: raw, as: UTF8.self))
      }
      if i >= n { return atEOF ? (fields, i) : nil }
      if buffer[i] == UInt8(ascii: ",") { i += 1; continue }
      if buffer[i] == UInt8(ascii: "\n") { return (fields, i + 1) }
      throw RecoveryError("\(path): unexpected byte after a quoted field in record \(records + 1)")
    }
  }

  /// A CSV line for `fields` in the same dialect (used for spill files).
  public static func line(_ fields: [String?]) -> String {
    var out = ""
    for (i, f) in fields.enumerated() {
      if i > 0 { out += "," }
      guard let f else { out += "\\N"; continue }
      if f.isEmpty || f == "\\N" || f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        out += "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      } else {
        out += f
      }
    }
    return out + "\n"
  }
}
