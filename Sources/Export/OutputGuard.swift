#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses output paths inside the directories Salvage reads evidence from: a recovery
/// tool must never add, replace or delete a file next to the data it recovers.
///
/// Paths are compared after resolving symbolic links (of the longest existing prefix, since
/// the output directory may not exist yet), so `out -> /evidence/x` is caught too.
public struct OutputGuard: Sendable {
  public let forbiddenDirectories: [String]

  public init(forbiddenDirectories: [String]) {
    self.forbiddenDirectories = forbiddenDirectories.map(Self.resolve)
  }

  public static let none = OutputGuard(forbiddenDirectories: [])

  /// Throws `.forbiddenOutput` if `path` is, or lies under, a forbidden directory.
  public func check(_ path: String, table: String? = nil) throws(ExportError) {
    let resolved = Self.resolve(path)
    for dir in forbiddenDirectories where resolved == dir || resolved.hasPrefix(dir == "/" ? "/" : dir + "/") {
      throw ExportError(.forbiddenOutput(forbiddenDirectory: dir), table: table, file: path)
    }
  }

  /// Absolute, symlink-free form of `path`; components that do not exist yet are appended
  /// lexically to the resolved existing prefix.
  static func resolve(_ path: String) -> String {
    var absolute = path
    if !absolute.hasPrefix("/") {
      var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      if getcwd(&buf, buf.count) != nil { absolute = String(cString: buf) + "/" + path }
    }
    var components = absolute.split(separator: "/").map(String.init)
    var tail: [String] = []
    while true {
      let prefix = "/" + components.joined(separator: "/")
      if let real = realpath(prefix, nil) {
        defer { free(real) }
        return normalise(String(cString: real) + "/" + tail.reversed().joined(separator: "/"))
      }
      guard let last = components.popLast() else { return normalise(absolute) }
      tail.append(last)
    }
  }

  /// Removes `.`, empty components and applies `..` lexically.
  static func normalise(_ path: String) -> String {
    var out: [Substring] = []
    for c in path.split(separator: "/") where c != "." && !c.isEmpty {
      if c == ".." { _ = out.popLast() } else { out.append(c) }
    }
    return "/" + out.joined(separator: "/")
  }
}
