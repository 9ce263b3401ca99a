/// What became of a point entry's blob handle (spec §5.2).
public enum BlobValueStatus: UInt8, Sendable {
  /// The value was not in a blob file.
  case notBlob
  /// A blob handle, but no resolver (or no mapping for its reference id) was given: only
  /// the handle is known.
  case unresolved
  /// `value` holds the bytes read from the blob file.
  case resolved
  /// The mapped blob file does not exist or cannot be opened.
  case fileMissing
  /// The blob file exists but its footer or index cannot be read.
  case fileDamaged
  /// The file is readable but this value's block or row is not (or its length disagrees).
  case valueDamaged
}

/// Why a blob value could not be read.
public struct BlobResolutionError: Error, Sendable, CustomStringConvertible {
  public var status: BlobValueStatus
  public var message: String
  public var description: String { message }
}

/// Resolves blob handles of one table to values. The caller supplies the table's blob
/// references as the MANIFEST lists them: reference index → blob file path. Files are
/// opened lazily, once; a file that cannot be opened is remembered, not retried per entry.
public final class BlobResolver {
  public let files: [UInt32: String]
  var opened: [UInt32: BlobFile] = [:]
  var failed: [UInt32: BlobResolutionError] = [:]

  public init(files: [UInt32: String]) { self.files = files }

  func file(_ ref: UInt32) -> Result<BlobFile, BlobResolutionError> {
    if let f = opened[ref] { return .success(f) }
    if let e = failed[ref] { return .failure(e) }
    guard let path = files[ref] else {
      let e = BlobResolutionError(status: .unresolved, message: "no blob file is mapped to reference \(ref)")
      failed[ref] = e
      return .failure(e)
    }
    do throws(SSTableError) {
      let f = try BlobFile(path: path)
      opened[ref] = f
      return .success(f)
    } catch {
      let status: BlobValueStatus = error.kind == .io ? .fileMissing : .fileDamaged
      let e = BlobResolutionError(status: status, message: "blob file for reference \(ref): \(error.description)")
      failed[ref] = e
      return .failure(e)
    }
  }

  /// Runs `body` with the value `ref` names. The bytes are borrowed from the blob file's
  /// cached block: valid until the next call on this resolver.
  public func withValue<R>(_ ref: BlobReference, _ body: (UnsafeRawBufferPointer) -> R) -> Result<R, BlobResolutionError> {
    let f: BlobFile
    switch file(ref.referenceID) {
    case .success(let x): f = x
    case .failure(let e): return .failure(e)
    }
    do throws(SSTableError) {
      var lengthOK = true
      let r = try f.withValue(blockID: ref.blockID, valueID: ref.valueID) { v -> R? in
        guard v.count == Int(ref.valueLength) else { lengthOK = false; return nil }
        return body(v)
      }
      guard lengthOK, let r else {
        return .failure(BlobResolutionError(status: .valueDamaged,
          message: "\(f.path): value \(ref.blockID)/\(ref.valueID) is not \(ref.valueLength) bytes long"))
      }
      return .success(r)
    } catch {
      return .failure(BlobResolutionError(status: .valueDamaged,
        message: "value \(ref.blockID)/\(ref.valueID): \(error.description)"))
    }
  }

  /// A copy of the value `ref` names.
  public func value(_ ref: BlobReference) -> Result<[UInt8], BlobResolutionError> {
    withValue(ref) { Array($0) }
  }

  /// The borrowed value for the table iterator (valid until the next resolution).
  func borrowedValue(_ ref: BlobReference) -> Result<UnsafeRawBufferPointer, BlobResolutionError> {
    withValue(ref) { $0 }
  }
}
