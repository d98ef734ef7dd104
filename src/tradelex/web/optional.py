"""Pages of capabilities beside tariffs (export controls, licences, deals, analysis), installed when they exist.

The analysis pages are installed only when their module imports (the analysis functions they call exist), so
that the dashboard works while that capability is still being built.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from tradelex.web import capability_pages


def install(app: FastAPI) -> None:
    capability_pages.install(app)
    try:
        analysis = importlib.import_module("tradelex.web.analysis_pages")
    except ImportError:
        return
    analysis.install(app)
