/// Renders `DIR/import.sql`: one `IMPORT INTO` per exported CSV file, with the options the
/// CSV dialect of `CSVTableWriter` needs, and a comment block telling the operator how to
/// make the files visible to the new cluster.
///
/// The tables must exist before IMPORT INTO runs; their DDL is `schema.sql` (written by the
/// schema step). When given, each table's CREATE TABLE text is repeated as a comment above
/// its IMPORT so a reader can check the column list against it.
public struct ImportScript {
  public struct Entry: Sendable {
    public var table: ExportTable
    /// As returned by `CSVTableWriter.relativePath`.
    public var relativePath: String
    public var createStatement: String?

    public init(table: ExportTable, relativePath: String, createStatement: String? = nil) {
      self.table = table
      self.relativePath = relativePath
      self.createStatement = createStatement
    }
  }

  public var entries: [Entry]
  public var options: CSVOptions
  /// Base URL of the uploaded directory; `nodelocal://1` means node 1's external-io dir.
  public var baseURL: String

  public init(entries: [Entry], options: CSVOptions, baseURL: String = "nodelocal://1") {
    self.entries = entries
    self.options = options
    self.baseURL = baseURL
  }

  /// The `WITH` clause the dialect needs (see `CSVTableWriter` for why `\N`).
  public var withClause: String {
    var parts = ["nullif = " + OutputNames.literal(CSVTableWriter.nullMarker)]
    if options.header { parts.append("skip = '1'") }
    if options.gzip { parts.append("decompress = 'gzip'") }
    return parts.joined(separator: ", ")
  }

  public func render() -> String {
    var out = Self.preamble(nullMarker: CSVTableWriter.nullMarker, header: options.header)
    for entry in entries {
      let t = entry.table
      out += "\n-- \(t.qualifiedName)\n"
      if let ddl = entry.createStatement {
        for line in ddl.split(separator: "\n", omittingEmptySubsequences: false) { out += "--   \(line)\n" }
      }
      let name = [t.database, t.schema, t.name].map(OutputNames.quoted).joined(separator: ".")
      let columns = t.columns.map { OutputNames.quoted($0.name) }.joined(separator: ", ")
      let url = baseURL + "/" + Self.urlPath(entry.relativePath)
      out += "IMPORT INTO \(name) (\(columns))\n"
      out += "  CSV DATA (\(OutputNames.literal(url)))\n"
      out += "  WITH \(withClause);\n"
    }
    return out
  }

  /// Writes `DIR/import.sql` atomically.
  public func write(directory: String, guard outputGuard: OutputGuard) throws(ExportError) {
    let file = try AtomicOutputFile(path: directory + "/import.sql", gzip: false, guard: outputGuard)
    try file.write(Array(render().utf8))
    try file.commit()
  }

  /// File names escape unusual bytes as `%XX` (`OutputNames.fileComponent`); the URL
  /// parser would decode those, so the `%` itself is escaped.
  static func urlPath(_ path: String) -> String { path.replacingAll("%", with: "%25") }

  static func preamble(nullMarker: String, header: Bool) -> String {
    """
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
    -- unquoted field \(nullMarker) (nullif), the empty string is "" (quoted, so never NULL);
    -- BYTES are \\x-prefixed hex.\(header ? " The first line of each file is a header (skip = '1')." : " No header line.")

    """
  }
}
