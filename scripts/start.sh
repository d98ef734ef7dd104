#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, install tradelex, run the worked example on the bundled pack, then
# start the dashboard and the API at http://127.0.0.1:8000 (TRADELEX_API_KEY sets the key that writes need).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/tradelex demo
exec .venv/bin/tradelex serve
