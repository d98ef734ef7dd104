"""Load test of the HTTP API's rate endpoint on loopback: a fixed request rate, bounded in requests and time.

    .venv/bin/python bench/load.py                          # start a server, 500 req/s for 20 s, 200 distinct queries
    .venv/bin/python bench/load.py --rate 500 --seconds 20 --distinct 0   # every query new: no cached answer
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000            # against a server already running

Open loop: request i is due at start + i/rate whatever happened to the others, and its latency runs from that due
time, so a slow server shows as latency instead of silently lowering the rate (no coordinated omission). Requests
go over `--connections` keep-alive HTTP/1.1 connections written by hand on asyncio streams: a client library would
spend CPU that the server needs on the same two cores, and only GET with a Content-Length reply is needed here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Lines of the pack's golden cases (src/tradelex/packs/us-cn/tests), on dates across 2018-2026.
CODES = ["6109.10.0012", "9503.00.0073", "8471.30.0100", "7208.10.1500", "9506.91.0010", "9403.60.8040",
         "9401.61.4011", "8539.52.0040", "8517.13.0000", "8431.20.0000", "8418.99.8050", "7604.10.1000",
         "0910.11.0010", "8708.21.0000", "7411.10.1030", "6307.90.9870", "8542.31.0045", "8507.60.0010"]  # fmt: skip
DATES = ["2018-10-01", "2019-09-15", "2020-03-01", "2024-10-01", "2025-02-10", "2025-04-12", "2025-05-20",
         "2025-09-01", "2025-11-15", "2026-03-02", "2026-05-01"]  # fmt: skip


def queries(distinct: int, total: int, first: int = 0) -> list[str]:
    """Paths of the requests: `distinct` queries cycled (0: every request a new query, so none is cached; `first`
    skips the queries an earlier run, the warm-up, already asked)."""
    if distinct == 0:
        return [_query(i) for i in range(first, first + total)]
    paths = [_query(i) for i in range(distinct)]
    return [paths[i % distinct] for i in range(total)]


def _query(i: int) -> str:
    value = 1000 + (i // (len(CODES) * len(DATES)))  # past the code × date grid, the value makes the query new
    params = {"code": CODES[i % len(CODES)], "origin": "CN", "date": DATES[(i // len(CODES)) % len(DATES)],
              "value": str(value)}  # fmt: skip
    return "/api/v1/rate?" + urlencode(params)


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return status


async def run_load(
    url: str, rate: float, seconds: float, connections: int, distinct: int, first: int = 0
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    total = int(rate * seconds)
    paths = queries(distinct, total, first)
    due: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
    latencies: list[float] = []
    failures: dict[str, int] = {}
    loop = asyncio.get_running_loop()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                when, path = await due.get()
                try:
                    status = await _fetch(reader, writer, f"{host}:{port}", path)
                    if status != 200:
                        failures[str(status)] = failures.get(str(status), 0) + 1
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                latencies.append(loop.time() - when)
                due.task_done()
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    start = loop.time() + 0.05
    for i, path in enumerate(paths):
        when = start + i / rate
        delay = when - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait((when, path))
    try:
        await asyncio.wait_for(due.join(), timeout=seconds + 30)  # bounded: a stuck server ends the run
    except TimeoutError:
        failures["unfinished"] = due.qsize()
    elapsed = loop.time() - start
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return _report(latencies, failures, elapsed, rate, connections, distinct, total)


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")


def _report(latencies: list[float], failures: dict[str, int], elapsed: float, rate: float, connections: int,
            distinct: int, total: int) -> dict[str, object]:  # fmt: skip
    ordered = sorted(latencies)
    return {
        "target_rate": rate, "requests": total, "completed": len(latencies), "failures": failures,
        "connections": connections, "distinct_queries": distinct or "all", "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": round(_percentile(ordered, 0.50), 2), "p90_ms": round(_percentile(ordered, 0.90), 2),
        "p99_ms": round(_percentile(ordered, 0.99), 2), "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    # No background computation of the dashboard's averages: it would share the cores with the measured requests.
    env = os.environ | {"TRADELEX_API_KEY": "load-test", "TRADELEX_WARM_AVERAGES": "0"}
    command = [str(ROOT / ".venv/bin/tradelex"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # at most a minute for the pack to load
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, url
        except OSError:
            if server.poll() is not None:
                stderr = server.stderr.read().decode() if server.stderr else ""
                raise SystemExit(f"the server stopped: {stderr}") from None
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start within a minute")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one on a free loopback port)")
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second (default 500)")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the measured run (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds at the same rate before measuring")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--distinct", type=int, default=200, help="distinct queries, cycled; 0 = every one new")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0 or args.seconds > 600 or args.connections < 1:
        parser.error("rate and seconds must be positive (seconds at most 600), connections at least 1")
    server, url = (None, args.url) if args.url else start_server()
    try:
        if args.warmup > 0:
            asyncio.run(run_load(url, args.rate, args.warmup, args.connections, args.distinct))
        asked = int(args.rate * args.warmup)  # with --distinct 0, the measured queries are new ones
        figures = asyncio.run(run_load(url, args.rate, args.seconds, args.connections, args.distinct, asked))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    figures["machine"] = machine()
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
