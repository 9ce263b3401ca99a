import Testing
@testable import CockroachSQL
