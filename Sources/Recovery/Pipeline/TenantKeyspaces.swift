import CockroachKV
import CockroachSQL
import LSMStore

/// A secondary tenant (virtual cluster) found in the stores. Its SQL data lives under
/// `/Tenant/<id>` with its own descriptors (spec §4.5, §7.8), and a recovery exports the
/// system tenant's tables only: such a tenant is named in the report and the problems,
/// never passed over in silence. CockroachDB splits ranges at every tenant's prefix, so its
/// ranges are the ones that start inside its keyspace.
public struct UnrecoveredTenant: Equatable, Sendable {
  public var tenantID: UInt64
  /// Ranges that start in the tenant's keyspace, and how many of them no store holds.
  public var ranges: Int
  public var rangesLost: Int
  /// Live KVs at the read timestamp on the chosen replicas (nil: not counted; a survey and
  /// a shard stay at metadata cost).
  public var keys: Int?
  /// The first key counted, pretty-printed (`/Tenant/3/Table/3/1/1/2/1`).
  public var sampleKey: String?
  /// `db.schema.table` of the tables its own descriptors (`/Tenant/<id>/Table/3`) name, as
  /// the chosen replicas hold them (nil: not read).
  public var tables: [String]?

  public var span: String { "/Tenant/\(tenantID)" }

  public var problem: Problem {
    let named = tables.map { $0.isEmpty ? "" : " (" + Self.list($0) + ")" } ?? ""
    return Problem(.warning, subject: "tenant \(tenantID)",
                   "a virtual cluster under \(span): \(Self.held(keys: keys, ranges: ranges, rangesLost: rangesLost, sampleKey: nil)); its tables\(named) are not recovered (Salvage exports the system tenant's tables only)")
  }

  /// The first 10 names, then how many more.
  public static func list(_ names: [String]) -> String {
    names.prefix(10).joined(separator: ", ") + (names.count > 10 ? " and \(names.count - 10) more" : "")
  }

  /// `12 live key(s) in 2 range(s) held by the surviving stores (1 more range(s) lost), e.g. /Tenant/3/…`.
  /// With `tables`: `; tables: game.public.users, …` after it.
  public static func held(keys: Int?, ranges: Int, rangesLost: Int, sampleKey: String?, tables: [String]? = nil) -> String {
    let held = "\(ranges - rangesLost) range(s) held by the surviving stores"
    return (keys.map { "\($0) live key(s) in " } ?? "") + held + (rangesLost > 0 ? " (\(rangesLost) more range(s) lost)" : "")
      + (sampleKey.map { ", e.g. " + $0 } ?? "") + (tables.flatMap { $0.isEmpty ? nil : "; tables: " + list($0) } ?? "")
  }

  /// Tenant ID of a roach key in a secondary tenant's keyspace (`fe ‖ uvarint-asc(id) ‖ …`).
  static func tenantID(of key: [UInt8]) -> UInt64? { split(key)?.tenant }

  /// The tenant ID and the key after the tenant prefix (`/Table/…`).
  static func split(_ key: [UInt8]) -> (tenant: UInt64, rest: ArraySlice<UInt8>)? {
    guard key.first == LocalKeys.tenantPrefixByte,
          let (t, rest) = try? OrderedEncoding.decodeUvarintAscending(key.dropFirst()) else { return nil }
    return (t, rest)
  }

  /// `/Table/3/1`: a tenant's own system.descriptor rows follow its prefix with these bytes.
  static let descriptorIndexPrefix: [UInt8] = {
    var p: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(SchemaCatalog.descriptorTableID, into: &p)
    OrderedEncoding.encodeUvarintAscending(1, into: &p)
    return p
  }()
}

extension RecoveryRun {
  /// Tenants whose ranges start in their keyspace, from the range plans alone (nothing read).
  static func tenantsInPlans(_ plans: [RangePlan]) -> [UInt64: UnrecoveredTenant] {
    var out: [UInt64: UnrecoveredTenant] = [:]
    for p in plans {
      guard let t = UnrecoveredTenant.tenantID(of: p.span.start) else { continue }
      out[t, default: UnrecoveredTenant(tenantID: t, ranges: 0, rangesLost: 0)].ranges += 1
      if p.chosenStore == nil { out[t]!.rangesLost += 1 }
    }
    return out
  }

  /// The tenants of the plans; with `countKeys`, their live keys on the chosen replicas are
  /// counted too (one seek-bounded pass over the tenants' keyspace, `[fe, ff)`), which also
  /// finds a tenant whose keys sit in a range that starts before its prefix.
  func findTenants(stores: [Store], plans: [RangePlan], countKeys: Bool) -> [UnrecoveredTenant] {
    var found = Self.tenantsInPlans(plans)
    if countKeys {
      let keyspace = KeySpan(start: [LocalKeys.tenantPrefixByte], end: [LocalKeys.tenantPrefixByte + 1])
      var byStore: [Int: [KeySpan]] = [:]
      for p in plans {
        guard let s = p.chosenStore, let piece = p.span.intersection(keyspace) else { continue }
        byStore[s, default: []].append(piece)
      }
      for t in found.keys { found[t]!.keys = 0 }
      var catalogs: [UInt64: SchemaCatalog] = [:]
      for (s, spans) in byStore.sorted(by: { $0.key < $1.key }) {
        let stats = SpanScanner(store: stores[s], spans: spans, readTimestamp: options.readTimestamp).run { _, r in
          guard case .value(_, let v) = r.outcome, let (t, rest) = UnrecoveredTenant.split(r.roachKey) else { return }
          if found[t] == nil { found[t] = UnrecoveredTenant(tenantID: t, ranges: 0, rangesLost: 0, keys: 0) }
          found[t]!.keys! += 1
          if found[t]!.sampleKey == nil { found[t]!.sampleKey = Keyspace.prettyPrint(r.roachKey) }
          // The tenant's own system.descriptor rows name its tables (a prefix test first: the
          // tenant may hold all of a cluster's data; undecodable rows are left out, the
          // tenant is reported either way).
          if rest.starts(with: UnrecoveredTenant.descriptorIndexPrefix) {
            _ = try? catalogs[t, default: SchemaCatalog()].addRow(key: r.roachKey, roachValue: v.value.rawBytes)
          }
        }
        report.problems += stats.problems.map { $0.inStore(stores[s].path) }
      }
      for (t, catalog) in catalogs where found[t] != nil {
        found[t]!.tables = catalog.dataTables.filter { $0.state != .drop }.map { catalog.qualifiedName(of: $0).joined(separator: ".") }
      }
    }
    // A tenant known only from empty ranges (dropped, its data cleared) holds nothing to miss.
    return found.values.filter { $0.keys.map { $0 > 0 } ?? ($0.ranges > $0.rangesLost) }.sorted { $0.tenantID < $1.tenantID }
  }
}
