#!/usr/bin/env bash
# Side-by-side benchmark: coordgraph against coordination-network-toolkit (CNT) 1.5.2 on the same
# generated CSV, for co-retweet and for near-duplicate text (CNT's co_similar_tweet), and for
# co-retweet on a collection of `coordgraph generate --format csv` (the toolkit's table, with
# viral posts, planted networks and quoted texts).
# Prints both end-to-end times, the ratio, and an edge-set comparison.
#
# Install what it needs (once):
#   python3 -m venv /work/venv-graph
#   /work/venv-graph/bin/pip install coordination-network-toolkit==1.5.2
#
# Run from the repository root:
#   scripts/graph_vs_cnt.sh                        # 1,000,000 rows co-retweet, 100,000 rows text
#   ROWS=200000 SIM_ROWS=20000 scripts/graph_vs_cnt.sh
#   CSV=my.csv scripts/graph_vs_cnt.sh             # an existing CNT-format CSV instead
#   GEN_SCALE=0 scripts/graph_vs_cnt.sh            # without the generated collection
#
# Environment: VENV (default /work/venv-graph), ROWS, SIM_ROWS, GEN_SCALE (scale of the
# generated collection, default 1: about a million rows; 0 leaves it out), WINDOW (default 60),
# THREADS (default 2, both tools), REPEAT (rounds, in each of which the toolkit runs once and
# then coordgraph CG_RUNS times; default 5), CG_RUNS (default 3: coordgraph's runs last about a
# second, so a single one catches a fast or slow spell of this shared machine where the
# toolkit's minute averages over them; each tool's run of median wall time over all its runs is
# reported), WORK (scratch folder, default bench-data/graph_vs_cnt).
#
# coordgraph side: `coordgraph network KIND FILE.csv --window S -o edges.csv` when the binary
# has the `network` subcommand; otherwise the bench binary `benches/graph_cnt.rs`, which reads
# the same CSV with the toolkit's rules and runs the same library calls. Either way the time is
# end to end: read the CSV, build the graph, write the edge list.
#
# Definitions compared: CNT's table `<type>_network(user_1, user_2, weight)` holds both
# directions and self-loops; with --min_edge_weight 1 its edge set, loops dropped and directions
# merged, is the set of account pairs that co-act at least once, which is coordgraph's edge set.
# The generated texts are lower-case words without punctuation, mentions or links, where both
# tokenisers agree (CNT splits "#tag" into "#" and "tag", coordgraph keeps words whole and also
# drops links).
set -euo pipefail

VENV=${VENV:-/work/venv-graph}
ROWS=${ROWS:-1000000}
SIM_ROWS=${SIM_ROWS:-100000}
GEN_SCALE=${GEN_SCALE:-1}
WINDOW=${WINDOW:-60}
THREADS=${THREADS:-2}
REPEAT=${REPEAT:-5}
CG_RUNS=${CG_RUNS:-3}
WORK=${WORK:-bench-data/graph_vs_cnt}
PY=$VENV/bin/python
CNT=$VENV/bin/compute_networks
mkdir -p "$WORK"

if [[ ! -x $CNT ]]; then
    echo "coordination-network-toolkit is not installed in $VENV; see the top of $0" >&2
    exit 1
fi

