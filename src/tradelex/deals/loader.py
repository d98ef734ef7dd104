"""Reading deal files and indicator series: strict YAML, every problem named by file and field.

Layout of a deals folder (the bundled one is packs/deals/):
    <name>.yaml                 one deal per file; the file name is the deal's name
    indicators/<series>.yaml    one indicator series per file; the file name is the series' name
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tradelex.deals.model import Deal, DealSummary, Indicator
from tradelex.errors import PackError, PackErrors
from tradelex.rules.loader import pack_error_from_validation  # one wording of pydantic errors for every rule file
from tradelex.rules.model import Pack
from tradelex.rules.yaml_source import read_yaml_mapping

INDICATORS_FOLDER = "indicators"
M = TypeVar("M", bound=BaseModel)


def bundled_deals_path() -> Path:
    return Path(str(files("tradelex") / "packs" / "deals"))


def deal_files(folder: Path | None = None) -> list[Path]:
    folder = folder or bundled_deals_path()
    return sorted(path for path in folder.glob("*.yaml") if path.is_file())


def list_deals(folder: Path | None = None) -> list[DealSummary]:
    """Every deal in the folder (the bundled deals by default), in name order."""
    summaries = []
    for path in deal_files(folder):
        deal = load_deal(path)
        summaries.append(
            DealSummary(
                name=deal.name,
                title=deal.title,
                parties=deal.parties,
                signed=deal.signed,
                confidence=deal.confidence,
                readings=[reading.party for reading in deal.readings],
                commitments=len(deal.commitments()),
            )
        )
    return summaries


def deal_path(name_or_path: str | Path) -> Path:
    """A bundled deal by name (`geneva-2025`), or a deal file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".yaml" or candidate.is_file():
        if not candidate.is_file():
            raise PackError(candidate, "no such deal file")
        return candidate
    path = bundled_deals_path() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(path.stem for path in deal_files()) or "none"
        raise PackError(path, f"no bundled deal named {str(name_or_path)!r} (bundled deals: {known})", field="deal")
    return path


def load_deal(name_or_path: str | Path) -> Deal:
    """Load and validate one deal, with the indicator series it names; PackErrors name the file and field."""
    path = deal_path(name_or_path)
    data = read_yaml_mapping(path)
    if "name" in data and data["name"] != path.stem:
        raise PackError(path, f"name {data['name']!r} does not match the file name {path.stem!r}", field="name")
    deal = _validated(path, Deal, {**data, "name": path.stem, "file": str(path)})
    errors = [
        PackError(path, f"no indicator series {name!r} in {path.parent / INDICATORS_FOLDER}", field=field)
        for name, field in _series_fields(deal)
        if not (path.parent / INDICATORS_FOLDER / f"{name}.yaml").is_file() and not is_registry_series(name)
    ]
    if errors:
        raise PackErrors(errors)
    return deal


def is_registry_series(name: str) -> bool:
    """Series that come from the licence registry rather than a file (`licensing:<regime>:<field>`)."""
    return name.startswith("licensing:")


def load_indicator(folder: Path, name: str) -> Indicator:
    path = folder / INDICATORS_FOLDER / f"{name}.yaml"
    if not path.is_file():
        raise PackError(path, f"no indicator series {name!r}")
    return _validated(path, Indicator, read_yaml_mapping(path))


def validate_deals(pack: Pack, folder: Path | None = None) -> None:
    """Check every deal and series in the folder against the pack: unknown measure ids, unknown series, malformed
    dates and figures. Raises PackErrors listing them all, each with its file and field."""
    folder = folder or bundled_deals_path()
    errors: list[PackError] = []
    indicators_folder = folder / INDICATORS_FOLDER
    for path in sorted(indicators_folder.glob("*.yaml")) if indicators_folder.is_dir() else []:
        errors += _indicator_errors(folder, path.stem)
    for path in deal_files(folder):
        try:
            deal = load_deal(path)
        except PackErrors as many:
            errors += many.errors
            continue
        except PackError as one:
            errors.append(one)
            continue
        errors += unknown_measures(deal, pack)
    if errors:
        raise PackErrors(errors)


def unknown_measures(deal: Deal, pack: Pack) -> list[PackError]:
    errors = []
    for r_index, reading in enumerate(deal.readings):
        for c_index, commitment in enumerate(reading.commitments):
            for m_index, target in enumerate(commitment.measures):
                if target.id not in pack.measures:
                    errors.append(
                        PackError(
                            deal.file,
                            f"measure {target.id!r} is not in the pack {pack.meta.name}",
                            field=f"readings.{r_index}.commitments.{c_index}.measures.{m_index}.id",
                        )
                    )
    return errors


def _series_fields(deal: Deal) -> list[tuple[str, str]]:
    fields = []
    for r_index, reading in enumerate(deal.readings):
        for c_index, commitment in enumerate(reading.commitments):
            where = f"readings.{r_index}.commitments.{c_index}"
            if commitment.indicator:
                fields.append((commitment.indicator.series, f"{where}.indicator.series"))
            if commitment.purchase:
                fields.append((commitment.purchase.series, f"{where}.purchase.series"))
    return fields


def _validated(path: Path, model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as validation:
        raise PackErrors(
            [pack_error_from_validation(path, model, None, detail) for detail in validation.errors()]
        ) from None


def _indicator_errors(folder: Path, name: str) -> list[PackError]:
    try:
        load_indicator(folder, name)
    except PackErrors as many:
        return list(many.errors)
    except PackError as one:
        return [one]
    return []
