/// `roachpb.StoreIdent` at `/Local/Store/storeIdent` (spec §4.2): 1 cluster_id (16-byte
/// UUID), 2 node_id, 3 store_id. Stored as an inline MVCCMetadata whose raw_bytes is a
/// roachpb.Value BYTES holding the proto.
public struct StoreIdent: Equatable, Sendable {
  public var clusterID: UUID16? = nil
  public var nodeID: Int32 = 0
  public var storeID: Int32 = 0

  public init() {}

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    var r = ProtoReader(Array(raw), what: "StoreIdent")
    while let f = try r.next() {
      switch f.number {
      case 1:
        let b = try f.bytes(r.what)
        guard let u = UUID16(b) else { throw KVError(.corrupt, r.what, "cluster_id of \(b.count) bytes", offset: f.offset) }
        clusterID = u
      case 2: nodeID = try f.int32(r.what)
      case 3: storeID = try f.int32(r.what)
      default: break
      }
    }
  }

  /// Decodes from the value stored at the unversioned key.
  public init(inlineValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "StoreIdent"))
  }
}

/// Store- and range-ID-local records are written with a zero timestamp, so their engine
/// value is an MVCCMetadata whose raw_bytes is a roachpb.Value (BYTES) holding the proto.
public enum InlineProto {
  /// The proto bytes inside an inline MVCCMetadata value.
  public static func body(_ raw: [UInt8], what: String) throws(KVError) -> ArraySlice<UInt8> {
    let md: MVCCMetadata
    do { md = try MVCCMetadata(decoding: raw) } catch { throw error.within(what) }
    guard case .inline(let v) = md.meaning else {
      throw KVError(.corrupt, what, "value is not an inline MVCCMetadata")
    }
    return v.data
  }
}
