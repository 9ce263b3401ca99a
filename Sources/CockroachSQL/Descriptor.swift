import CockroachKV

// Descriptor protobufs (spec §7.3–7.5), read by hand with `ProtoReader`. Field numbers are
// listed beside each type; unknown fields are skipped, and a field of the wrong wire type or
// an unreadable nested message becomes a problem on the result rather than a guess.

/// Lifecycle state of a descriptor (TableDescriptor field 19, Database 8, Schema 8, Type 13).
public enum DescriptorState: Int32, Sendable, Hashable {
  case `public` = 0, add = 1, drop = 2, offline = 3
}

public struct DatabaseDescriptor: Sendable, Hashable {
  public var id: UInt32 = 0
  public var name = ""
  public var state: DescriptorState = .public
  /// Schemas by name (field 7, 20.2+).
  public var schemas: [String: UInt32] = [:]
}

public struct SchemaDescriptor: Sendable, Hashable {
  public var id: UInt32 = 0
  public var parentID: UInt32 = 0
  public var name = ""
  public var state: DescriptorState = .public
}

public struct EnumMember: Sendable, Hashable {
  public var physical: [UInt8]
  public var label: String
}

public struct TypeDescriptor: Sendable, Hashable {
  public enum Kind: Int32, Sendable { case enumType = 0, alias = 1, multiRegionEnum = 2, implicitRecord = 3, composite = 4 }
  public var id: UInt32 = 0
  public var parentID: UInt32 = 0
  public var parentSchemaID: UInt32 = 0
  public var name = ""
  public var kindID: Int32 = 0
  public var members: [EnumMember] = []
  public var arrayTypeID: UInt32 = 0
  public var state: DescriptorState = .public
  public var kind: Kind? { Kind(rawValue: kindID) }

  public func label(physical: [UInt8]) -> String? { members.first { $0.physical == physical }?.label }
}

public struct ColumnDescriptor: Sendable, Hashable {
  public var id: UInt32 = 0
  public var name = ""
  public var type = SQLType(.unknown)
  public var nullable = false
  public var hidden = false
  public var defaultExpr: String?
  public var computeExpr: String?
  /// Computed and not stored: never present in KV (field 16).
  public var virtual = false
  public var inaccessible = false
  public var onUpdateExpr: String?

  public init(id: UInt32 = 0, name: String = "", type: SQLType = SQLType(.unknown), nullable: Bool = false) {
    self.id = id; self.name = name; self.type = type; self.nullable = nullable
  }
}

public struct FamilyDescriptor: Sendable, Hashable {
  public var id: UInt32 = 0
  public var name = ""
  public var columnNames: [String] = []
  public var columnIDs: [UInt32] = []
  public var defaultColumnID: UInt32 = 0
  public init(id: UInt32 = 0, name: String = "", columnNames: [String] = [], columnIDs: [UInt32] = [],
              defaultColumnID: UInt32 = 0) {
    self.id = id; self.name = name; self.columnNames = columnNames; self.columnIDs = columnIDs
    self.defaultColumnID = defaultColumnID
  }
}

public enum IndexDirection: Int32, Sendable, Hashable { case asc = 0, desc = 1 }

public struct IndexDescriptor: Sendable, Hashable {
  public enum Kind: Int32, Sendable { case forward = 0, inverted = 1, vector = 2 }
  public var id: UInt32 = 0
  public var name = ""
  public var unique = false
  public var keyColumnNames: [String] = []
  public var keyColumnIDs: [UInt32] = []
  public var directions: [IndexDirection] = []
  public var storeColumnNames: [String] = []
  public var storeColumnIDs: [UInt32] = []
  /// `extra_column_ids` before ~21.1: PK columns appended (ascending) to secondary keys.
  public var keySuffixColumnIDs: [UInt32] = []
  public var compositeColumnIDs: [UInt32] = []
  public var kindID: Int32 = 0
  public var version: UInt32 = 0
  /// 0 secondary, 1 primary-style (field 19).
  public var encodingType: UInt32 = 0
  public var predicate: String?
  public var interleaved = false
  public var kind: Kind? { Kind(rawValue: kindID) }

  public init(id: UInt32 = 0, name: String = "") { self.id = id; self.name = name }

  public func direction(at i: Int) -> IndexDirection { i < directions.count ? directions[i] : .asc }
}

