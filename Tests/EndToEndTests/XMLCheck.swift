import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A well-formedness check of an XML document, with element counts (by local name).
struct XMLCheck {
    var error: String?
    var rootName: String?
    var elementCounts: [String: Int] = [:]

    func count(of name: String) -> Int { elementCounts[name] ?? 0 }

    static func parse(_ data: Data) -> XMLCheck {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        parser.shouldProcessNamespaces = true
        let ok = parser.parse()
        var result = XMLCheck()
        result.rootName = collector.root
        result.elementCounts = collector.counts
        if !ok || collector.failure != nil {
            let line = parser.lineNumber
            let column = parser.columnNumber
            let reason = collector.failure ?? parser.parserError.map { "\($0)" } ?? "unknown error"
            result.error = "line \(line), column \(column): \(reason)"
        }
        return result
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var counts: [String: Int] = [:]
        var failure: String?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if root == nil { root = elementName }
            counts[elementName, default: 0] += 1
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            failure = "\(parseError)"
        }
    }
}
