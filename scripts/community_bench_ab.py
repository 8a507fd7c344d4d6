#!/usr/bin/env python3
"""Compare two builds of the community benchmark on one graph, alternating runs.

On a shared machine the speed drifts over minutes, so two binaries measured one after the
other can differ by a third for no reason of their own. This script runs them in turn (A, B,
A, B, ...), each process detecting communities --repeat times on the cached graph, and prints
for each the median and spread of the wall time and of the CPU time (user + system, the
figure least disturbed by other processes) and the modularity.

Install:  nothing beyond Python 3 (standard library only).
Run:      cargo bench --bench community --no-run   # then copy the binary aside, e.g.
          cp target/release/deps/community-<hash> /tmp/new
          python3 scripts/community_bench_ab.py /tmp/old /tmp/new \
              --edges /work/bench-data/lfr_1m.csv --cache /work/bench-data/lfr_1m.cache \
              [--method louvain] [--threads 2] [--rounds 5] [--repeat 3]
A binary may be followed by environment settings, `NAME=VALUE,...` after a colon
(`/tmp/new:RAYON_NUM_THREADS=2`), to compare two settings of one build.
"""
import argparse
import json
import os
import statistics
import subprocess


def run(spec, args):
    binary, _, settings = spec.partition(":")
    env = dict(os.environ)
    for item in filter(None, settings.split(",")):
        name, _, value = item.partition("=")
        env[name] = value
    out = subprocess.run(
        [binary, args.edges, "--cache", args.cache, "--method", args.method,
         "--threads", str(args.threads), "--repeat", str(args.repeat), "--json"],
        check=True, capture_output=True, text=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def summary(values):
    return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="+", help="bench binaries, each optionally :NAME=VALUE,...")
    ap.add_argument("--edges", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--method", default="louvain")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = {spec: [] for spec in args.binaries}
    for _ in range(args.rounds):
        for spec in args.binaries:
            rows[spec].extend(run(spec, args))
    print("| build | runs | wall (s), median [min-max] | CPU (s), median [min-max] | modularity |"
          " communities |")
    print("|---|---:|---:|---:|---:|---:|")
    for spec, runs in rows.items():
        q = sorted({r["modularity"] for r in runs})
        c = sorted({r["communities"] for r in runs})
        print(f"| {spec} | {len(runs)} | {summary([r['seconds'] for r in runs])} | "
              f"{summary([r['cpu_s'] for r in runs])} | {', '.join(map(str, q))} | "
              f"{', '.join(map(str, c))} |")


if __name__ == "__main__":
    main()
