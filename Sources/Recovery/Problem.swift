import LSMStore
import SSTable

/// One thing a read or a recovery could not do, as data (issue 16): the kind of trouble,
/// where it is (store, file, what it concerns, key), and the underlying error's text. Only
/// `report.json`, `report.html` and the CLI turn it into a line (`description`).
public struct Problem: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// Bytes that fail their checks or cannot be read: a table, block, WAL, MANIFEST, blob.
    case damage
    /// A key or value that does not decode as what its place says it is.
    case undecodable
    /// Something the recovery needs and did not find: descriptors, ranges, a table's schema.
    case missing
    /// A schema decision or conflict: dropped tables, `--schema` files, DDL.
    case schema
    /// Recovered rows and index entries that disagree.
    case inconsistent
    /// A caveat of the reading: something skipped or assumed that may change what is recovered.
    case warning
    /// The backup of `--fill-from` does not give what was asked.
    case backup
  }

  public var kind: Kind
  /// The store directory; the line names it first unless the rest starts with a path in it.
  public var store: String?
  /// A file the problem is in (a table, WAL or MANIFEST path).
  public var file: String?
  /// What it concerns, before the detail: a table's name, a range, `descriptor 52`…
  public var subject: String?
  /// The roach key it concerns, if one (the detail or subject names it as text too).
  public var key: [UInt8]?
  /// The underlying error or the finding.
  public var detail: String

  public init(_ kind: Kind, store: String? = nil, file: String? = nil, subject: String? = nil,
              key: [UInt8]? = nil, _ detail: String) {
    self.kind = kind
    self.store = store
    self.file = file
    self.subject = subject
    self.key = key
    self.detail = detail
  }

  /// `[store: ][file: ][subject: ]detail`, the store left out when the rest names it.
  public var description: String {
    var line = [file, subject].compactMap { $0 }.map { $0 + ": " }.joined() + detail
    // Named once: a line that starts with a path inside the store, or with the store itself.
    if let store, !line.hasPrefix(store.hasSuffix("/") ? store : store + "/"), !line.hasPrefix(store + ": ") {
      line = store + ": " + line
    }
    return line
  }

  /// Lines sort as text (reports list problems in that order).
  public static func < (a: Problem, b: Problem) -> Bool { a.description < b.description }

  /// A store-layer finding (its text is the issue's own: severity, file, offset, message).
  public init(_ issue: StoreIssue, store: String? = nil) {
    self.init(issue.severity == .damage ? .damage : .warning, store: store, "\(issue)")
  }

  /// A damaged block or table part (its file first, as `Damage` prints it).
  public init(_ damage: Damage, store: String? = nil) {
    self.init(.damage, store: store, file: damage.file, damage.detail)
  }

  /// This problem placed in store `path` (a pass's problems do not know which store it read).
  public func inStore(_ path: String) -> Problem {
    var p = self
    p.store = path
    return p
  }
}
