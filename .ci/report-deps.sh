#!/bin/sh
# System packages the report tests need: headless Chromium, which loads report.html and must
# find no console error, no Content Security Policy violation and no <script> element.
# Run as root before `COORDGRAPH_REQUIRE_TOOLS=1 cargo test`.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
chromium --version
