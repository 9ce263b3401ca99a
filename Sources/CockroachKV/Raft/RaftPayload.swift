/// What a Raft entry's `Data` holds (docs/raft-log-format.md §3):
///
/// ```
/// normal entry, empty Data            → empty (R-EMPTY)
/// normal entry:  +---------+----------------+----------------------+
///                | version | command ID (8) | RaftCommand proto    |   (R-PREFIX)
///                +---------+----------------+----------------------+
///   version 0 standard, 1 sideloaded (19.1+), 2 / 3 the same with admission-control
///   fields 18–20 inside the command (23.1+), 4 / 5 the same again with the raft priority in
///   the byte's top two bits (24.3+); 19.x masks the byte with 0x7F.
/// conf change (v1 / v2): ConfChange{4 context} / ConfChangeV2{3 context}
///   context = ConfChangeContext{1 command_id string, 2 payload = RaftCommand}   (R-CC)
/// ```
public struct RaftPayload: Equatable, Sendable {
  public enum Encoding: Equatable, Sendable {
    case empty, standard, sideloaded, standardWithAC, sideloadedWithAC, confChange, confChangeV2
    /// Versions 4 and 5: admission control v2, the priority in the version byte's top bits.
    case standardWithACAndPriority, sideloadedWithACAndPriority

    public var isSideloaded: Bool { self == .sideloaded || self == .sideloadedWithAC || self == .sideloadedWithACAndPriority }
    public var isConfChange: Bool { self == .confChange || self == .confChangeV2 }
  }

  public var encoding: Encoding
  /// The 8-byte command ID (empty for an empty entry).
  public var commandID: [UInt8]
  /// nil for an empty entry (or a conf change with no payload).
  public var command: RaftCommand?

  public init(encoding: Encoding, commandID: [UInt8] = [], command: RaftCommand? = nil) {
    self.encoding = encoding
    self.commandID = commandID
    self.command = command
  }

  public static let commandIDLength = 8
  public static let prefixLength = 1 + commandIDLength

  /// Decodes an entry's data. Bad bytes throw a `KVError` naming the entry's index.
  public init(_ entry: RaftEntry) throws(KVError) {
    let what = "raft entry \(entry.index)"
    switch entry.type {
    case .normal:
      guard !entry.data.isEmpty else {
        self.init(encoding: .empty)
        return
      }
      let enc: Encoding
      // R-PREFIX: the low six bits name versions 4 and 5 whatever their priority bits; the
      // older versions are read as 19.x did, without the no-split bit.
      switch (entry.data[0] & 0x3F, entry.data[0] & 0x7F) {
      case (4, _): enc = .standardWithACAndPriority
      case (5, _): enc = .sideloadedWithACAndPriority
      case (_, 0): enc = .standard
      case (_, 1): enc = .sideloaded
      case (_, 2): enc = .standardWithAC
      case (_, 3): enc = .sideloadedWithAC
      case (_, let v): throw KVError(.unsupported, what, "unknown command encoding version \(v)", offset: 0)
      }
      guard entry.data.count >= Self.prefixLength else {
        throw KVError(.truncated, what, "\(entry.data.count) bytes: shorter than the \(Self.prefixLength)-byte command prefix", offset: 0)
      }
      let cmd: RaftCommand
      do { cmd = try RaftCommand(decoding: entry.data[Self.prefixLength...]) } catch { throw error.within(what) }
      self.init(encoding: enc, commandID: Array(entry.data[1..<Self.prefixLength]), command: cmd)
    case .confChange, .confChangeV2:
      let v2 = entry.type == .confChangeV2
      var r = ProtoReader(entry.data, what: v2 ? "ConfChangeV2" : "ConfChange")
      var context: ArraySlice<UInt8> = []
      while let f = try r.next() { if f.number == (v2 ? 3 : 4) { context = try f.bytes(r.what) } }
      var c = ProtoReader(context, what: "ConfChangeContext")
      var id: [UInt8] = []
      var cmd: RaftCommand?
      while let f = try c.next() {
        switch f.number {
        case 1: id = Array(try f.bytes(c.what))
        case 2:
          do { cmd = try RaftCommand(decoding: try f.bytes(c.what)) } catch { throw error.within(what) }
        default: break
        }
      }
      self.init(encoding: v2 ? .confChangeV2 : .confChange, commandID: id, command: cmd)
    case .unknown(let t):
      throw KVError(.unsupported, what, "unknown entry type \(t)")
    }
  }
}
