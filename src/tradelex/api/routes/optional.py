"""The routers of capabilities that other parts of tradelex provide, included when their modules are installed."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
