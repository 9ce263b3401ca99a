import CockroachSQL
import Foundation

/// The sample's row sink: renders every row as `recover` does (CSV, its dialect) into a
/// reused buffer and keeps only the counts, so the sample costs what reading and rendering
/// cost, and writes nothing.
final class SurveySink: RecoveredRowSink, @unchecked Sendable {
  let csv = CSVWriter()
  var tables: [RecoveredTable]
  var out = ByteSink(capacity: 1 << 20)
  private(set) var rows = 0
  private(set) var csvBytes: Int64 = 0

  init(tables: [RecoveredTable]) { self.tables = tables }

  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws { self.tables = tables }

  func chunk(_ chunk: RecoveryChunk, rows batch: RowBatch) throws {
    let ordinals = tables[chunk.table].columns.map { batch.layout.ordinal(of: $0.id) ?? -1 }
    var problems: [String] = []
    for r in 0..<batch.count {
      csv.write(batch, row: r, ordinals: ordinals, into: &out, problems: &problems)
      // Flushed as a file writer would be, so the buffer stays small.
      if out.count >= 1 << 20 { csvBytes += Int64(out.count); out.removeAll() }
    }
    csvBytes += Int64(out.count)
    out.removeAll()
    rows += batch.count
  }

  func finish(_ report: RecoveryReport) throws {}
}
