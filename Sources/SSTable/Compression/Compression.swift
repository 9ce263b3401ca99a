import CLZ4
import CZlib
import CZstd

/// The block compression indicator: the first byte of every 5-byte block trailer
/// (spec §2.4). Per block, not per table: a "Snappy" table routinely holds raw blocks.
public enum CompressionType: UInt8, Sendable, CustomStringConvertible {
  case none = 0, snappy = 1, zlib = 2, bzip2 = 3, lz4 = 4, lz4hc = 5, xpress = 6, zstd = 7, minlz = 8

  public var description: String {
    switch self {
    case .none: "none"
    case .snappy: "snappy"
    case .zlib: "zlib"
    case .bzip2: "bzip2"
    case .lz4: "lz4"
    case .lz4hc: "lz4hc"
    case .xpress: "xpress"
    case .zstd: "zstd"
    case .minlz: "minlz"
    }
  }
}

/// Largest decompressed block accepted. Real blocks are KiBs to a few MiB; a bigger
/// announced size is a corrupt header, and refusing it keeps a hostile length from
/// allocating gigabytes.
public let maxDecompressedBlockSize = 256 << 20

/// Decompresses one block's stored bytes. The result is owned memory the caller frees
/// through `OwnedBytes`.
public enum Decompressor {
  public static func decompress(_ type: CompressionType, _ src: UnsafeRawBufferPointer) throws(SSTableError) -> OwnedBytes {
    switch type {
    case .none:
      let out = OwnedBytes(count: src.count)
      if src.count > 0 { out.mutableBytes.copyMemory(from: src) }
      return out
    case .snappy:
      guard let n = Snappy.uncompressedLength(src), n <= maxDecompressedBlockSize else {
        throw SSTableError(.corrupt, "snappy: bad uncompressed length")
      }
      let out = OwnedBytes(count: n)
      guard Snappy.decompress(src, into: out.mutableBytes) else { throw SSTableError(.corrupt, "snappy: malformed block") }
      return out
    case .zstd:
      let (n, start) = try lengthPrefix(src, "zstd")
      let out = OwnedBytes(count: n)
      let frame = UnsafeRawBufferPointer(rebasing: src[start...])
      let r = ZSTD_decompress(out.mutableBytes.baseAddress, n, frame.baseAddress, frame.count)
      guard ZSTD_isError(r) == 0 else {
        throw SSTableError(.corrupt, "zstd: \(String(cString: ZSTD_getErrorName(r)))")
      }
      guard r == n else { throw SSTableError(.corrupt, "zstd: decompressed \(r) bytes, header announced \(n)") }
      return out
    case .lz4, .lz4hc:
      let (n, start) = try lengthPrefix(src, "lz4")
      let out = OwnedBytes(count: n)
      let body = UnsafeRawBufferPointer(rebasing: src[start...])
      guard n <= Int(Int32.max), body.count <= Int(Int32.max) else { throw SSTableError(.corrupt, "lz4: block too large") }
      let r = body.withMemoryRebound(to: CChar.self) { b in
        out.mutableBytes.withMemoryRebound(to: CChar.self) { o in
          LZ4_decompress_safe(b.baseAddress, o.baseAddress, Int32(b.count), Int32(n))
        }
      }
      guard r == Int32(n) else { throw SSTableError(.corrupt, "lz4: malformed block (\(r))") }
      return out
    case .zlib:
      // RocksDB: uvarint32 length, then raw deflate (window_bits -14 by default).
      let (n, start) = try lengthPrefix(src, "zlib")
      let out = OwnedBytes(count: n)
      try inflateRaw(UnsafeRawBufferPointer(rebasing: src[start...]), into: out.mutableBytes)
      return out
    case .minlz:
      guard let out = MinLZ.decompress(src) else { throw SSTableError(.corrupt, "minlz: malformed block") }
      return out
    case .bzip2, .xpress:
      throw SSTableError(.unsupported, "\(type) compression is not supported")
    }
  }

  /// The uvarint decompressed-length prefix RocksDB (format_version >= 2) and Pebble put
  /// before zstd, LZ4 and zlib payloads.
  static func lengthPrefix(_ src: UnsafeRawBufferPointer, _ codec: String) throws(SSTableError) -> (Int, Int) {
    var pos = 0
    guard let n = Bytes.length(src, &pos, limit: maxDecompressedBlockSize, maxBytes: 10) else {
      throw SSTableError(.corrupt, "\(codec): bad uncompressed length prefix")
    }
    return (n, pos)
  }

  static func inflateRaw(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(SSTableError) {
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw SSTableError(.io, "zlib: cannot initialise")
    }
    defer { inflateEnd(&stream) }
    stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: UInt8.self))
    stream.avail_in = UInt32(src.count)
    stream.next_out = dst.baseAddress?.assumingMemoryBound(to: UInt8.self)
    stream.avail_out = UInt32(dst.count)
    let r = inflate(&stream, Z_FINISH)
    guard r == Z_STREAM_END, stream.avail_out == 0 else {
      throw SSTableError(.corrupt, "zlib: malformed deflate stream (\(r))")
    }
  }
}

/// Heap bytes owned by a block; freed when the last reference goes.
public final class OwnedBytes: @unchecked Sendable {
  public let mutableBytes: UnsafeMutableRawBufferPointer
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(mutableBytes) }

  public init(count: Int) {
    // At least 1 byte so baseAddress is never nil; 8-byte alignment for columnar blocks.
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
    mutableBytes = UnsafeMutableRawBufferPointer(start: p, count: count)
  }

  deinit { mutableBytes.baseAddress.map { $0.deallocate() } }
}
