"""Every dataset tradelex knows and the importer that reads it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyarrow as pa

from tradelex.data.datasets import DATASETS, Dataset
from tradelex.data.importers import IMPORTERS
from tradelex.data.product_lists import LIST_SOURCES, import_list
from tradelex.data.trade import TRADE_SOURCES, import_trade
from tradelex.errors import InputError


def all_datasets() -> tuple[Dataset, ...]:
    return (
        DATASETS + tuple(source.dataset for source in LIST_SOURCES) + tuple(source.dataset for source in TRADE_SOURCES)
    )


def importer_for(name: str) -> Callable[[Path], pa.Table]:
    for dataset in DATASETS:
        if dataset.name == name:
            return partial(_import_with, IMPORTERS[name], dataset)
    for source in LIST_SOURCES:
        if source.dataset.name == name:
            return partial(import_list, source=source)
    for trade in TRADE_SOURCES:
        if trade.dataset.name == name:
            return partial(import_trade, source=trade)
    known = ", ".join(d.name for d in all_datasets())
    raise InputError("dataset", f"unknown dataset {name!r}; known: {known}")


def _import_with(importer: Callable[[Path, Dataset], pa.Table], dataset: Dataset, path: Path) -> pa.Table:
    return importer(path, dataset)


def find_dataset(name: str) -> Dataset:
    importer_for(name)  # raises with the list of known names
    return next(d for d in all_datasets() if d.name == name)
