#!/usr/bin/env bash
# `coordgraph analyze` with default options on a generated collection, end to end through the
# command line (reading, analysis, every output file), with its peak resident memory
# (`/usr/bin/time -v`), then `coordgraph evaluate` against the ground truth.
#
# Needs a Rust toolchain (cargo) and GNU time (/usr/bin/time). Run from the repository root:
#   scripts/analyze_cli_scale.sh 10 1 /work/bench-data
# (scale, seed, a folder outside the repository with room for the collection, 1.8 GB at scale
# 10, and the outputs, about 5.5 GB at scale 10, most of it the GEXF and GraphML files).
# The collection is generated once into the folder and reused; the outputs are removed after
# the evaluation, keeping report.md, the timings and the evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-10}"
seed="${2:-1}"
data="${3:-/work/bench-data}"
cargo build --quiet --release --bin coordgraph
bin="$PWD/target/release/coordgraph"
input="$data/eval-$scale-$seed.jsonl.zst"
truth="$data/eval-$scale-$seed-truth.csv"
if [ ! -f "$input" ] || [ ! -f "$truth" ]; then
  "$bin" generate --scale "$scale" --seed "$seed" -o "$input" --truth "$truth"
fi
run="$data/analyze-$scale-$seed"
rm -rf "$run/out"
mkdir -p "$run"
/usr/bin/time -v "$bin" analyze -v "$input" --out "$run/out" > "$run/summary.txt" 2> "$run/analyze.log"
"$bin" evaluate --truth "$truth" "$run/out/report.json" | tee "$run/evaluate.txt"
grep -E "Maximum resident|Elapsed" "$run/analyze.log"
grep -E "^  [a-z ]+ +[0-9.]+ s$" "$run/analyze.log" || true
cp "$run/out/report.md" "$run/report.md"
rm -rf "$run/out"
