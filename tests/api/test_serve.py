"""`tradelex serve`: the README's first command ends by running it; it must answer on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tradelex.cli.main import app as cli

TRADELEX = Path(sys.executable).with_name("tradelex")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_has_host_and_port_options() -> None:
    shown = CliRunner().invoke(cli, ["serve", "--help"])
    assert shown.exit_code == 0
    assert "--host" in shown.output and "--port" in shown.output


def test_serve_answers_the_rate_endpoint_and_makes_a_key_when_none_is_set(tmp_path: Path) -> None:
    """A T-shirt of 2025-04-12 at 1000: 1690.00 (MFN 16.5%, List 4A 7.5%, EO 14228 20%, EO 14266 125%)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TRADELEX_API_KEY"} | {
        "TRADELEX_WARM_AVERAGES": "0", "TRADELEX_WORK_DIR": str(tmp_path), "COLUMNS": "200",
    }  # fmt: skip
    server = subprocess.Popen([str(TRADELEX), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # bounded: the pack loads at start-up
            try:
                answer = httpx.get(f"{url}/api/v1/rate", params={"code": "6109.10.0012", "origin": "CN",
                                                                 "date": "2025-04-12", "value": "1000"})  # fmt: skip
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server stopped"
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer within a minute")
        assert answer.status_code == 200
        assert answer.json()["total_amount"] == "1690.00"
        assert httpx.get(f"{url}/", follow_redirects=True).url.path == "/calculator"
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "X-API-Key" in output  # the key made for this run is shown once, so the dashboard's forms work
