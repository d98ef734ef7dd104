#!/usr/bin/env bash
# The whole test suite on a fresh machine: install and start the services the tests need (PostgreSQL, Chromium; see
# scripts/services.sh), set up .venv with the dev extra, then lint, type-check and test.
# Any failure stops the script with a non-zero status; pytest's status 5 ("no tests collected") counts as one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
.venv/bin/ruff check src tests
.venv/bin/mypy
.venv/bin/pytest "$@"
