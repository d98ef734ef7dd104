"""Every error tradelex raises on purpose.

    TradelexError
    ├── PackError            a rule pack that does not load: names the file, the measure and the field
    │   └── PackErrors       several PackErrors found in one load, reported together
    ├── InputError           a query that cannot be answered as given: names the field
    │   ├── UnknownCodeError      a product code that is not in the nomenclature (with the nearest valid codes)
    │   ├── UnknownCountryError   a partner that is not an ISO 3166 country
    │   ├── BadDateError          a date that is not YYYY-MM-DD
    │   └── BadAmountError        a value, quantity or content that is not a non-negative decimal
    └── DataError            an official dataset that does not import: names the file, the row and the field

Errors carry their parts as attributes so that the CLI and the API can point at the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class TradelexError(Exception):
    """Base of every error tradelex raises on purpose."""


class PackError(TradelexError):
    """One problem in one file of a rule pack."""

    def __init__(self, file: Path | str, message: str, measure: str | None = None, field: str | None = None):
        self.file = str(file)
        self.measure = measure
        self.field = field
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [self.file]
        if self.measure:
            where.append(f"measure {self.measure}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{': '.join(where)}: {self.message}"


class PackErrors(PackError):  # noqa: N818 — a collection of PackError, named as the plural
    """All the problems found while loading a pack, so that one run reports them all."""

    def __init__(self, errors: Sequence[PackError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.file, first.message, first.measure, first.field)

    def describe(self) -> str:
        count = len(self.errors)
        lines = [f"{count} error{'s' if count != 1 else ''} in the rule pack:"]
        lines += [f"  {error.describe()}" for error in self.errors]
        return "\n".join(lines)


class InputError(TradelexError):
    """A query that cannot be answered as given."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class UnknownCodeError(InputError):
    def __init__(self, field: str, message: str, suggestions: Sequence[str] = ()):
        self.suggestions = list(suggestions)
        super().__init__(field, message)


class UnknownCountryError(InputError):
    pass


class BadDateError(InputError):
    pass


class BadAmountError(InputError):
    pass


class DataError(TradelexError):
    """A dataset file that does not import, or a store that cannot be used."""

    def __init__(self, file: str, message: str, row: int | None = None, field: str | None = None):
        self.file = file
        self.row = row
        self.field = field
        self.message = message
        where = [file] + ([f"row {row}"] if row is not None else []) + ([f"field {field}"] if field else [])
        super().__init__(f"{': '.join(where)}: {message}")
