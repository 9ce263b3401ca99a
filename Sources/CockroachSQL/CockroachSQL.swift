// CockroachSQL: CockroachDB's SQL layer over raw KVs (shared/spec/cockroachdb-encoding.md §4.5–§7).
//
// Pipeline, one file per step:
//
//   system.descriptor KV ─ SchemaCatalog.descriptorID(key:) ─ Descriptor.decode ─▶ SchemaCatalog
//   system.namespace KV  ─ NamespaceEntry.decode                          (names, renames, drops)
//   table KVs grouped by SQLKeyPrefix.splitFamily(row prefix)
//        ─ TableRowDecoder.assemble (key: DatumDecoding.key; values: TUPLE / bare) ─▶ Row
//        ─ CSVWriter.line / SQLText.render ─▶ IMPORT INTO … CSV text;  DDL.createTable ─▶ schema
//   --schema FILE.sql ─ SchemaParser.parse ─▶ TableDescriptor (when descriptors are lost)
//                     ─ SuppliedSchema (IDs) ─ SchemaMerge (over the stored catalog)
//
// Input contract: keys are roach keys (no MVCC suffix, optional tenant prefix); values are
// roachpb.Value bytes (checksum ‖ tag ‖ data, `SQLValue(roachValue:)`) of the chosen MVCC version,
// already resolved and checksum-verified by CockroachKV/Recovery.
//
// Decoders that belong with CockroachKV.OrderedEncoding and live here under distinct names until
// consolidated: SQLOrderedDecoding (float-desc, decimals, timestamps, TIMETZ,
// intervals, bit arrays, BOX2D) and ValueEncoding (non-sorting uvarint, value tags, zigzag,
// non-sorting decimals, IP addresses).
