#!/bin/sh
# Export speed and peak memory on a random 100k-node / 1M-edge graph (GEXF static and dynamic,
# GraphML, CSV tables), on 2 threads, written into /work/bench-data/export (not committed).
# Needs: Rust (cargo); for VALIDATE=1 also xmllint (libxml2-utils) and the GEXF 1.3 schema in
# ../shared/docs/gexf-1.3.
# Run from the crate root:  sh scripts/export_bench.sh [NODES] [EDGES]      (VALIDATE=1 to also
# check the big GEXF files against the schema, which takes a few GB of memory in xmllint)
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
