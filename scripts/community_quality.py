#!/usr/bin/env python3
"""Reference quality of python-igraph on the committed LFR fixtures.

For each tests/fixtures/lfr/lfr_mu0N fixture, runs python-igraph's
community_leiden(objective_function="modularity") (called
`objective=` before python-igraph 0.10.2; its defaults: resolution 1, beta 0.01,
n_iterations 2) and community_multilevel() with seeds 0..9, and writes the modularity and the
NMI to the planted partition (igraph's compare_communities(method="nmi")) of each run, and
their mean, to tests/fixtures/lfr/reference.json. tests/community.rs asserts that coordgraph's
Leiden and Louvain, also averaged over ten seeds, reach at least that mean minus 0.005.

Install:  python3 -m venv /work/venv-community && /work/venv-community/bin/pip install python-igraph
Run:      /work/venv-community/bin/python scripts/community_quality.py
"""
import csv
import gzip
import json
import os
import random
import statistics
import time

import igraph as ig

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "lfr")
SEEDS = range(10)


def load(name):
    ids = {}
    edges = []
    with gzip.open(os.path.join(HERE, name + ".edges.csv.gz"), "rt") as f:
        rows = csv.reader(f)
        next(rows)
        for u, v in rows:
            edges.append((ids.setdefault(u, len(ids)), ids.setdefault(v, len(ids))))
    truth = [0] * len(ids)
    with gzip.open(os.path.join(HERE, name + ".truth.csv.gz"), "rt") as f:
        rows = csv.reader(f)
        next(rows)
        for node, community in rows:
            truth[ids[node]] = int(community)
    return ig.Graph(n=len(ids), edges=edges), truth


def summarise(graph, truth, run):
    results = []
    for seed in SEEDS:
        random.seed(seed)
        start = time.perf_counter()
        membership = run().membership
        seconds = time.perf_counter() - start
        results.append({
            "seed": seed,
            "modularity": graph.modularity(membership),
            "nmi": ig.compare_communities(truth, membership, method="nmi"),
            "communities": max(membership) + 1,
            "seconds": round(seconds, 4),
        })
    return {
        "modularity": statistics.mean(r["modularity"] for r in results),
        "nmi": statistics.mean(r["nmi"] for r in results),
        "runs": results,
    }


def main():
    out = {"igraph": ig.__version__, "seeds": list(SEEDS), "fixtures": {}}
    names = sorted(f[: -len(".edges.csv.gz")] for f in os.listdir(HERE) if f.endswith(".edges.csv.gz"))
    for name in names:
        graph, truth = load(name)
        entry = {
            "nodes": graph.vcount(),
            "edges": graph.ecount(),
            "truth_modularity": graph.modularity(truth),
            "leiden": summarise(graph, truth, lambda: graph.community_leiden(objective_function="modularity")),
            "leiden_converged": summarise(
                graph, truth, lambda: graph.community_leiden(objective_function="modularity", n_iterations=-1)),
            "multilevel": summarise(graph, truth, graph.community_multilevel),
        }
        out["fixtures"][name] = entry
        print(f"{name}: truth Q {entry['truth_modularity']:.4f}; "
              f"leiden Q {entry['leiden']['modularity']:.4f} NMI {entry['leiden']['nmi']:.4f}; "
              f"leiden(-1) Q {entry['leiden_converged']['modularity']:.4f} "
              f"NMI {entry['leiden_converged']['nmi']:.4f}; "
              f"multilevel Q {entry['multilevel']['modularity']:.4f} NMI {entry['multilevel']['nmi']:.4f}",
              flush=True)
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
