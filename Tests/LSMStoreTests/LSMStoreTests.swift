import Testing
@testable import LSMStore
