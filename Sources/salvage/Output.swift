import SSTable

#if canImport(Glibc)
import Glibc
import CSalvageCRC
#endif

/// Buffered writer to a file descriptor: scans print millions of lines, so lines are built
/// in one raw buffer (no Array bounds or growth checks per byte) and written in 256 KiB
/// chunks.
final class Output {
  private var capacity = 1 << 18
  private var base: UnsafeMutablePointer<UInt8>
  private var count = 0
  private let fd: Int32

  /// Kept in memory instead of written to a file: one worker's share of a scan, written out
  /// later in order (`write(collected:)`). Its buffer grows to hold the whole share (lines
  /// are printed straight into it, never copied inside the process) and is reused from run
  /// to run (`reset`), so its memory is touched once.
  private let collecting: Bool

  init(fd: Int32 = 1) {
    self.fd = fd
    collecting = false
    base = .allocate(capacity: capacity)
  }

  init(collecting: Void) {
    fd = -1
    self.collecting = true
    base = .allocate(capacity: capacity)
  }

  /// Another (collecting) Output's bytes, after this one's own.
  func write(collected other: Output) {
    flush()
    writeAll(UnsafeRawBufferPointer(start: other.base, count: other.count))
  }

  /// Empties a collecting Output for the next run, keeping its memory.
  func reset() {
    count = 0
  }

  deinit {
    flush()
    base.deallocate()
  }

  /// Makes room for `n` more bytes, flushing (and for huge items, writing through).
  /// A collecting Output grows instead.
  @inline(__always) private func reserve(_ n: Int) -> Bool {
    if count + n <= capacity { return true }
    if collecting {
      grow(to: count + n)
      return true
    }
    flush()
    return n <= capacity
  }

  private func grow(to needed: Int) {
    var bigger = capacity
    while bigger < needed { bigger *= 2 }
    let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
    moved.update(from: base, count: count)
    base.deallocate()
    base = moved
    capacity = bigger
  }

  private func append(_ p: UnsafeRawBufferPointer) {
    guard let src = p.baseAddress, p.count > 0 else { return }
    if reserve(p.count) {
      (base + count).update(from: src.assumingMemoryBound(to: UInt8.self), count: p.count)
      count += p.count
    } else {
      writeAll(p)
    }
  }

  func write(_ s: StaticString) { s.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) } }

  /// An entry kind's name (`Kind.name`), from bytes made once: scans print one per entry.
  func kindName(_ kind: UInt8) {
    let at = kindNames.offsets[Int(kind)], end = kindNames.offsets[Int(kind) + 1]
    append(UnsafeRawBufferPointer(rebasing: kindNames.bytes[at..<end]))
  }
  /// Every kind's name, back to back in one buffer (no array retained per entry).
  private let kindNames = KindNames()

  /// Disfavoured so that a literal takes the `StaticString` overload (no String per call).
  @_disfavoredOverload func write(_ s: String) {
    var s = s
    s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  /// Two digits a step, written from the end: a scan prints a sequence number per entry.
  func decimal(_ v: UInt64) {
    _ = reserve(20)
    var n = 1
    var t = v
    while t >= 10 { t /= 10; n += 1 }
    var x = v
    var i = count + n
    while x >= 100 {
      let pair = decimalPairs[Int(x % 100)]
      x /= 100
      i -= 2
      base[i] = UInt8(truncatingIfNeeded: pair)
      base[i + 1] = UInt8(truncatingIfNeeded: pair >> 8)
    }
    if x >= 10 {
      let pair = decimalPairs[Int(x)]
      base[i - 2] = UInt8(truncatingIfNeeded: pair)
      base[i - 1] = UInt8(truncatingIfNeeded: pair >> 8)
    } else {
      base[i - 1] = UInt8(48 + x)
    }
    count += n
  }

  func hex(_ bytes: UnsafeRawBufferPointer) {
    var start = 0
    while start < bytes.count {
      let chunk = min(bytes.count - start, capacity / 2)
      _ = reserve(chunk * 2)
      salvage_hex_lower((bytes.baseAddress! + start).assumingMemoryBound(to: UInt8.self), chunk, base + count)
      count += chunk * 2
      start += chunk
    }
  }

  func hex(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hex($0) } }

  /// Bytes as printable text where possible, `\xNN` otherwise (human-readable lines).
  /// Printable runs are copied 16 bytes a step (`salvage_copy_plain`); room is made once
  /// per stretch, not per byte.
  func quoted(_ bytes: UnsafeRawBufferPointer) {
    guard let raw = bytes.baseAddress else { return }
    let src = raw.assumingMemoryBound(to: UInt8.self)
    var i = 0
    while i < bytes.count {
      let stretch = min(bytes.count - i, capacity / 4)
      _ = reserve(4 * stretch)
      let end = i + stretch
      while i < end {
        let run = salvage_copy_plain(src + i, end - i, base + count)
        count += run
        i += run
        guard i < end else { break }
        let pair = hexPairs[Int(src[i])]
        base[count] = 0x5c
        base[count + 1] = 0x78
        base[count + 2] = UInt8(truncatingIfNeeded: pair)
        base[count + 3] = UInt8(truncatingIfNeeded: pair >> 8)
        count += 4
        i += 1
      }
    }
  }

  @inline(__always) func endLine() {
    _ = reserve(1)
    base[count] = 10
    count += 1
  }

  /// Writes what is buffered; a collecting Output keeps it (it is written by `write(collected:)`).
  func flush() {
    guard !collecting else { return }
    writeAll(UnsafeRawBufferPointer(start: base, count: count))
    count = 0
  }

  private func writeAll(_ p: UnsafeRawBufferPointer) {
    var off = 0
    while off < p.count {
      let n = Glibc.write(fd, p.baseAddress! + off, p.count - off)
      if n <= 0 {
        if n < 0 && errno == EINTR { continue }
        break
      }
      off += n
    }
  }
}

