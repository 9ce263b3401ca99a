/// One block's bytes after checksum and decompression. Uncompressed blocks are borrowed
/// straight from the mapped file; decompressed ones are owned by `owner`.
public struct Block: @unchecked Sendable {
  public let bytes: UnsafeRawBufferPointer
  public let owner: OwnedBytes?
  public let handle: BlockHandle
  public let compression: CompressionType

  /// Runs `body` with the bytes, keeping their owner alive meanwhile. Use this (or keep the
  /// `Block` stored) whenever `bytes` outlives the expression that read the block: ARC may
  /// free a temporary's owner right after its last use.
  @inlinable
  public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try withExtendedLifetime(owner) { () throws(E) -> R in try body(bytes) }
  }
}

/// Result of checking one block trailer (spec §2.2).
public struct BlockCheck: Sendable {
  public var handle: BlockHandle
  public var compression: UInt8
  public var stored: UInt32
  public var computed: UInt32
  public var ok: Bool { stored == computed }
}

/// Reads blocks of one file: bounds, 5-byte trailer, checksum, decompression.
public struct BlockReader: @unchecked Sendable {
  public static let trailerLength = 5
  public let file: MappedFile
  public let checksumType: ChecksumType

  public init(file: MappedFile, checksumType: ChecksumType) {
    self.file = file
    self.checksumType = checksumType
  }

  /// Checks the handle fits (with its trailer) and compares the stored checksum.
  public func check(_ h: BlockHandle) throws(SSTableError) -> BlockCheck {
    let size = file.count
    guard h.offset <= size, h.length <= size &- h.offset, BlockReader.trailerLength <= size &- h.offset &- h.length else {
      throw SSTableError(.truncated, "block \(h) runs past the end of the file (\(size) bytes)", file: file.path, offset: h.offset)
    }
    let withType = UnsafeRawBufferPointer(rebasing: file.bytes[h.offset..<(h.offset + h.length + 1)])
    let stored = Bytes.uint32LE(file.bytes, h.offset + h.length + 1)!
    let computed = checksumType == .none ? stored : checksumType.compute(withType)
    return BlockCheck(handle: h, compression: withType[h.length], stored: stored, computed: computed)
  }

  /// Throws what `read` would throw for the block's trailer (checksum, compression type),
  /// without decompressing it.
  @discardableResult
  public func checkTrailer(_ h: BlockHandle, verify: Bool = true) throws(SSTableError) -> (BlockCheck, CompressionType) {
    let c = try check(h)
    if verify && !c.ok {
      throw SSTableError(.corrupt, "block checksum mismatch (\(checksumType) stored \(hex32(c.stored)) computed \(hex32(c.computed)))",
                         file: file.path, offset: h.offset)
    }
    guard let type = CompressionType(rawValue: c.compression) else {
      throw SSTableError(.corrupt, "unknown compression type \(c.compression)", file: file.path, offset: h.offset)
    }
    return (c, type)
  }

  /// The block's decompressed bytes, after verifying its checksum.
  public func read(_ h: BlockHandle, verify: Bool = true) throws(SSTableError) -> Block {
    let (_, type) = try checkTrailer(h, verify: verify)
    let stored = UnsafeRawBufferPointer(rebasing: file.bytes[h.offset..<(h.offset + h.length)])
    if type == .none { return Block(bytes: stored, owner: nil, handle: h, compression: type) }
    do throws(SSTableError) {
      let out = try Decompressor.decompress(type, stored)
      return Block(bytes: out.bytes, owner: out, handle: h, compression: type)
    } catch {
      throw SSTableError(error.kind, error.message, file: file.path, offset: h.offset)
    }
  }
}

func hex32(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
