import CockroachKV

/// A span of roach keys `[start, end)`; `end` is exclusive, `[]` is /Min and `ff ff` /Max.
public struct KeySpan: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var start: [UInt8]
  public var end: [UInt8]

  public init(start: [UInt8], end: [UInt8]) {
    self.start = start
    self.end = end
  }

  public static let everything = KeySpan(start: [], end: LocalKeys.keyMax)

  public var isEmpty: Bool { !start.lexicographicallyPrecedes(end) }

  public func contains(_ key: [UInt8]) -> Bool {
    !key.lexicographicallyPrecedes(start) && key.lexicographicallyPrecedes(end)
  }

  public func overlaps(_ other: KeySpan) -> Bool {
    start.lexicographicallyPrecedes(other.end) && other.start.lexicographicallyPrecedes(end)
  }

  /// The common part, nil when the spans do not overlap.
  public func intersection(_ other: KeySpan) -> KeySpan? {
    let s = KeySpan(start: laterKey(start, other.start), end: earlierKey(end, other.end))
    return s.isEmpty ? nil : s
  }

  public static func < (a: KeySpan, b: KeySpan) -> Bool {
    a.start != b.start ? a.start.lexicographicallyPrecedes(b.start) : a.end.lexicographicallyPrecedes(b.end)
  }

  /// `[/Table/52, /Table/53)`.
  public var pretty: String { "[\(Keyspace.prettyPrint(start)), \(Keyspace.prettyPrint(end)))" }
  public var description: String { pretty }
}

func laterKey(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] { a.lexicographicallyPrecedes(b) ? b : a }
func earlierKey(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] { a.lexicographicallyPrecedes(b) ? a : b }

func hex<C: Collection>(_ b: C) -> String where C.Element == UInt8 { Array(b).hex }
