import GraphStorage

/// The lines of an import whose check failed against the state when they were read, but that a later line may
/// still make right: a unique value another CI gives up further on (two CIs swapping their hostnames), a relation
/// whose end gets the class it needs further on, a class change whose relation's other end changes class too.
/// A line is checked as it is read, as before; only a failure lands here, to be checked again on the state the
/// import is about to commit. Bounded: past `capacity` waiting lines a failure stops the import at its line.
struct DeferredImportChecks {
    /// Where a line is: the index of its source and its line number.
    typealias Place = (sourceIndex: Int, line: Int)

    /// A relation that did not fit its ends' classes: from its own line, or (`classChanged`) from the line that
    /// changed that CI's class.
    struct Relation {
        var from: NodeID
        var to: NodeID
        var type: Int
        var place: Place
        var classChanged: NodeID?
    }

    private struct Key: Hashable {
        var from: NodeID
        var to: NodeID
        var type: Int
    }

    /// How many lines may wait (about 50 bytes each) before a failure stops the import at once.
    static let capacity = 1 << 20

    /// CIs whose line found another CI with one of its unique values.
    var duplicateValues: [(nid: NodeID, place: Place)] = []
    private(set) var relations: [Relation] = []
    private var keys = Set<Key>()
    private var typeNames: [String] = []
    private var typeNumbers: [String: Int] = [:]

    var count: Int { duplicateValues.count + relations.count }

    mutating func addRelation(from: NodeID, type: String, to: NodeID, place: Place, classChanged: NodeID?) {
        let number: Int
        if let known = typeNumbers[type] {
            number = known
        } else {
            number = typeNames.count
            typeNames.append(type)
            typeNumbers[type] = number
        }
        if keys.insert(Key(from: from, to: to, type: number)).inserted {
            relations.append(Relation(from: from, to: to, type: number, place: place, classChanged: classChanged))
        }
    }

    /// Whether this relation already waits for the classes its ends have at commit.
    func waits(from: NodeID, type: String, to: NodeID) -> Bool {
        guard !relations.isEmpty, let number = typeNumbers[type] else { return false }
        return keys.contains(Key(from: from, to: to, type: number))
    }

    func typeName(_ number: Int) -> String { typeNames[number] }
}
