/// Errors of the CockroachKV layer. Each names what was being decoded, the byte offset inside
/// that input when known, and the source line of the check that fired, so a bad entry reads
/// `MVCCValueHeader @7: truncated (need 9 bytes, have 3) [Protobuf.swift:88]`.
public struct KVError: Error, CustomStringConvertible, Equatable, Sendable {
  public enum Kind: String, Sendable {
    /// Bytes that contradict the layout (bad varint, impossible length, wrong marker).
    case corrupt
    /// The input ends before a structure it announces.
    case truncated
    /// A stored checksum does not match the bytes.
    case checksum
    /// Well-formed input of a kind Salvage does not decode (e.g. protobuf groups).
    case unsupported
    /// Bad text handed to a parser of ours (`Keyspace.parse`, timestamps).
    case syntax
  }

  public var kind: Kind
  /// What was being decoded: "EngineKey", "MVCCValueHeader", "RangeDescriptor.replica"...
  public var what: String
  public var message: String
  /// Offset inside the decoded input, when meaningful.
  public var offset: Int?
  public var source: String

  public init(_ kind: Kind, _ what: String, _ message: String, offset: Int? = nil,
              fileID: StaticString = #fileID, line: UInt = #line) {
    self.kind = kind
    self.what = what
    self.message = message
    self.offset = offset
    let f = "\(fileID)"
    self.source = "\(f.split(separator: "/").last.map(String.init) ?? f):\(line)"
  }

  public var description: String {
    var s = what
    if let offset { s += " @\(offset)" }
    return "\(s): \(message) [\(source)]"
  }

  /// The same error, re-labelled with an outer context ("RangeDescriptor" → "RangeDescriptor.replica").
  public func within(_ outer: String) -> KVError {
    var e = self
    e.what = outer + "." + what
    return e
  }
}
