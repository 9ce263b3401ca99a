/// Where a point entry's value lives (spec §5).
public enum ValueStorage: Equatable, Sendable {
  case inline
  /// Resolved from a Pebblev3+ value block.
  case valueBlock
  /// A Pebblev6+ blob handle; resolving it needs the MANIFEST (LSMStore).
  case blob(BlobReference)
  /// The value lived in a value block that could not be read: only key, seq and kind remain.
  case missing
}

/// A blob value handle as stored in a table (spec §5.2).
public struct BlobReference: Equatable, Hashable, Sendable {
  public var referenceID: UInt32
  public var valueLength: UInt32
  public var blockID: UInt32
  public var valueID: UInt32
  public init(referenceID: UInt32, valueLength: UInt32, blockID: UInt32, valueID: UInt32) {
    self.referenceID = referenceID
    self.valueLength = valueLength
    self.blockID = blockID
    self.valueID = valueID
  }
}

/// The 1-byte value prefix of Pebblev3+ (spec §5.1.1).
public enum ValuePrefix {
  public static let kindMask: UInt8 = 0xC0
  public static let inPlace: UInt8 = 0x00
  public static let valueBlockHandle: UInt8 = 0x80
  public static let blobHandle: UInt8 = 0x40
}

/// Resolves value handles `uvarint len ‖ uvarint block ‖ uvarint offset` through the value
/// index block (spec §5.1.2–5.1.3), keeping the last value block decompressed.
final class ValueBlockReader {
  let table: Table
  let indexHandle: BlockHandle
  let widths: (Int, Int, Int)
  var index: Block?
  var cachedNumber = -1
  var cached: Block?

  init?(_ table: Table) throws(SSTableError) {
    guard let v = table.metaindex.first(where: { $0.name == "pebble.value_index" })?.value else { return nil }
    var h: BlockHandle?
    var w = (0, 0, 0)
    v.withUnsafeBytes { b in
      var p = 0
      h = BlockHandle.decode(b, &p, fileSize: table.file.count)
      if b.count - p == 3 { w = (Int(b[p]), Int(b[p + 1]), Int(b[p + 2])) }
    }
    guard let h, (1...8).contains(w.0), (1...8).contains(w.1), (1...8).contains(w.2) else {
      throw SSTableError(.corrupt, "pebble.value_index metaindex entry is malformed", file: table.path)
    }
    self.table = table
    indexHandle = h
    widths = w
  }

  /// The value named by `handle` (bytes after the prefix), or an error saying why not.
  func resolve(_ handle: UnsafeRawBufferPointer) throws(SSTableError) -> UnsafeRawBufferPointer {
    var p = 0
    guard let len = Bytes.length(handle, &p, limit: maxDecompressedBlockSize),
          let num = Bytes.length(handle, &p, limit: Int(UInt32.max)),
          let off = Bytes.length(handle, &p, limit: maxDecompressedBlockSize) else {
      throw SSTableError(.corrupt, "malformed value handle", file: table.path)
    }
    let block = try valueBlock(num)
    guard let v = Bytes.slice(block.bytes, off, len) else {
      throw SSTableError(.corrupt, "value handle \(num)/\(off)/\(len) points outside its value block", file: table.path, offset: block.handle.offset)
    }
    return v
  }

  func valueBlock(_ k: Int) throws(SSTableError) -> Block {
    if k == cachedNumber, let cached { return cached }
    let h = try handle(of: k)
    let b = try table.blocks.read(h)
    cached = b
    cachedNumber = k
    return b
  }

  /// Handle of value block `k` from the dense fixed-width value index.
  func handle(of k: Int) throws(SSTableError) -> BlockHandle {
    if index == nil { index = try table.blocks.read(indexHandle) }
    let ib = index!.bytes
    let stride = widths.0 + widths.1 + widths.2
    func field(_ at: Int, _ w: Int) -> Int {
      var v = 0
      for i in 0..<w { v |= Int(ib[at + i]) << (8 * i) }
      return v
    }
    guard k >= 0, k < ib.count / stride else { throw SSTableError(.corrupt, "value block \(k) is not in the value index", file: table.path) }
    let at = k * stride
    let num = field(at, widths.0), off = field(at + widths.0, widths.1), len = field(at + widths.0 + widths.1, widths.2)
    guard num == k, off <= table.file.count, len <= table.file.count - off else {
      throw SSTableError(.corrupt, "value index entry \(k) is inconsistent", file: table.path, offset: indexHandle.offset)
    }
    return BlockHandle(offset: off, length: len)
  }

  /// Every value block handle (for `layout` and `check`).
  func allHandles() throws(SSTableError) -> [BlockHandle] {
    if index == nil { index = try table.blocks.read(indexHandle) }
    let n = index!.bytes.count / (widths.0 + widths.1 + widths.2)
    var out: [BlockHandle] = []
    for k in 0..<n { out.append(try handle(of: k)) }
    return out
  }
}
