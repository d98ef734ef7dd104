"""A real server on 127.0.0.1 (uvicorn in a thread) and Debian's Chromium driven headless by Playwright.

The tests skip when Chromium is missing, unless TRADELEX_REQUIRE_SERVICES=1 (then they fail). Screenshots of each
page go to docs/screenshots/, which the README shows.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.browser.helpers import BROWSER_KEY
from tradelex.api import ApiSettings, create_app

CHROMIUM = os.environ.get("TRADELEX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = ApiSettings(api_key=BROWSER_KEY, work_dir=tmp_path_factory.mktemp("browser-work"),
                           licence_db=f"sqlite:///{tmp_path_factory.mktemp('licences') / 'licences.db'}")  # fmt: skip
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(300):  # bounded wait for the socket: the pack loads at start-up
        if running.started:
            break
        time.sleep(0.1)
    else:
        raise RuntimeError("the test server did not start")
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("TRADELEX_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is required (TRADELEX_REQUIRE_SERVICES=1) and missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (set TRADELEX_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    # Nothing may leave the machine: any request to another host fails the test.
    outside: list[str] = []
    opened.on("request", lambda request: None if request.url.startswith(server) else outside.append(request.url))
    yield opened
    context.close()
    assert not outside, f"requests left the server: {outside}"
