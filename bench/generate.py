"""Synthetic entry lines for the benchmarks, in the layout `tradelex assess` reads.

    python bench/generate.py --lines 2000000 --out entries.parquet [--seed 1] [--pack demo]

Columns: code, origin, importer, date, value, quantity, unit, content_copper (Parquet, zstd, row groups of
122,880 rows, written chunk by chunk so that memory does not grow with --lines).

What the lines look like:
  * code: a 10-digit statistical line of the bundled HTSUS 2025 Basic Edition (whose 6-digit part is a code of
    HS 2022), weighted toward the chapters the US imports from China (84, 85, 94, 95, 61, 62, 39, 73), with a
    Zipf-like skew inside each chapter (a few lines carry most entries, as in real entry data), and 10% of the
    lines drawn from the codes that the pack's product lists name (so that list-scoped measures are exercised);
  * importer/origin: US imports (95%) from CN 60%, HK 5%, DE, VN, MX, JP 8.75% each; China's imports from the
    US (5%, --cn-share) so that China's countermeasures are exercised;
  * date: uniform over 2018-01-01..2026-12-31;
  * value: log-normal in cents (median USD 3,000, sigma 1.8), between USD 1 and USD 10 billion;
  * quantity and unit: the line's first unit of quantity from the schedule, for 90% of the lines (integer
    quantities for counted units);
  * content_copper: for chapter 74 (copper), 90% of the lines give a copper content of 40-95% of the value.

The random numbers come from DuckDB's hash of one integer made of (row, stream, seed), so that a chunk is computed
in parallel and the output depends only on --lines, --seed, --pack, --cn-share and the DuckDB version.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("code", pa.string()), ("origin", pa.string()), ("importer", pa.string()), ("date", pa.date32()),
    ("value", pa.decimal128(18, 2)), ("quantity", pa.decimal128(18, 3)), ("unit", pa.string()),
    ("content_copper", pa.decimal128(18, 2)),
])  # fmt: skip
ROW_GROUP = 122_880
CHUNK = 1_000_000
# Share of the lines per HS chapter: the chapters of US imports from China; the rest is spread over every other
# chapter in proportion to its number of statistical lines.
CHAPTER_SHARES = {"84": 0.18, "85": 0.20, "94": 0.07, "95": 0.06, "61": 0.04, "62": 0.04, "39": 0.05, "73": 0.05}
PACK_SHARE = 0.10
ZIPF = 0.8
COUNTED_UNITS = {"no.", "pcs", "doz.", "prs.", "gross", "doz. prs.", "dz pcs", "thousands", "pack"}
FIRST_DAY, LAST_DAY = "2018-01-01", "2026-12-31"


def code_table(pack_name: str, seed: int) -> pa.Table:
    """Every usable 10-digit code with its unit and its probability, as cumulative bounds [lo, hi)."""
    from tradelex.data.catalog import read_table
    from tradelex.engine.compile import compile_pack
    from tradelex.nomenclature.hs import describe
    from tradelex.rules.loader import bundled_pack_path, load_bundled_pack, load_pack

    found = read_table("hts_2025_basic")
    if found is None:
        raise SystemExit("the bundled dataset hts_2025_basic is missing")
    schedule = found[0].select(["hts_digits", "unit_of_quantity"]).to_pylist()
    codes: dict[str, str] = {}
    for row in schedule:
        code = row["hts_digits"]
        if len(code) == 10 and code.isdigit() and describe(code[:6]) is not None:
            codes.setdefault(code, (row["unit_of_quantity"] or "").split(";")[0].strip())
    pack = load_bundled_pack(pack_name) if bundled_pack_path(pack_name).is_dir() else load_pack(pack_name)
    prefixes = {p for p in compile_pack(pack).rates.column("prefix").to_pylist() if p}
    listed = [code for code in codes if any(code.startswith(p) for p in prefixes)]

    rng = random.Random(seed)
    by_chapter: dict[str, list[str]] = {}
    for code in sorted(codes):
        by_chapter.setdefault(code[:2], []).append(code)
    other_lines = sum(len(v) for k, v in by_chapter.items() if k not in CHAPTER_SHARES)
    other_share = 1.0 - sum(CHAPTER_SHARES.values())
    weights: dict[str, float] = {}
    for chapter, members in by_chapter.items():
        share = CHAPTER_SHARES.get(chapter, other_share * len(members) / other_lines)
        ranks = list(range(1, len(members) + 1))
        rng.shuffle(ranks)
        raw = [1.0 / r**ZIPF for r in ranks]
        total = sum(raw)
        for code, w in zip(members, raw, strict=True):
            weights[code] = (1.0 - PACK_SHARE) * share * w / total
    for code in listed:
        weights[code] += PACK_SHARE / len(listed)
    if not listed:  # a pack without product lists: give the share back to everything
        weights = {c: w / (1.0 - PACK_SHARE) for c, w in weights.items()}
    ordered = sorted(weights)
    total = sum(weights.values())
    lo, los = 0.0, []
    for code in ordered:
        los.append(lo)
        lo += weights[code] / total
    return pa.table({"lo": pa.array(los, pa.float64()), "code": ordered,
                     "unit": [codes[c] or None for c in ordered]})  # fmt: skip


def chunk_sql(start: int, stop: int, seed: int, cn_share: float) -> str:
    def u(stream: int) -> str:  # a uniform number in [0, 1) from the row number, the seed and a stream number
        return f"(CAST(hash(i * 1024 + {stream} + {seed} * 1099511627776) >> 11 AS DOUBLE) / 9007199254740992.0)"

    days = f"(DATE '{LAST_DAY}' - DATE '{FIRST_DAY}' + 1)"
    normal = f"(sqrt(-2 * ln(1 - {u(4)})) * cos(2 * pi() * {u(5)}))"
    counted = ", ".join(f"'{x}'" for x in sorted(COUNTED_UNITS))
    return f"""
        WITH draws AS (
            SELECT i, {u(1)} AS u_code, {u(2)} AS u_origin, {u(3)} AS u_date, {normal} AS z_value,
                   {u(6)} AS u_quantity, {u(7)} AS u_has_quantity, {u(8)} AS u_copper, {u(9)} AS u_has_copper
            FROM range({start}, {stop}) t(i)
        ),
        lines AS (
            SELECT d.*, c.code, c.unit,
                   CASE WHEN u_origin < {cn_share} THEN 'CN' ELSE 'US' END AS importer,
                   CASE WHEN u_origin < {cn_share} THEN 'US'
                        WHEN u_origin < {cn_share} + (1 - {cn_share}) * 0.60 THEN 'CN'
                        WHEN u_origin < {cn_share} + (1 - {cn_share}) * 0.65 THEN 'HK'
                        ELSE ['DE', 'VN', 'MX', 'JP'][1 + CAST(floor(
                            (u_origin - {cn_share} - (1 - {cn_share}) * 0.65) / ((1 - {cn_share}) * 0.35) * 4
                        ) AS INTEGER) % 4] END AS origin,
                   DATE '{FIRST_DAY}' + CAST(floor(u_date * {days}) AS INTEGER) AS date,
                   CAST(least(greatest(round(exp(ln(300000) + 1.8 * z_value)), 100), 1e12) AS BIGINT) AS cents
            FROM draws d ASOF JOIN codes c ON d.u_code >= c.lo
        )
        SELECT code, origin, importer, date,
               CAST(cents AS DECIMAL(18, 0)) * CAST(0.01 AS DECIMAL(3, 2)) AS value,
               CASE WHEN unit IS NULL OR u_has_quantity >= 0.9 THEN NULL
                    WHEN lower(unit) IN ({counted})
                        THEN CAST(1 + floor(exp(ln(50) + 1.5 * (u_quantity * 2 - 1) * 2)) AS DECIMAL(18, 3))
                    ELSE CAST(round(exp(ln(200) + 3 * (u_quantity * 2 - 1)), 3) AS DECIMAL(18, 3)) END AS quantity,
               CASE WHEN unit IS NULL OR u_has_quantity >= 0.9 THEN NULL ELSE unit END AS unit,
               CASE WHEN code LIKE '74%' AND u_has_copper < 0.9
                    THEN CAST(floor(cents * (0.40 + 0.55 * u_copper)) AS DECIMAL(18, 0)) * CAST(0.01 AS DECIMAL(3, 2))
                    END AS content_copper
        FROM lines ORDER BY i
    """


def generate(lines: int, out: Path, seed: int = 1, pack: str = "demo", cn_share: float = 0.05,
             quiet: bool = False) -> Path:  # fmt: skip
    """Write `lines` synthetic entry lines to `out` (written beside it, then moved into place)."""
    started = time.perf_counter()
    codes = code_table(pack, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial")
    with duckdb.connect() as db:
        db.register("codes", codes)
        with pq.ParquetWriter(staging, SCHEMA, compression="zstd") as writer:
            for start in range(0, lines, CHUNK):
                stop = min(start + CHUNK, lines)
                chunk = db.sql(chunk_sql(start, stop, seed, cn_share)).to_arrow_table().cast(SCHEMA)
                writer.write_table(chunk, row_group_size=ROW_GROUP)
                if not quiet:
                    print(f"\r{stop:,}/{lines:,} lines", end="", file=sys.stderr, flush=True)
    staging.replace(out)
    if not quiet:
        print(f"\rwrote {lines:,} lines to {out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", default="demo", help="bundled pack name or pack folder whose listed codes to boost")
    parser.add_argument("--cn-share", type=float, default=0.05, help="share of China's imports from the US")
    args = parser.parse_args(argv)
    if args.lines < 1 or not math.isfinite(args.cn_share) or not 0 <= args.cn_share < 1:
        parser.error("--lines must be positive and --cn-share in [0, 1)")
    generate(args.lines, args.out, args.seed, args.pack, args.cn_share)


if __name__ == "__main__":
    main()
