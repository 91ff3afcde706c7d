#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus, fuzz/seeds/analyze/ (run from the repo root).

Three kinds of seeds, each under libFuzzer's -max_len=4096:
  tiny-*       copies of fixtures/tiny/*.heapsnapshot (valid, hand-made);
  cat-*        malformed inputs mirroring tests/integration/catalogue.rs,
               all derived from the catalogue's VALID snapshot;
  real-*       small real-ish snapshots: the first nodes (breadth-first from
               the root) of the real captures in fixtures/real/, with their
               producers' own headers (Node 8, Chrome 2017, Chromium 156,
               Deno), and the start of the Bun/JavaScriptCore capture.

The output is deterministic; re-running it rewrites the same files.
Files named found-* are not written here: they are inputs the fuzzer found
(a hang, a crash), kept as seeds so every run replays them first.
"""

import glob
import gzip
import json
import os
import shutil

OUT = "fuzz/seeds/analyze"
MAX = 4096

VALID = (
    '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
    '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],'
    '"edge_fields":["type","name_or_index","to_node"],'
    '"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],'
    '"location_fields":["object_index","script_id","line","column"]},'
    '"node_count":3,"edge_count":2,"trace_function_count":0},'
    "\n"
    '"nodes":[9,0,1,0,1,0,0,3,1,3,1234,1,0,0,3,2,5,20,0,0,0],'
    "\n"
    '"edges":[5,3,7,2,4,14],'
    "\n"
    '"locations":[],'
    "\n"
    '"strings":["","Window","Thing","1","secretvalue"]}'
)
EDGES = '"edges":[5,3,7,2,4,14]'


def cut_after(marker):
    return VALID[: VALID.index(marker) + len(marker)]


def with_(frm, to):
    assert VALID.count(frm) == 1, frm
    return VALID.replace(frm, to, 1)


def node_value(to):
    return with_("3,1,3,1234,", "3,1,3,%s," % to)


def edge_value(to):
    return with_(EDGES, '"edges":[5,3,7,2,4,%s]' % to)


def catalogue():
    bad_utf8 = with_("secretvalue", "secret\x01value").encode().replace(b"\x01", b"\xff")
    return {
        "cat-valid": VALID,
        "cat-empty": "",
        "cat-whitespace": " \n\t \n",
        "cat-not-json": "hello",
        "cat-array": "[1,2]",
        "cat-other-object": '{"a":1}',
        "cat-empty-object": "{}",
        "cat-cut-inside-header": VALID[:100],
        "cat-cut-after-header": cut_after('"trace_function_count":0}'),
        "cat-cut-mid-number": cut_after('"nodes":[9,0,1,0,1,0,0,3,1,3,12'),
        "cat-cut-inside-edges": cut_after('"edges":[5,3,7,2'),
        "cat-cut-inside-string": cut_after('"Thing","1","secr'),
        "cat-trailing-garbage": VALID + "\nx",
        "cat-no-meta": with_('"meta":', '"mota":'),
        "cat-no-id-field": with_('"name","id",', '"name","ident",'),
        "cat-node-count-too-high": with_('"node_count":3', '"node_count":4'),
        "cat-lying-node-count": with_('"node_count":3', '"node_count":4000000000'),
        "cat-edge-count-fields-sum": with_("3,1,3,1234,1,", "3,1,3,1234,2,"),
        "cat-to-node-not-multiple": edge_value("15"),
        "cat-to-node-past-end": edge_value("21"),
        "cat-node-negative": node_value("-1234"),
        "cat-node-fraction": node_value("1.5"),
        "cat-edge-exponent": edge_value("1e3"),
        "cat-node-overflow": node_value("99999999999999999999999"),
        "cat-name-past-strings": with_("3,1,3,1234,", "3,77,3,1234,"),
        "cat-invalid-utf8": bad_utf8,
        "cat-bad-escape": with_("secretvalue", r"secret\qvalue"),
        "cat-unicode-escapes": with_("secretvalue", r"s\u00e9cr\ud83d\ude00\n\"t"),
        "cat-no-strings": with_(',\n"strings":["","Window","Thing","1","secretvalue"]', ""),
        "cat-duplicate-nodes": with_(
            '\n"edges"', '\n"nodes":[9,0,1,0,1,0,0,3,1,3,1234,1,0,0,3,2,5,20,0,0,0],\n"edges"'
        ),
        "cat-root-last": with_('"trace_function_count":0', '"trace_function_count":0,"root_index":14'),
        "cat-extra-native-bytes": with_(
            '"trace_function_count":0', '"trace_function_count":0,"extra_native_bytes":1234'
        ),
        "cat-locations": with_('"locations":[]', '"locations":[7,1,2,3,14,1,5,6]'),
        "cat-bun": '{"version":3,"type":"Inspector","nodes":[0,0,0,0],"nodeClassNames":["Object"],'
        '"edges":[],"edgeTypes":["Property"],"edgeNames":[]}',
    }


def real_subgraph(path, limit):
    """The first `limit` nodes reached breadth-first from the root, in their
    file order, with the edges among them and only the strings they use."""
    d = json.load(gzip.open(path))
    meta = d["snapshot"]["meta"]
    nf, ef = meta["node_fields"], meta["edge_fields"]
    nw, ew = len(nf), len(ef)
    nodes, edges, strings = d["nodes"], d["edges"], d["strings"]
    n_count = len(nodes) // nw
    first = [0] * (n_count + 1)
    for n in range(n_count):
        first[n + 1] = first[n] + nodes[n * nw + nf.index("edge_count")]
    # Breadth-first, at most 4 children a node, through at most 7 synthetic
    # nodes (root, GC roots, sub-roots): JavaScript objects make the
    # interesting seeds.
    synthetic = meta["node_types"][0].index("synthetic")
    is_synthetic = lambda n: nodes[n * nw + nf.index("type")] == synthetic
    seen, queue, synthetic_left = {0}, [0], 6
    while queue and len(seen) < limit:
        n = queue.pop(0)
        children = 0
        for e in range(first[n], first[n + 1]):
            to = edges[e * ew + ef.index("to_node")] // nw
            if to in seen or len(seen) >= limit or children == 4:
                continue
            if is_synthetic(to):
                if synthetic_left == 0:
                    continue
                synthetic_left -= 1
            seen.add(to)
            queue.append(to)
            children += 1
    keep = sorted(seen)
    ordinal = {n: i for i, n in enumerate(keep)}
    names, out_strings = {}, []

    def string(i):
        if i not in names:
            names[i] = len(out_strings)
            out_strings.append(strings[i][:24])
        return names[i]

    string(0)
    numeric = {meta["edge_types"][0].index(t) for t in ("element", "hidden")}
    out_nodes, out_edges = [], []
    for n in keep:
        record = nodes[n * nw : (n + 1) * nw]
        kept = []
        for e in range(first[n], first[n + 1]):
            rec = edges[e * ew : (e + 1) * ew]
            to = rec[ef.index("to_node")] // nw
            if to in ordinal and len(kept) < 6:
                rec = list(rec)
                rec[ef.index("to_node")] = ordinal[to] * nw
                if rec[ef.index("type")] not in numeric:
                    rec[ef.index("name_or_index")] = string(rec[ef.index("name_or_index")])
                kept.append(rec)
        record = list(record)
        record[nf.index("name")] = string(record[nf.index("name")])
        record[nf.index("edge_count")] = len(kept)
        if "trace_node_id" in nf:
            record[nf.index("trace_node_id")] = 0
        out_nodes += record
        for rec in kept:
            out_edges += rec
    header = dict(d["snapshot"])
    header["node_count"] = len(keep)
    header["edge_count"] = len(out_edges) // ew
    header["trace_function_count"] = 0
    header.pop("title", None)
    compact = lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    parts = [
        '"snapshot":' + compact(header),
        '"nodes":' + compact(out_nodes),
        '"edges":' + compact(out_edges),
        '"strings":' + compact(out_strings),
    ]
    return "{" + ",\n".join(parts) + "}"


def write(name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) <= MAX, (name, len(data))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for path in sorted(glob.glob("fixtures/tiny/*.heapsnapshot")):
        shutil.copyfile(path, os.path.join(OUT, os.path.basename(path)))
    for name, data in catalogue().items():
        write(name + ".heapsnapshot", data)
    for name, limit in [
        ("node8-alinode-devtoolx", 40),
        ("chrome2017-stefanpenner", 40),
        ("chromium156-chat-after", 40),
        ("deno2.9", 40),
    ]:
        path = "fixtures/real/%s.heapsnapshot.gz" % name
        if not os.path.exists(path):
            continue
        text = real_subgraph(path, limit)
        while len(text.encode()) > MAX and limit > 4:
            limit -= 2
            text = real_subgraph(path, limit)
        write("real-%s.heapsnapshot" % name, text)
    bun = "fixtures/real/bun1.4-jsc-format.json.gz"
    if os.path.exists(bun):
        write("real-bun1.4-jsc-start.json", gzip.open(bun).read(1024))


if __name__ == "__main__":
    main()
