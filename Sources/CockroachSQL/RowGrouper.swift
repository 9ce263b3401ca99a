/// Groups a key-ordered stream of one index's KVs into rows: consecutive KVs whose keys share
/// the row prefix (the key minus its family suffix, found from the last byte alone, §4.5) form
/// one row. Feed KVs in key order; a finished row comes back when the next row starts.
public struct RowGrouper: Sendable {
  public let decoder: TableRowDecoder
  var pending: [(key: [UInt8], value: SQLValue)] = []
  var prefix: ArraySlice<UInt8>?

  public init(decoder: TableRowDecoder) { self.decoder = decoder }

  /// Adds one KV; returns the previous row when this KV starts a new one. A key whose family
  /// suffix cannot be read is returned at once as its own failed row.
  public mutating func add(key: [UInt8], value: SQLValue) -> Result<TableRowDecoder.Row, SQLDecodeError>? {
    let row: ArraySlice<UInt8>
    do { row = try SQLKeyPrefix.splitFamily(key[...]).row } catch {
      return .failure(error.context(table: decoder.table.name))
    }
    if let prefix, prefix.elementsEqual(row) {
      pending.append((key, value))
      return nil
    }
    let done = finish()
    prefix = Array(row)[...]
    pending = [(key, value)]
    return done
  }

  /// The last row, if any KVs are pending.
  public mutating func finish() -> Result<TableRowDecoder.Row, SQLDecodeError>? {
    guard !pending.isEmpty else { return nil }
    defer { pending = []; prefix = nil }
    do { return .success(try decoder.assemble(pending)) } catch { return .failure(error) }
  }
}