/// A column or index in flight (TableDescriptor field 14): its data may already exist.
public struct DescriptorMutation: Sendable, Hashable {
  public enum Direction: Int32, Sendable { case none = 0, add = 1, drop = 2 }
  public var column: ColumnDescriptor?
  public var index: IndexDescriptor?
  /// 1 DELETE_ONLY, 2 WRITE_ONLY, 3 BACKFILLING, 4 MERGING.
  public var state: Int32 = 0
  public var directionID: Int32 = 0
  public var mutationID: UInt32 = 0
  public var direction: Direction? { Direction(rawValue: directionID) }
}

/// TableDescriptor.SequenceOpts (field 28): 1 increment, 2 min_value, 3 max_value, 4 start,
/// 5 virtual, 7 cache_size.
public struct SequenceOptions: Sendable, Hashable {
  public var increment: Int64 = 1
  public var minValue: Int64 = 0
  public var maxValue: Int64 = 0
  public var start: Int64 = 0
  public var virtual = false
  public var cacheSize: Int64 = 0
}

public struct TableDescriptor: Sendable, Hashable {
  public var id: UInt32 = 0
  public var name = ""
  public var parentID: UInt32 = 0
  /// `unexposed_parent_schema_id` (20.1+); 29 (public) when absent.
  public var parentSchemaID: UInt32 = 29
  public var version: UInt64 = 0
  public var columns: [ColumnDescriptor] = []
  public var families: [FamilyDescriptor] = []
  public var primaryIndex = IndexDescriptor()
  public var indexes: [IndexDescriptor] = []
  public var mutations: [DescriptorMutation] = []
  public var state: DescriptorState = .public
  public var formatVersion: UInt32 = 0
  public var viewQuery: String?
  public var isMaterializedView = false
  public var isSequence: Bool { sequence != nil }
  public var sequence: SequenceOptions?
  public var dropTimeNanos: Int64 = 0
  public var offlineReason: String?
  public var temporary = false

  public init(id: UInt32 = 0, name: String = "") { self.id = id; self.name = name }

  /// Views hold no rows unless materialized (spec §7.8 step 2).
  public var holdsRows: Bool { viewQuery == nil || isMaterializedView }

  /// Public columns plus columns of mutations: the ones whose data may be in KV.
  public var allColumns: [ColumnDescriptor] { columns + mutations.compactMap(\.column) }

  // Looked up per datum while decoding rows: search in place, no concatenated copy.
  public func column(id: UInt32) -> ColumnDescriptor? {
    columns.first { $0.id == id } ?? mutations.lazy.compactMap(\.column).first { $0.id == id }
  }
  public func column(named n: String) -> ColumnDescriptor? {
    columns.first { $0.name == n } ?? mutations.lazy.compactMap(\.column).first { $0.name == n }
  }

  /// The implicit `rowid` primary key CockroachDB adds to tables declared without one.
  public var hasImplicitRowID: Bool {
    primaryIndex.keyColumnIDs.count == 1 && column(id: primaryIndex.keyColumnIDs[0]).map { $0.hidden } == true
  }

  /// Columns written to CSV and listed in `IMPORT INTO t (…)`: public, stored, not computed,
  /// and not the implicit hidden rowid (a re-import assigns new ones).
  public var dataColumns: [ColumnDescriptor] {
    let implicit = hasImplicitRowID ? primaryIndex.keyColumnIDs[0] : nil
    return columns.filter { !$0.virtual && $0.computeExpr == nil && $0.id != implicit && !$0.inaccessible }
  }
}

/// One arm of the Descriptor union (field 1 table, 2 database, 3 type, 4 schema, 5 function).
public enum Descriptor: Sendable, Hashable {
  case table(TableDescriptor)
  case database(DatabaseDescriptor)
  case type(TypeDescriptor)
  case schema(SchemaDescriptor)
  /// Functions (22.2+) hold no rows: only the arm is recognised.
  case function
  case unknown

  public var id: UInt32? {
    switch self {
    case .table(let t): t.id
    case .database(let d): d.id
    case .type(let t): t.id
    case .schema(let s): s.id
    default: nil
    }
  }
  public var name: String? {
    switch self {
    case .table(let t): t.name
    case .database(let d): d.name
    case .type(let t): t.name
    case .schema(let s): s.name
    default: nil
    }
  }
}

