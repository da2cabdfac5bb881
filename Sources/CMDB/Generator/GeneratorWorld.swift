// The generated topology: which rack, hypervisor, VM, array… each CI is attached to. It is drawn
// first (from its own random stream), kept in compact integer arrays, and then written out: CI lines
// with attributes from a second stream, relation lines straight from these arrays.

extension CMDBGenerator {
    struct World {
        static let appVMSlots = 3
        static let appDatabaseSlots = 2
        static let appDependencySlots = 2
        static let serviceAppSlots = 4
        static let databaseCountWeights = [30, 40, 30]  // 0, 1, 2 databases
        static let platformDependencyWeights = [70, 30]  // 0, 1 earlier platform apps
        static let dependencyCountWeights = [30, 45, 25]  // 0, 1, 2 lower-layer apps

        let plan: Plan
        /// Datacenter of each rack.
        var rackDC: [UInt8] = []
        var hypervisorRack: [Int32] = []
        var clusterDC: [UInt8] = []
        /// Members of cluster `c` are `clusterMembers[clusterMemberStart[c]..<clusterMemberStart[c+1]]`.
        var clusterMemberStart: [Int32] = [0]
        var clusterMembers: [Int32] = []
        var arrayRack: [Int32] = []
        var vmHypervisor: [Int32] = []
        var vmDC: [UInt8] = []
        var volumeArray: [Int32] = []
        /// The VM that USES each volume, or -1.
        var volumeVM: [Int32] = []
        var databaseVM: [Int32] = []
        /// 0 = platform … 5 = frontend; DEPENDS_ON only points to lower layers (lower indexes).
        var appLayer: [UInt8] = []
        /// Fixed slots per application / service, unused slots are -1 (and come last).
        var appRunsOn: [Int32] = []
        var appUses: [Int32] = []
        var appDependsOn: [Int32] = []
        var sharedServices = 0
        var serviceProvidedBy: [Int32] = []
        var serviceDependsOn: [Int32] = []

        /// The top-of-rack switches of rack `r` (two, fewer only for tiny CMDBs).
        func switches(ofRack r: Int) -> Range<Int> {
            min(2 * r, plan.switches)..<min(2 * r + 2, plan.switches)
        }

