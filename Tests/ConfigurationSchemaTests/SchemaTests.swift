@testable import ConfigurationSchema
import GraphStorage
import Testing

struct SchemaParsingTests {
    @Test("the built-in schema parses, with inheritance and the relation rules of the product brief")
    func builtIn() throws {
        let schema = try Schema.parse(yaml: BuiltInSchema.yaml)
        #expect(schema.ancestry(of: "Hypervisor") == ["Hypervisor", "PhysicalServer", "Server", "CI"])
        #expect(schema.isClass("Switch", a: "NetworkDevice"))
        #expect(schema.relationDefinition("MEMBER_OF")?.impact == .reverse)
        #expect(schema.relationDefinition("MEMBER_OF")?.redundancy == .quorum)
        #expect(schema.relationDefinition("RUNS_ON")?.redundancy == .group)
        #expect(schema.relationDefinition("COVERED_BY")?.impact == ImpactDirection.none)
        #expect(schema.identificationRules(of: "Switch") == [["serial"], ["hostname"], ["mgmt_ip"]])
        #expect(schema.identificationRules(of: "Hypervisor") == [["serial"], ["hostname"]])
        #expect(schema.attribute("criticality", of: "Database")?.maximum == 5)
        #expect(schema.attribute("quorum", of: "Cluster")?.defaultValue == .int(1))
        #expect(schema.classDefinition("VirtualServer")?.expects == [ExpectedRelation(relation: "HOSTED_ON", direction: .outgoing)])
        #expect(schema.indexedPropertyKeys.contains("hostname"))
        #expect(schema.defaultStatus == "live")
    }

