#!/usr/bin/env bash
# Ingest speed of two builds, run back to back so that both see the same machine load:
#   1. the ingest benchmark (benches/ingest.rs) on the generated v1.1 collection, on THREADS
#      threads and on one (MB/s, CPU seconds when the benchmark prints them, bytes per post, peak
#      memory), and
#   2. `coordgraph network co-retweet` end to end on a coordination-network-toolkit CSV (wall
#      and CPU seconds, from /usr/bin/time).
# Prints every run, then the median of each figure per build.
#
# Needs: bash, GNU time (/usr/bin/time), python3 (standard library only). Build both sides first:
#   cargo bench --bench ingest --no-run      # prints the benchmark executable's path
#   cargo build --release
# Run from the repository root:
#   OLD_BENCH=/path/old/ingest-bench NEW_BENCH=target/release/deps/ingest-XXXX \
#   OLD_BIN=/path/old/coordgraph NEW_BIN=target/release/coordgraph scripts/ingest_speed.sh
#
# Environment: RUNS (default 3), SCALE (default 1.0; the benchmark writes
# bench-data/ingest-SCALE.jsonl on first use), THREADS (default 2),
# CSV (default bench-data/graph_vs_cnt/gen_1000000.csv, made by scripts/graph_vs_cnt.sh; the
# network part is skipped when it is absent).
set -euo pipefail

RUNS=${RUNS:-3}
SCALE=${SCALE:-1.0}
THREADS=${THREADS:-2}
CSV=${CSV:-bench-data/graph_vs_cnt/gen_1000000.csv}
: "${OLD_BENCH:?} ${NEW_BENCH:?} ${OLD_BIN:?} ${NEW_BIN:?}"
LOG=$(mktemp)
# The edge list goes to a scratch file, removed (not timed) before each run, not to /dev/null:
# older builds wrote even a device atomically, replacing it with a file.
EDGES=$(mktemp)

for i in $(seq "$RUNS"); do
    for side in old new; do
        bench=OLD_BENCH
        bin=OLD_BIN
        [[ $side == new ]] && bench=NEW_BENCH && bin=NEW_BIN
        "${!bench}" "$SCALE" "$THREADS" | sed "s/^/$side bench: /" | tee -a "$LOG"
        if [[ -f $CSV ]]; then
            rm -f "$EDGES"
            /usr/bin/time -f "$side network: %e s wall, %U s user, %S s sys" \
                "${!bin}" -q --threads "$THREADS" network co-retweet "$CSV" --columns cnt \
                --window 60 -o "$EDGES" 2>&1 | tee -a "$LOG"
        fi
    done
done

python3 - "$LOG" <<'EOF'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    side = line.split()[0]
    m = re.search(r"threads (\d+): .* = (\d+) MB/s.*?(\d+) bytes per post.*peak RSS so far (\d+) MB", line)
    if m:
        t = m.group(1)
        runs.setdefault((side, f"MB/s on {t} threads"), []).append(float(m.group(2)))
        runs.setdefault((side, "bytes per post"), []).append(float(m.group(3)))
        runs.setdefault((side, f"peak RSS MB after {t} threads"), []).append(float(m.group(4)))
        cpu = re.search(r"([\d.]+) CPU s", line)
        if cpu:
            runs.setdefault((side, f"CPU s on {t} threads"), []).append(float(cpu.group(1)))
    m = re.search(r"network: ([\d.]+) s wall, ([\d.]+) s user, ([\d.]+) s sys", line)
    if m:
        runs.setdefault((side, "network wall s"), []).append(float(m.group(1)))
        runs.setdefault((side, "network CPU s"), []).append(float(m.group(2)) + float(m.group(3)))
print("\nmedians (all runs):")
for (side, what), v in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"  {what:28} {side}: {statistics.median(v):8.2f}   runs: {', '.join(f'{x:g}' for x in v)}")
EOF
rm -f "$LOG" "$EDGES"
