import Testing
@testable import Recovery
