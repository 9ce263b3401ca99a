import LSMStore
import SSTable

// libFuzzer entry point (`scripts/fuzz.sh`). The first byte picks the parser, the rest is
// its input, read through the same calls a store open makes:
//   0  MANIFEST file: records → version edits → the live version
//   1  WAL file, after a 4-byte LE log number: records → batches → memtable
//   2  one version-edit payload (second byte: dialect), applied to a version
//   3  one batch payload, applied to a memtable
//   4  OPTIONS text
// Payload modes (2, 3) reach the decoders behind a record's CRC, which mutation cannot fix.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStore(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
  guard let mode = input.first else { return 0 }
  let rest = Array(input.dropFirst())
  switch mode % 5 {
  case 0:
    let m = Manifest(bytes: rest, name: "MANIFEST-fuzz")
    inspect(m.version)
    for i in m.issues { _ = i.description }
  case 1:
    guard rest.count >= 4 else { return 0 }
    let number = rest.prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let reader = LogReader(bytes: Array(rest.dropFirst(4)), name: "fuzz.log", logNumber: number)
    var mem = Memtable()
    while let r = reader.next() { mem.apply(BatchDecoder.decode(r.payload, recordOffset: r.offset, file: "fuzz.log")) }
    for i in reader.issues { _ = i.description }
    seal(&mem)
  case 2:
    guard let d = rest.first else { return 0 }
    let dialect: ManifestDialect? = [nil, .pebble, .rocksdb][Int(d % 3)]
    if case .success(let e) = VersionEdit.decode(Array(rest.dropFirst()), dialect: dialect) {
      var v = LSMVersion()
      v.apply(e)
      inspect(v)
    }
  case 3:
    var mem = Memtable()
    mem.apply(BatchDecoder.decode(rest, recordOffset: 0, file: "fuzz.log"))
    seal(&mem)
  default:
    let o = StoreOptions(text: String(decoding: rest, as: UTF8.self))
    _ = o.engine
    _ = o.comparer
  }
  return 0
}

func inspect(_ v: LSMVersion) {
  for t in v.tables { _ = v.blobFileNumbers(for: t) }
}

/// What a store open does with the replayed writes, under both orderings.
func seal(_ mem: inout Memtable) {
  for c in [Comparer.bytewise, .cockroach] {
    mem.seal(c)
    let dels = RangeDelIndex(mem.rangeDeletions, comparer: c)
    for p in mem.points { _ = p.key.withUnsafeBytes { dels.coveringSeq($0) } }
    _ = RangeKeyView.visible(mem.rangeKeys, comparer: c)
  }
}
