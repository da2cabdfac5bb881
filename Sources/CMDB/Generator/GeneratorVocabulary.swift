// Fixed word lists for generated attributes. Arrays only (never iterated from a Set or a
// Dictionary), so the output does not depend on hashing.

extension CMDBGenerator {
    enum Vocabulary {
        /// The datacenters, in order: id, code (the `location` attribute), lower-case code
        /// (host names), city, street address. Weights 40/35/25.
        static let datacenterIDs: [StaticString] = ["dc-ams1", "dc-fra1", "dc-lon1"]
        static let datacenterCodes: [StaticString] = ["AMS1", "FRA1", "LON1"]
        static let datacenterDomains: [StaticString] = [
            ".ams1.example.net", ".fra1.example.net", ".lon1.example.net",
        ]
        static let datacenterCities: [StaticString] = ["Amsterdam", "Frankfurt", "London"]
        static let datacenterAddresses: [StaticString] = [
            "Science Park 610, 1098 XH Amsterdam",
            "Hanauer Landstrasse 302, 60314 Frankfurt am Main",
            "East India Dock Road 14, London E14 9YY",
        ]
        static let datacenterWeights: [Int] = [40, 35, 25]

        /// 50 teams; owners are `<word>-team`.
        static let teamWords: [StaticString] = [
            "platform", "payments", "identity", "search", "checkout", "logistics", "billing", "network",
            "storage", "compute", "dba", "security", "observability", "mobile", "web", "data", "ml",
            "crm", "erp", "hr", "finance", "marketing", "analytics", "messaging", "edge", "cdn", "dns",
            "iam", "fraud", "risk", "pricing", "catalog", "inventory", "orders", "shipping", "returns",
            "support", "notifications", "email", "sms", "reporting", "warehouse", "integration", "api",
            "gateway", "devops", "sre", "dc-ops", "backup", "compliance",
        ]

        static let statusWeights: [Int] = [850, 70, 80]  // live, planned, withdrawn
        static let criticalityWeights: [Int] = [15, 25, 30, 20, 10]  // 1...5

        static let vmOS: [StaticString] = [
            "Ubuntu 24.04", "Ubuntu 22.04", "RHEL 9", "RHEL 8", "Debian 12", "Windows Server 2022",
            "Windows Server 2019", "Rocky Linux 9",
        ]
        static let vmCPU: [Int] = [1, 2, 4, 8, 16]
        static let vmMemory: [Int] = [2, 4, 8, 16, 32, 64]

        static let hypervisorOS: [StaticString] = [
            "VMware ESXi 8.0", "VMware ESXi 7.0", "Proxmox VE 8", "RHEL 9 KVM",
        ]
        static let hypervisorCPU: [Int] = [32, 48, 64, 96, 128]
        static let hypervisorMemory: [Int] = [256, 384, 512, 768, 1024]
        static let serverManufacturers: [StaticString] = ["Dell", "HPE", "Lenovo"]
        static let serverModels: [StaticString] = [
            "PowerEdge R760", "ProLiant DL380 Gen11", "ThinkSystem SR650 V3",
        ]

        static let switchManufacturers: [StaticString] = ["Arista", "Cisco", "Juniper"]
        static let switchModels: [StaticString] = ["7050X3", "Nexus 93180YC-FX3", "QFX5120-48Y"]

        static let arrayManufacturers: [StaticString] = ["NetApp", "Pure Storage", "Dell"]
        static let arrayModels: [StaticString] = ["AFF A400", "FlashArray X70", "PowerStore 1200T"]

        static let volumeSizes: [Int] = [50, 100, 250, 500, 1000, 2000]
        static let diskTiers: [StaticString] = ["nvme tier", "ssd tier", "hdd tier"]

        static let clusterPlatforms: [StaticString] = [
            "vSphere cluster", "Proxmox cluster", "OpenStack cell",
        ]

        static let databaseEngines: [StaticString] = [
            "PostgreSQL", "PostgreSQL", "MySQL", "Oracle", "SQL Server", "MongoDB", "Redis",
        ]
        static let databaseVersions: [StaticString] = ["16", "15", "8.0", "19c", "2022", "7.0", "7.2"]

        static let languages: [StaticString] = [
            "Java", "Go", "Python", "Node.js", "C#", "Ruby", "Kotlin", "Rust",
        ]
        static let appWords: [StaticString] = [
            "api", "web", "worker", "gateway", "portal", "engine", "sync", "batch", "router", "store",
            "ledger", "auth", "cache", "feed", "scheduler", "indexer",
        ]
        static let layerNames: [StaticString] = [
            "platform", "core", "domain", "integration", "backend", "frontend",
        ]
        static let vendors: [StaticString] = [
            "SAP", "Oracle", "Microsoft", "Atlassian", "Salesforce", "ServiceNow", "Elastic", "Confluent",
        ]

        static let serviceWords: [StaticString] = [
            "online", "mobile", "partner", "internal", "b2b", "retail", "self-service", "customer",
        ]
        static let slas: [StaticString] = ["99.0%", "99.5%", "99.9%", "99.95%", "99.99%"]
        static let days: [StaticString] = ["Sun", "Sat", "Tue", "Wed", "Thu"]
        static let windowStarts: [Int] = [0, 1, 2, 3, 4, 22, 23]
        static let windowHours: [Int] = [2, 3, 4]
        static let customers: [StaticString] = [
            "retail customers", "enterprise customers", "partners", "public sector", "employees",
        ]
    }
}
