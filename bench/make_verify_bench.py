#!/usr/bin/env python3
"""Inputs for the verify/audit benchmark on the shared 1M-CI data set.

The generated CMDB (../shared/bench) has hostnames on none of its CIs and serials only on hypervisors, so with the
built-in schema almost nothing in it is identifiable. This writes, into OUT (default /tmp/audit-bench):

  schema.yaml          the built-in schema plus `identify: [[hostname]]` and an indexed, discoverable `hostname`
                       on the root class CI, so every CI can be identified
  cmdb.jsonl           the input CMDB with `hostname` = id added to every CI (nothing else changed)
  snapshot.jsonl       a discovery snapshot of every CI (classes: [CI]) with deliberate discrepancies:
                       every 1000th CI not seen (missing when live), every 500th with a changed `location`
                       (drift), 1000 unregistered items

  python3 bench/make_verify_bench.py /tmp/cmdb-bench/data/1m/cmdb.jsonl SCHEMA_TEXT_FILE [OUT]

SCHEMA_TEXT_FILE is the output of `cmdb schema show --builtin`.
"""
import json
import pathlib
import sys

DISCOVERABLE = ["hostname", "os", "cpu", "memory_gb", "serial", "mgmt_ip", "manufacturer", "model", "location"]


def main(argv):
    source, builtin = pathlib.Path(argv[0]), pathlib.Path(argv[1])
    out = pathlib.Path(argv[2] if len(argv) > 2 else "/tmp/audit-bench")
    out.mkdir(parents=True, exist_ok=True)
    schema = builtin.read_text()
    anchor = "  CI:\n    abstract: true\n"
    assert anchor in schema, "the built-in schema changed: update make_verify_bench.py"
    schema = schema.replace(anchor, anchor + "    identify: [[hostname]]\n", 1)
    attrs = "    attributes:\n      owner:"
    assert attrs in schema
    schema = schema.replace(attrs, "    attributes:\n      hostname:         {type: string, indexed: true, "
                                   "discoverable: true}\n      owner:", 1)
    (out / "schema.yaml").write_text(schema)
    counts = {"items": 0, "skipped": 0, "drift": 0, "unregistered": 0}
    with source.open() as src, (out / "cmdb.jsonl").open("w") as cmdb, (out / "snapshot.jsonl").open("w") as snap:
        snap.write(json.dumps({"kind": "source", "name": "bench-discovery", "classes": ["CI"],
                               "taken_at": "2026-11-22T02:00:00Z"}) + "\n")
        n = 0
        for line in src:
            o = json.loads(line)
            if o["kind"] != "ci":
                cmdb.write(line)
                continue
            n += 1
            o["attrs"].setdefault("hostname", o["id"])
            cmdb.write(json.dumps(o, separators=(",", ":")) + "\n")
            if n % 1000 == 0:
                counts["skipped"] += 1
                continue
            seen = {k: o["attrs"][k] for k in DISCOVERABLE if k in o["attrs"]}
            if n % 500 == 0 and "location" in seen:
                seen["location"] = "MOVED"
                counts["drift"] += 1
            snap.write(json.dumps({"kind": "ci", "class": o["class"], "attrs": seen}, separators=(",", ":")) + "\n")
            counts["items"] += 1
        for i in range(1000):
            snap.write(json.dumps({"kind": "ci", "class": "VirtualServer",
                                   "attrs": {"hostname": f"unregistered-{i:04d}", "os": "Ubuntu 24.04", "cpu": 2}},
                                  separators=(",", ":")) + "\n")
            counts["unregistered"] += 1
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
