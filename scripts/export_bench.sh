#!/bin/sh
# Export speed and peak memory on a random 100k-node / 1M-edge graph (GEXF static and dynamic,
# GraphML, CSV tables), on 2 threads, written into /work/bench-data/export (not committed).
# Needs: Rust (cargo); for VALIDATE=1 also xmllint (libxml2-utils) and the GEXF 1.3 schema in
# ../shared/docs/gexf-1.3.
# Run from the crate root:  sh scripts/export_bench.sh [NODES] [EDGES]      (VALIDATE=1 to also
# check the GEXF files against the schema with xmllint: about 20 s and 0.7-0.9 GB per file at
# 10000 nodes / 100000 edges; at 1M edges xmllint needs over 6.5 GB and more than 25 minutes)
set -eu
NODES=${1:-100000}
EDGES=${2:-1000000}
OUT=${OUT:-/work/bench-data/export}
cargo bench --bench export -- "$NODES" "$EDGES" "$OUT" 2
if [ "${VALIDATE:-0}" = 1 ]; then
    for f in "$OUT/gexf-static.gexf" "$OUT/gexf-dynamic.gexf"; do
        /usr/bin/time -f "xmllint: %e s, %M kB" \
            xmllint --noout --relaxng ../shared/docs/gexf-1.3/gexf.rng "$f"
    done
fi
