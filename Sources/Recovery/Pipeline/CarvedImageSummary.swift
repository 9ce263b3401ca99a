/// A disk image carved into a store for this recovery (`--disk-image`, docs/carving.md):
/// what `report.json`'s `carved` section says about it. Filled by the caller that carved it;
/// the recovery reads `storePath` like any other store.
public struct CarvedImageSummary: Sendable, Equatable {
  public var image: String
  public var storePath: String
  public var liveTables: Int
  public var obsoleteTables: Int
  public var liveWALs: Int
  public var obsoleteWALs: Int
  /// Live tables the carved MANIFEST names that were not found on the image.
  public var missingLiveTables: [UInt64]
  public var manifestFound: Bool
  public var unconfirmedFooters: Int
  public var seconds: Double
  /// Bytes copied out of the image into `storePath` (live files only).
  public var bytesWritten: Int
  /// `--use-obsolete`: the image's obsolete files were offered for lost spans.
  public var obsoleteUsed = false

  public init(image: String, storePath: String, liveTables: Int, obsoleteTables: Int, liveWALs: Int, obsoleteWALs: Int,
              missingLiveTables: [UInt64], manifestFound: Bool, unconfirmedFooters: Int, seconds: Double, bytesWritten: Int) {
    self.image = image
    self.storePath = storePath
    self.liveTables = liveTables
    self.obsoleteTables = obsoleteTables
    self.liveWALs = liveWALs
    self.obsoleteWALs = obsoleteWALs
    self.missingLiveTables = missingLiveTables
    self.manifestFound = manifestFound
    self.unconfirmedFooters = unconfirmedFooters
    self.seconds = seconds
    self.bytesWritten = bytesWritten
  }
}
