#!/usr/bin/env bash
# Read time of CSV input: runs `coordgraph network co-retweet FILE.csv -v` with each given
# binary RUNS times in turn (alternating, so that a busy machine slows them alike), and prints
# the median of the read time each reports (`read X s` on standard error), its median wall time,
# and whether their edge lists are identical.
#
# The default input is the generator's CSV (coordination-network-toolkit's 8 columns, one
# million rows, texts with a comma in quotes), written by the first binary on first use.
#
# Needs: bash, GNU time (/usr/bin/time), awk. No install step.
#
# Run from the repository root:
#   scripts/csv_read_speed.sh                                   # this checkout's release binary
#   scripts/csv_read_speed.sh /tmp/old/coordgraph target/release/coordgraph
#   CSV=bench-data/graph_vs_cnt/gen_1000000.csv scripts/csv_read_speed.sh a/coordgraph b/coordgraph
#
# Environment: CSV (default bench-data/csv_read/gen1.csv), SCALE (default 1, for the generated
# input), WINDOW (default 60), THREADS (default 2), RUNS (default 7), WORK (scratch folder,
# default /tmp/csv_read_speed).
set -euo pipefail

CSV=${CSV:-bench-data/csv_read/gen1.csv}
SCALE=${SCALE:-1}
WINDOW=${WINDOW:-60}
THREADS=${THREADS:-2}
RUNS=${RUNS:-7}
WORK=${WORK:-/tmp/csv_read_speed}
mkdir -p "$WORK"
BINS=("$@")
[[ ${#BINS[@]} -gt 0 ]] || BINS=(target/release/coordgraph)

if [[ ! -f $CSV ]]; then
    mkdir -p "$(dirname "$CSV")"
    "${BINS[0]}" -q generate --scale "$SCALE" --format csv -o "$CSV"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rm -f "$WORK"/read.* "$WORK"/t.*
for ((r = 0; r < RUNS; r++)); do
    for i in "${!BINS[@]}"; do
        /usr/bin/time -f "%e" -o "$WORK/t.$i.$r" "${BINS[$i]}" -v network co-retweet "$CSV" \
            --window "$WINDOW" --threads "$THREADS" -o "$WORK/edges.$i.csv" 2>"$WORK/log.$i"
        sed -n 's/.*read \([0-9.]*\) s.*/\1/p' "$WORK/log.$i" >"$WORK/read.$i.$r"
    done
done
echo "co-retweet on $CSV, $THREADS threads, median of $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!BINS[@]}"; do
    read=$(cat "$WORK"/read."$i".* | median)
    wall=$(cat "$WORK"/t."$i".* | median)
    all=$(cat "$WORK"/read."$i".* | tr '\n' ' ')
    same=""
    [[ $i -gt 0 ]] && { cmp -s "$WORK/edges.0.csv" "$WORK/edges.$i.csv" && same=", edges identical to the first" || same=", edges DIFFER from the first"; }
    echo "${BINS[$i]}: read ${read} s (runs: ${all% }), wall ${wall} s$same"
done
