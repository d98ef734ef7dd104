#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, install tradelex, run the worked example on the bundled pack.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/tradelex demo
