/// A deterministic generator of large, realistically shaped CMDBs in the JSON Lines import format.
///
/// The shape follows the project's benchmark generator (`bench/gen_cmdb.py`): three datacenters with
/// racks, two top-of-rack switches per rack, hypervisors (some grouped in clusters), virtual servers,
/// storage arrays and volumes, databases, layered applications (so DEPENDS_ON is acyclic) and business
/// services, at about 1.95 relations per CI. Every line is valid against the built-in schema.
///
/// Only the standard library is used, with the generator's own PRNG and integer arithmetic, so the same
/// `(ciCount, seed)` gives byte-identical output on every run and platform.
public struct CMDBGenerator: Sendable {
    let ciCount: Int
    let seed: UInt64

    public init(ciCount: Int, seed: UInt64) {
        self.ciCount = max(0, ciCount)
        self.seed = seed
    }

    /// Emits every line (without newline) in order: all CIs first, then all relations.
    public func generate(_ emit: (String) throws -> Void) rethrows {
        let plan = Plan(ciCount: ciCount)
        let world = World(plan: plan, seed: seed)
        var line = Line()
        let width = plan.idWidth
        var rng = Random(seed: seed, stream: 2)
        typealias V = Vocabulary

        // MARK: CIs

        for d in 0..<plan.datacenters {
            line.reset()
            line.beginCI(.datacenter, d, width: width)
            line.put(V.datacenterCodes[d])
            line.status(0)
            line.stringAttr("city", V.datacenterCities[d], first: true)
            line.stringAttr("address", V.datacenterAddresses[d])
            line.stringAttr("description", "Tier III datacenter")
            line.endCI(ownerWord: "dc-ops", criticality: 5)
            try emit(line.string)
        }

        for r in 0..<plan.racks {
            let d = Int(world.rackDC[r])
            line.reset()
            line.beginCI(.rack, r, width: width)
            line.putID(.rack, r, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.stringAttr("city", V.datacenterCities[d], first: true)
            line.openString("description")
            line.put(V.datacenterCodes[d])
            line.put(" row R")
            line.put(rng.inRange(1, 40), width: 2)
            line.put(", 42U")
            line.closeString()
            line.endCI(ownerWord: "dc-ops", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for s in 0..<plan.switches {
            let d = Int(world.rackDC[s / 2])
            let vendor = rng.below(V.switchManufacturers.count)
            line.reset()
            line.beginCI(.networkSwitch, s, width: width)
            line.putID(.networkSwitch, s, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.openString("hostname", first: true)
            line.putID(.networkSwitch, s, width: width)
            line.put(V.datacenterDomains[d])
            line.closeString()
            line.openString("mgmt_ip")
            line.putManagementIP(s)
            line.closeString()
            line.openString("serial")
            line.putSerial("NET", s, seed: seed)
            line.closeString()
            line.stringAttr("manufacturer", V.switchManufacturers[vendor])
            line.stringAttr("model", V.switchModels[vendor])
            line.stringAttr("location", V.datacenterCodes[d])
            line.endCI(ownerWord: "network", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for h in 0..<plan.hypervisors {
            let d = Int(world.rackDC[Int(world.hypervisorRack[h])])
            let vendor = rng.below(V.serverManufacturers.count)
            line.reset()
            line.beginCI(.hypervisor, h, width: width)
            line.putID(.hypervisor, h, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.openString("hostname", first: true)
            line.putID(.hypervisor, h, width: width)
            line.put(V.datacenterDomains[d])
            line.closeString()
            line.stringAttr("os", rng.pick(V.hypervisorOS))
            line.intAttr("cpu", rng.pick(V.hypervisorCPU))
            line.intAttr("memory_gb", rng.pick(V.hypervisorMemory))
            line.stringAttr("location", V.datacenterCodes[d])
            line.openString("serial")
            line.putSerial("SRV", h, seed: seed)
            line.closeString()
            line.stringAttr("manufacturer", V.serverManufacturers[vendor])
            line.stringAttr("model", V.serverModels[vendor])
            line.endCI(ownerWord: "compute", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for c in 0..<plan.clusters {
            let d = Int(world.clusterDC[c])
            let members = Int(world.clusterMemberStart[c + 1] - world.clusterMemberStart[c])
            let preferred = rng.inRange(2, 3)
            line.reset()
            line.beginCI(.cluster, c, width: width)
            line.putID(.cluster, c, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.intAttr("quorum", max(1, min(members, preferred)), first: true)
            line.stringAttr("location", V.datacenterCodes[d])
            line.stringAttr("description", rng.pick(V.clusterPlatforms))
            line.endCI(ownerWord: "compute", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for a in 0..<plan.storageArrays {
            let d = Int(world.rackDC[Int(world.arrayRack[a])])
            let vendor = rng.below(V.arrayManufacturers.count)
            line.reset()
            line.beginCI(.storageArray, a, width: width)
            line.putID(.storageArray, a, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.openString("serial", first: true)
            line.putSerial("STO", a, seed: seed)
            line.closeString()
            line.stringAttr("manufacturer", V.arrayManufacturers[vendor])
            line.stringAttr("model", V.arrayModels[vendor])
            line.stringAttr("location", V.datacenterCodes[d])
            line.endCI(ownerWord: "storage", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for v in 0..<plan.virtualServers {
            let d = Int(world.vmDC[v])
            line.reset()
            line.beginCI(.virtualServer, v, width: width)
            line.putID(.virtualServer, v, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.openString("hostname", first: true)
            line.putID(.virtualServer, v, width: width)
            line.put(V.datacenterDomains[d])
            line.closeString()
            line.stringAttr("os", rng.pick(V.vmOS))
            line.intAttr("cpu", rng.pick(V.vmCPU))
            line.intAttr("memory_gb", rng.pick(V.vmMemory))
            line.stringAttr("location", V.datacenterCodes[d])
            line.endCI(ownerWord: rng.pick(V.teamWords), criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for v in 0..<plan.storageVolumes {
            line.reset()
            line.beginCI(.storageVolume, v, width: width)
            line.putID(.storageVolume, v, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.intAttr("size_gb", rng.pick(V.volumeSizes), first: true)
            line.stringAttr("description", rng.pick(V.diskTiers))
            line.endCI(ownerWord: "storage", criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for b in 0..<plan.databases {
            let engine = rng.below(V.databaseEngines.count)
            line.reset()
            line.beginCI(.database, b, width: width)
            line.putID(.database, b, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.stringAttr("engine", V.databaseEngines[engine], first: true)
            line.stringAttr("version", V.databaseVersions[engine])
            line.endCI(ownerWord: rng.pick(V.teamWords), criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for a in 0..<plan.applications {
            line.reset()
            line.beginCI(.application, a, width: width)
            line.put(rng.pick(V.teamWords))
            line.put(byte: UInt8(ascii: "-"))
            line.put(rng.pick(V.appWords))
            line.put(byte: UInt8(ascii: "-"))
            line.put(a + 1, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.stringAttr("vendor", rng.chance(perMille: 750) ? "in-house" : rng.pick(V.vendors), first: true)
            line.openString("version")
            line.put(rng.inRange(1, 5))
            line.put(byte: UInt8(ascii: "."))
            line.put(rng.below(20))
            line.put(byte: UInt8(ascii: "."))
            line.put(rng.below(30))
            line.closeString()
            line.openString("description")
            line.put(rng.pick(V.languages))
            line.put(", ")
            line.put(V.layerNames[Int(world.appLayer[a])])
            line.put(" layer")
            line.closeString()
            line.endCI(ownerWord: rng.pick(V.teamWords), criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        for s in 0..<plan.businessServices {
            let shared = s < world.sharedServices
            let team = rng.pick(V.teamWords)
            line.reset()
            line.beginCI(.businessService, s, width: width)
            line.put(shared ? "shared" : rng.pick(V.serviceWords))
            line.put(byte: UInt8(ascii: "-"))
            line.put(team)
            line.put(byte: UInt8(ascii: "-"))
            line.put(s + 1, width: width)
            line.status(rng.weighted(V.statusWeights))
            line.stringAttr("sla", rng.pick(V.slas), first: true)
            line.openString("maintenance_window")
            let start = rng.pick(V.windowStarts)
            line.put(rng.pick(V.days))
            line.put(byte: UInt8(ascii: " "))
            line.put(start, width: 2)
            line.put(":00-")
            line.put((start + rng.pick(V.windowHours)) % 24, width: 2)
            line.put(":00")
            line.closeString()
            line.stringAttr("customer", shared ? "internal" : rng.pick(V.customers))
            line.endCI(ownerWord: team, criticality: rng.weighted(V.criticalityWeights) + 1)
            try emit(line.string)
        }

        // MARK: Relations (from depends on to)

        for r in 0..<plan.racks {
            line.relation("LOCATED_IN", .rack, r, .datacenter, Int(world.rackDC[r]), width: width)
            try emit(line.string)
        }
        for s in 0..<plan.switches {
            line.relation("LOCATED_IN", .networkSwitch, s, .rack, s / 2, width: width)
            try emit(line.string)
        }
        for h in 0..<plan.hypervisors {
            let r = Int(world.hypervisorRack[h])
            line.relation("LOCATED_IN", .hypervisor, h, .rack, r, width: width)
            try emit(line.string)
            for s in world.switches(ofRack: r) {
                line.relation("CONNECTS_TO", .hypervisor, h, .networkSwitch, s, width: width)
                try emit(line.string)
            }
        }
        for c in 0..<plan.clusters {
            line.relation("LOCATED_IN", .cluster, c, .datacenter, Int(world.clusterDC[c]), width: width)
            try emit(line.string)
            for m in Int(world.clusterMemberStart[c])..<Int(world.clusterMemberStart[c + 1]) {
                line.relation("MEMBER_OF", .hypervisor, Int(world.clusterMembers[m]), .cluster, c, width: width)
                try emit(line.string)
            }
        }
        for a in 0..<plan.storageArrays {
            let r = Int(world.arrayRack[a])
            line.relation("LOCATED_IN", .storageArray, a, .rack, r, width: width)
            try emit(line.string)
            for s in world.switches(ofRack: r) {
                line.relation("CONNECTS_TO", .storageArray, a, .networkSwitch, s, width: width)
                try emit(line.string)
            }
        }
        for v in 0..<plan.virtualServers {
            line.relation("HOSTED_ON", .virtualServer, v, .hypervisor, Int(world.vmHypervisor[v]), width: width)
            try emit(line.string)
        }
        for v in 0..<plan.storageVolumes {
            line.relation("HOSTED_ON", .storageVolume, v, .storageArray, Int(world.volumeArray[v]), width: width)
            try emit(line.string)
            let vm = Int(world.volumeVM[v])
            if vm >= 0 {
                line.relation("USES", .virtualServer, vm, .storageVolume, v, width: width)
                try emit(line.string)
            }
        }
        for b in 0..<plan.databases {
            line.relation("RUNS_ON", .database, b, .virtualServer, Int(world.databaseVM[b]), width: width)
            try emit(line.string)
        }
        for a in 0..<plan.applications {
            for k in 0..<World.appVMSlots {
                let vm = Int(world.appRunsOn[a * World.appVMSlots + k])
                if vm < 0 { break }
                line.relation("RUNS_ON", .application, a, .virtualServer, vm, width: width)
                try emit(line.string)
            }
            for k in 0..<World.appDatabaseSlots {
                let db = Int(world.appUses[a * World.appDatabaseSlots + k])
                if db < 0 { break }
                line.relation("USES", .application, a, .database, db, width: width)
                try emit(line.string)
            }
            for k in 0..<World.appDependencySlots {
                let dep = Int(world.appDependsOn[a * World.appDependencySlots + k])
                if dep < 0 { break }
                line.relation("DEPENDS_ON", .application, a, .application, dep, width: width)
                try emit(line.string)
            }
        }
        for s in 0..<plan.businessServices {
            for k in 0..<World.serviceAppSlots {
                let app = Int(world.serviceProvidedBy[s * World.serviceAppSlots + k])
                if app < 0 { break }
                line.relation("PROVIDED_BY", .businessService, s, .application, app, width: width)
                try emit(line.string)
            }
            let dep = Int(world.serviceDependsOn[s])
            if dep >= 0 {
                line.relation("DEPENDS_ON", .businessService, s, .businessService, dep, width: width)
                try emit(line.string)
            }
        }
    }
}

// MARK: - Classes and ids

extension CMDBGenerator {
    enum Kind {
        case datacenter, rack, networkSwitch, hypervisor, cluster, storageArray
        case virtualServer, storageVolume, database, application, businessService

        var prefix: StaticString {
            switch self {
            case .datacenter: "dc-"
            case .rack: "rack-"
            case .networkSwitch: "sw-"
            case .hypervisor: "hv-"
            case .cluster: "cl-"
            case .storageArray: "sa-"
            case .virtualServer: "vm-"
            case .storageVolume: "vol-"
            case .database: "db-"
            case .application: "app-"
            case .businessService: "svc-"
            }
        }

        var className: StaticString {
            switch self {
            case .datacenter: "Datacenter"
            case .rack: "Rack"
            case .networkSwitch: "Switch"
            case .hypervisor: "Hypervisor"
            case .cluster: "Cluster"
            case .storageArray: "StorageArray"
            case .virtualServer: "VirtualServer"
            case .storageVolume: "StorageVolume"
            case .database: "Database"
            case .application: "Application"
            case .businessService: "BusinessService"
            }
        }
    }
}

extension CMDBGenerator.Line {
    typealias Kind = CMDBGenerator.Kind

    /// The id of the `index`th (0-based) CI of a class: `vm-000001`, or a datacenter's fixed id.
    @inline(__always)
    mutating func putID(_ kind: Kind, _ index: Int, width: Int) {
        if kind == .datacenter {
            put(CMDBGenerator.Vocabulary.datacenterIDs[index])
        } else {
            put(kind.prefix)
            put(index + 1, width: width)
        }
    }

    /// `{"kind":"ci","id":"…","class":"…","name":"` — the caller writes the name, then `status`.
    @inline(__always)
    mutating func beginCI(_ kind: Kind, _ index: Int, width: Int) {
        put("{\"kind\":\"ci\",\"id\":\"")
        putID(kind, index, width: width)
        put("\",\"class\":\"")
        put(kind.className)
        put("\",\"name\":\"")
    }

    /// Closes the name, writes the status (0 live, 1 planned, 2 withdrawn) and opens `attrs`.
    @inline(__always)
    mutating func status(_ code: Int) {
        switch code {
        case 0: put("\",\"status\":\"live\",\"attrs\":{")
        case 1: put("\",\"status\":\"planned\",\"attrs\":{")
        default: put("\",\"status\":\"withdrawn\",\"attrs\":{")
        }
    }

    /// Writes the common `owner` and `criticality` attributes and closes the line.
    @inline(__always)
    mutating func endCI(ownerWord: StaticString, criticality: Int) {
        put(",\"owner\":\"")
        put(ownerWord)
        put("-team\",\"criticality\":")
        put(criticality)
        put("}}")
    }

    /// Resets the buffer to one relation line.
    @inline(__always)
    mutating func relation(
        _ type: StaticString, _ fromKind: Kind, _ from: Int, _ toKind: Kind, _ to: Int, width: Int
    ) {
        reset()
        put("{\"kind\":\"rel\",\"type\":\"")
        put(type)
        put("\",\"from\":\"")
        putID(fromKind, from, width: width)
        put("\",\"to\":\"")
        putID(toKind, to, width: width)
        put("\",\"attrs\":{}}")
    }

    /// A unique management address in 10.0.0.0/8 for the `index`th switch (host part 1...254).
    mutating func putManagementIP(_ index: Int) {
        let host = index % 254 + 1
        let subnet = index / 254
        put("10.")
        put((subnet / 256) % 256)
        put(byte: UInt8(ascii: "."))
        put(subnet % 256)
        put(byte: UInt8(ascii: "."))
        put(host)
    }

    /// A serial number unique within its prefix for indexes below 10^9: the index goes through a
    /// bijection of 0..<10^9 (multiplication by a unit modulo 10^9, plus a seed-dependent offset).
    mutating func putSerial(_ prefix: StaticString, _ index: Int, seed: UInt64) {
        let modulus = 1_000_000_000
        let offset = Int(seed % UInt64(modulus))
        let scrambled = ((index % modulus) * 387_420_489 % modulus + offset) % modulus
        put(prefix)
        put(scrambled, width: 9)
    }
}

// MARK: - How many CIs of each class

extension CMDBGenerator {
    struct Plan: Equatable {
        var datacenters = 0
        var racks = 0
        var switches = 0
        var hypervisors = 0
        var clusters = 0
        var storageArrays = 0
        var storageVolumes = 0
        var virtualServers = 0
        var databases = 0
        var applications = 0
        var businessServices = 0

        var total: Int {
            datacenters + racks + switches + hypervisors + clusters + storageArrays + storageVolumes
                + virtualServers + databases + applications + businessServices
        }

        /// Digits in the numeric part of ids: at least 6, more when a class needs them.
        var idWidth: Int {
            let largest = max(
                racks, switches, hypervisors, clusters, storageArrays, storageVolumes,
                virtualServers, databases, applications, businessServices)
            var digits = 1
            var rest = largest / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            return max(6, digits)
        }

        /// `round(n * numerator / denominator)` in integers.
        private static func share(_ n: Int, _ numerator: Int, _ denominator: Int) -> Int {
            (n * numerator + denominator / 2) / denominator
        }

        /// No CIs.
        init() {}

        init(ciCount n: Int) {
            // The full shape: VirtualServer 40%, Application 20%, Database 10%, Hypervisor 5%,
            // BusinessService 2%, 3 datacenters, a rack per 8 hypervisors with 2 switches each,
            // a cluster per ~27 hypervisors, StorageArray 0.2%, StorageVolume the rest (~21%).
            datacenters = 3
            hypervisors = max(3, Plan.share(n, 5, 100))
            racks = max(3, (hypervisors + 4) / 8)
            switches = 2 * racks
            clusters = max(1, (hypervisors * 3 + 40) / 80)
            storageArrays = max(3, Plan.share(n, 2, 1000))
            virtualServers = max(3, Plan.share(n, 40, 100))
            databases = max(1, Plan.share(n, 10, 100))
            applications = max(3, Plan.share(n, 20, 100))
            businessServices = max(2, Plan.share(n, 2, 100))
            let rest = n - total
            if rest >= 1 {
                storageVolumes = rest
                return
            }
            // Too few CIs for the full shape: one of each class in order of importance (so every
            // relation still has its targets), then the remainder spread by the usual shares.
            self = Plan()
            var left = n
            func take(_ count: inout Int) {
                if left > 0 {
                    count += 1
                    left -= 1
                }
            }
            take(&datacenters)
            take(&racks)
            take(&hypervisors)
            take(&virtualServers)
            take(&applications)
            take(&businessServices)
            take(&databases)
            take(&switches)
            take(&storageArrays)
            take(&storageVolumes)
            take(&clusters)
            if left > 0 {
                let extra = left
                let vms = extra * 40 / 98
                let volumes = extra * 21 / 98
                let apps = extra * 20 / 98
                let dbs = extra * 10 / 98
                let hvs = extra * 5 / 98
                let services = extra * 2 / 98
                virtualServers += vms + (extra - vms - volumes - apps - dbs - hvs - services)
                storageVolumes += volumes
                applications += apps
                databases += dbs
                hypervisors += hvs
                businessServices += services
            }
        }
    }
}
