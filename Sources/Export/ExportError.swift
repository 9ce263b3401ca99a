/// Every failure of this module names the table, the file and the 1-based row number it
/// concerns, when known, so that a message alone locates the problem in a large export.
public struct ExportError: Error, Equatable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    /// The output would land in (or be) a directory holding evidence.
    case forbiddenOutput(forbiddenDirectory: String)
    /// A system call failed; `errno` is the C error number.
    case io(operation: String, errno: Int32)
    case gzip(String)
    case wrongColumnCount(expected: Int, got: Int)
    /// Two source tables map to the same output name.
    case nameCollision(with: String)
    case sqlite(String)
    case postgres(String)
    case unsupported(String)
    /// A report.json that does not decode (report.html is rendered from it).
    case invalidReport(String)
  }

  public var kind: Kind
  public var table: String?
  public var file: String?
  public var row: Int?

  public init(_ kind: Kind, table: String? = nil, file: String? = nil, row: Int? = nil) {
    self.kind = kind
    self.table = table
    self.file = file
    self.row = row
  }

  public var description: String {
    var place: [String] = []
    if let table { place.append("table \(table)") }
    if let file { place.append("file \(file)") }
    if let row { place.append("row \(row)") }
    let prefix = place.isEmpty ? "" : place.joined(separator: ", ") + ": "
    return prefix + kindDescription
  }

  private var kindDescription: String {
    switch kind {
    case .forbiddenOutput(let dir):
      return "refusing to write inside input directory \(dir); choose an output directory outside the evidence"
    case .io(let op, let err): return "\(op) failed: \(String(cString: strerror(err))) (errno \(err))"
    case .gzip(let m): return "gzip: \(m)"
    case .wrongColumnCount(let expected, let got): return "row has \(got) values, table has \(expected) columns"
    case .nameCollision(let other): return "output name collides with table \(other)"
    case .sqlite(let m): return "SQLite: \(m)"
    case .postgres(let m): return "PostgreSQL: \(m)"
    case .unsupported(let m): return "unsupported: \(m)"
    case .invalidReport(let m): return "not a salvage report: \(m)"
    }
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