/// A decoded descriptor and what could not be read from it.
public struct DecodedDescriptor: Sendable {
  public var descriptor: Descriptor
  public var problems: [SQLDecodeError]
}

/// Walks one message, handing each field to `body`; any error (bad wire type, truncation)
/// stops the walk of that message only and is recorded as a problem.
struct MessageWalker {
  var problems: [SQLDecodeError] = []
  var table: String?

  mutating func walk(_ bytes: ArraySlice<UInt8>, _ what: String,
                     _ body: (ProtoField, inout MessageWalker) throws -> Void) {
    var r = ProtoReader(bytes, what: what)
    do {
      while let f = try r.next() {
        do { try body(f, &self) } catch { problems.append(Self.wrap(error, what, f.offset, table)) }
      }
    } catch {
      problems.append(Self.wrap(error, what, nil, table))
    }
  }

  static func wrap(_ e: Error, _ what: String, _ offset: Int?, _ table: String?) -> SQLDecodeError {
    switch e {
    case let e as SQLDecodeError: return e.context(table: table, offset: offset)
    case let e as KVError: return SQLDecodeError(e, what: what, offset: offset).context(table: table)
    default: return SQLDecodeError(.corrupt, what, "\(e)", table: table, offset: offset)
    }
  }
}

extension Descriptor {
  /// Decodes a `cockroach.sql.sqlbase.Descriptor` (the data of a system.descriptor row after
  /// the roachpb.Value header). Never throws: what cannot be read is listed in `problems`.
  public static func decode(_ bytes: [UInt8]) -> DecodedDescriptor { decode(bytes[...]) }

  public static func decode(_ bytes: ArraySlice<UInt8>) -> DecodedDescriptor {
    var w = MessageWalker()
    var d: Descriptor = .unknown
    w.walk(bytes, "Descriptor") { f, w in
      switch f.number {
      case 1: d = .table(decodeTable(try f.bytes("Descriptor.table"), &w))
      case 2: d = .database(decodeDatabase(try f.bytes("Descriptor.database"), &w))
      case 3: d = .type(decodeType(try f.bytes("Descriptor.type"), &w))
      case 4: d = .schema(decodeSchema(try f.bytes("Descriptor.schema"), &w))
      case 5: d = .function
      default:
        w.problems.append(SQLDecodeError(.unsupported, "Descriptor", "unknown union arm \(f.number)", offset: f.offset))
      }
    }
    if case .unknown = d, w.problems.isEmpty {
      w.problems.append(SQLDecodeError(.missing, "Descriptor", "no table/database/type/schema arm"))
    }
    return DecodedDescriptor(descriptor: d, problems: w.problems)
  }

  static func state(_ f: ProtoField, _ what: String) throws -> DescriptorState {
    let v = try f.int32(what)
    guard let s = DescriptorState(rawValue: v) else {
      throw SQLDecodeError(.unsupported, what, "unknown descriptor state \(v)", offset: f.offset)
    }
    return s
  }

