@testable import ConfigurationSchema
import Testing
import Yams

/// The schema reads plain decimals itself and everything else through Yams: both must give what Yams gives.
struct SchemaNumberTests {
    private static let spellings = [
        "1", "0", "-0", "-40", "1024", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "99999999999999999999", "010", "007", "00", "0x1A", "0o17", "0b101", "1_024", "+3", "1:30", "-1:30",
        "1.5", "-0.25", "0.5", "10.0", "1.", ".5", "1e3", "1.5e-3", ".inf", "-.inf", ".nan", "1_0.5", "01.5",
        "-", "", "abc", "1.2.3", "1..2", "--1", "١٢", "１",
    ]

    private static func scalar(_ text: String, style: Node.Scalar.Style = .plain) -> Node {
        .scalar(Node.Scalar(text, Tag(.implicit), style))
    }

    @Test("integers: the plain-decimal path and Yams agree on every spelling")
    func integersAgree() {
        for text in Self.spellings {
            for style in [Node.Scalar.Style.plain, .any, .singleQuoted, .doubleQuoted, .literal, .folded] {
                let node = Self.scalar(text, style: style)
                #expect(SchemaReader.integer(node) == node.int, "\(text) (\(style))")
            }
        }
        #expect(SchemaReader.integer(Self.scalar("1024")) == 1024)
        #expect(SchemaReader.integer(.sequence(Node.Sequence([Self.scalar("1")]))) == nil)
    }

    @Test("numbers: the plain-decimal path and Yams agree on every spelling")
    func numbersAgree() {
        for text in Self.spellings {
            for style in [Node.Scalar.Style.plain, .any, .singleQuoted, .doubleQuoted] {
                let node = Self.scalar(text, style: style)
                let ours = SchemaReader.real(node), theirs = node.float
                #expect(ours == theirs || (ours?.isNaN == true && theirs?.isNaN == true), "\(text) (\(style)): \(String(describing: ours)) / \(String(describing: theirs))")
            }
        }
        #expect(SchemaReader.real(Self.scalar("-0.25")) == -0.25)
    }
}
