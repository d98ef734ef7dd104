"""Static files: our own CSS and JavaScript, and plotly.js from the installed plotly package (never a CDN).

plotly.js is about 4.6 MB; it is compressed once per process and served with a versioned address that browsers may
cache for good, so only the first visit pays for it, and only on pages that draw a chart.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
PLOTLY_URL = f"/vendor/plotly-{plotly.__version__}.min.js"
FOREVER = "public, max-age=31536000, immutable"


@cache
def _plotly_js() -> tuple[bytes, bytes]:
    from plotly.offline import get_plotlyjs

    script = get_plotlyjs().encode()
    return script, gzip.compress(script, compresslevel=6)


def install_assets(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get(PLOTLY_URL, include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        plain, compressed = _plotly_js()
        headers = {"Cache-Control": FOREVER, "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(compressed, media_type="text/javascript", headers=headers)
        return Response(plain, media_type="text/javascript", headers=headers)