  // DatabaseDescriptor: 1 name, 2 id, 7 schemas map<string,{1 id}>, 8 state.
  static func decodeDatabase(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> DatabaseDescriptor {
    var d = DatabaseDescriptor()
    w.walk(b, "DatabaseDescriptor") { f, w in
      switch f.number {
      case 1: d.name = try f.string()
      case 2: d.id = try f.uint32()
      case 7:
        var key = "", id: UInt32 = 0
        w.walk(try f.bytes(), "DatabaseDescriptor.schemas") { e, w in
          switch e.number {
          case 1: key = try e.string()
          case 2: w.walk(try e.bytes(), "DatabaseDescriptor.schemas.value") { g, _ in
              if g.number == 1 { id = try g.uint32() }
            }
          default: break
          }
        }
        d.schemas[key] = id
      case 8: d.state = try state(f, "DatabaseDescriptor.state")
      default: break
      }
    }
    return d
  }

  // SchemaDescriptor: 1 parent_id, 2 name, 3 id, 8 state.
  static func decodeSchema(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> SchemaDescriptor {
    var s = SchemaDescriptor()
    w.walk(b, "SchemaDescriptor") { f, _ in
      switch f.number {
      case 1: s.parentID = try f.uint32()
      case 2: s.name = try f.string()
      case 3: s.id = try f.uint32()
      case 8: s.state = try state(f, "SchemaDescriptor.state")
      default: break
      }
    }
    return s
  }

  // TypeDescriptor: 1 parent_id, 2 parent_schema_id, 3 name, 4 id, 5 kind,
  // 6 enum_members {1 physical_representation, 2 logical_representation}, 8 array_type_id, 13 state.
  static func decodeType(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> TypeDescriptor {
    var t = TypeDescriptor()
    w.walk(b, "TypeDescriptor") { f, w in
      switch f.number {
      case 1: t.parentID = try f.uint32()
      case 2: t.parentSchemaID = try f.uint32()
      case 3: t.name = try f.string()
      case 4: t.id = try f.uint32()
      case 5: t.kindID = try f.int32()
      case 6:
        var m = EnumMember(physical: [], label: "")
        w.walk(try f.bytes(), "TypeDescriptor.enum_members") { g, _ in
          switch g.number {
          case 1: m.physical = Array(try g.bytes())
          case 2: m.label = try g.string()
          default: break
          }
        }
        t.members.append(m)
      case 8: t.arrayTypeID = try f.uint32()
      case 13: t.state = try state(f, "TypeDescriptor.state")
      default: break
      }
    }
    return t
  }

  // TableDescriptor: 1 name, 3 id, 4 parent_id, 5 version, 8 columns, 10 primary_index,
  // 11 indexes, 14 mutations, 17 format_version, 19 state, 22 families, 24 view_query,
  // 28 sequence_opts, 29 drop_time, 38 offline_reason, 39 temporary,
  // 40 unexposed_parent_schema_id, 41 is_materialized_view.
  static func decodeTable(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> TableDescriptor {
    var t = TableDescriptor()
    // The name is usually field 1, first on the wire; it labels every later problem.
    w.walk(b, "TableDescriptor") { f, w in
      switch f.number {
      case 1: t.name = try f.string(); w.table = t.name
      case 3: t.id = try f.uint32()
      case 4: t.parentID = try f.uint32()
      case 5: t.version = try f.varint()
      case 8: t.columns.append(decodeColumn(try f.bytes(), &w))
      case 10: t.primaryIndex = decodeIndex(try f.bytes(), &w)
      case 11: t.indexes.append(decodeIndex(try f.bytes(), &w))
      case 14: t.mutations.append(decodeMutation(try f.bytes(), &w))
      case 17: t.formatVersion = try f.uint32()
      case 19: t.state = try state(f, "TableDescriptor.state")
      case 22: t.families.append(decodeFamily(try f.bytes(), &w))
      case 24: let q = try f.string(); if !q.isEmpty { t.viewQuery = q }
      case 28:
        var o = SequenceOptions()
        w.walk(try f.bytes(), "TableDescriptor.sequence_opts") { g, _ in
          switch g.number {
          case 1: o.increment = try g.int64()
          case 2: o.minValue = try g.int64()
          case 3: o.maxValue = try g.int64()
          case 4: o.start = try g.int64()
          case 5: o.virtual = try g.bool()
          case 7: o.cacheSize = try g.int64()
          default: break
          }
        }
        t.sequence = o
      case 29: t.dropTimeNanos = try f.int64()
      case 38: let s = try f.string(); if !s.isEmpty { t.offlineReason = s }
      case 39: t.temporary = try f.bool()
      case 40: let s = try f.uint32(); if s != 0 { t.parentSchemaID = s }
      case 41: t.isMaterializedView = try f.bool()
      default: break
      }
    }
    w.table = nil
    return t
  }

  // ColumnDescriptor: 1 name, 2 id, 3 type, 4 nullable, 5 default_expr, 6 hidden,
  // 11 compute_expr, 16 virtual, 17 inaccessible, 18 on_update_expr.
  static func decodeColumn(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> ColumnDescriptor {
    var c = ColumnDescriptor()
    var typeBytes: ArraySlice<UInt8>?
    w.walk(b, "ColumnDescriptor") { f, _ in
      switch f.number {
      case 1: c.name = try f.string()
      case 2: c.id = try f.uint32()
      case 3: typeBytes = try f.bytes()
      case 4: c.nullable = try f.bool()
      case 5: c.defaultExpr = try f.string()
      case 6: c.hidden = try f.bool()
      case 11: c.computeExpr = try f.string()
      case 16: c.virtual = try f.bool()
      case 17: c.inaccessible = try f.bool()
      case 18: c.onUpdateExpr = try f.string()
      default: break
      }
    }
    if let typeBytes {
      do {
        c.type = try SQLType.decode(typeBytes, what: "ColumnDescriptor.type")
        if c.type.family == nil {
          w.problems.append(SQLDecodeError(.unsupported, "ColumnDescriptor.type",
                                           "unknown type family \(c.type.familyID); values kept as hex",
                                           table: w.table, column: c.name))
        }
      } catch {
        w.problems.append(error.context(table: w.table, column: c.name))
      }
    } else {
      w.problems.append(SQLDecodeError(.missing, "ColumnDescriptor", "column \(c.id) has no type",
                                       table: w.table, column: c.name))
    }
    return c
  }

  // ColumnFamilyDescriptor: 1 name, 2 id, 3 column_names, 4 column_ids, 5 default_column_id.
  static func decodeFamily(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> FamilyDescriptor {
    var fam = FamilyDescriptor()
    w.walk(b, "ColumnFamilyDescriptor") { f, _ in
      switch f.number {
      case 1: fam.name = try f.string()
      case 2: fam.id = try f.uint32()
      case 3: fam.columnNames.append(try f.string())
      case 4: fam.columnIDs += try f.packedVarints().map { UInt32(truncatingIfNeeded: $0) }
      case 5: fam.defaultColumnID = try f.uint32()
      default: break
      }
    }
    return fam
  }

  // IndexDescriptor: 1 name, 2 id, 3 unique, 4 key_column_names, 5 store_column_names,
  // 6 key_column_ids, 7 key_suffix_column_ids, 8 key_column_directions, 11 interleave,
  // 13 composite_column_ids, 14 store_column_ids, 16 type, 18 version, 19 encoding_type, 23 predicate.
  static func decodeIndex(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> IndexDescriptor {
    var ix = IndexDescriptor()
    func ids(_ f: ProtoField) throws -> [UInt32] { try f.packedVarints().map { UInt32(truncatingIfNeeded: $0) } }
    w.walk(b, "IndexDescriptor") { f, _ in
      switch f.number {
      case 1: ix.name = try f.string()
      case 2: ix.id = try f.uint32()
      case 3: ix.unique = try f.bool()
      case 4: ix.keyColumnNames.append(try f.string())
      case 5: ix.storeColumnNames.append(try f.string())
      case 6: ix.keyColumnIDs += try ids(f)
      case 7: ix.keySuffixColumnIDs += try ids(f)
      case 8:
        for v in try f.packedVarints() {
          guard let d = IndexDirection(rawValue: Int32(truncatingIfNeeded: v)) else {
            throw SQLDecodeError(.corrupt, "IndexDescriptor.key_column_directions", "direction \(v)")
          }
          ix.directions.append(d)
        }
      case 11: ix.interleaved = !(try f.bytes()).isEmpty
      case 13: ix.compositeColumnIDs += try ids(f)
      case 14: ix.storeColumnIDs += try ids(f)
      case 16: ix.kindID = try f.int32()
      case 18: ix.version = try f.uint32()
      case 19: ix.encodingType = try f.uint32()
      case 23: let p = try f.string(); if !p.isEmpty { ix.predicate = p }
      default: break
      }
    }
    if !ix.directions.isEmpty && ix.directions.count != ix.keyColumnIDs.count {
      w.problems.append(SQLDecodeError(.corrupt, "IndexDescriptor",
        "index \(ix.name): \(ix.keyColumnIDs.count) key columns but \(ix.directions.count) directions",
        table: w.table))
    }
    return ix
  }

  // DescriptorMutation: 1 column, 2 index, 3 state, 4 direction, 5 mutation_id.
  static func decodeMutation(_ b: ArraySlice<UInt8>, _ w: inout MessageWalker) -> DescriptorMutation {
    var m = DescriptorMutation()
    w.walk(b, "DescriptorMutation") { f, w in
      switch f.number {
      case 1: m.column = decodeColumn(try f.bytes(), &w)
      case 2: m.index = decodeIndex(try f.bytes(), &w)
      case 3: m.state = try f.int32()
      case 4: m.directionID = try f.int32()
      case 5: m.mutationID = try f.uint32()
      default: break
      }
    }
    return m
  }
}
