/// One table file opened read-only: footer → metaindex → properties (spec §1.1). Data is
/// read lazily by iterators; nothing here loads the file into memory.
public final class Table: @unchecked Sendable {
  public let file: MappedFile
  public var path: String { file.path }
  public let footer: Footer
  public var format: TableFormat { footer.format }
  public let blocks: BlockReader
  /// Meta-block name → raw metaindex value (a handle, or handle + widths for the value index).
  public let metaindex: [(name: String, value: [UInt8])]
  public let properties: TableProperties
  /// Why the properties block could not be read, if it could not; the index layout and key
  /// schema were then inferred from the blocks (see `warnings`).
  public let propertiesDamage: SSTableError?
  /// Index shape and encoding, key schema: from the properties, or inferred.
  let indexLayout: IndexLayout
  /// Sequence number that replaces every key's own (RocksDB global seqno, or a MANIFEST's
  /// synthetic seqnum for an ingested table, §4.4). Nil: keys keep their stored seqnums.
  public var syntheticSeqNum: UInt64?
  /// Problems found while opening that did not prevent reading (e.g. footer checksum).
  public private(set) var warnings: [String] = []

  public convenience init(path: String) throws(SSTableError) {
    try self.init(file: MappedFile(path: path))
  }

  public init(file: MappedFile, footer: Footer? = nil) throws(SSTableError) {
    self.file = file
    do throws(SSTableError) {
      var f: Footer
      if let footer { f = footer } else { f = try Footer.read(file.bytes) }
      self.footer = f
      blocks = BlockReader(file: file, checksumType: f.checksumType)
      if !f.footerChecksumOK, let c = f.footerChecksum {
        warnings.append("footer checksum mismatch (stored \(hex32(c.stored)) computed \(hex32(c.computed)))")
      }
      let metaBlock = try blocks.read(f.metaindex)
      let columnarMeta = f.format.hasColumnarMetaindex
      metaindex = try metaBlock.withBytes { b throws(SSTableError) in
        columnarMeta ? try KeyValueBlock.pairs(b, what: "metaindex") : try Table.readRawPairs(b, what: "metaindex")
      }
      var props = TableProperties()
      var damage: SSTableError?
      if let v = metaindex.first(where: { $0.name == "rocksdb.properties" })?.value {
        do throws(SSTableError) {
          let h = try Table.handle(v, fileSize: file.count, what: "properties")
          let columnarProps = f.format.hasColumnarProperties
          props.raw = try blocks.read(h).withBytes { b throws(SSTableError) in
            columnarProps ? try KeyValueBlock.pairs(b, what: "properties") : try Table.readRawPairs(b, what: "properties")
          }
        } catch {
          damage = error
        }
      }
      properties = props
      propertiesDamage = damage
      syntheticSeqNum = props.globalSeqNum
      if let damage {
        let (layout, notes) = IndexLayout.infer(format: f.format, index: f.index, blocks: blocks)
        indexLayout = layout
        warnings.append("properties block damaged (\(damage.message)); inferred \(notes.joined(separator: ", "))"
                        + (f.format.rocksDBVersion > 0 ? "; a global sequence number, if any, is lost" : ""))
      } else {
        indexLayout = IndexLayout(properties: props, format: f.format)
      }
    } catch {
      throw error.inFile(file.path)
    }
  }

  /// A table assembled by a salvaging open from what survived (no footer of its own).
  init(file: MappedFile, footer: Footer, metaindex: [(name: String, value: [UInt8])], properties: TableProperties) {
    self.file = file
    self.footer = footer
    blocks = BlockReader(file: file, checksumType: footer.checksumType)
    self.metaindex = metaindex
    self.properties = properties
    propertiesDamage = nil
    indexLayout = IndexLayout(properties: properties, format: footer.format)
    syntheticSeqNum = properties.globalSeqNum
  }

  /// Key/value pairs of a row block whose keys are raw strings (metaindex, properties).
  static func readRawPairs(_ b: UnsafeRawBufferPointer, what: String) throws(SSTableError) -> [(name: String, value: [UInt8])] {
    var out: [(name: String, value: [UInt8])] = []
    do throws(SSTableError) {
      var it = try RowBlockIterator(b)
      while try it.next() { out.append((String(decoding: it.key, as: UTF8.self), Array(it.value))) }
    } catch {
      throw SSTableError(.corrupt, "\(what) block: \(error.message)")
    }
    return out
  }

  static func handle(_ v: [UInt8], fileSize: Int, what: String) throws(SSTableError) -> BlockHandle {
    let h = v.withUnsafeBytes { b in var p = 0; return BlockHandle.decode(b, &p, fileSize: fileSize) }
    guard let h else { throw SSTableError(.corrupt, "\(what) handle in metaindex is malformed or out of the file") }
    return h
  }

  /// Handle of the named meta block, if present.
  public func metaHandle(_ name: String) throws(SSTableError) -> BlockHandle? {
    guard let v = metaindex.first(where: { $0.name == name })?.value else { return nil }
    return try Table.handle(v, fileSize: file.count, what: name)
  }

  public var isTwoLevelIndex: Bool { indexLayout.twoLevel }

  /// How index entries are laid out in this table (spec §3.3; RocksDB fv3–5 variants).
  var indexEncoding: IndexEncoding { indexLayout.encoding(fileSize: file.count) }

  /// Columnar tables: the data blocks' key schema (nil if unknown or not columnar).
  public var keySchema: KeySchema? { indexLayout.keySchema }

  /// Iterates the point entries of every data block in order.
  public func makeIterator() -> TableIterator { TableIterator(self) }
}
