extension CSVWriter {
  /// Appends row `row` of `batch` as one CSV record (with its "\n") over the layout positions
  /// `ordinals` (normally the table's output columns). Byte for byte what `write(_:columns:…)`
  /// writes for the same row as datums: the typed slots use the same formatters.
  public func write(_ batch: RowBatch, row: Int, ordinals: [Int], into out: inout ByteSink, problems: inout [String]) {
    let sep = separator
    // Numbers, hex and times never hold the comma, a quote or a line break, and are never
    // empty or `\N`: with the default dialect they need no quoting check.
    let plainSafe = nullMarker == "\\N" && sep.byte == UInt8(ascii: ",")
    let base = row * batch.width
    batch.slots.withUnsafeBufferPointer { slots in
      batch.a.withUnsafeBufferPointer { a in
        batch.b.withUnsafeBufferPointer { b in
          batch.arena.withUnsafeBytes { arena in
            for (k, o) in ordinals.enumerated() {
              if k > 0 { sep.write(&out) }
              guard o >= 0 else { out.append(contentsOf: nullMarker); continue }
              let i = base + o
              let start = out.count
              var check = !plainSafe
              switch slots[i] {
              case .unset, .null:
                out.append(contentsOf: nullMarker)
                continue
              case .bool: out.append(a[i] != 0 ? "true" : "false")
              case .int: out.decimal(a[i])
              case .float: SQLText.float(Double(bitPattern: UInt64(bitPattern: a[i])), &out)
              case .string:
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: arena[Int(a[i])..<Int(a[i] + b[i])]))
                check = true
              case .bytes:
                out.append("\\x")
                out.hex(UnsafeRawBufferPointer(rebasing: arena[Int(a[i])..<Int(a[i] + b[i])]))
              case .date: SQLText.dateField(a[i], &out, &problems)
              case .timestamp: SQLText.timestampField(a[i], b[i], zoned: false, &out, &problems)
              case .timestampTZ: SQLText.timestampField(a[i], b[i], zoned: true, &out, &problems)
              case .datum:
                guard SQLText.write(batch.datums[Int(a[i])], type: batch.layout.types[o], into: &out, problems: &problems) else {
                  out.append(contentsOf: nullMarker)
                  continue
                }
                check = true
              }
              if check { quoteIfNeeded(from: start, sep.quoteOn, &out) }
            }
          }
        }
      }
    }
    out.append(UInt8(ascii: "\n"))
  }
}
