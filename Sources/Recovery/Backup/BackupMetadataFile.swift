import CZlib
import Foundation

/// Reads one of a backup's metadata files (manifest, slim manifest, partition descriptor) the
/// way CockroachDB stores them (docs/backup-format.md §1): refuses encryption (B-ENC),
/// checks `<name>-CHECKSUM` when present (B-CHECKSUM), gunzips (B-GZIP). Returns the
/// protobuf bytes.
enum BackupMetadataFile {
  /// The 7-byte preamble of every file CockroachDB encrypts (storageccl `encryptionPreamble`).
  static let encryptedPreamble = Array("encrypt".utf8)

  static func read(_ path: String, checksum: Bool = true) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw RecoveryError("cannot read \(path)") }
    let stored = [UInt8](data)
    if stored.starts(with: encryptedPreamble) {
      throw RecoveryError("\(path): encrypted backup (starts with the \"encrypt\" preamble); salvage does not decrypt backups")
    }
    if checksum, let want = FileManager.default.contents(atPath: path + "-CHECKSUM") {
      let got = Array(SHA256.hash(stored).prefix(4))
      guard [UInt8](want) == got else {
        throw RecoveryError("\(path): checksum mismatch: \(path)-CHECKSUM says \(hex([UInt8](want))), the file's is \(hex(got))")
      }
    }
    if stored.starts(with: [0x1F, 0x8B, 0x08]) {
      do { return try gunzip(stored) } catch { throw RecoveryError("\(path): damaged gzip: \(error)") }
    }
    return stored
  }

  static func hex(_ b: [UInt8]) -> String { b.hex }

  /// Inflates a gzip member (zlib with window bits 16+15); the size is not known up front.
  static func gunzip(_ src: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    guard inflateInit2_(&stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw RecoveryError("inflateInit2 failed")
    }
    defer { inflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: max(64 << 10, src.count * 4))
    var input = src
    let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
      stream.next_in = inBuf.baseAddress
      stream.avail_in = uInt(inBuf.count)
      var r: Int32 = Z_OK
      while r == Z_OK {
        r = chunk.withUnsafeMutableBufferPointer { c in
          stream.next_out = c.baseAddress
          stream.avail_out = uInt(c.count)
          let r = inflate(&stream, Z_NO_FLUSH)
          out.append(contentsOf: c[0..<(c.count - Int(stream.avail_out))])
          return r
        }
        if r == Z_BUF_ERROR && stream.avail_in == 0 { break }   // truncated input
      }
      return r
    }
    guard status == Z_STREAM_END else { throw RecoveryError("inflate status \(status) after \(out.count) bytes") }
    return out
  }
}
