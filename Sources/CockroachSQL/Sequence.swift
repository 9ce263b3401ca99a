/// A sequence's current value (spec §6.7): `/Table/<seqID>/1/0/0`, i.e. index 1, key column
/// `88` (0) and family suffix `88`, holding a bare INT (tag 1, zigzag varint).
public enum SequenceValue {
  public static func decode(key: [UInt8], value: SQLValue) throws(SQLDecodeError) -> (sequenceID: UInt64, value: Int64) {
    let p = try SQLKeyPrefix.parse(key[...])
    guard p.indexID == 1, Array(p.rest) == [0x88, 0x88] else {
      throw SQLDecodeError(.corrupt, "sequence key", "expected /Table/\(p.tableID)/1/0/0")
    }
    guard value.tag == 1 else { throw SQLDecodeError(.corrupt, "sequence value", "tag \(value.tag), expected INT (1)") }
    var b = value.data
    let v = try ValueEncoding.zigzag(&b)
    guard b.isEmpty else { throw SQLDecodeError(.corrupt, "sequence value", "\(b.count) trailing bytes") }
    return (p.tableID, v)
  }
}
