import Foundation
import Testing
@testable import Export

@Suite struct ImportScriptTests {
  static let orders = ExportTable(database: "shop", name: "orders",
                                  columns: [ExportColumn("id", "INT8"), ExportColumn("note \"x\"", "STRING")])
  static let audit = ExportTable(database: "shop", schema: "ops", name: "audit log",
                                 columns: [ExportColumn("at", "TIMESTAMPTZ")])

  @Test func text_is_pinned() throws {
    let script = ImportScript(entries: [
      .init(table: Self.orders, relativePath: OutputNames.csvPath(Self.orders, gzip: false),
            createStatement: "CREATE TABLE shop.public.orders (\n  id INT8 PRIMARY KEY,\n  \"note \"\"x\"\"\" STRING\n);"),
      .init(table: Self.audit, relativePath: OutputNames.csvPath(Self.audit, gzip: false)),
    ], options: CSVOptions())
    let expected = #"""
      -- Written by Salvage: loads the recovered rows into a new CockroachDB cluster.
      --
      -- 1. Create the tables first: `cockroach sql --url <new cluster> -f schema.sql`.
      --    IMPORT INTO only fills existing tables, and takes each one offline while it runs.
      -- 2. Make the CSV files (this directory, keeping its <database>/<file> layout)
      --    readable by the cluster. The statements below use nodelocal://1/, the
      --    external-io directory of node 1 (<store>/extern unless --external-io-dir is set):
      --      nodelocal: cockroach nodelocal upload <db>/<file> <db>/<file> --url <new cluster>
      --                 or copy the directory into node 1's extern/ directory;
      --      userfile:  cockroach userfile upload <db>/<file> <db>/<file> --url <new cluster>,
      --                 then replace 'nodelocal://1/' with 'userfile:///' below;
      --      cloud:     upload to a bucket, then replace 'nodelocal://1/' with e.g.
      --                 's3://<bucket>/<prefix>/?AUTH=implicit' (or gs://, azure://).
      -- 3. Run this file: `cockroach sql --url <new cluster> -f import.sql`.
      --
      -- CSV dialect: RFC 4180, no escape character besides doubled quotes; NULL is the
      -- unquoted field \N (nullif), the empty string is "" (quoted, so never NULL);
      -- BYTES are \x-prefixed hex. No header line.

      -- shop.public.orders
      --   CREATE TABLE shop.public.orders (
      --     id INT8 PRIMARY KEY,
      --     "note ""x""" STRING
      --   );
      IMPORT INTO "shop"."public"."orders" ("id", "note ""x""")
        CSV DATA ('nodelocal://1/shop/orders.csv')
        WITH nullif = '\N';

      -- shop.ops.audit log
      IMPORT INTO "shop"."ops"."audit log" ("at")
        CSV DATA ('nodelocal://1/shop/ops.audit%2520log.csv')
        WITH nullif = '\N';

      """#
    #expect(script.render() == expected)
  }

  @Test func header_and_gzip_options() throws {
    let script = ImportScript(entries: [.init(table: Self.orders, relativePath: "shop/orders.csv.gz")],
                              options: CSVOptions(gzip: true, header: true))
    #expect(script.withClause == #"nullif = '\N', skip = '1', decompress = 'gzip'"#)
    #expect(script.render().contains("The first line of each file is a header (skip = '1')."))
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    try script.write(directory: dir, guard: .none)
    #expect(try String(contentsOfFile: dir + "/import.sql", encoding: .utf8) == script.render())
    #expect(throws: ExportError.self) { try script.write(directory: dir, guard: OutputGuard(forbiddenDirectories: [dir])) }
  }
}
