package import CIQLValues
package import JSONLines

extension Value {
    /// A JSON value as a CIQL value: for `--param` on the command line and the server's request parameters.
    /// Objects become maps; ISO strings stay strings.
    package init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(Value.init(json:)))
        case .object(let o): self = .map(ValueMap(o.members.map { ($0.key, Value(json: $0.value)) }))
        }
    }
}
