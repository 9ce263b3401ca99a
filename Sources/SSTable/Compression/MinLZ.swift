/// MinLZ block decoder (compression type 8, Pebblev6+). Placeholder until the columnar
/// formats land: every block is refused as unreadable, which the scan reports as damage.
enum MinLZ {
  static func decompress(_ src: UnsafeRawBufferPointer) -> OwnedBytes? { nil }
}
