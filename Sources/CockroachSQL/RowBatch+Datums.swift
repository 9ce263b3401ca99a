/// Rows built from datums rather than KVs (rows rebuilt from secondary indexes): the same
/// batch, rendered by the same writers, as rows assembled from the primary index.
extension RowBatch {
  /// Appends a row: `values[o]` for ordinal `o`, nil leaving the slot unset (NULL).
  public mutating func appendRow(_ values: [Datum?]) {
    _ = openRow()
    for (o, d) in values.enumerated() where o < width {
      if let d { set(o, datum: d) }
    }
  }
}
