/// Options of the CSV dialect. The text written is what `ImportScript` declares in its
/// `WITH` clause, so the two must change together.
public struct CSVOptions: Sendable, Equatable {
  /// Write `<table>.csv.gz` through zlib (CockroachDB decompresses by the `.gz` extension).
  public var gzip: Bool
  /// Write a header row of column names; IMPORT then needs `skip = '1'` (ImportScript adds it).
  public var header: Bool

  public init(gzip: Bool = false, header: Bool = false) {
    self.gzip = gzip
    self.header = header
  }
}

/// Streams one table's rows to `DIR/<db>/<table>.csv[.gz]` in the dialect CockroachDB's
/// IMPORT INTO CSV reads (pkg/sql/importer/read_import_csv.go, pkg/util/encoding/csv):
///
/// - RFC 4180: fields separated by `,`, records ended by `\n`; a field is quoted when it
///   contains `,`, `"`, CR or LF, and an embedded `"` is doubled. CockroachDB's reader keeps
///   CR LF inside quoted fields verbatim (unlike Go's encoding/csv).
/// - NULL is the unquoted field `\N`, declared with `nullif = '\N'`. CockroachDB treats a
///   field as NULL only if it equals `nullif` *and was not quoted* (unless
///   `allow_quoted_null`), so a text value that is literally `\N` is written quoted.
///   Why not the default `nullif = ''`: the reader skips blank lines, so a one-column row
///   holding NULL would vanish; and releases without the quoted/unquoted distinction
///   turned every empty string into NULL, whereas `\N` as text is rare.
/// - The empty string is always written `""`, so a record is never a blank line.
/// - BYTES are `\x` + lower-case hex; other values use `ExportValue.cockroachText`.
///
/// Memory is bounded by one row plus the output buffer.
public final class CSVTableWriter {
  public let table: ExportTable
  /// `<db>/<table>.csv[.gz]`, relative to the output directory (as used by `ImportScript`).
  public let relativePath: String
  public private(set) var rowCount = 0
  private let file: AtomicOutputFile
  private var scratch: [UInt8] = []

  public init(table: ExportTable, directory: String, options: CSVOptions = .init(),
              guard outputGuard: OutputGuard) throws(ExportError) {
    self.table = table
    relativePath = OutputNames.csvPath(table, gzip: options.gzip)
    file = try AtomicOutputFile(path: directory + "/" + relativePath, gzip: options.gzip,
                                guard: outputGuard, table: table.qualifiedName)
    if options.header {
      scratch.removeAll(keepingCapacity: true)
      for (i, c) in table.columns.enumerated() {
        if i > 0 { scratch.append(UInt8(ascii: ",")) }
        Self.appendField(c.name, to: &scratch)
      }
      scratch.append(UInt8(ascii: "\n"))
      try file.write(scratch)
    }
  }

  /// Final path of the file (visible only after `finish()`).
  public var path: String { file.path }

  public func append(_ row: ExportRow) throws(ExportError) {
    let rowNumber = rowCount + 1
    guard row.count == table.columns.count else {
      throw ExportError(.wrongColumnCount(expected: table.columns.count, got: row.count),
                        table: table.qualifiedName, file: file.tmpPath, row: rowNumber)
    }
    scratch.removeAll(keepingCapacity: true)
    Self.appendRecord(row, to: &scratch)
    try file.write(scratch)
    rowCount = rowNumber
  }

  /// Commits the file under its final name and returns the number of rows written.
  @discardableResult
  public func finish() throws(ExportError) -> Int {
    try file.commit()
    return rowCount
  }

  /// Drops the partial file (for a caller that failed mid-table).
  public func abandon() { file.abandon() }

  /// Writes every row of `rows`; on any error the partial file is removed.
  @discardableResult
  public static func write<Rows: ExportRowSource>(
    _ table: ExportTable, rows: inout Rows, directory: String, options: CSVOptions = .init(),
    guard outputGuard: OutputGuard
  ) throws -> CSVTableWriter {
    let writer = try CSVTableWriter(table: table, directory: directory, options: options, guard: outputGuard)
    do {
      while let row = try rows.next() { try writer.append(row) }
      try writer.finish()
    } catch {
      writer.abandon()
      throw error
    }
    return writer
  }

  // MARK: Encoding (pure, tested byte for byte)

  /// One record, `\n`-terminated.
  static func appendRecord(_ row: ExportRow, to out: inout [UInt8]) {
    for (i, value) in row.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      if let text = value.cockroachText {
        appendField(text, to: &out)
      } else {
        out.append(contentsOf: nullMarker.utf8)
      }
    }
    out.append(UInt8(ascii: "\n"))
  }

  /// The `nullif` value declared in the IMPORT statement.
  public static let nullMarker = "\\N"

  static func appendField(_ text: String, to out: inout [UInt8]) {
    var text = text
    text.withUTF8 { bytes in
      if !needsQuotes(bytes) {
        out.append(contentsOf: bytes)
        return
      }
      out.append(UInt8(ascii: "\""))
      for b in bytes {
        if b == UInt8(ascii: "\"") { out.append(b) }
        out.append(b)
      }
      out.append(UInt8(ascii: "\""))
    }
  }

  static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.isEmpty { return true }
    if bytes.count == 2 && bytes[0] == UInt8(ascii: "\\") && bytes[1] == UInt8(ascii: "N") { return true }
    for b in bytes where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0d || b == 0x0a {
      return true
    }
    return false
  }
}
