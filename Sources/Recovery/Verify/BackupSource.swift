import CockroachKV
import CockroachSQL
import Foundation

/// Decodes one table's rows from a backup chain (Recovery/Backup: manifest, incrementals,
/// localities; docs/backup-format.md) into a sorter. The chain streams the primary index's
/// keys in key order as of its read time; nothing is collected per table but sort runs.
public struct BackupTableReader {
  public let chain: BackupChain
  public let descriptor: TableDescriptor
  public let table: VerifyTable
  /// Rows that could not be decoded (counted in the report).
  public private(set) var problems: [Problem] = []
  /// Damaged data files and blocks skipped (their keys are not compared).
  public private(set) var damaged: [Problem] = []

  public init(chain: BackupChain, descriptor: TableDescriptor, table: VerifyTable) {
    self.chain = chain
    self.descriptor = descriptor
    self.table = table
  }

  public mutating func read(into sorter: ExternalSorter) throws {
    let prefix = BackupKeys.uvarintAsc(UInt64(descriptor.id)) + BackupKeys.uvarintAsc(UInt64(descriptor.primaryIndex.id))
    let columns = descriptor.dataColumns.filter { !$0.hidden }
    var grouper = RowGrouper(decoder: TableRowDecoder(table: descriptor, catalog: chain.catalog.types))
    var problems: [Problem] = []
    func emit(_ r: Result<TableRowDecoder.Row, SQLDecodeError>?) throws {
      switch r {
      case .success(let row)?: try sorter.add(columns.map { SQLText.render(row.datum($0.id), type: $0.type) })
      case .failure(let e)?: problems.append(Problem(.undecodable, subject: table.qualifiedName, "\(e)"))
      case nil: break
      }
    }
    var damaged: [Problem] = []
    try chain.scan(KeySpan(start: prefix, end: BackupKeys.prefixEnd(prefix)), problems: &damaged) { key, value in
      do {
        guard let v = try SQLValue(roachValue: value) else { return }
        try emit(grouper.add(key: key, value: v))
      } catch let e as SQLDecodeError { problems.append(Problem(.undecodable, subject: table.qualifiedName, key: key, "\(e)")) }
    }
    try emit(grouper.finish())
    self.problems = problems
    self.damaged = damaged
  }
}