    @Test("errors in a schema file name the line and the closest known spelling", arguments: [
        ("version: 1\nclasses:\n  A:\n    atributes: {}\n", 4, "unknown key 'atributes' in class 'A' (did you mean 'attributes'?)"),
        ("version: 1\nclasses:\n  A:\n    attributes:\n      x: {type: integer}\n", 5, "unknown type 'integer'"),
        ("version: 1\nclasses:\n  A: {parent: B}\n", 3, "class 'A' has unknown parent 'B'"),
        ("version: 1\nclasses:\n  A: {}\nrelations:\n  R: {from: [A], to: [Bee]}\n", 5, "relation 'R' names unknown class 'Bee'"),
        ("version: 2\n", 1, "schema version 2 is not supported"),
        ("version: 1\nclasses: [\n", 3, "invalid YAML"),
    ])
    func errors(_ yaml: String, _ line: Int, _ message: String) {
        #expect {
            _ = try Schema.parse(yaml: yaml)
        } throws: { error in
            guard let e = error as? SchemaError else { return false }
            return e.line == line && e.message.contains(message)
        }
    }

    @Test("scalars are read from their text: YAML 1.1's boolean words, quoted text is no boolean, numbers, duplicates")
    func scalarsAreReadFromText() throws {
        let yaml = """
            version: 1
            classes:
              A:
                attributes:
                  serial: {type: string, unique: yes}
                  owner: {type: string, required: On}
                  retired: {type: bool, default: off}
                  cores: {type: int, min: 1, max: 1_024}
                  load: {type: float, default: 0.5}
            """
        let schema = try Schema.parse(yaml: yaml)
        #expect(schema.attribute("serial", of: "A")?.isUnique == true)
        #expect(schema.attribute("owner", of: "A")?.isRequired == true)
        #expect(schema.attribute("retired", of: "A")?.defaultValue == .bool(false))
        #expect(schema.attribute("load", of: "A")?.defaultValue == .float(0.5))
        #expect(schema.attribute("cores", of: "A")?.maximum == 1024)
        #expect {
            _ = try Schema.parse(yaml: "version: 1\nclasses:\n  A:\n    attributes:\n      s: {type: string, unique: 'true'}\n")
        } throws: { error in
            (error as? SchemaError)?.line == 5 && (error as? SchemaError)?.message.contains("must be true or false") == true
        }
        #expect(throws: SchemaError.self, "a key twice in one mapping") {
            _ = try Schema.parse(yaml: "version: 1\nclasses:\n  A: {}\n  A: {}\n")
        }
    }

    @Test("keys and tags that YAML's implicit typing told apart still read as they did: 'on' and \"on\", !!bool, !!str")
    func implicitTypingCompatibility() throws {
        // `on` (a boolean to YAML 1.1) and "on" (text) were two keys; a stored schema holding both must still open.
        let twoKeys = """
            version: 1
            classes:
              A:
                attributes:
                  state: {type: string}
            statuses: [on, off]
            transitions: {on: ["off"], "on": ["on", "off"]}
            """
        #expect(throws: Never.self) { _ = try Schema.parse(yaml: twoKeys, stored: true) }
        // An anchored boolean also used as a key (the key compare typed the shared tag) still reads as a boolean.
        let anchored = """
            version: 1
            statuses: [live, &o on]
            transitions: {*o: [live]}
            classes: {A: {closed: *o}}
            """
        #expect(try Schema.parse(yaml: anchored, stored: true).classes.first { $0.name == "A" }?.isClosed == true)
        // A stored parent written as YAML 1.1's value key still names the parent, as it did.
        let valueKey = "version: 1\nclasses:\n  Base: {}\n  A: {parent: {=: Base}}\n"
        #expect(try Schema.parse(yaml: valueKey, stored: true).classes.first { $0.name == "A" }?.parent == "Base")
        // A parent that is no class name was dropped without a word; a new file is refused, naming the line.
        #expect {
            _ = try Schema.parse(yaml: "version: 1\nclasses:\n  A: {}\n  B: {parent: {x: A}}\n")
        } throws: { error in
            (error as? SchemaError)?.line == 4 && (error as? SchemaError)?.message.contains("'parent'") == true
        }
        // An explicit tag decides, as Yams's own boolean reading did.
        let tagged = """
            version: 1
            classes:
              A:
                closed: !!bool "true"
                attributes:
                  on: {type: bool, default: on}
            """
        let schema = try Schema.parse(yaml: tagged)
        #expect(schema.attribute("on", of: "A")?.defaultValue == .bool(true))
        #expect {
            _ = try Schema.parse(yaml: tagged.replacingOccurrences(of: "default: on", with: "default: !!str true"))
        } throws: { error in
            (error as? SchemaError)?.message.contains("is not a bool") == true
        }
        #expect {
            _ = try Schema.parse(yaml: "version: 1\nclasses:\n  A: {closed: !!str true}\n")
        } throws: { error in
            (error as? SchemaError)?.message.contains("must be true or false") == true
        }
    }

    @Test("an id_pattern that needs backtracking: refused in a new schema, kept (unchecked) in a stored one")
    func backtrackingPatterns() throws {
        let text = BuiltInSchema.yaml.replacingOccurrences(
            of: "id_pattern: '^[a-z0-9][a-z0-9.-]*$'", with: "id_pattern: '^(?=[a-z])[a-z0-9-]*$'")
        #expect(text != BuiltInSchema.yaml)
        #expect(throws: SchemaError.self) { try Schema.parse(yaml: text) }
        let stored = try Schema.parse(yaml: text, stored: true)
        let pattern = try #require(stored.idPattern(of: "VirtualServer"))
        #expect(pattern == "^(?=[a-z])[a-z0-9-]*$")
        #expect(IDPattern(pattern) == nil, "the naming rule cannot check it")
        #expect(IDPattern("^[a-z][a-z0-9-]*$")?.matches("vm-1") == true)
        #expect(IDPattern("^[a-z][a-z0-9-]*$")?.matches("VM-1") == false)
        #expect(IDPattern("[0-9]")?.matches("vm-1") == true, "unanchored: a match anywhere")
        // A POSIX class means letters to Swift's Regex and ':alph' to Java's syntax: refused, or kept unchecked.
        let posix = BuiltInSchema.yaml.replacingOccurrences(
            of: "id_pattern: '^[a-z0-9][a-z0-9.-]*$'", with: "id_pattern: '^[[:alpha:]]+$'")
        #expect(throws: SchemaError.self) { try Schema.parse(yaml: posix) }
        let kept = try Schema.parse(yaml: posix, stored: true)
        #expect(try IDPattern(#require(kept.idPattern(of: "VirtualServer"))) == nil)
    }

    @Test("a stored schema with rules a new file may not declare still opens; the rules that cannot hold are dropped")
    func storedSchemaWithRefusedRules() throws {
        let text = """
            version: 1
            statuses: [live, live, ""]
            classes:
              A:
                expects: [{relation: NO_SUCH_TYPE, direction: out}, {relation: R, direction: out}]
                identify: [[no_such_attr], [], [code]]
                attributes:
                  name:  {type: int}
                  code:  {type: string, min: 5, max: 6}
                  level: {type: int, values: [1, 2, 3]}
                  flag:  {type: bool, values: [yes]}
                  r:     {type: int, min: 10, max: 1, default: 50}
            relations:
              R: {from: [A], to: [A]}

            """
        #expect(throws: SchemaError.self) { try Schema.parse(yaml: text) }
        let stored = try Schema.parse(yaml: text, stored: true)
        let a = try #require(stored.classDefinition("A"))
        #expect(a.expects.map(\.relation) == ["R"])
        #expect(a.identify == [["code"]])
        #expect(stored.attribute("code", of: "A")?.minimum == nil)
        #expect(stored.attribute("level", of: "A")?.allowedValues == ["1", "2", "3"])
        #expect(stored.attribute("flag", of: "A")?.allowedValues == nil)
        // A string name is still accepted, and values of int attributes are checked.
        _ = try stored.validatedNode(label: "A", properties: ["name": .string("text"), "level": .int(2)])
        #expect(throws: SchemaError.self) { try stored.validatedNode(label: "A", properties: ["level": .int(99)]) }
    }

    @Test("an inheritance cycle is refused")
    func cycle() {
        #expect(throws: SchemaError.self) {
            _ = try Schema.parse(yaml: "version: 1\nclasses:\n  A: {parent: B}\n  B: {parent: A}\n")
        }
    }
}

