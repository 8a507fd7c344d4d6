#!/usr/bin/env bash
# Precision and recall of the flagged accounts of `coordgraph analyze` (default options) on
# generated collections, overall and per planted group; the fan club must stay unflagged.
#
# Needs only a Rust toolchain (cargo). Run from the repository root:
#   scripts/analyze_eval.sh            # scale 1, seeds 1 2 3 (about 3 GB of memory)
#   scripts/analyze_eval.sh 0.1 4 5    # scale 0.1, seeds 4 and 5
#   scripts/analyze_eval.sh --graph-only 10 1
#       # only the size of the coordination graph (counted range by range, not held)
#   COORDGRAPH_EVAL_DATA=/work/bench-data scripts/analyze_eval.sh 10 1
#       # scale 10 (about 8 GB of memory at peak, 40 minutes on 2 shared cores); the generated
#       # collection (1.8 GB) and its truth are kept in that folder and reused by later runs.
#       # scripts/analyze_cli_scale.sh runs the same through the command line, outputs included.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=()
if [ "${1:-}" = "--graph-only" ]; then
  mode=(--graph-only)
  shift
fi
scale="${1:-1}"
shift || true
seeds=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(1 2 3); fi
cargo run --quiet --release --example analyze_eval -- "${mode[@]}" "$scale" "${seeds[@]}"
