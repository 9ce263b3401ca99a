import Foundation
import Testing
import SalvageTestSupport

/// Builds raw test images: a zeroed ballast, then files from real engine fixtures at chosen
/// offsets with seeded random filler between them (bytes a dead disk might hold).
struct ImageBuilder {
  var bytes: [UInt8]
  var rng: SplitMix64
  /// Where each placed file went: name → (offset, length).
  var placed: [String: (offset: Int, length: Int)] = [:]

  init(ballast: Int, seed: UInt64) {
    bytes = [UInt8](repeating: 0, count: ballast)
    rng = SplitMix64(state: seed)
  }

  mutating func filler(_ n: Int) { bytes += rng.bytes(n) }

  /// Pads with random bytes up to a multiple of `alignment`, then appends the file.
  mutating func place(_ path: String, as name: String? = nil, alignment: Int = 4096, gap: Int = 4096) throws {
    filler(gap)
    let r = bytes.count % alignment
    if r != 0 { filler(alignment - r) }
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    placed[name ?? (path as NSString).lastPathComponent] = (bytes.count, data.count)
    bytes += data
    // A file's last filesystem block is zero past its end.
    let tail = bytes.count % 4096
    if tail != 0 { bytes += [UInt8](repeating: 0, count: 4096 - tail) }
  }

  /// Pads with random bytes up to a multiple of `alignment`, then appends `data` (a file's
  /// extent, say) as `name`.
  mutating func place(bytes data: [UInt8], as name: String, alignment: Int = 4096, gap: Int = 4096) {
    filler(gap)
    let r = bytes.count % alignment
    if r != 0 { filler(alignment - r) }
    placed[name] = (bytes.count, data.count)
    bytes += data
    let tail = bytes.count % 4096
    if tail != 0 { bytes += [UInt8](repeating: 0, count: 4096 - tail) }
  }

  func write(to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
}

func tempPath(_ stem: String) -> String { NSTemporaryDirectory() + "salvage-carve-\(stem)-\(UUID().uuidString)" }

/// Every byte of a file, for before/after comparisons of an image.
func fileBytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

/// An ext4 image of `files` (mke2fs -d), the files in `deleted` then removed with debugfs
/// (their blocks stay in free space, as on a live node), and the first `ballast` bytes
/// zeroed as the ballast script did: superblock, group descriptors and inode tables gone.
func ext4Image(files: [String], deleted: [String], sizeMiB: Int, ballast: Int) throws -> String {
  let fm = FileManager.default
  let stage = tempPath("stage")
  try fm.createDirectory(atPath: stage, withIntermediateDirectories: true)
  defer { try? fm.removeItem(atPath: stage) }
  for f in files {
    let dst = stage + "/" + (f as NSString).lastPathComponent
    try fm.copyItem(atPath: f, toPath: dst)
    try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dst)
  }
  let img = tempPath("ext4.img")
  #expect(fm.createFile(atPath: img, contents: nil))
  let h = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
  try h.truncate(atOffset: UInt64(sizeMiB) << 20)
  try h.close()
  let (rc, _, err) = try runProgram("/usr/sbin/mke2fs", ["-q", "-F", "-t", "ext4", "-b", "4096", "-d", stage, img])
  guard rc == 0 else { throw ImageError("mke2fs failed: \(err)") }
  for d in deleted {
    let (rc, _, err) = try runProgram("/usr/sbin/debugfs", ["-w", "-R", "rm \(d)", img])
    guard rc == 0, !err.contains("File not found") else { throw ImageError("debugfs rm \(d) failed: \(err)") }
  }
  let w = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
  try w.write(contentsOf: Data(count: ballast))
  try w.close()
  return img
}

struct ImageError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

extension ImageBuilder {
  /// The pebble-gen store's files but its table 000011.sst (which a test places its own way).
  static let filesBesidesTable11 = ["MANIFEST-000001", "000013.sst", "000007.blob", "000010.blob", "000014.blob", "000012.log"]

  mutating func place(filesBesidesTable11In src: String) throws {
    for name in Self.filesBesidesTable11 { try place(src + "/" + name) }
  }
}
