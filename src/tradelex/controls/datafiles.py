"""Reading the controls' data files (items, licensing terms, party lists): strict YAML, errors naming the field."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from tradelex.errors import DataError, PackError
from tradelex.rules.yaml_source import read_yaml_mapping

M = TypeVar("M", bound=BaseModel)


def data_path(name: str) -> Path:
    return Path(str(files("tradelex") / "controls" / "data" / name))


def read_model(path: Path, model: type[M]) -> M:
    """Validate a data file against its model; the first problem is reported with its field."""
    try:
        raw = read_yaml_mapping(path)
    except PackError as error:
        raise DataError(str(path), error.message) from None
    try:
        return model.model_validate(raw)
    except ValidationError as validation:
        detail = validation.errors()[0]
        field = ".".join(str(part) for part in detail["loc"])
        raise DataError(str(path), str(detail["msg"]).removeprefix("Value error, "), field=field) from None
