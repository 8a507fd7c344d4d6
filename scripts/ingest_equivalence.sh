#!/usr/bin/env bash
# Records what two builds of the reader make of the same inputs, so that they can be compared
# byte for byte: a digest of every column of the collection and of the ingest report
# (examples/collection_digest.rs), `stats --json` without its timings, `network` edge lists and
# the `analyze` report.json and coordination-edges.csv, each on 1 and 2 threads.
#
# Needs: bash, jq, python3 (standard library only); release builds of the binary and of the
# digest example (`cargo build --release --example collection_digest`).
#
# Run from the repository root, once per build, then compare the folders:
#   BIN=/path/old/coordgraph DIGEST=/path/old/collection_digest scripts/ingest_equivalence.sh /tmp/eq/old
#   scripts/ingest_equivalence.sh /tmp/eq/new          # this checkout's target/release
#   diff -r /tmp/eq/old /tmp/eq/new && echo identical
#
# Environment: BIN, DIGEST (default: this checkout's target/release), DATA (generated inputs,
# default /tmp/eq/data, made on first use with BIN), SHARED (default ../shared/data),
# CNT_CSV (a coordination-network-toolkit CSV, default bench-data/graph_vs_cnt/gen_1000000.csv,
# skipped when absent), THREADS (default "1 2").
set -euo pipefail

OUT=${1:?usage: $0 OUTDIR}
BIN=${BIN:-target/release/coordgraph}
DIGEST=${DIGEST:-target/release/examples/collection_digest}
DATA=${DATA:-/tmp/eq/data}
SHARED=${SHARED:-../shared/data}
CNT_CSV=${CNT_CSV:-bench-data/graph_vs_cnt/gen_1000000.csv}
THREADS=${THREADS:-1 2}
mkdir -p "$OUT" "$DATA"

# Generated inputs (the same bytes for the same seed and scale), and a mangled copy: lines of
# both JSON shapes cut, with bytes changed, keys renamed, values retyped and escapes added.
[[ -f $DATA/gen-v1.jsonl ]] || "$BIN" -q generate --scale 0.1 --format twitter-v1 -o "$DATA/gen-v1.jsonl"
[[ -f $DATA/gen-v2.jsonl ]] || "$BIN" -q generate --scale 0.1 --format twitter-v2 -o "$DATA/gen-v2.jsonl"
[[ -f $DATA/gen.csv ]] || "$BIN" -q generate --scale 0.05 --format csv --seed 7 -o "$DATA/gen.csv"
if [[ ! -f $DATA/mangled.jsonl ]]; then
    python3 - "$DATA" <<'EOF'
import random, sys
data = sys.argv[1]
rng = random.Random(1)
lines = []
for name in ("gen-v1.jsonl", "gen-v2.jsonl"):
    with open(f"{data}/{name}", "rb") as f:
        for i, line in enumerate(f):
            if i >= 15000:
                break
            lines.append(line.rstrip(b"\n"))
swaps = [
    (b'"id_str":"', b'"id_str":'), (b'"user":{', b'"user":[{'), (b'"created_at":"', b'"created_at":"x'),
    (b'"text":"', b'"text":"\\u00e9\\"\\\\ \\ud83d\\ude00 '), (b'"screen_name"', b'"Screen_name"'),
    (b'"id_str"', b'"id"'), (b'"hashtags":[', b'"hashtags":{}, "x":['), (b'"retweeted_status":{', b'"retweeted_status":null,"y":{'),
    (b'"timestamp_ms":"', b'"timestamp_ms":"9'), (b'"entities":{', b'"entities":{"urls":null,'),
    (b'"user":{', b'"user":{"id_str":"","x":'), (b'"lang":"', b'"lang":"\\/'), (b'":', b'" :'), (b',"', b' , "'),
    (b'"followers_count":', b'"followers_count":-'), (b'"verified":false', b'"verified":"false"'),
    (b'"source":"', b'"source":"\\u003ca href=\\"x\\"\\u003e'), (b'"created_at":"', b'"created_at":null,"z":"'),
    (b'"id_str":"', b'"id_str":"0'), (b'"quoted_status_id_str":"', b'"quoted_status_id_str":""  ,"q":"'),
]
out = []
for line in lines:
    r = rng.random()
    if r < 0.55:
        out.append(line)
        continue
    if r < 0.6:
        out.append(line[: rng.randrange(len(line) + 1)])
    elif r < 0.65:
        b = bytearray(line)
        for _ in range(rng.randrange(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        out.append(bytes(b))
    elif r < 0.7:
        out.append(line.replace(b"{", b" { ", 3) + b"   ")
    else:
        new = line
        for _ in range(rng.randrange(1, 4)):
            a, b = rng.choice(swaps)
            positions = [i for i in range(len(new)) if new.startswith(a, i)]
            if positions:
                i = rng.choice(positions)
                new = new[:i] + b + new[i + len(a):]
        out.append(new)
    if rng.random() < 0.01:
        out.append(b"")
with open(f"{data}/mangled.jsonl", "wb") as f:
    f.write(b"\n".join(out) + b"\n")
EOF
fi

inputs=("$DATA/gen-v1.jsonl" "$DATA/gen-v2.jsonl" "$DATA/gen.csv" "$DATA/mangled.jsonl")
names=(gen-v1 gen-v2 gen-csv mangled)
if [[ -d $SHARED ]]; then
    for d in "$SHARED"/*/; do
        inputs+=("${d%/}")
        names+=("shared-$(basename "$d")")
    done
else
    echo "note: $SHARED is absent; shared datasets not compared" >&2
fi

run() { # name threads args...
    local name=$1 t=$2
    shift 2
    "$DIGEST" --threads "$t" "$@" >"$OUT/$name-t$t.digest" 2>/dev/null || true
    "$BIN" -q --threads "$t" stats --json "$@" 2>/dev/null |
        jq 'del(.seconds, .mb_per_s, .posts_per_s)' >"$OUT/$name-t$t.stats.json" || true
    "$BIN" -q --threads "$t" network co-retweet,co-hashtag,co-url,co-text "$@" \
        -o "$OUT/$name-t$t.network.csv" 2>/dev/null || true
    local an
    an=$(mktemp -d)
    "$BIN" -q --threads "$t" analyze "$@" --out "$an" >/dev/null 2>&1 || true
    cp "$an/report.json" "$OUT/$name-t$t.report.json" 2>/dev/null || true
    cp "$an/coordination-edges.csv" "$OUT/$name-t$t.coordination-edges.csv" 2>/dev/null || true
    rm -rf "$an"
}

for t in $THREADS; do
    for i in "${!inputs[@]}"; do
        run "${names[$i]}" "$t" "${inputs[$i]}"
    done
    "$DIGEST" --threads "$t" --strict "$DATA/mangled.jsonl" >"$OUT/mangled-strict-t$t.digest" 2>/dev/null || true
    if [[ -f $CNT_CSV ]]; then
        "$DIGEST" --threads "$t" --columns cnt "$CNT_CSV" >"$OUT/cnt-t$t.digest" 2>/dev/null || true
        "$BIN" -q --threads "$t" network co-retweet "$CNT_CSV" --columns cnt --window 60 \
            -o "$OUT/cnt-t$t.co-retweet.csv" 2>/dev/null || true
    fi
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