struct SchemaValidationTests {
    let schema: Schema

    init() throws { schema = try Schema.parse(yaml: BuiltInSchema.yaml) }

    @Test("valid CIs pass, and ISO dates and integer floats are stored typed")
    func valid() throws {
        let stored = try schema.validatedNode(label: "Contract", properties: [
            "name": .string("AFAS"), "status": .string("live"), "end_date": .string("2027-07-31"),
            "criticality": .int(3), "notes": .string("undeclared attributes are kept"),
        ])
        #expect(stored["end_date"] == .temporal(.date(day: CivilCalendar.epochDay(2027, 7, 31))))
        #expect(stored["notes"] == .string("undeclared attributes are kept"))
    }

    @Test("bad CIs are refused with a message that says what is right", arguments: [
        ("Sever", Properties(), "unknown class 'Sever' (did you mean 'Server'?)"),
        ("CI", Properties(), "class 'CI' is abstract"),
        ("Server", ["cpu": .string("four")] as Properties, "attribute 'cpu' of class 'Server' must be an int, not string"),
        ("Server", ["criticality": .int(7)] as Properties, "must be at most 5, not 7"),
        ("Server", ["status": .string("lve")] as Properties, "unknown status 'lve' (did you mean 'live'?)"),
        ("Contract", ["end_date": .string("soon")] as Properties, "must be an ISO-8601 date like 2027-01-31"),
        ("Contract", ["end_date": .string("2027-07-31T00:00:00Z")] as Properties,
            "must be an ISO-8601 date like 2027-01-31, not '2027-07-31T00:00:00Z'"),
        ("Server", ["name": .int(3)] as Properties, "'name' must be a string"),
    ])
    func invalid(_ label: String, _ properties: Properties, _ message: String) {
        #expect {
            _ = try schema.validatedNode(label: label, properties: properties)
        } throws: { ($0 as? SchemaError)?.message.contains(message) == true }
    }

    @Test("relation endpoints follow the schema, subclasses included")
    func relations() throws {
        try schema.validateRelation(type: "HOSTED_ON", fromLabel: "VirtualServer", toLabel: "Hypervisor")
        try schema.validateRelation(type: "HOSTED_ON", fromLabel: "StorageVolume", toLabel: "StorageArray")
        try schema.validateRelation(type: "DEPENDS_ON", fromLabel: "BusinessService", toLabel: "Rack")
        #expect(throws: SchemaError.self) {
            try schema.validateRelation(type: "HOSTED_ON", fromLabel: "VirtualServer", toLabel: "StorageArray")
        }
        #expect { try schema.validateRelation(type: "RUNS_IN", fromLabel: "Application", toLabel: "Server") } throws: {
            ($0 as? SchemaError)?.message == "unknown relation type 'RUNS_IN' (did you mean 'RUNS_ON'?)"
        }
    }

    @Test("required attributes and closed classes are enforced")
    func requiredAndClosed() throws {
        let custom = try Schema.parse(yaml: """
            version: 1
            statuses: [live]
            classes:
              Thing:
                closed: true
                attributes:
                  serial: {type: string, required: true}
                  size: {type: float, min: 0}
            """)
        #expect(throws: SchemaError.self) { _ = try custom.validatedNode(label: "Thing", properties: [:]) }
        #expect(throws: SchemaError.self) {
            _ = try custom.validatedNode(label: "Thing", properties: ["serial": .string("x"), "colour": .string("red")])
        }
        let ok = try custom.validatedNode(label: "Thing", properties: ["serial": .string("x"), "size": .int(3)])
        #expect(ok["size"] == .float(3))
    }

    @Test("the open schema accepts anything")
    func open() throws {
        #expect(try Schema.open.validatedNode(label: nil, properties: ["x": .int(1)])["x"] == .int(1))
        try Schema.open.validateRelation(type: "ANYTHING", fromLabel: nil, toLabel: "Whatever")
    }
}
