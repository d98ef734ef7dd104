"""Time and peak RSS of `build_panel` on the bundled pack (issue 6, item 7): every schedule line, every partner, every
date the pack changes from 2018-01-01 to the pack's cut-off. Not a test.

    .venv/bin/python bench/panel.py [--out /tmp/panel.parquet] [--start 2018-01-01] [--end YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("/tmp/tradelex-panel.parquet"))
    parser.add_argument("--start", default="2018-01-01")
    parser.add_argument("--end", default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    from tradelex.analysis.panel import build_panel
    from tradelex.rules.loader import load_bundled_pack

    pack = load_bundled_pack()
    end = date.fromisoformat(args.end) if args.end else pack.meta.cutoff
    table = build_panel(pack, date.fromisoformat(args.start), end, out=args.out)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    counts = table.group_by(["importer", "partner"]).aggregate([("code", "count")]).to_pylist()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs visible, Python {platform.python_version()}")
    print(f"panel: {table.num_rows:,} rows, {args.out.stat().st_size / 1e6:.1f} MB Parquet at {args.out}")
    for row in sorted(counts, key=lambda r: (r["importer"], r["partner"])):
        print(f"  {row['importer']} on {row['partner']}: {row['code_count']:,} rows")
    print(f"time (load pack, compile, build, write): {elapsed:.1f} s; peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
