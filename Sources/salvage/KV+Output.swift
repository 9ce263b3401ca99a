import CockroachKV
import Recovery

/// Prints `kv scan` lines: text (`<key> @<ts> <kind> <value>`) or JSON lines.
struct KVLinePrinter {
  let out: Output
  let store: String
  let pretty: Bool
  let jsonl: Bool
  let intentsToStdout: Bool

  func keyText(_ k: [UInt8]) -> String { pretty ? Keyspace.prettyPrint(k) : hexOfBytes(k) }

  func version(_ key: [UInt8], _ ts: MVCCTimestamp?, kind: String, raw: [UInt8], summary: String) {
    if jsonl {
      var line = "{\"store\":\(kvJSONString(store)),\"key_hex\":\"\(hexOfBytes(key))\",\"pretty\":\(kvJSONString(Keyspace.prettyPrint(key)))"
      let t = ts ?? .zero  // unversioned keys: the zero timestamp, as CockroachDB writes them
      line += ",\"wall_time\":\(t.wallTime),\"logical\":\(t.logical)"
      line += ",\"value_hex\":\"\(hexOfBytes(raw))\",\"kind\":\"\(kind)\""
      if pretty { line += ",\"value\":\(kvJSONString(summary))" }
      out.write(line + "}")
    } else {
      let shown = pretty ? summary : hexOfBytes(raw)
      out.write(keyText(key) + (ts.map { " @\($0)" } ?? "") + " \(kind)" + (shown.isEmpty ? "" : " " + shown))
    }
    out.endLine()
  }

  /// An MVCC range key: `[start, end) @ts range-tombstone` (or `range-key` for any other value).
  func rangeKey(_ span: KeySpan, _ rk: MVCCRangeKey) {
    let kind = rk.isTombstone ? "range-tombstone" : "range-key"
    if jsonl {
      out.write("{\"store\":\(kvJSONString(store)),\"key_hex\":\"\(hexOfBytes(span.start))\",\"end_hex\":\"\(hexOfBytes(span.end))\""
        + ",\"pretty\":\(kvJSONString(span.pretty)),\"wall_time\":\(rk.timestamp.wallTime),\"logical\":\(rk.timestamp.logical)"
        + ",\"value_hex\":\"\(hexOfBytes(rk.rawValue))\",\"kind\":\"\(kind)\"}")
    } else {
      out.write("\(pretty ? span.pretty : "[\(hexOfBytes(span.start)), \(hexOfBytes(span.end)))") @\(rk.timestamp) \(kind)")
    }
    out.endLine()
  }

  func intent(_ i: MVCCIntent) {
    intentLine(i.key, i.timestamp, txn: i.txnID?.description,
               provisional: i.provisionalValue.map { valueSummary($0.value) }, raw: i.provisionalValue?.value.rawBytes ?? [])
  }

  /// An intent: on stdout with --intents, else on stderr. Never a value line.
  func intentLine(_ key: [UInt8], _ ts: MVCCTimestamp, txn: String?, provisional: String?, raw: [UInt8] = []) {
    var line: String
    if jsonl {
      line = "{\"store\":\(kvJSONString(store)),\"key_hex\":\"\(hexOfBytes(key))\",\"pretty\":\(kvJSONString(Keyspace.prettyPrint(key)))"
        + ",\"wall_time\":\(ts.wallTime),\"logical\":\(ts.logical),\"value_hex\":\"\(hexOfBytes(raw))\",\"kind\":\"intent\""
      if let txn { line += ",\"txn\":\(kvJSONString(txn))" }
      line += "}"
    } else {
      line = "\(keyText(key)) @\(ts) intent" + (txn.map { " txn \($0)" } ?? "") + (provisional.map { " provisional \($0)" } ?? "")
    }
    if intentsToStdout {
      out.write(line); out.endLine()
    } else {
      out.flush()
      printError((jsonl ? "" : "salvage: \(store): ") + line)
    }
  }
}

/// Lowercase hex (the project's one encoder to text: SSTable's `hex`).
func hexOfBytes<C: Collection>(_ b: C) -> String where C.Element == UInt8 { Array(b).hex }

/// A JSON string literal.
func kvJSONString(_ s: String) -> String { jsonString(s) }

/// A short description of a roachpb.Value.
/// `damaged` hears of a value that does not decode (a problem: the command exits 2).
func valueSummary(_ v: RoachValue, damaged: (String) -> Void = { _ in }) -> String {
  let s: ScalarValue
  do { s = try v.decoded() } catch {
    damaged("\(error.what): \(error.message)")
    return "tag \(v.tagByte) \(hexOfBytes(v.data)) (damaged: \(error.what): \(error.message))"
  }
  switch s {
  case .empty: return "empty"
  case .int(let n): return "INT \(n)"
  case .float(let f): return "FLOAT \(f)"
  case .bytes(let b):
    let printable = b.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    return printable ? "BYTES \(kvJSONString(String(decoding: b, as: UTF8.self)))" : "BYTES 0x\(hexOfBytes(b))"
  case .raw(let tag, let data): return "tag \(tag) 0x\(hexOfBytes(data))"
  default: return "\(s)"
  }
}
