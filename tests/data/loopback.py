"""An HTTP server on 127.0.0.1 for the download tests: it answers from a table of routes, and can misbehave on
purpose (a short body, no Content-Length, a stalled connection). Nothing here reaches the network."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tradelex.data import store

STALL_SECONDS = 10  # the longest a stalled response holds its server thread


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    announce: int | None = -1  # the Content-Length header: -1 for the body's length, None for no header
    send: int | None = None  # how many bytes of the body to send before closing (None: all)
    stall: bool = False  # after `send` bytes, hold the connection open until the test ends


@dataclass
class Server:
    base: str
    routes: dict[str, Reply] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[dict[str, str]] = field(default_factory=list)  # each: its path and headers (lower case)
    sent_partial: threading.Event = field(default_factory=threading.Event)

    @property
    def paths(self) -> list[str]:
        return [request["path"] for request in self.requests]


@contextmanager
def serve_routes(not_found: Reply) -> Iterator[Server]:
    """A server on a free loopback port answering from `routes` by path (the query left out), `not_found` otherwise."""
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            reply = state.routes.get(self.path.split("?", 1)[0], not_found)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.announce is not None:
                self.send_header("Content-Length", str(len(reply.body) if reply.announce == -1 else reply.announce))
            self.end_headers()
            self.wfile.write(reply.body[: reply.send])
            self.wfile.flush()
            if reply.send is not None:
                state.sent_partial.set()
            if reply.stall:
                state.release.wait(STALL_SECONDS)
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def leftovers() -> list[Path]:
    """Partial downloads and staging files left beside the store: a failed pull must leave none."""
    folder = store.store_path().parent
    return sorted([*folder.glob("*.download"), *folder.glob("*.staging")])
