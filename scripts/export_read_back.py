#!/usr/bin/env python3
"""Read an exported graph back with networkx and print a JSON summary (the test oracle).

Install: python3 -m venv /work/venv-export && /work/venv-export/bin/pip install networkx
         (or `.ci/export-deps.sh`, which installs networkx for the system python3).
Run:     python3 scripts/export_read_back.py gexf|graphml FILE

Prints {"directed", "multigraph", "nodes", "edges", "node_data": {id: {...}},
"edge_data": [[source, target, {...}], ...], "node_default": {...}, "edge_default": {...}}
with every attribute networkx read; declared attribute defaults are not copied onto the
elements that leave them out (networkx keeps them in the graph's `node_default` and
`edge_default`). Dynamic GEXF
with timeformat="dateTime" is read with times kept as strings: networkx's reader has no
converter for that (valid GEXF 1.3) time format.
"""
import json
import sys

import networkx as nx
from networkx.readwrite import gexf as nx_gexf


def read_gexf(path):
    reader = nx_gexf.GEXFReader(node_type=None, version="1.3")
    reader.python_type["dateTime"] = str
    with open(path, "rb") as f:
        return reader(f)


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    if fmt == "gexf":
        g = read_gexf(path)
    elif fmt == "graphml":
        g = nx.read_graphml(path)
    else:
        sys.exit(f"unknown format {fmt}")
    edges = (
        g.edges(keys=False, data=True) if g.is_multigraph() else g.edges(data=True)
    )
    out = {
        "directed": g.is_directed(),
        "multigraph": g.is_multigraph(),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "node_data": {str(n): d for n, d in g.nodes(data=True)},
        "node_default": g.graph.get("node_default", {}),
        "edge_default": g.graph.get("edge_default", {}),
        "edge_data": sorted(
            ([str(u), str(v), d] for u, v, d in edges),
            key=lambda e: (str(e[2].get("id", "")), e[0], e[1]),
        ),
    }
    json.dump(out, sys.stdout, ensure_ascii=True, sort_keys=True, default=str)


if __name__ == "__main__":
    main()
