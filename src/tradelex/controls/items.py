"""Controlled items: control-list numbers (China's export-control codes, US ECCNs) and their concordance to HS.

A query names an item by HS code or by control-list number. China's codes and US ECCNs share the Wassenaar shape
(1C902, 3A090, 4A994.z), and a few numbers exist on both lists with different meanings, so a number is read on
the list of the regime that controls the export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import process

from tradelex.controls.datafiles import data_path, read_model
from tradelex.errors import UnknownCodeError
from tradelex.nomenclature.codes import normalise_code
from tradelex.nomenclature.hs import validate_code
from tradelex.rules.model import Confidence, Country, Pack, Text, Url

ITEMS_FILE = "items.yaml"
CONTROL_NUMBER = re.compile(r"(\d[A-E]\d{3})((?:\.[a-z0-9]+)*)|EAR99")


class ControlledItem(BaseModel):
    """A control-list number, what it covers, its HS concordance and the measures that control it by number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regime: Country
    number: Text
    title: Text
    hs: list[str]
    measures: list[str]
    source: Text
    url: Url | None = None
    confidence: Confidence
    hs_note: str | None = None

    def model_post_init(self, _context: object) -> None:
        if not CONTROL_NUMBER.fullmatch(self.number):
            raise ValueError(f"{self.number!r} is not a control-list number such as 3A090 or 1C902")
        for code in self.hs:
            normalise_code(code, f"items.{self.number}.hs")


class ItemCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    items: list[ControlledItem]


@cache
def all_items() -> tuple[ControlledItem, ...]:
    return tuple(read_model(data_path(ITEMS_FILE), ItemCatalogue).items)


@dataclass(frozen=True)
class ItemQuery:
    """The item a check asks about: an HS code (digits) or control-list items of the exporting regime."""

    text: str
    kind: Literal["hs", "control_number"]
    code: str | None = None
    items: tuple[ControlledItem, ...] = ()

    @property
    def hs_codes(self) -> list[str]:
        """The codes the item is classified under: the code itself, or the numbers' concordance."""
        if self.code is not None:
            return [self.code]
        return sorted({code for item in self.items for code in item.hs})


def canonical_number(text: str) -> str | None:
    """'3a090' → '3A090', '4a994.Z' → '4A994.z'; None when the text is not shaped like a control-list number."""
    compact = text.strip()
    if compact.upper() == "EAR99":
        return "EAR99"
    head, _, rest = compact.partition(".")
    candidate = head.upper() + ("." + rest.lower() if rest else "")
    return candidate if CONTROL_NUMBER.fullmatch(candidate) else None


def _numbers_meet(asked: str, listed: str) -> bool:
    """A number meets a listed one when either is the other or a paragraph of it (3A090.a within 3A090)."""
    return asked == listed or asked.startswith(listed + ".") or listed.startswith(asked + ".")


def parse_item(text: str, regime: str, field: str = "item") -> ItemQuery:
    """Read an item as a control-list number of `regime` or as an HS code; anything else names the field."""
    if not isinstance(text, str) or not text.strip():
        raise UnknownCodeError(field, "expected an HS code (8505.11) or a control-list number (3A090, 1C905)")
    number = canonical_number(text)
    if number is None:
        return ItemQuery(text=text, kind="hs", code=validate_code(text, field))
    known = [item for item in all_items() if _numbers_meet(number, item.number)]
    own = tuple(item for item in known if item.regime == regime)
    if own:
        return ItemQuery(text=text, kind="control_number", items=own)
    if known:
        others = ", ".join(f"{item.number} on {item.regime}'s list ({item.title})" for item in known)
        raise UnknownCodeError(
            field, f"{number} is not on {regime}'s control list as far as tradelex knows; it is {others}"
        )
    suggestions = [match for match, _, _ in process.extract(number, [i.number for i in all_items()], limit=5)]
    raise UnknownCodeError(
        field,
        f"{number} is not a control-list number tradelex knows; known numbers include {', '.join(suggestions)}",
        suggestions,
    )


def controlled_items(pack: Pack) -> list[ControlledItem]:
    """Every known control-list number, for a picker, with its measures narrowed to those of the pack."""
    return [
        item.model_copy(update={"measures": [m for m in item.measures if m in pack.measures]}) for item in all_items()
    ]
