#!/bin/sh
# System packages the export tests need: xmllint (GEXF schema validation), Graphviz `dot`
# (DOT rendering) and python3 with networkx (reading GEXF and GraphML back).
# Run as root before `COORDGRAPH_REQUIRE_TOOLS=1 cargo test`.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends libxml2-utils graphviz python3 python3-pip
if ! python3 -c 'import networkx' 2>/dev/null; then
    # networkx >= 2.6 reads GEXF 1.3. Install it for the python3 the tests will run (the first
    # on PATH, which need not be the distribution's), else take the distribution's package.
    python3 -m pip install networkx ||
        python3 -m pip install --break-system-packages networkx ||
        apt-get install -y --no-install-recommends python3-networkx
fi
xmllint --version >/dev/null 2>&1
dot -V
python3 -c 'import networkx; print("networkx", networkx.__version__)'
