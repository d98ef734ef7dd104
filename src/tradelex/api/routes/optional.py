"""The routers of capabilities provided by other parts of tradelex: export controls, licences, deals, analysis.

Analysis is included only when its module provides the functions the routes call, so that the API works while
that capability is still being built.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

from tradelex.api.routes import controls, deals, licences


def routers() -> list[APIRouter]:
    found = [controls.router, licences.router, deals.router]
    try:
        analysis = importlib.import_module("tradelex.api.routes.analysis")
    except ImportError:
        return found
    router: APIRouter = analysis.router
    return [*found, router]
