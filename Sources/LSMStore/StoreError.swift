import SSTable

/// Errors of the store layer. Each names the file and, where known, the absolute byte
/// offset, so a damaged store is reported as `MANIFEST-000001 @259: record checksum mismatch …`.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// Bytes that contradict the format: skip what they cover and go on.
    case corrupt
    /// A valid structure Salvage does not read (column families, encryption…).
    case unsupported
    /// The file ends inside a structure it announces (torn write).
    case truncated
    /// A file the store needs is absent.
    case missing
    /// The operating system refused a read.
    case io
  }

  public var kind: Kind
  public var message: String
  public var file: String
  public var offset: Int?

  public init(_ kind: Kind, _ message: String, file: String = "", offset: Int? = nil) {
    self.kind = kind
    self.message = message
    self.file = file
    self.offset = offset
  }

  /// The table-layer error, naming `file` (a short name) instead of the full path.
  public init(_ e: SSTableError, file: String) {
    self.init(e)
    self.file = file
  }

  public init(_ e: SSTableError) {
    let k: Kind = switch e.kind {
    case .corrupt: .corrupt
    case .unsupported: .unsupported
    case .truncated: .truncated
    case .io: .io
    }
    self.init(k, e.message, file: e.file, offset: e.offset)
  }

  public var description: String {
    var s = file
    if let offset { s += (s.isEmpty ? "@" : " @") + String(offset) }
    return s.isEmpty ? message : s + ": " + message
  }
}

/// Something the reader had to skip or could not read, with where it was. Collected rather
/// than thrown: a salvage run reports every problem and keeps going.
public struct StoreIssue: Sendable, CustomStringConvertible, Equatable {
  public enum Severity: String, Sendable { case damage, warning, note }
  public var severity: Severity
  public var error: StoreError
  public init(_ severity: Severity, _ error: StoreError) { self.severity = severity; self.error = error }
  public var description: String { "\(severity.rawValue): \(error)" }
}

/// Last path component, for messages.
func baseName(_ path: String) -> String {
  guard let i = path.lastIndex(of: "/") else { return path }
  return String(path[path.index(after: i)...])
}
