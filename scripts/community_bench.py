#!/usr/bin/env python3
"""Benchmark community detection: coordgraph against python-igraph and networkit.

Runs, each in its own process on the same edge list and with the same thread count:
  coordgraph  Leiden and Louvain   (the bench binary benches/community.rs)
  igraph      community_leiden(objective_function="modularity"), community_multilevel()
  networkit   PLM, ParallelLeiden
and prints a Markdown table: time of the detection alone (wall and CPU, loading excluded),
the process's peak resident memory (loading included), modularity and community count.
With --repeat N each tool runs N times, each time in a fresh process, and the row is the run
of median time (the spread goes to the JSON lines): on a shared machine single runs of the
same binary vary by a fifth.
JSON lines with every figure go to --json-out when given.

The edge list is a CSV `source,target[,weight]` (header optional, any node ids), as read by
`coordgraph communities`; give each undirected pair once (coordgraph sums repeated pairs,
igraph keeps them as parallel edges, networkit drops the repeats). The Python tools load a cached integer copy (`<edges>.bench.npz`,
made once by this script) so that their loading stays out of the way.

Install:  python3 -m venv /work/venv-community
          /work/venv-community/bin/pip install python-igraph networkit numpy
Run:      cargo bench --bench community --no-run   # builds target/release/deps/community-*
          /work/venv-community/bin/python scripts/community_bench.py /work/bench-data/lfr_1m.csv \
              --threads 2 [--repeat 3] [--tools coordgraph-leiden,igraph-leiden,...] \
              [--json-out out.jsonl]
"""
import argparse
import csv
import glob
import json
import os
import resource
import subprocess
import sys
import time

TOOLS = [
    "coordgraph-louvain", "coordgraph-leiden", "networkit-plm", "networkit-leiden",
    "igraph-multilevel", "igraph-leiden",
]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def prepare(path):
    """Integer copy of the edge list: node ids by first appearance, as coordgraph numbers them."""
    import numpy as np
    cache = path + ".bench.npz"
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(path):
        return cache
    ids, src, dst, wts = {}, [], [], []
    weighted = False
    with open(path, newline="") as f:
        rows = csv.reader(f)
        for i, row in enumerate(rows):
            if not row or row[0].startswith("#"):
                continue
            if i == 0:
                third = row[2] if len(row) > 2 else None
                try:
                    third is None or float(third)
                    header = (row[0].lower(), row[1].lower()) in {
                        ("source", "target"), ("src", "dst"), ("from", "to"), ("u", "v"),
                        ("node1", "node2"), ("a", "b")}
                except ValueError:
                    header = True
                if header:
                    continue
            src.append(ids.setdefault(row[0].strip(), len(ids)))
            dst.append(ids.setdefault(row[1].strip(), len(ids)))
            if len(row) > 2:
                weighted = True
                wts.append(float(row[2]))
            else:
                wts.append(1.0)
    np.savez(cache, n=len(ids), src=np.array(src, dtype=np.int64),
             dst=np.array(dst, dtype=np.int64), w=np.array(wts, dtype=np.float64),
             weighted=weighted)
    return cache


def run_python_tool(tool, cache, threads):
    """Runs one Python tool in this process and prints one JSON line."""
    import numpy as np
    os.environ["OMP_NUM_THREADS"] = str(threads)
    data = np.load(cache)
    n, weighted = int(data["n"]), bool(data["weighted"])
    start = time.perf_counter()
    if tool.startswith("igraph"):
        import igraph as ig
        # igraph's own C reader: building from Python lists would inflate its memory.
        plain = cache[: -len(".npz")] + ".el"
        if not os.path.exists(plain):
            np.savetxt(plain, np.column_stack((data["src"], data["dst"])), fmt="%d")
        g = ig.Graph.Read_Edgelist(plain, directed=False)
        g.add_vertices(n - g.vcount())
        weights = data["w"].tolist() if weighted else None
        if weighted:
            g.es["weight"] = weights
        load_s = time.perf_counter() - start
        t0, c0 = time.perf_counter(), cpu_seconds()
        if tool == "igraph-leiden":
            membership = g.community_leiden(objective_function="modularity", weights=weights).membership
        else:
            membership = g.community_multilevel(weights=weights).membership
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        q = g.modularity(membership, weights=weights)
        communities = max(membership) + 1
        version = ig.__version__
    else:
        import networkit as nk
        nk.setNumberOfThreads(threads)
        g = nk.Graph(n, weighted=weighted)
        src, dst = data["src"], data["dst"]
        g.addEdges((data["w"] if weighted else np.ones(len(src)), (src, dst)))
        del src, dst
        g.removeMultiEdges()
        load_s = time.perf_counter() - start
        t0, c0 = time.perf_counter(), cpu_seconds()
        if tool == "networkit-plm":
            algo = nk.community.PLM(g, refine=False, gamma=1.0)
        else:
            algo = nk.community.ParallelLeiden(g)
        algo.run()
        partition = algo.getPartition()
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        q = nk.community.Modularity().getQuality(partition, g)
        communities = partition.numberOfSubsets()
        version = nk.__version__
    print(json.dumps({
        "tool": tool, "version": version, "threads": threads, "load_s": round(load_s, 3),
        "seconds": round(seconds, 3), "cpu_s": round(cpu, 3), "peak_mb": round(peak_mb(), 1),
        "modularity": round(q, 6), "communities": communities,
    }))


def run_coordgraph(tool, edges, threads):
    binaries = [b for b in glob.glob(os.path.join(ROOT, "target/release/deps/community-*"))
                if not b.endswith(".d")]
    if not binaries:
        sys.exit("build the bench first: cargo bench --bench community --no-run")
    binary = max(binaries, key=os.path.getmtime)
    method = tool.split("-")[1]
    out = subprocess.run([binary, edges, "--method", method, "--threads", str(threads), "--json"],
                         check=True, capture_output=True, text=True).stdout
    row = json.loads(out.strip().splitlines()[-1])
    row["tool"] = tool
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("edges")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json-out")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_python_tool(args.child, args.edges, args.threads)
        return
    rows = []
    cache = None
    for tool in args.tools.split(","):
        runs = []
        for _ in range(max(1, args.repeat)):
            if tool.startswith("coordgraph"):
                run = run_coordgraph(tool, args.edges, args.threads)
            else:
                cache = cache or prepare(args.edges)
                out = subprocess.run([sys.executable, __file__, cache, "--child", tool,
                                      "--threads", str(args.threads)],
                                     check=True, capture_output=True, text=True).stdout
                run = json.loads(out.strip().splitlines()[-1])
            run["load_avg"] = round(os.getloadavg()[0], 2)
            runs.append(run)
        runs.sort(key=lambda r: r["seconds"])
        row = dict(runs[(len(runs) - 1) // 2])
        row["runs"] = len(runs)
        row["all_seconds"] = [r["seconds"] for r in runs]
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        if args.json_out:
            with open(args.json_out, "a") as f:
                f.write(json.dumps(row) + "\n")
    print(f"| tool | threads | time (s) | CPU (s) | peak memory (MB) | modularity | communities |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cpu = r.get("cpu_s", "")
        print(f"| {r['tool']} | {r['threads']} | {r['seconds']:.2f} | {cpu} | {r['peak_mb']:.0f} | "
              f"{r['modularity']:.4f} | {r['communities']} |")


if __name__ == "__main__":
    main()
