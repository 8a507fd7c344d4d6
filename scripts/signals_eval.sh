#!/usr/bin/env bash
# Per-group mean bot-likeness score, AUCs of the score for the planted groups against organic
# accounts and the fan club, and dormancy precision/recall, on generated collections.
#
# Needs only a Rust toolchain (cargo). Run from the repository root:
#   scripts/signals_eval.sh            # scale 0.1, seeds 1 2 3
#   scripts/signals_eval.sh 1 4 5      # scale 1, seeds 4 and 5
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-0.1}"
shift || true
seeds=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(1 2 3); fi
cargo run --quiet --release --example signals_eval -- "$scale" "${seeds[@]}"
