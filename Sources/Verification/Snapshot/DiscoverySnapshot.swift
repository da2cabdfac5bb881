public import GraphStorage

/// The header of a discovery snapshot: which tool saw what, where, and when.
///
/// `{"kind":"source","name":"vcenter-ams","classes":["VirtualServer","Hypervisor"],"scope":{"location":"AMS1"},
/// "taken_at":"2026-11-22T02:00:00Z"}`
public struct SnapshotSource: Sendable {
    /// The discovery source's name, e.g. `vcenter-ams`.
    public var name: String
    /// The classes the source discovers; their subclasses count too.
    public var classes: [String]
    /// Attribute values every CI the source can see has (e.g. a location); empty for no restriction.
    public var scope: Properties
    /// When the snapshot was taken (µs since the epoch, UTC), if the header says.
    public var takenAt: Int64?
    /// The file the snapshot came from, as named on the command line.
    public var file: String

    public init(name: String, classes: [String], scope: Properties = Properties(), takenAt: Int64? = nil,
        file: String)
    {
        self.name = name
        self.classes = classes
        self.scope = scope
        self.takenAt = takenAt
        self.file = file
    }
}

/// One CI a discovery tool saw: a class and attributes, no id.
public struct DiscoveredItem: Sendable, Hashable {
    /// The line of the snapshot file it came from.
    public var line: Int
    public var label: String
    /// Attributes, with `name` and `status` when the line gives them; values converted to the schema's types.
    public var properties: Properties

    public init(line: Int, label: String, properties: Properties) {
        self.line = line
        self.label = label
        self.properties = properties
    }
}

/// One end of a discovered relation, named by identifying attributes (`{"hostname":"web01"}`).
public struct DiscoveredEnd: Sendable, Hashable {
    /// The class, when the line names one (`"class"` inside the end object).
    public var label: String?
    public var attributes: Properties

    public init(label: String? = nil, attributes: Properties) {
        self.label = label
        self.attributes = attributes
    }
}

/// A relation a discovery tool saw, its ends named by identifying attributes.
public struct DiscoveredRelation: Sendable, Hashable {
    public var line: Int
    public var type: String
    public var from: DiscoveredEnd
    public var to: DiscoveredEnd
    public var properties: Properties

    public init(line: Int, type: String, from: DiscoveredEnd, to: DiscoveredEnd, properties: Properties = Properties())
    {
        self.line = line
        self.type = type
        self.from = from
        self.to = to
        self.properties = properties
    }
}

/// A line of a snapshot after the header.
public enum SnapshotLine: Sendable {
    case item(DiscoveredItem)
    case relation(DiscoveredRelation)
}

/// Where a reconciliation reads a snapshot from: a JSON Lines file (`SnapshotReader`) or another format's reader
/// (a spreadsheet with a mapping).
public protocol DiscoverySnapshotReading: AnyObject {
    /// The header: source name, classes, scope, time.
    var source: SnapshotSource { get }
    /// The source's classes and all their subclasses.
    var classSet: Set<String> { get }
    /// The next item or relation, or nil at the end; throws `VerificationInputError` for a bad line.
    func next() throws -> SnapshotLine?
    func close()
}
