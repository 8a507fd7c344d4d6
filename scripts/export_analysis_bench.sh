#!/bin/sh
# Speed and peak memory of `coordgraph export` on a large saved analysis: a generated analysis
# grown to ACCOUNTS accounts and EDGES random edges, saved, read back and exported one format at
# a time (GEXF static and dynamic, GraphML, CSV tables, DOT), then every output `analyze` writes
# (report, edge table, Markdown, HTML, all exports) at once, on 2 threads. Each step prints wall
# time, CPU time (user + system) and peak memory. Files go to OUT (default
# /work/bench-data/export-analysis, not committed).
# Needs: Rust (cargo). PROFILE=test reuses the test build (opt-level 2) instead of release.
# Run from the crate root:  sh scripts/export_analysis_bench.sh [ACCOUNTS] [EDGES]
set -eu
ACCOUNTS=${1:-100000}
EDGES=${2:-1000000}
OUT=${OUT:-/work/bench-data/export-analysis}
RAYON_NUM_THREADS=2 cargo run --profile "${PROFILE:-release}" --example export_analysis_bench -- \
    "$ACCOUNTS" "$EDGES" "$OUT"
