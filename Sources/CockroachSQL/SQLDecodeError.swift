import CockroachKV

/// Errors of the CockroachSQL layer (style guide §3 "Corrupt input"). Each names what was being
/// decoded, the table and column when known, the byte offset inside that input, and the source
/// line of the check that fired:
/// `value TUPLE [table accounts, column balance] @3: decimal length 9 runs past the end [ValueEncoding.swift:88]`.
public struct SQLDecodeError: Error, CustomStringConvertible, Equatable, Sendable {
  public enum Kind: String, Sendable {
    /// Bytes that contradict the layout.
    case corrupt
    /// The input ends before a structure it announces.
    case truncated
    /// Well-formed input Salvage does not decode (a type family, a key marker).
    case unsupported
    /// Bad text handed to the `--schema` parser.
    case syntax
    /// Something the decoder needs is not there (a column, a family, a type descriptor).
    case missing
  }

  public var kind: Kind
  public var what: String
  public var message: String
  public var table: String?
  public var column: String?
  public var offset: Int?
  public var source: String

  public init(_ kind: Kind, _ what: String, _ message: String, table: String? = nil, column: String? = nil,
              offset: Int? = nil, fileID: StaticString = #fileID, line: UInt = #line) {
    self.kind = kind
    self.what = what
    self.message = message
    self.table = table
    self.column = column
    self.offset = offset
    let f = "\(fileID)"
    self.source = "\(f.split(separator: "/").last.map(String.init) ?? f):\(line)"
  }

  /// Wraps a CockroachKV error (ordered decoders, protobuf reader), keeping its source line.
  public init(_ e: KVError, what: String? = nil, offset: Int? = nil) {
    let k: Kind
    switch e.kind {
    case .truncated: k = .truncated
    case .unsupported: k = .unsupported
    case .syntax: k = .syntax
    default: k = .corrupt
    }
    self.init(k, what.map { "\($0): \(e.what)" } ?? e.what, e.message, offset: offset ?? e.offset)
    self.source = e.source
  }

  public var description: String {
    var s = what
    var ctx: [String] = []
    if let table { ctx.append("table \(table)") }
    if let column { ctx.append("column \(column)") }
    if !ctx.isEmpty { s += " [" + ctx.joined(separator: ", ") + "]" }
    if let offset { s += " @\(offset)" }
    return "\(s): \(message) [\(source)]"
  }

  /// The same error with table/column/offset filled in where still unknown.
  public func context(table: String? = nil, column: String? = nil, offset: Int? = nil) -> SQLDecodeError {
    var e = self
    if e.table == nil { e.table = table }
    if e.column == nil { e.column = column }
    if e.offset == nil { e.offset = offset }
    return e
  }
}

/// Runs a CockroachKV decoder, turning its `KVError` into an `SQLDecodeError`.
@inline(__always)
func kv<T>(_ what: String, _ body: () throws(KVError) -> T) throws(SQLDecodeError) -> T {
  do { return try body() } catch { throw SQLDecodeError(error, what: what) }
}
