"""Pages of capabilities that other parts of tradelex provide, installed when their modules are."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    return None
