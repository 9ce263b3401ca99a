import CockroachKV

// libFuzzer entry point (`scripts/fuzz.sh`). The first byte picks the decoder, the rest is
// its input, decoded through the calls `kv scan`, `kv ranges` and `recover` make:
//   0  MVCC value (simple or extended header) and its roachpb.Value body
//   1  MVCCMetadata (intent) and TransactionRecord
//   2  RangeDescriptor (MVCC value and bare proto), RangeAppliedState, StoreIdent
//   3  engine key: versions, lock-table keys, pretty-printing and parsing back
//   4  MVCC range keys (set and unset values) and a generic protobuf walk
//   5  a run of (engine key, value) pairs, length-prefixed by one byte each, resolved in
//      engine-key order as `recover` resolves a store
//   6  user text: a key (`--span`) and a timestamp (`--as-of`)
//   7  Raft state: a log entry (and its command payload), HardState, truncated state, lease

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
  guard let mode = input.first else { return 0 }
  let b = Array(input.dropFirst())
  switch mode % 8 {
  case 0:
    if let v = try? MVCCValue(decoding: b) {
      _ = v.header.map { "\($0)" }
      roach(v.value)
    }
    if let v = try? RoachValue(rawBytes: b) { roach(v) }
  case 1:
    if let m = try? MVCCMetadata(decoding: b) { _ = "\(m)" }
    _ = try? TransactionRecord(storedValue: b, unversioned: true)
    _ = try? TransactionRecord(storedValue: b, unversioned: false)
  case 2:
    if let d = try? RangeDescriptor(mvccValue: b) { _ = "\(d)" }
    _ = try? RangeDescriptor(decoding: b[...])
    _ = try? RangeAppliedState(inlineValue: b)
    _ = try? StoreIdent(inlineValue: b)
  case 3:
    engineKey(b)
  case 4:
    _ = try? MVCCRangeKey.decodeSet(startEngineKey: [0xF2, 0x89, 0x00], value: b)
    _ = try? MVCCRangeKey.decodeUnset(value: b)
    walk(b[...], depth: 0)
  case 5:
    resolve(b)
  case 7:
    if let e = try? RaftEntry(storedValue: b), let p = try? RaftPayload(e) { _ = "\(p)" }
    if let e = try? RaftEntry(decoding: b[...]), let p = try? RaftPayload(e) { _ = "\(p)" }
    _ = try? RaftCommand(decoding: b[...])
    _ = try? RaftHardState(storedValue: b)
    _ = try? RaftTruncatedState(storedValue: b)
    _ = try? RaftLease(storedValue: b)
  default:
    let text = String(decoding: b, as: UTF8.self)
    if let k = try? Keyspace.parse(text) { _ = Keyspace.prettyPrint(k) }
    if let t = try? MVCCTimestamp(parsing: text) { _ = "\(t)" }
  }
  return 0
}

func roach(_ v: RoachValue) {
  _ = v.verifyChecksum(key: [0xF2, 0x89, 0x88])
  if let s = try? v.decoded() { _ = "\(s)" }
}

func engineKey(_ b: [UInt8]) {
  _ = Keyspace.prettyPrint(b)
  _ = LocalKeys.role(of: b)
  _ = b.withUnsafeBytes { EngineKey.split($0) }
  _ = EngineKey.compare(b, Array(b.reversed()))
  guard let k = try? EngineKey(decoding: b) else { return }
  _ = try? LockTableKey(k)
  let printed = Keyspace.prettyPrint(k.roachKey)
  _ = try? Keyspace.parse(printed)
}

/// Every length-delimited field is tried as a nested message, as a schema-less dump would.
func walk(_ b: ArraySlice<UInt8>, depth: Int) {
  var r = ProtoReader(b)
  while let f = try? r.next() {
    if depth < 8, let inner = try? f.bytes() { walk(inner, depth: depth + 1) }
    _ = try? f.varint()
    _ = try? f.packedVarints()
  }
}

func resolve(_ b: [UInt8]) {
  var entries: [(key: [UInt8], value: [UInt8])] = []
  var p = 0
  while p < b.count {
    let kn = Int(b[p]); p += 1
    guard kn <= b.count - p else { break }
    let key = Array(b[p..<(p + kn)]); p += kn
    guard p < b.count else { entries.append((key, [])); break }
    let vn = Int(b[p]); p += 1
    let value = Array(b[p..<(p + min(vn, b.count - p))]); p += min(vn, b.count - p)
    entries.append((key, value))
  }
  for ts in [MVCCTimestamp.max, MVCCTimestamp(wallTime: 1_700_000_000_000_000_000)] {
    var r = MVCCResolver(readTimestamp: ts)
    for out in r.resolve(entries: entries) { describe(out) }
  }
}

func describe(_ r: MVCCResolution) {
  _ = "\(r.outcome)"
  for i in r.intents { _ = "\(i)" }
}
