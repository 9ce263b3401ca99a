/// Arrays of INT or STRING elements straight from their stored body (issue 16: no `[Datum]`
/// per row). One walk, generic over its output, serves the row assembler's check (no text)
/// and the CSV renderer, the same way JSONB's does (`JSONB+Raw.swift`): it accepts only
/// bodies `DatumDecoding.array` decodes to INT or valid UTF-8 elements, and writes the text
/// `SQLText.array` writes for them. Anything else answers false and takes the general path.
enum ArrayRaw {
  /// The element kinds read here; stored beside the body in the batch slot.
  enum Element: Int64 { case int = 0, string = 1 }

  static func element(of t: SQLType) -> Element? {
    guard t.family == .array, let e = t.element else { return nil }
    switch e.family {
    case .int?: return .int
    case .string?, .name?: return .string
    default: return nil
    }
  }

  /// Whether `DatumDecoding.array` decodes `body` to elements of kind `e` that `write` prints.
  static func isPlain(_ body: UnsafeRawBufferPointer, _ e: Element) -> Bool {
    var check = ElementCheck()
    return walk(body, e, &check)
  }

  /// `SQLText.array`'s text of a body `isPlain` accepted.
  static func write(_ body: UnsafeRawBufferPointer, _ e: Element, into out: inout ByteSink) {
    _ = walk(body, e, &out)
  }

  /// header (one dimension, bit 0x10: NULL bitmap) ‖ element tag ‖ count ‖ [bitmap] ‖ elements,
  /// nothing after (spec §6.4).
  static func walk<T: ArrayText>(_ p: UnsafeRawBufferPointer, _ e: Element, _ out: inout T) -> Bool {
    var r = RawReader(p)
    guard let header = r.bigEndian(1), header & 0x0F == 1, let tag = r.tag(),
          tag.type == (e == .int ? ValueEncoding.EncType.int : .bytes).rawValue,
          let count = r.nsUvarint(), count <= UInt64(p.count) * 8 else { return false }
    var bitmap = -1
    if header & 0x10 != 0 {
      let n = Int((count + 7) / 8)
      guard r.remaining >= n else { return false }
      bitmap = r.i
      r.i += n
    }
    out.text("ARRAY[")
    for k in 0..<Int(count) {
      if k > 0 { out.byte(UInt8(ascii: ",")) }
      if bitmap >= 0 && p[bitmap + k / 8] & (1 << UInt8(k % 8)) != 0 { out.text("NULL"); continue }
      switch e {
      case .int:
        guard let v = r.zigzag() else { return false }
        out.quotedInt(v)
      case .string:
        guard let n = r.nsUvarint(), n <= UInt64(r.remaining),
              out.quotedText(UnsafeRawBufferPointer(rebasing: p[r.i..<(r.i + Int(n))])) else { return false }
        r.i += Int(n)
      }
    }
    out.byte(UInt8(ascii: "]"))
    return r.atEnd
  }
}

/// What the array walk does with each piece of text.
protocol ArrayText {
  mutating func byte(_ b: UInt8)
  mutating func text(_ s: StaticString)
  /// An INT element as the string literal `'n'`.
  mutating func quotedInt(_ v: Int64)
  /// A STRING element as a string literal (quotes doubled); false when it is not UTF-8.
  mutating func quotedText(_ p: UnsafeRawBufferPointer) -> Bool
}

/// The check: no text, but STRING elements must be UTF-8 (`DatumDecoding.string` keeps
/// anything else raw, which prints differently).
struct ElementCheck: ArrayText {
  /// Sized, for the reason `NoText` is.
  var sized: UInt8 = 0
  func byte(_ b: UInt8) {}
  func text(_ s: StaticString) {}
  func quotedInt(_ v: Int64) {}
  func quotedText(_ p: UnsafeRawBufferPointer) -> Bool { RowAssembler.isUTF8(p) }
}

extension ByteSink: ArrayText {
  mutating func quotedInt(_ v: Int64) {
    append(UInt8(ascii: "'"))
    decimal(v)
    append(UInt8(ascii: "'"))
  }

  mutating func quotedText(_ p: UnsafeRawBufferPointer) -> Bool {
    let start = count
    append(contentsOf: p)
    quote(from: start, UInt8(ascii: "'"))
    return true
  }
}