        init(plan: Plan, seed: UInt64) {
            self.plan = plan
            var rng = Random(seed: seed, stream: 1)
            let dcCount = plan.datacenters
            let dcWeights = Array(Vocabulary.datacenterWeights.prefix(dcCount))
            func pickDC(_ rng: inout Random) -> Int {
                dcCount <= 1 ? 0 : rng.weighted(dcWeights)
            }
            func grouped(_ dcOf: [UInt8]) -> [[Int32]] {
                var groups = [[Int32]](repeating: [], count: max(1, dcCount))
                for (i, d) in dcOf.enumerated() { groups[Int(d)].append(Int32(i)) }
                return groups
            }

            // Racks: every datacenter gets at least one, the rest by datacenter weight.
            rackDC.reserveCapacity(plan.racks)
            for r in 0..<plan.racks {
                rackDC.append(UInt8(r < dcCount ? r : pickDC(&rng)))
            }
            let racksByDC = grouped(rackDC)

            // Hypervisors: in a random rack (connected to its switches when emitted).
            hypervisorRack.reserveCapacity(plan.hypervisors)
            var hypervisorDC: [UInt8] = []
            hypervisorDC.reserveCapacity(plan.hypervisors)
            for _ in 0..<plan.hypervisors {
                let r = rng.below(plan.racks)
                hypervisorRack.append(Int32(r))
                hypervisorDC.append(rackDC[r])
            }

            // Clusters: in a datacenter, 4-12 free hypervisors of that datacenter are members
            // (about 30% of all hypervisors); never empty.
            var free = grouped(hypervisorDC)
            for d in free.indices { rng.shuffle(&free[d]) }
            for _ in 0..<plan.clusters {
                var d = pickDC(&rng)
                if free[d].isEmpty {
                    var best = d
                    for e in 0..<dcCount where free[e].count > free[best].count { best = e }
                    d = best
                }
                clusterDC.append(UInt8(d))
                let wanted = rng.inRange(4, 12)
                var taken = 0
                while taken < wanted, let h = free[d].popLast() {
                    clusterMembers.append(h)
                    taken += 1
                }
                if taken == 0 && plan.hypervisors > 0 {
                    clusterMembers.append(Int32(rng.below(plan.hypervisors)))
                }
                clusterMemberStart.append(Int32(clusterMembers.count))
            }

            // Storage arrays: one in each datacenter first, then in random racks.
            var arrayDC: [UInt8] = []
            for a in 0..<plan.storageArrays {
                let r: Int
                if a < dcCount, let first = racksByDC[a].first {
                    r = Int(first)
                } else {
                    r = rng.below(plan.racks)
                }
                arrayRack.append(Int32(r))
                arrayDC.append(rackDC[r])
            }
            let arraysByDC = grouped(arrayDC)

            // Virtual servers: on a random hypervisor.
            vmHypervisor.reserveCapacity(plan.virtualServers)
            vmDC.reserveCapacity(plan.virtualServers)
            for _ in 0..<plan.virtualServers {
                let h = rng.below(plan.hypervisors)
                vmHypervisor.append(Int32(h))
                vmDC.append(hypervisorDC[h])
            }
            let vmsByDC = grouped(vmDC)

            // Volumes: used by a random VM, on an array in that VM's datacenter.
            volumeArray.reserveCapacity(plan.storageVolumes)
            volumeVM.reserveCapacity(plan.storageVolumes)
            for _ in 0..<plan.storageVolumes {
                let d: Int
                if plan.virtualServers > 0 {
                    let v = rng.below(plan.virtualServers)
                    volumeVM.append(Int32(v))
                    d = Int(vmDC[v])
                } else {
                    volumeVM.append(-1)
                    d = pickDC(&rng)
                }
                let pool = arraysByDC[d]
                volumeArray.append(pool.isEmpty ? Int32(rng.below(plan.storageArrays)) : rng.pick(pool))
            }

            // Databases: on one VM.
            databaseVM.reserveCapacity(plan.databases)
            var databaseDC: [UInt8] = []
            databaseDC.reserveCapacity(plan.databases)
            for _ in 0..<plan.databases {
                let v = rng.below(plan.virtualServers)
                databaseVM.append(Int32(v))
                databaseDC.append(vmDC[v])
            }
            let databasesByDC = grouped(databaseDC)

            // Applications: 2% platform apps, then five layers. RUNS_ON 1-3 VMs and USES 0-2
            // databases, preferably (80%) in a home datacenter; DEPENDS_ON 0-2 apps of a lower
            // layer (30% a platform app), platform apps 0-1 earlier platform app.
            let apps = plan.applications
            let platformApps = min(apps, max(2, (apps * 2 + 50) / 100))
            appLayer.reserveCapacity(apps)
            var appsByLayer = [[Int32]](repeating: [], count: 6)
            for a in 0..<apps {
                let layer = a < platformApps ? 0 : 1 + (a - platformApps) * 5 / (apps - platformApps)
                appLayer.append(UInt8(layer))
                appsByLayer[layer].append(Int32(a))
            }
            // The nearest non-empty layer below each layer (layer 0 is never empty when there are apps).
            var lowerLayer = [0, 0, 0, 0, 0, 0]
            for layer in 1..<6 {
                lowerLayer[layer] = appsByLayer[layer - 1].isEmpty ? lowerLayer[layer - 1] : layer - 1
            }
            appRunsOn = [Int32](repeating: -1, count: apps * World.appVMSlots)
            appUses = [Int32](repeating: -1, count: apps * World.appDatabaseSlots)
            appDependsOn = [Int32](repeating: -1, count: apps * World.appDependencySlots)
            for a in 0..<apps {
                let home = pickDC(&rng)
                if plan.virtualServers > 0 {
                    let homeVMs = vmsByDC[home]
                    World.sample(
                        rng.inRange(1, 3), into: &appRunsOn, at: a * World.appVMSlots, rng: &rng
                    ) { rng in
                        if rng.chance(perMille: 800), !homeVMs.isEmpty { return Int(rng.pick(homeVMs)) }
                        return rng.below(plan.virtualServers)
                    }
                }
                let databaseCount = rng.weighted(World.databaseCountWeights)
                if plan.databases > 0 {
                    let homeDBs = databasesByDC[home]
                    World.sample(databaseCount, into: &appUses, at: a * World.appDatabaseSlots, rng: &rng) { rng in
                        if rng.chance(perMille: 800), !homeDBs.isEmpty { return Int(rng.pick(homeDBs)) }
                        return rng.below(plan.databases)
                    }
                }
                let layer = Int(appLayer[a])
                if layer == 0 {
                    let count = a > 0 ? rng.weighted(World.platformDependencyWeights) : 0
                    World.sample(count, into: &appDependsOn, at: a * World.appDependencySlots, rng: &rng) { rng in
                        rng.below(a)
                    }
                } else {
                    let count = rng.weighted(World.dependencyCountWeights)
                    let platform = appsByLayer[0]
                    let lower = appsByLayer[lowerLayer[layer]]
                    World.sample(count, into: &appDependsOn, at: a * World.appDependencySlots, rng: &rng) { rng in
                        Int(rng.chance(perMille: 300) ? rng.pick(platform) : rng.pick(lower))
                    }
                }
            }

            // Business services: PROVIDED_BY 1-4 apps (70% from the upper three layers); the first 30%
            // are shared services, the others DEPENDS_ON a shared service half of the time.
            let services = plan.businessServices
            let upper = appsByLayer[3] + appsByLayer[4] + appsByLayer[5]
            sharedServices = min(services, max(1, (services * 3 + 5) / 10))
            serviceProvidedBy = [Int32](repeating: -1, count: services * World.serviceAppSlots)
            serviceDependsOn = [Int32](repeating: -1, count: services)
            for s in 0..<services {
                if apps > 0 {
                    World.sample(
                        rng.inRange(1, 4), into: &serviceProvidedBy, at: s * World.serviceAppSlots, rng: &rng
                    ) { rng in
                        if rng.chance(perMille: 700), !upper.isEmpty { return Int(rng.pick(upper)) }
                        return rng.below(apps)
                    }
                }
                if s >= sharedServices && rng.chance(perMille: 500) {
                    serviceDependsOn[s] = Int32(rng.below(sharedServices))
                }
            }
        }

        /// Draws up to `count` distinct values into `slots[base...]` (which hold -1), giving up after
        /// a bounded number of tries when the pool is too small.
        private static func sample(
            _ count: Int, into slots: inout [Int32], at base: Int, rng: inout Random,
            draw: (inout Random) -> Int
        ) {
            var filled = 0
            var tries = 0
            while filled < count && tries < 10 * count + 10 {
                tries += 1
                let value = Int32(draw(&rng))
                var seen = false
                for j in 0..<filled where slots[base + j] == value { seen = true }
                if !seen {
                    slots[base + filled] = value
                    filled += 1
                }
            }
        }
    }
}
