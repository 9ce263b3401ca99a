/// Errors of the SSTable layer. Each names the file and, where known, the absolute byte
/// offset and what was being read, so a damaged file is reported as
/// `fv5.sst @18949: data block checksum mismatch (crc32c stored 0x… computed 0x…)`.
public struct SSTableError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    /// Bytes that contradict the format: skip what they cover and go on.
    case corrupt
    /// A valid file of a format or feature Salvage does not read.
    case unsupported
    /// The file ends before a structure it announces.
    case truncated
    /// The operating system refused a read.
    case io
  }

  public var kind: Kind
  public var message: String
  public var file: String
  /// Absolute file offset of the structure at fault.
  public var offset: Int?

  public init(_ kind: Kind, _ message: String, file: String = "", offset: Int? = nil) {
    self.kind = kind
    self.message = message
    self.file = file
    self.offset = offset
  }

  public var description: String {
    var s = file.isEmpty ? "" : file
    if let offset { s += (s.isEmpty ? "@" : " @") + String(offset) }
    return s.isEmpty ? message : s + ": " + message
  }

  /// The same error, naming `file` if it did not already.
  public func inFile(_ name: String) -> SSTableError {
    var e = self
    if e.file.isEmpty { e.file = name }
    return e
  }
}