# A seeded generator of CNT-format CSVs: retweet cascades with skewed popularity, a planted
# retweet ring, replies, texts of which a fifth copy an earlier text with one word changed, and
# copy-paste bursts.
generate() { # rows seed output
    "$PY" - "$1" "$2" "$3" <<'EOF'
import csv, math, random, sys
rows, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
users = max(1000, rows // 20)
span = 3 * 86400
t0 = 1_493_600_000
originals = rows // 4
texts, times = [], []
def words(n):
    return [f"w{rng.randrange(5000)}" for _ in range(n)]
def text():
    if texts and rng.random() < 0.2:
        copy = rng.choice(texts).split()
        copy[rng.randrange(len(copy))] = f"w{rng.randrange(5000)}"
        return " ".join(copy)
    return " ".join(words(rng.randrange(6, 15)))
def user():
    return rng.randrange(users) if rng.random() < 0.9 else rng.randrange(users // 50)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message",
                "timestamp", "urls"])
    n = 0
    for k in range(originals):
        t = t0 + rng.randrange(span)
        msg = text()
        if len(texts) < 50_000:
            texts.append(msg)
        times.append(t)
        u = user()
        url = f"http://site{rng.randrange(2000)}.example/p{rng.randrange(10)}" \
            if rng.random() < 0.4 else ""
        w.writerow([n, f"u{u}", f"name{u}", "", "", msg, t, url])
        n += 1
    # Copy-paste bursts: 20 accounts post a text, or the text with one word changed, within
    # 60 s; one burst per 1,000 rows.
    for k in range(max(1, rows // 1000)):
        base = rng.choice(texts).split()
        start = t0 + rng.randrange(span)
        for j in range(20):
            msg = list(base)
            if rng.random() < 0.5:
                msg[rng.randrange(len(msg))] = f"w{rng.randrange(5000)}"
            u = user()
            w.writerow([n, f"u{u}", f"name{u}", "", "", " ".join(msg),
                        start + rng.randrange(60), ""])
            n += 1
    ring = min(100, users // 10)
    for k in range(min(200, originals)):
        of = k * (originals // 200 or 1)
        for bot in range(ring):
            t = times[of] + 30 + rng.randrange(5)
            w.writerow([n, f"u{bot}", f"name{bot}", of, "", "RT", t, ""])
            n += 1
    while n < rows:
        of = int(rng.random() ** 2 * originals)
        t = times[of] + int(rng.expovariate(1 / 1800))
        u = user()
        if rng.random() < 0.85:
            w.writerow([n, f"u{u}", f"name{u}", of, "", "RT", t, ""])
        else:
            w.writerow([n, f"u{u}", f"name{u}", "", of, text(), t, ""])
        n += 1
EOF
}

# Runs a command quietly; prints "wall cpu" in seconds.
timed() {
    local TIMEFORMAT='%R %U %S'
    { time "$@" >/dev/null 2>"$WORK/last.err"; } 2>&1 | awk '{ print $1, $2 + $3 }'
}
add_times() { echo "$1 $2" | awk '{ print $1 + $3, $2 + $4 }'; }
# The "wall cpu" run of median wall time among the arguments.
median_run() { printf '%s\n' "$@" | sort -n | awk '{ r[NR] = $0 } END { print r[int((NR + 1) / 2)] }'; }

# Builds coordgraph once and picks how to run it.
cargo build --release --quiet
if target/release/coordgraph --help 2>/dev/null | grep -qw network; then
    run_coordgraph() { # kind csv out
        target/release/coordgraph network "$1" "$2" --window "$WINDOW" --threads "$THREADS" \
            -o "$3" >/dev/null
    }
    RUNNER="coordgraph network"
else
    EXE=$(cargo bench --bench graph_cnt --no-run --message-format=json 2>/dev/null |
        "$PY" -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("executable") and m["target"]["name"] == "graph_cnt": print(m["executable"])')
    run_coordgraph() { # kind csv out
        "$EXE" "$2" "$1" "$3" --window "$WINDOW" --threads "$THREADS" 2>"$3.log"
    }
    RUNNER="benches/graph_cnt.rs (the coordgraph binary has no network subcommand yet)"
fi

compare() { # label cnt_db cnt_table coordgraph_edges cnt_wall cnt_cpu coordgraph_wall coordgraph_cpu
    "$PY" - "$@" <<'EOF'
import csv, sqlite3, sys
label, db, table, edges = sys.argv[1:5]
w_cnt, c_cnt, w_cg, c_cg = map(float, sys.argv[5:9])
con = sqlite3.connect(db)
cnt = {frozenset((a, b)) for a, b in con.execute(
    f"select user_1, user_2 from {table} where user_1 != user_2")}
with open(edges, newline="") as f:
    ours = {frozenset((r["source"], r["target"])) for r in csv.DictReader(f)}
print(f"{label}: wall CNT {w_cnt:.2f} s, coordgraph {w_cg:.2f} s, ratio {w_cnt / w_cg:.1f}x; "
      f"CPU CNT {c_cnt:.2f} s, coordgraph {c_cg:.2f} s, ratio {c_cnt / c_cg:.1f}x")
print(f"{label}: edges CNT {len(cnt)}, coordgraph {len(ours)}, both {len(cnt & ours)}, "
      f"CNT only {len(cnt - ours)}, coordgraph only {len(ours - cnt)}, "
      f"identical: {cnt == ours}")
EOF
}

side_by_side() { # label csv cnt_type coordgraph_kind extra_cnt_args...
    local label=$1 csv=$2 cnt_type=$3 kind=$4
    shift 4
    local db=$WORK/cnt_${label}.db
    # Wall time and CPU time (user + system, children included): CPU time is the fairer
    # figure on a shared machine. The tools run alternately, REPEAT rounds of one toolkit run
    # and CG_RUNS coordgraph runs, and each side's run of median wall time is reported, so that
    # a burst of load on the machine does not decide the ratio.
    local t_pre t_compute t_cnt t_cg log=$WORK/edges_${label}.csv.log runs_cnt=() runs_cg=()
    # Dirty pages are written back (`sync`, not timed) before each tool runs, so that neither
    # pays for writing back the other's output (the toolkit writes a database of hundreds of MB),
    # and each tool's output of the previous round is removed (not timed), so that neither pays
    # for freeing it: the toolkit's database, and coordgraph's edge list, which it would
    # otherwise replace.
    for ((r = 0; r < REPEAT; r++)); do
        rm -f "$db" "$db"-*
        sync
        t_pre=$(timed "$CNT" "$db" preprocess --format csv "$csv")
        t_compute=$(timed "$CNT" "$db" compute "$cnt_type" --time_window "$WINDOW" \
            --min_edge_weight 1 --n_cpus "$THREADS" "$@")
        runs_cnt+=("$(add_times "$t_pre" "$t_compute")")
        for ((k = 0; k < CG_RUNS; k++)); do
            rm -f "$log" "$WORK/edges_${label}.csv"
            sync
            runs_cg+=("$(timed run_coordgraph "$kind" "$csv" "$WORK/edges_${label}.csv")")
        done
    done
    t_cnt=$(median_run "${runs_cnt[@]}")
    t_cg=$(median_run "${runs_cg[@]}")
    echo "$label: CNT runs (wall cpu): ${runs_cnt[*]/%/;} coordgraph runs: ${runs_cg[*]/%/;}"
    if [[ -s $log ]]; then
        # The bench binary reports its stages: compare the graph stages alone too.
        echo "$label: graph stage alone: CNT compute wall $(echo $t_compute | cut -d' ' -f1) s," \
            "coordgraph graph $(awk '$1 == "graph" { print $2 }' "$log") s" \
            "(coordgraph CSV read + collection build $(awk '$1 == "read" { print $2 }' "$log") s)"
    fi
    compare "$label" "$db" "${cnt_type}_network" "$WORK/edges_${label}.csv" $t_cnt $t_cg
}

echo "coordgraph runs as: $RUNNER; $THREADS threads; window $WINDOW s"
echo "CNT: $("$PY" -m pip show coordination-network-toolkit 2>/dev/null | grep ^Version)"
# A CNT-format CSV of `rows` rows from the generator above (or $CSV).
script_csv() { # rows
    local csv=${CSV:-$WORK/gen_$1.csv}
    [[ -s $csv ]] || generate "$1" 42 "$csv"
    echo "$csv"
}

side_by_side co_retweet "$(script_csv "$ROWS")" co_retweet co-retweet
side_by_side co_similar_tweet "$(script_csv "$SIM_ROWS")" co_similar_tweet near-duplicate-text \
    --similarity_threshold 0.8
if [[ $GEN_SCALE != 0 ]]; then
    gen=$WORK/generated_$GEN_SCALE.csv
    [[ -s $gen ]] || target/release/coordgraph generate --scale "$GEN_SCALE" --seed 42 \
        --format csv -o "$gen" --quiet
    echo "generated collection: $(($(wc -l <"$gen") - 1)) rows in $gen"
    side_by_side co_retweet_generated "$gen" co_retweet co-retweet
fi
