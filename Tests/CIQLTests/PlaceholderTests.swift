import Testing
@testable import CIQL

@Test func locationsPrintAsLineColumn() {
    #expect(SourceLocation(line: 3, column: 7, offset: 20).description == "3:7")
}
