#!/usr/bin/env bash
# End-to-end time of `coordgraph network` on a CSV: runs each given binary RUNS times in turn
# (alternating, so that a busy machine slows them alike) and prints, for each, the median wall
# time, the median CPU time (user + system), the median peak resident memory, the median time
# of each stage that `-v` reports (reading, pairing, edges), and whether its edge list is
# identical to the first binary's.
#
# Needs: bash, GNU time (/usr/bin/time), awk. No install step.
#
# Run from the repository root:
#   scripts/network_speed.sh                                  # this checkout's release binary
#   scripts/network_speed.sh /tmp/old/coordgraph target/release/coordgraph
#   KIND=near-duplicate-text CSV=bench-data/graph_vs_cnt/gen_100000.csv scripts/network_speed.sh
#   CSV=bench-data/graph_vs_cnt/generated_1.csv scripts/network_speed.sh   # quoted texts
#
# Environment: CSV (default bench-data/graph_vs_cnt/gen_1000000.csv, made by
# scripts/graph_vs_cnt.sh; a missing `generated_SCALE.csv` is written by the first binary's
# `generate --format csv`), KIND (default co-retweet), WINDOW (default 60), THREADS (default
# 2), RUNS (default 7), WORK (scratch folder, default /tmp/network_speed).
set -euo pipefail

CSV=${CSV:-bench-data/graph_vs_cnt/gen_1000000.csv}
KIND=${KIND:-co-retweet}
WINDOW=${WINDOW:-60}
THREADS=${THREADS:-2}
RUNS=${RUNS:-7}
WORK=${WORK:-/tmp/network_speed}
mkdir -p "$WORK"
BINS=("$@")
[[ ${#BINS[@]} -gt 0 ]] || BINS=(target/release/coordgraph)

if [[ ! -f $CSV && $(basename "$CSV") =~ ^generated_([0-9.]+)\.csv$ ]]; then
    mkdir -p "$(dirname "$CSV")"
    "${BINS[0]}" -q generate --scale "${BASH_REMATCH[1]}" --seed 42 --format csv -o "$CSV"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rm -f "$WORK"/t.* "$WORK"/stages.*
for ((r = 0; r < RUNS; r++)); do
    for i in "${!BINS[@]}"; do
        # Not timed: replacing the previous run's edge list would free its pages in the run.
        rm -f "$WORK/edges.$i.csv"
        /usr/bin/time -f "%e %U %S %M" -o "$WORK/t.$i.$r" "${BINS[$i]}" -v network "$KIND" "$CSV" \
            --window "$WINDOW" --threads "$THREADS" -o "$WORK/edges.$i.csv" 2>"$WORK/log.$i"
        # "read X s, pairs Y s, edges made and written Z s" (older builds: "graphs Y s, edge
        # lists Z s", where graphs include the aggregation into edges, or "graphs and edge
        # lists Y s").
        sed -n 's/.*read \([0-9.]*\) s, \(graphs\|pairs\)\( and edge lists\)\{0,1\} \([0-9.]*\) s\(, \(edge lists\|edges made and written\) \([0-9.]*\) s\)\{0,1\}.*/\1 \4 \7/p' \
            "$WORK/log.$i" >"$WORK/stages.$i.$r"
    done
done
echo "$KIND on $CSV, $THREADS threads, window $WINDOW s, median of $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!BINS[@]}"; do
    wall=$(cat "$WORK"/t."$i".* | awk '{ print $1 }' | median)
    cpu=$(cat "$WORK"/t."$i".* | awk '{ print $2 + $3 }' | median)
    peak=$(cat "$WORK"/t."$i".* | awk '{ print $4 / 1024 }' | median)
    stage() { cat "$WORK"/stages."$i".* | awk -v k="$1" '$k != "" { print $k }' | median; }
    same=""
    [[ $i -gt 0 ]] && { cmp -s "$WORK/edges.0.csv" "$WORK/edges.$i.csv" && same=", edges identical to the first" || same=", edges DIFFER from the first"; }
    echo "${BINS[$i]}: wall ${wall} s, cpu ${cpu} s, peak $(printf %.0f "$peak") MB; read $(stage 1) s, pairs (older builds: graphs) $(stage 2) s, edges (made and written; older builds: written) $(stage 3) s$same"
done
