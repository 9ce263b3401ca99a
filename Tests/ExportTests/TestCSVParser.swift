/// A minimal RFC 4180 reader with CockroachDB's extra rule: it reports whether each field
/// was quoted, since the NULL convention depends on it. Blank lines are skipped, as
/// CockroachDB's reader does.
struct TestCSVField: Equatable {
  var text: String
  var quoted: Bool
}

enum TestCSVParseError: Error { case unterminatedQuote, bareQuote(line: Int) }

func parseCSV(_ bytes: [UInt8]) throws -> [[TestCSVField]] {
  var records: [[TestCSVField]] = []
  var record: [TestCSVField] = []
  var field: [UInt8] = []
  var quoted = false
  var i = 0
  var line = 1
  var atFieldStart = true
  func endField() {
    record.append(TestCSVField(text: String(decoding: field, as: UTF8.self), quoted: quoted))
    field = []; quoted = false; atFieldStart = true
  }
  while i < bytes.count {
    let b = bytes[i]
    if atFieldStart && b == UInt8(ascii: "\"") {
      quoted = true; atFieldStart = false; i += 1
      while true {
        guard i < bytes.count else { throw TestCSVParseError.unterminatedQuote }
        if bytes[i] == UInt8(ascii: "\"") {
          if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { field.append(0x22); i += 2; continue }
          i += 1; break
        }
        if bytes[i] == 0x0a { line += 1 }
        field.append(bytes[i]); i += 1
      }
      continue
    }
    atFieldStart = false
    switch b {
    case UInt8(ascii: ","): endField()
    case 0x0a:
      if record.isEmpty && field.isEmpty && !quoted { atFieldStart = true } else { endField(); records.append(record); record = [] }
      line += 1
    case UInt8(ascii: "\""): throw TestCSVParseError.bareQuote(line: line)
    default: field.append(b)
    }
    i += 1
  }
  if !field.isEmpty || quoted || !record.isEmpty { endField(); records.append(record) }
  return records
}
