#!/usr/bin/env python3
"""Generate the large LFR graph for the community-detection benchmark (not committed).

Writes an edge list `source,target` of an LFR graph with networkit's LFRGenerator:
n nodes (default 1,000,000), power-law degrees (exponent 2.5, average 20, max 50) and
community sizes (exponent 1.5, 20 to 100 nodes), mixing parameter mu (default 0.4); plus
`<out>.truth.csv` with the planted partition. About 10M edges for the defaults.

Install:  python3 -m venv /work/venv-community && /work/venv-community/bin/pip install networkit
Run:      /work/venv-community/bin/python scripts/community_bench_lfr.py /work/bench-data/lfr_1m.csv
          [--nodes 1000000] [--mu 0.4] [--seed 1]
"""
import argparse
import time

import networkit as nk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--mu", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    nk.setSeed(args.seed, False)
    start = time.time()
    gen = nk.generators.LFRGenerator(args.nodes)
    gen.generatePowerlawDegreeSequence(20, 50, -2.5)
    gen.generatePowerlawCommunitySizeSequence(20, 100, -1.5)
    gen.setMu(args.mu)
    gen.run()
    g = gen.getGraph()
    truth = gen.getPartition()
    print(f"generated {g.numberOfNodes()} nodes, {g.numberOfEdges()} edges, "
          f"{truth.numberOfSubsets()} communities in {time.time() - start:.1f} s", flush=True)
    nk.graphio.EdgeListWriter(",", 0).write(g, args.out)
    with open(args.out + ".truth.csv", "w") as f:
        f.write("node,community\n")
        f.writelines(f"{v},{truth[v]}\n" for v in range(g.numberOfNodes()))
    print(f"written {args.out} in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
