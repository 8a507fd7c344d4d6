#!/usr/bin/env python3
"""Generate the LFR benchmark fixtures used by tests/community.rs.

Writes tests/fixtures/lfr/lfr_mu0N.edges.csv.gz (`source,target`, one undirected edge a line)
and tests/fixtures/lfr/lfr_mu0N.truth.csv.gz (`node,community`, the planted partition) for
mu = 0.1, 0.2, ..., 0.6, with networkx's LFR_benchmark_graph (n = 10,000, tau1 = 2.5,
tau2 = 1.5, average degree 20, max degree 50, communities of 20 to 100 nodes). The generator
sometimes fails to converge; the script then retries with the next seed and records the seed
used in tests/fixtures/lfr/generation.json.

Install:  python3 -m venv /work/venv-community && /work/venv-community/bin/pip install networkx numpy scipy
Run:      /work/venv-community/bin/python scripts/community_lfr_fixtures.py
"""
import gzip
import json
import os
import sys
import time

import networkx as nx

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "lfr")
MUS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def generate(mu, first_seed):
    seed = first_seed
    while True:
        try:
            g = nx.LFR_benchmark_graph(
                10_000, 2.5, 1.5, mu, average_degree=20, max_degree=50,
                min_community=20, max_community=100, seed=seed, max_iters=1000,
            )
            return g, seed
        except nx.ExceededMaxIterations as err:
            print(f"mu={mu} seed={seed}: {err}; retrying", file=sys.stderr)
            seed += 1


def main():
    os.makedirs(OUT, exist_ok=True)
    only = [float(a) for a in sys.argv[1:]] or MUS
    meta_path = os.path.join(OUT, "generation.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    for mu in only:
        name = f"lfr_mu{int(round(mu * 10)):02d}"
        start = time.time()
        g, seed = generate(mu, 42)
        g.remove_edges_from(list(nx.selfloop_edges(g)))
        communities = {frozenset(g.nodes[v]["community"]) for v in g}
        label = {}
        for i, c in enumerate(sorted(communities, key=min)):
            for v in c:
                label[v] = i
        with gzip.open(os.path.join(OUT, name + ".edges.csv.gz"), "wt", compresslevel=9) as f:
            f.write("source,target\n")
            for u, v in sorted((min(a, b), max(a, b)) for a, b in g.edges()):
                f.write(f"{u},{v}\n")
        with gzip.open(os.path.join(OUT, name + ".truth.csv.gz"), "wt", compresslevel=9) as f:
            f.write("node,community\n")
            for v in sorted(g.nodes()):
                f.write(f"{v},{label[v]}\n")
        meta[name] = {
            "mu": mu, "seed": seed, "n": 10_000, "tau1": 2.5, "tau2": 1.5,
            "average_degree": 20, "max_degree": 50, "min_community": 20,
            "max_community": 100, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "communities": len(communities), "networkx": nx.__version__,
        }
        print(f"{name}: seed {seed}, {g.number_of_edges()} edges, {len(communities)} "
              f"communities, {time.time() - start:.1f} s", flush=True)
        with open(meta_path, "w") as f:
            json.dump(meta, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
