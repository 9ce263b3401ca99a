import Testing
@testable import CockroachKV
