"""Loading a rule pack: a folder of YAML files, validated whole, every problem named by file, measure and field.

Layout of a pack:
    pack.yaml                     the pack's metadata (PackMeta)
    <imposer>/<authority>/…/*.yaml one measure per file; the path is the id: us/s301/list3.yaml → us.s301.list3
    lists/<name>.yaml             named product lists, referenced from scope clauses as @<name>
    **/tests/                     golden cases (not measures)
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from tradelex.data.product_lists import DataList

from tradelex.errors import PackError, PackErrors
from tradelex.rules.model import MEASURE_ID, Confidence, Measure, NamedList, Pack, PackMeta
from tradelex.rules.yaml_source import read_yaml_mapping

PACK_FILE = "pack.yaml"
LISTS_FOLDER = "lists"
SKIPPED_FOLDERS = {"tests"}
M = TypeVar("M", bound=BaseModel)
_FIELD_FIRST = re.compile(r"^([a-z_][\w.\-]*): (.*)$", re.DOTALL)


DEFAULT_PACK = "us-cn"  # the full US-China pack; "demo" is the small teaching pack


def bundled_pack_path(name: str = DEFAULT_PACK) -> Path:
    return Path(str(files("tradelex") / "packs" / name))


@cache
def load_bundled_pack(name: str = DEFAULT_PACK) -> Pack:
    return load_pack(bundled_pack_path(name))


def load_pack(root: Path | str) -> Pack:
    """Load and validate a pack; raise PackErrors listing every problem found."""
    root = Path(root)
    if not (root / PACK_FILE).is_file():
        raise PackError(root / PACK_FILE, f"not a rule pack: {PACK_FILE} is missing in {root}")
    errors: list[PackError] = []
    errors += [PackError(path, "a rule file must end in .yaml, not .yml") for path in sorted(root.rglob("*.yml"))]
    meta = _load_model(root / PACK_FILE, PackMeta, None, errors)
    lists = _load_lists(root, errors)
    measures: dict[str, Measure] = {}
    files_by_id: dict[str, Path] = {}
    for path in _measure_files(root):
        measure_id = measure_id_for(root, path)
        data = _read(path, errors)
        if data is None:
            continue
        if "id" in data and data["id"] != measure_id:
            errors.append(
                PackError(
                    path,
                    f"id {data['id']!r} does not match the file's path, which gives {measure_id!r}",
                    measure_id,
                    "id",
                )
            )
            continue
        measure = _validate(path, Measure, {**data, "id": measure_id}, measure_id, errors)
        if measure is not None:
            measures[measure_id] = measure
            files_by_id[measure_id] = path
    lists |= _referenced_data_lists(measures.values(), lists)
    for measure_id, measure in measures.items():
        errors += _cross_check(files_by_id[measure_id], measure, measures, lists)
    if errors:
        raise PackErrors(errors)
    assert meta is not None
    return Pack(meta=meta, measures=dict(sorted(measures.items())), lists=lists, root=str(root))


def measure_id_for(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _measure_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.yaml")):
        relative = path.relative_to(root)
        if relative.parts[0] == LISTS_FOLDER or relative == Path(PACK_FILE):
            continue
        if SKIPPED_FOLDERS.intersection(relative.parts[:-1]):
            continue
        yield path


def _load_lists(root: Path, errors: list[PackError]) -> dict[str, NamedList]:
    lists: dict[str, NamedList] = {}
    folder = root / LISTS_FOLDER
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        name = "@" + path.relative_to(folder).with_suffix("").as_posix()
        named_list = _load_model(path, NamedList, None, errors)
        if named_list is not None:
            lists[name] = named_list
    return lists


def _referenced_data_lists(measures: Iterable[Measure], own: dict[str, NamedList]) -> dict[str, NamedList]:
    """Lists named in scope clauses but not in the pack, resolved from the official data with their provenance."""
    from tradelex.data.product_lists import data_lists  # data is read only when a pack needs it

    available = data_lists()
    wanted = {
        pattern
        for measure in measures
        for clause in measure.scope
        for pattern in [*clause.include, *clause.exclude]
        if pattern.startswith("@")
    }
    return {name: _named_list(available[name]) for name in sorted(wanted - set(own)) if name in available}


def _named_list(data_list: DataList) -> NamedList:
    dataset = data_list.dataset
    where = data_list.provenance.get("file") or f"shared/data/{dataset.path}"
    compiled = "" if dataset.official else "; compiled by a third party from official texts"
    return NamedList(
        title=data_list.title,
        source=f"{dataset.description} ({dataset.authority}, {dataset.revision}; {where})",
        confidence=Confidence.CONFIRMED if dataset.official else Confidence.UNCONFIRMED,
        note=f"resolved from the data store{compiled}",
        codes=list(data_list.codes),
    )


def _read(path: Path, errors: list[PackError]) -> dict[str, Any] | None:
    try:
        return read_yaml_mapping(path)
    except PackError as error:
        errors.append(error)
        return None


def _load_model(path: Path, model: type[M], measure_id: str | None, errors: list[PackError]) -> M | None:
    data = _read(path, errors)
    return None if data is None else _validate(path, model, data, measure_id, errors)


def _validate(
    path: Path, model: type[M], data: dict[str, Any], measure_id: str | None, errors: list[PackError]
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as validation:
        errors += [pack_error_from_validation(path, model, measure_id, detail) for detail in validation.errors()]
        return None


def pack_error_from_validation(path: Path, model: type[BaseModel], measure_id: str | None, detail: Any) -> PackError:
    """Turn one pydantic error into a sentence that names the field and says what was expected."""
    # pydantic marks an error in a dict key with a trailing "[key]"; the key itself names the field.
    location = [str(part) for part in detail["loc"] if part != "[key]"]
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, location[:-1])
        expected = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        message = f"unknown key {location[-1]!r}{expected}"
    elif kind == "missing":
        message = "required, but missing"
    elif kind not in ("value_error", "assertion_error"):
        message = f"{message}, got {detail.get('input')!r}"
    field = ".".join(location) or None
    if not location and (match := _FIELD_FIRST.match(message)):
        field, message = match.group(1), match.group(2)
    return PackError(path, message, measure_id, field)


def _allowed_keys(model: type[BaseModel], location: list[str]) -> list[str]:
    """The keys a mapping at `location` accepts, found by walking the model's fields."""
    current: Any = model
    for part in location:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            # inside a list or dict: the index or key names an item of the annotated item model
            continue
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None
        )
        if field is None:
            continue
        current = _item_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(field.alias or name for name, field in current.model_fields.items() if name != "id")
    return []


