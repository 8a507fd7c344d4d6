#!/bin/sh
# Sizes of a generated collection in each format, plain and gzip -9.
# Needs cargo and gzip. Run from the repository root:  sh scripts/generate_sizes.sh [SCALE] [SEED]
set -eu
scale=${1:-0.01}
seed=${2:-42}
dir=$(mktemp -d)
cargo build --release --example generate_sample 2>/dev/null
for format in v11 v2 csv; do
    ./target/release/examples/generate_sample "$scale" "$seed" "$format" \
        "$dir/tweets.$format" "$dir/truth.csv" > "$dir/summary.json" 2>/dev/null
    plain=$(wc -c < "$dir/tweets.$format")
    gz=$(gzip -9 -n -c "$dir/tweets.$format" | wc -c)
    posts=$(grep '"posts"' "$dir/summary.json" | head -1 | tr -dc 0-9)
    echo "scale $scale seed $seed $format: $posts records, $plain bytes plain, $gz bytes gzip -9"
done
rm -r "$dir"
