/// A part of a file that could not be read, with the key span the index says it covered,
/// so a recovery can report exactly which keys may be missing.
public struct Damage: Sendable, CustomStringConvertible {
  public var file: String
  /// "data", "index partition", "value block", "range-del", …
  public var blockKind: String
  public var handle: BlockHandle?
  public var message: String
  /// Exclusive lower bound (previous block's separator), nil = start of the table.
  public var lowerKey: [UInt8]?
  /// Inclusive upper bound (this block's separator), nil = unknown / end of table.
  public var upperKey: [UInt8]?

  public init(file: String, blockKind: String, handle: BlockHandle?, message: String,
              lowerKey: [UInt8]? = nil, upperKey: [UInt8]? = nil) {
    self.file = file
    self.blockKind = blockKind
    self.handle = handle
    self.message = message
    self.lowerKey = lowerKey
    self.upperKey = upperKey
  }

  /// False for blocks that hold no entries: a damaged properties block (the reader infers
  /// what it said) or filter block (only an accelerator) loses no key.
  public var losesEntries: Bool { blockKind != "properties" && blockKind != "filter" }

  public var description: String { "\(file): \(detail)" }

  /// The description without the file: which block, what is wrong, which keys it held.
  public var detail: String {
    var s = "\(blockKind) block"
    if let h = handle { s += " at offset \(h.offset) size \(h.length)" }
    s += ": \(message)"
    if lowerKey != nil || upperKey != nil {
      s += "; keys (\(lowerKey.map { $0.hex } ?? "start"), \(upperKey.map { $0.hex } ?? "end")]"
    }
    return s
  }
}
