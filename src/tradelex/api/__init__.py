"""The HTTP API and dashboard of tradelex: `create_app()` builds the FastAPI application; `tradelex serve` runs it."""

from tradelex.api.app import create_app
from tradelex.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
