/// A Git LFS pointer file standing where a store file should be: a repository that kept a
/// store through Git LFS holds, without `git lfs pull`, ~130-byte text files such as
/// `version https://git-lfs.github.com/spec/v1\noid sha256:…\nsize 4194304\n`
/// (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). Named as such, not as
/// damage: the real file is elsewhere.
public enum GitLFSPointer {
  static let prefix = Array("version https://git-lfs.github.com/spec/".utf8)

  /// A one-line explanation when `bytes` is a pointer file, else nil. The spec caps a
  /// pointer at 1024 bytes.
  public static func describe(_ bytes: UnsafeRawBufferPointer) -> String? {
    guard bytes.count <= 1024, bytes.count >= prefix.count, bytes.prefix(prefix.count).elementsEqual(prefix) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    var oid = "", size = ""
    for line in text.split(separator: "\n") {
      if line.hasPrefix("oid ") { oid = String(line.dropFirst(4)) }
      if line.hasPrefix("size ") { size = String(line.dropFirst(5)) }
    }
    var s = "this is a Git LFS pointer file, not the file itself"
    if !oid.isEmpty || !size.isEmpty {
      s += " (" + [oid, size.isEmpty ? "" : "size \(size) bytes"].filter { !$0.isEmpty }.joined(separator: ", ") + ")"
    }
    return s + ": fetch the object (git lfs pull) and read that"
  }

  public static func describe(_ bytes: [UInt8]) -> String? { bytes.withUnsafeBytes { describe($0) } }
}