/// Two ASCII hex digits per byte value (`quoted`'s \\xNN), stored for one 2-byte write (a raw table: an
/// Array here costs a retain and a bounds check per byte on the hottest output path).
/// "00"…"99" as little-endian byte pairs, for `Output.decimal`.
private let decimalPairs: UnsafeMutablePointer<UInt16> = {
  let p = UnsafeMutablePointer<UInt16>.allocate(capacity: 100)
  for k in 0..<100 { p[k] = UInt16(48 + k / 10) | UInt16(48 + k % 10) << 8 }
  return p
}()

private let hexPairs: UnsafeMutablePointer<UInt16> = {
  let digits = Array("0123456789abcdef".utf8)
  let p = UnsafeMutablePointer<UInt16>.allocate(capacity: 256)
  for b in 0..<256 { p[b] = UInt16(digits[b >> 4]) | UInt16(digits[b & 15]) << 8 }
  return p
}()

/// One-line messages on stderr.
func printError(_ s: String) {
  var line = s + "\n"
  line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}

func padRight(_ s: String, _ width: Int) -> String {
  s + String(repeating: " ", count: max(1, width - s.count))
}

extension Output {
  /// One range key (spec §4.5) as a JSON object or a text line, without the newline. `withSeq`
  /// adds seq and kind (internal view); `textPrefix` starts the text form.
  func rangeKey(_ r: RangeKey, jsonl: Bool, withSeq: Bool, textPrefix: StaticString = "") {
    if jsonl {
      write("{\"start_hex\":\""); hex(r.start)
      write("\",\"end_hex\":\""); hex(r.end); write("\"")
      if withSeq {
        write(",\"seq\":"); decimal(r.seq)
        write(",\"kind\":\""); write(Kind.name(r.kind))
        write("\",\"kind_code\":"); decimal(UInt64(r.kind))
      }
      if let x = r.suffix { write(",\"suffix_hex\":\""); hex(x); write("\"") }
      if let v = r.value { write(",\"value_hex\":\""); hex(v); write("\"") }
      write("}")
    } else {
      write(textPrefix); r.start.withUnsafeBytes { quoted($0) }; write("-")
      r.end.withUnsafeBytes { quoted($0) }
      if withSeq { write(" #"); decimal(r.seq); write(","); write(Kind.name(r.kind)) }
      if let x = r.suffix { write(" @"); x.withUnsafeBytes { quoted($0) } }
      if let v = r.value { write(" = "); v.withUnsafeBytes { quoted($0) } }
    }
  }
}

extension Output {
  /// One range deletion as a JSON object (the fixtures' rangedels fields) or a text line,
  /// without the newline.
  func rangeDeletion(_ r: RangeDeletion, jsonl: Bool, textPrefix: StaticString = "", textKind: Bool = true) {
    if jsonl {
      write("{\"start_hex\":\""); hex(r.start)
      write("\",\"end_hex\":\""); hex(r.end)
      write("\",\"seq\":"); decimal(r.seq)
      write(",\"kind\":\"RANGEDEL\",\"kind_code\":15}")
    } else {
      write(textPrefix); r.start.withUnsafeBytes { quoted($0) }; write("-")
      r.end.withUnsafeBytes { quoted($0) }; write(" #"); decimal(r.seq)
      if textKind { write(",RANGEDEL") }
    }
  }
}

/// The 256 kind names laid out once, for `Output.kindName`.
private final class KindNames {
  let bytes: UnsafeRawBufferPointer
  let offsets: UnsafeBufferPointer<Int>

  init() {
    let names = (0...255).map { Array(Kind.name(UInt8($0)).utf8) }
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: names.reduce(0) { $0 + $1.count }, alignment: 1)
    let o = UnsafeMutableBufferPointer<Int>.allocate(capacity: 257)
    var at = 0
    for (k, n) in names.enumerated() {
      o[k] = at
      n.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: b[at..<(at + n.count)]).copyMemory(from: $0) }
      at += n.count
    }
    o[256] = at
    bytes = UnsafeRawBufferPointer(b)
    offsets = UnsafeBufferPointer(o)
  }

  deinit {
    bytes.deallocate()
    offsets.deallocate()
  }
}
