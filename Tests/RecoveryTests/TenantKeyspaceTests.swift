import CockroachKV
import Testing
@testable import Recovery

/// Which tenants a recovery names from the range plans alone (`RecoveryRun.tenantsInPlans`):
/// a tenant is the one whose prefix a range starts with (CockroachDB splits at every tenant's
/// prefix), tenant IDs of several uvarint bytes included; ranges with no store count as lost.
struct TenantKeyspaceTests {
  static func key(_ s: String) throws -> [UInt8] { try Keyspace.parse(s) }

  @Test func tenantsComeFromTheRangesThatStartInTheirKeyspace() throws {
    let plans = [
      RangePlan(rangeID: 1, span: KeySpan(start: try Self.key("/Table/50"), end: try Self.key("/Tenant/2")), chosenStore: 0, fallbacks: []),
      RangePlan(rangeID: 2, span: KeySpan(start: try Self.key("/Tenant/2"), end: try Self.key("/Tenant/300")), chosenStore: 0, fallbacks: []),
      RangePlan(rangeID: 3, span: KeySpan(start: try Self.key("/Tenant/300"), end: try Self.key("/Tenant/300/Table/60")), chosenStore: nil, fallbacks: []),
      RangePlan(rangeID: 4, span: KeySpan(start: try Self.key("/Tenant/300/Table/60"), end: LocalKeys.keyMax), chosenStore: 1, fallbacks: []),
    ]
    let found = RecoveryRun.tenantsInPlans(plans)
    #expect(found.keys.sorted() == [2, 300])
    #expect(found[2] == UnrecoveredTenant(tenantID: 2, ranges: 1, rangesLost: 0))
    #expect(found[300] == UnrecoveredTenant(tenantID: 300, ranges: 2, rangesLost: 1))
    #expect(try UnrecoveredTenant.tenantID(of: Self.key("/Tenant/300/Table/60")) == 300)
    #expect(try UnrecoveredTenant.tenantID(of: Self.key("/Table/60")) == nil)
    #expect(found[300]!.problem.description
      == "tenant 300: a virtual cluster under /Tenant/300: 1 range(s) held by the surviving stores (1 more range(s) lost); its tables are not recovered (Salvage exports the system tenant's tables only)")
    var named = found[2]!
    named.tables = (1...12).map { "db.public.t\($0)" }
    #expect(named.problem.description.contains("its tables (db.public.t1, db.public.t2, db.public.t3, db.public.t4, db.public.t5, "
      + "db.public.t6, db.public.t7, db.public.t8, db.public.t9, db.public.t10 and 2 more) are not recovered"), "\(named.problem)")
  }
}
