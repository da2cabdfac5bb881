/// The built-in ITIL schema, in the public schema file format.
///
/// `cmdb init` applies it unless told otherwise and `cmdb schema show` prints it, so users start from it.
public enum BuiltInSchema {
    /// The YAML text of the built-in schema.
    public static let yaml: String = #"""
        # cmdb built-in ITIL schema. Start your own from this file: cmdb schema show > schema.yaml
        version: 1
        statuses: [planned, ordered, in_build, in_test, live, maintenance, withdrawn, disposed]
        transitions:            # allowed moves; others are recorded, and flagged by audit
          planned: [ordered, in_build, withdrawn]
          ordered: [in_build, withdrawn]
          in_build: [in_test, live, withdrawn]
          in_test: [in_build, live, withdrawn]
          live: [maintenance, withdrawn]
          maintenance: [live, withdrawn]
          withdrawn: [disposed, live]
          disposed: []
        classes:
          CI:
            abstract: true
            id_pattern: '^[a-z0-9][a-z0-9.-]*$'
            attributes:
              owner:            {type: string, recommended: true}
              criticality:      {type: int, min: 1, max: 5, recommended: true}
              version:          {type: string}
              description:      {type: string}
              last_verified_at: {type: datetime}
          BusinessService:
            parent: CI
            expects: [{relation: PROVIDED_BY, direction: out}]
            attributes:
              sla:                {type: string, recommended: true}
              maintenance_window: {type: string, recommended: true}
              customer:           {type: string}
          TechnicalService:
            parent: CI
          Application:
            parent: CI
            expects: [{relation: RUNS_ON, direction: out}]
            attributes:
              vendor: {type: string}
          Database:
            parent: CI
            attributes:
              engine: {type: string}
          Cluster:
            parent: CI
            attributes:
              quorum:   {type: int, min: 1, default: 1}
              location: {type: string}
          Server:
            parent: CI
            identify: [[serial], [hostname]]
            attributes:
              hostname:  {type: string, indexed: true, discoverable: true}
              os:        {type: string, discoverable: true, recommended: true}
              cpu:       {type: int, min: 1, discoverable: true}
              memory_gb: {type: int, min: 0, discoverable: true}
              location:  {type: string, discoverable: true}
          PhysicalServer:
            parent: Server
            attributes:
              serial:       {type: string, indexed: true, discoverable: true, recommended: true}
              manufacturer: {type: string, discoverable: true}
              model:        {type: string, discoverable: true}
              asset_tag:    {type: string}
          Hypervisor:
            parent: PhysicalServer
          VirtualServer:
            parent: Server
            expects: [{relation: HOSTED_ON, direction: out}]
          NetworkDevice:
            parent: CI
            identify: [[serial], [hostname], [mgmt_ip]]
            attributes:
              hostname:     {type: string, indexed: true, discoverable: true}
              mgmt_ip:      {type: string, indexed: true, discoverable: true}
              serial:       {type: string, indexed: true, discoverable: true, recommended: true}
              manufacturer: {type: string, discoverable: true}
              model:        {type: string, discoverable: true}
              location:     {type: string, discoverable: true}
          Switch:      {parent: NetworkDevice}
          Router:      {parent: NetworkDevice}
          Firewall:    {parent: NetworkDevice}
          AccessPoint: {parent: NetworkDevice}
          StorageArray:
            parent: CI
            identify: [[serial]]
            attributes:
              serial:       {type: string, indexed: true, discoverable: true, recommended: true}
              manufacturer: {type: string, discoverable: true}
              model:        {type: string, discoverable: true}
              location:     {type: string, discoverable: true}
          StorageVolume:
            parent: CI
            attributes:
              size_gb: {type: int, min: 0}
          Workstation:
            parent: CI
            identify: [[serial], [hostname]]
            attributes:
              hostname:     {type: string, indexed: true, discoverable: true}
              serial:       {type: string, indexed: true, discoverable: true, recommended: true}
              os:           {type: string, discoverable: true}
              manufacturer: {type: string, discoverable: true}
              model:        {type: string, discoverable: true}
              assigned_to:  {type: string}
              location:     {type: string, discoverable: true}
          Location:
            parent: CI
            abstract: true
            attributes:
              address: {type: string}
              city:    {type: string}
          Datacenter: {parent: Location}
          Site:       {parent: Location}
          Rack:       {parent: Location}
          Supplier:
            parent: CI
            attributes:
              contact: {type: string}
          Contract:
            parent: CI
            attributes:
              end_date: {type: date}
              supplier: {type: string}
        relations:              # from depends on to
          RUNS_ON:
            from: [Application, Database, TechnicalService]
            to: [Server, Cluster]
            impact: forward
            redundancy: group
          HOSTED_ON:
            connects:             # several allowed (from, to) pairs
              - {from: [VirtualServer], to: [Hypervisor, Cluster]}
              - {from: [StorageVolume], to: [StorageArray]}
            impact: forward
          MEMBER_OF:
            from: [Server, NetworkDevice, StorageArray]
            to: [Cluster]
            impact: reverse       # the cluster depends on its members
            redundancy: quorum
          USES:
            from: [Application, Server]
            to: [Database, Application, TechnicalService, StorageArray, StorageVolume]
          DEPENDS_ON:
            from: [CI]
            to: [CI]
          PROVIDED_BY:
            from: [BusinessService]
            to: [Application, TechnicalService]
          CONNECTS_TO:
            from: [Server, StorageArray, NetworkDevice, Workstation]
            to: [NetworkDevice]
            redundancy: group
          LOCATED_IN:
            from: [Server, NetworkDevice, StorageArray, Workstation, Rack, Cluster]
            to: [Location]
          BACKED_UP_BY:
            from: [CI]
            to: [CI]
            impact: none
          SUPPLIED_BY:
            from: [CI]
            to: [Supplier]
            impact: none
          COVERED_BY:
            from: [CI]
            to: [Contract]
            impact: none
        """#
}
