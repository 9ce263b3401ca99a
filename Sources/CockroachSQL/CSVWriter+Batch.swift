extension SQLText {
  /// Appends the text of one slot of `batch` (row `row`, layout position `ordinal`) to `out`;
  /// false, with nothing written, for NULL. The typed slots use the formatters `write(Datum)`
  /// uses, so the text is byte for byte the datum's.
  public static func write(_ batch: RowBatch, row: Int, ordinal o: Int, into out: inout ByteSink,
                           problems: inout [String]) -> Bool {
    let i = row * batch.width + o
    let a = batch.a[i], b = batch.b[i]
    switch batch.slots[i] {
    case .unset, .null: return false
    case .bool: out.append(a != 0 ? "true" : "false")
    case .int: out.decimal(a)
    case .float: float(Double(bitPattern: UInt64(bitPattern: a)), &out)
    case .string:
      batch.arena.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + b)])) }
    case .bytes:
      out.append("\\x")
      batch.arena.withUnsafeBytes { out.hex(UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + b)])) }
    case .date: dateField(a, &out, &problems)
    case .timestamp: timestampField(a, b, zoned: false, &out, &problems)
    case .timestampTZ: timestampField(a, b, zoned: true, &out, &problems)
    case .decimal:
      let d = batch.decimalParts(a, b)
      batch.arena.withUnsafeBufferPointer {
        SQLDecimal.writeFinite(negative: d.negative, digits: UnsafeBufferPointer(rebasing: $0[d.digits]), exponent: d.exponent, into: &out)
      }
    case .uuid: batch.arena.withUnsafeBytes { uuid(UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + 16)]), &out) }
    case .json:
      batch.arena.withUnsafeBytes { JSONB.write(raw: UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + b)]), into: &out) }
    case .time: time(a, &out)
    case .oid: out.unsigned(UInt64(a))
    case .interval: interval(months: b >> 32, days: Int64(Int32(truncatingIfNeeded: b)), nanos: a, &out)
    case .inet:
      batch.arena.withUnsafeBytes { inet(mask: $0[Int(a)], addr: UnsafeRawBufferPointer(rebasing: $0[Int(a + 1)..<Int(a + 1 + b)]), &out) }
    case .bits:
      batch.arena.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + b)])) }
    case .array:
      batch.arena.withUnsafeBytes {
        ArrayRaw.write(UnsafeRawBufferPointer(rebasing: $0[Int(a)..<Int(a + b & 0xFFFF_FFFF)]), ArrayRaw.Element(rawValue: b >> 32)!, into: &out)
      }
    case .datum: return write(batch.datums[Int(a)], type: batch.layout.types[o], into: &out, problems: &problems)
    }
    return true
  }
}

extension CSVWriter {
  /// Appends row `row` of `batch` as one CSV record (with its "\n") over the layout positions
  /// `ordinals` (normally the table's output columns; -1 writes NULL). Byte for byte what
  /// `write(_:columns:…)` writes for the same row as datums.
  public func write(_ batch: RowBatch, row: Int, ordinals: [Int], into out: inout ByteSink, problems: inout [String]) {
    let sep = separator
    // Numbers, hex, times and addresses never hold the comma, a quote or a line break, and
    // are never empty or `\N`: with the default dialect they need no quoting check.
    let plainSafe = nullMarker == "\\N" && sep.byte == UInt8(ascii: ",")
    for (k, o) in ordinals.enumerated() {
      if k > 0 { sep.write(&out) }
      let start = out.count
      guard o >= 0, SQLText.write(batch, row: row, ordinal: o, into: &out, problems: &problems) else {
        out.append(contentsOf: nullMarker)
        continue
      }
      let slot = batch.slot(row, o)
      if !plainSafe || slot.mayNeedQuotes { quoteIfNeeded(from: start, sep.quoteOn, &out) }
    }
    out.append(UInt8(ascii: "\n"))
  }
}

extension RowBatch.Slot {
  /// Whether the slot's text can be empty, `\N`, or hold the delimiter, a quote or a line break.
  var mayNeedQuotes: Bool {
    switch self {
    case .string, .json, .bits, .array, .datum: return true
    default: return false
    }
  }
}
