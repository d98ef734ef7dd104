"""Scenarios: a YAML patch to a pack (set a measure's rate from a date, end it, lift its suspensions, add a measure),
and what the patch changes in the averages and the revenue.

```yaml
name: Reciprocal suspension lapses
description: The 24-point suspension ends on 2025-08-12 and the rate returns to 34%.
changes:
  - {measure: us.ieepa.reciprocal, action: end_suspensions, from: 2025-08-12}
  - {measure: us.s122, action: set_rate, from: 2026-07-24, rate: "10%"}   # later values are dropped
  - {measure: cn.tc.farm-2025-10, action: end, from: 2026-11-10}
  - {action: add, measure_file: new-measure.yaml}                        # a measure as in a pack
```
A scenario's values are hypotheses: they carry the scenario's name as their source and `unconfirmed` confidence.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tradelex.dates import parse_iso_date
from tradelex.errors import PackError
from tradelex.rules.model import DatedValue, Measure, Pack, Suspension

ACTIONS = ("set_rate", "end", "end_suspensions", "add")


class Change(BaseModel):
    action: str
    measure: str | None = None
    from_: date | None = None
    rate: str | None = None
    definition: dict[str, Any] | None = None


class Scenario(BaseModel):
    name: str
    description: str
    path: str
    changes: list[Change]


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file; every problem names the file and the field (`changes[1].rate`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PackError(path, f"cannot read the scenario: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise PackError(path, f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PackError(path, "a scenario is a mapping with name, description and changes")
    for key in ("name", "description", "changes"):
        if key not in data:
            raise PackError(path, f"missing {key}", field=key)
    unknown = sorted(set(data) - {"name", "description", "changes"})
    if unknown:
        raise PackError(path, f"unknown key {unknown[0]!r}; keys are name, description, changes", field=unknown[0])
    if not isinstance(data["changes"], list) or not data["changes"]:
        raise PackError(path, "changes must be a non-empty list", field="changes")
    changes = [_change(path, index, item) for index, item in enumerate(data["changes"])]
    return Scenario(name=str(data["name"]), description=str(data["description"]), path=str(path), changes=changes)


def _change(path: Path, index: int, item: Any) -> Change:
    where = f"changes[{index}]"
    if not isinstance(item, dict):
        raise PackError(path, "each change is a mapping with measure, action and from", field=where)
    action = item.get("action")
    if action not in ACTIONS:
        raise PackError(path, f"action must be one of {', '.join(ACTIONS)}, got {action!r}", field=f"{where}.action")
    allowed = {"action", "measure", "from", "rate", "definition"}
    extra = sorted(set(item) - allowed)
    if extra:
        raise PackError(path, f"unknown key {extra[0]!r}", field=f"{where}.{extra[0]}")
    if action == "add":
        if not isinstance(item.get("definition"), dict):
            raise PackError(path, "add needs a definition: the measure as in a pack file, with its id",
                            field=f"{where}.definition")  # fmt: skip
        return Change(action=action, definition=item["definition"])
    if not isinstance(item.get("measure"), str):
        raise PackError(path, "the measure id is missing", field=f"{where}.measure")
    if "from" not in item:
        raise PackError(path, "the date the change takes effect is missing", field=f"{where}.from")
    try:
        start = parse_iso_date(item["from"] if isinstance(item["from"], date) else str(item["from"]), "from")
    except Exception as error:  # BadDateError names the value
        raise PackError(path, str(error), field=f"{where}.from") from None
    rate = item.get("rate")
    if action == "set_rate" and not isinstance(rate, str):
        raise PackError(path, 'set_rate needs a rate as a string, such as "34%"', field=f"{where}.rate")
    return Change(action=action, measure=item["measure"], from_=start, rate=rate)


def apply_scenario(pack: Pack, scenario: Scenario) -> Pack:
    """The pack with the scenario's changes; the original pack is not modified."""
    measures = dict(pack.measures)
    for index, change in enumerate(scenario.changes):
        field = f"changes[{index}]"
        try:
            if change.action == "add":
                assert change.definition is not None
                added = Measure.model_validate(change.definition)
                measures[added.id] = added
                continue
            assert change.measure is not None and change.from_ is not None
            if change.measure not in measures:
                raise PackError(scenario.path, f"no measure {change.measure!r} in the pack", field=f"{field}.measure")
            measures[change.measure] = _changed(measures[change.measure], change, scenario)
        except ValidationError as error:
            first = error.errors()[0]
            location = ".".join(str(p) for p in first["loc"])
            where = f"{field}.{location}" if location else field
            raise PackError(scenario.path, first["msg"], measure=change.measure, field=where) from None
    return pack.model_copy(update={"measures": measures})


def _changed(measure: Measure, change: Change, scenario: Scenario) -> Measure:
    start = change.from_
    assert start is not None
    source = f"scenario {scenario.name!r} ({Path(scenario.path).name}): a hypothesis, not a legal text"
    if change.action == "end_suspensions":
        kept = [_cut(s, start) for s in measure.suspensions if s.from_ < start]
        return Measure.model_validate(measure.model_dump(by_alias=True) | {"suspensions": [
            s.model_dump(by_alias=True) for s in kept]})  # fmt: skip
    rate = change.rate if change.action == "set_rate" else None
    values = {key: value for key, value in measure.values.items() if key < start}
    values[start] = DatedValue.model_validate({"rate": rate, "source": source, "confidence": "unconfirmed"})
    # a measure without a value in force cannot be suspended then: suspensions after the change are dropped with it
    suspensions = [_cut(s, start) for s in measure.suspensions if s.from_ < start]
    dumped = measure.model_dump(by_alias=True)
    dumped["values"] = {key: value.model_dump(by_alias=True) for key, value in values.items()}
    dumped["suspensions"] = [s.model_dump(by_alias=True) for s in suspensions]
    return Measure.model_validate(dumped)


def _cut(suspension: Suspension, start: date) -> Suspension:
    if suspension.until is None or suspension.until > start:
        return suspension.model_copy(update={"until": start})
    return suspension