def _item_model(annotation: Any) -> Any:
    """The BaseModel inside list[X], dict[K, X] or X | None, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in reversed(getattr(annotation, "__args__", ())):
        found = _item_model(argument)
        if found is not None:
            return found
    return None


def _cross_check(
    path: Path, measure: Measure, measures: dict[str, Measure], lists: dict[str, NamedList]
) -> list[PackError]:
    """Checks that need the whole pack: list names, referenced measures, stacking order."""
    errors: list[PackError] = []
    for index, clause in enumerate(measure.scope):
        for key in ("include", "exclude"):
            for pattern in getattr(clause, key):
                if pattern.startswith("@") and pattern not in lists:
                    known = ", ".join(sorted(lists)) or "none"
                    errors.append(
                        PackError(
                            path,
                            f"list {pattern} is not defined in lists/ (defined: {known})",
                            measure.id,
                            f"scope.{index}.{key}",
                        )
                    )
    references = {
        "stacking.not_with": measure.stacking.not_with,
        "stacking.only_on_value_not_subject_to": measure.stacking.only_on_value_not_subject_to,
        "exempts": measure.exempts,
    }
    for field, patterns in references.items():
        for pattern in patterns:
            # A pattern that matches nothing switches a rule off without a word: most often a typo.
            if not matching_measures(pattern, measures):
                errors.append(PackError(path, f"{pattern!r} names no measure in the pack", measure.id, field))
    for pattern in measure.stacking.only_on_value_not_subject_to:
        for other in matching_measures(pattern, measures):
            if measures[other].stacking.precedence >= measure.stacking.precedence:
                errors.append(
                    PackError(
                        path,
                        f"{other} must come first to leave a remainder: give it a lower stacking.precedence than "
                        f"{measure.stacking.precedence}",
                        measure.id,
                        "stacking.only_on_value_not_subject_to",
                    )
                )
    return errors


def matching_measures(pattern: str, measures: dict[str, Measure] | list[str]) -> list[str]:
    return [measure_id for measure_id in measures if matches_measure(pattern, measure_id)]


def matches_measure(pattern: str, measure_id: str) -> bool:
    """`us.s232.*` matches every id under us.s232; a pattern without `*` matches one id."""
    return fnmatch.fnmatchcase(measure_id, pattern) if "*" in pattern else measure_id == pattern


__all__ = ["MEASURE_ID", "bundled_pack_path", "load_bundled_pack", "load_pack", "matches_measure"]
