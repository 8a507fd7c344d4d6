#!/bin/sh
# Regenerates the sample collection shipped in examples/data (scale 0.02, seed 42, v1.1 JSON
# lines, gzip -9 without a name or timestamp so the bytes are reproducible) and prints its sizes.
# Needs only cargo and gzip. Run from the repository root:  sh scripts/make_sample.sh
set -eu
cargo run --release --example generate_sample -- 0.02 42 v11 \
    examples/data/macronleaks-sample.jsonl examples/data/macronleaks-sample-truth.csv \
    > examples/data/macronleaks-sample-summary.json
echo "plain: $(wc -c < examples/data/macronleaks-sample.jsonl) bytes"
gzip -9 -n -f examples/data/macronleaks-sample.jsonl
echo "gzip -9: $(wc -c < examples/data/macronleaks-sample.jsonl.gz) bytes"
