"""The rate texts of the US tariff schedule (USITC HTSUS exports), parsed by a grammar into a typed duty.

The schedule writes its rates as English, not as a formula: "6.5%", "2.2¢/kg", "$1.05/doz.", "0.4¢/kg + 20%",
"1.5¢/kg on drained weight", "$1.50 each + 45% on the case + 35% on the battery", the sugar formula "25¢/kg less
0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in proportion) but not less than 15.4¢/kg",
and in chapter 99 "The duty provided in the applicable subheading + 25%". This module reads every one of those forms
into a `ScheduleRate` and computes the exact duty of one (`amount`), or says what is missing to compute it.

Reading a text takes three steps:
1. whitespace is collapsed (the exports carry line breaks and double spaces inside rates);
2. in a special-rate text, each group of program codes "(A,AU,BH,...)" is split off with the rate before it;
3. the grammar below reads the rate. It is strict: a text it does not know raises `ScheduleRateError` saying what
   was expected; nothing is guessed.

Money is exact: "2.2¢" is Decimal("0.022") dollars, never a float. Amounts are computed as fractions and given back
unrounded; the only non-terminating figures are those the schedule itself makes ("33 1/3%" of a value not divisible
by 3, a dozen rate on a count of items not divisible by 12), given to 28 significant digits.

Units are normalised with `tradelex.rules.rates.normalise_unit`, then to the spelling of the schedule's own unit of
quantity column, so that a rate and a line's unit compare: "¢/kg on lead content" is per "pb kg" (the column says
"Pb kg"), "¢/clean kg" per "cy kg", "¢/kg of total sugars" per "kg ttl sug", "¢/pf. liter" per "pf.liter".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, v_args
from lark.lexer import PatternStr
from lark.tree import Meta
from pydantic import BaseModel, ConfigDict

from tradelex.rules.rates import DutyExpression, SpecificDuty, normalise_unit

# One rule per form of rate text. Whitespace is ignored between tokens, so "+13.6%", "¢ /kg" and "¢/ liter" are the
# same as "+ 13.6%", "¢/kg" and "¢/liter". A trailing full stop ("No change.", "... + 25%.") is editorial.
_GRAMMAR = r"""
    start: rate FULL_STOP?

    ?rate: free
         | no_change
         | duty
         | sugar_formula
         | subheading_plus
         | subheadings_plus
         | subheading_minus
         | reference

    // ---- Free ------------------------------------------------------------------------------------------------
    // "Free". Chapter 98 and column 2 of 5101 add a condition after a comma ("Free, under bond", "Free, under bond,
    // as prescribed in U.S. note 1 to this subchapter"); one special rate writes it in brackets where program codes
    // go ("Free (See U.S. note 4 of this subchapter)").
    free: "Free" free_condition?
    free_condition: "," CONDITION
                  | "(" NOTE_CONDITION ")"
    CONDITION: /\S.*?(?=\.?$)/
    NOTE_CONDITION: /See U\.S\. note \d+ (?:of|to) this subchapter/

    // ---- No change -------------------------------------------------------------------------------------------
    // Column 2 of the chapter 99 headings: the column 2 rate of the goods' own subheading stays as it is.
    no_change: NO_CHANGE
    NO_CHANGE: /no change/i

    // ---- Ad valorem, specific and compound rates ----------------------------------------------------------------
    // Parts added up ("0.4¢/kg + 20%", "13.5¢/kg + 6.3% + 1.9¢/article"), with an optional floor or ceiling.
    duty: term ("+" term)* limit?
    ?term: ad_valorem
         | specific
         | per_piece
    ?limit: minimum
          | maximum
          | movement_cap

    // "6.5%"; "33 1/3%" (column 2, mostly of chapter 44); "1.5 percent of the fair retail value" (9816.00.40).
    // The part may be on a part of the article ("45% on the case", "3.1% on the value of the rifle") or on a
    // content ("2.5% on the value of the lead content"); "on the entire set" is the whole article.
    ad_valorem: percent value_base?
    percent: NUMBER "%"
           | NUMBER FRACTION "%"          -> percent_with_fraction
           | NUMBER "percent"
    value_base: VALUE_BASE
    VALUE_BASE: /(?:on|of) \S[^+]*?(?=\s*(?:\+|\.?$|but\b))/

    // "2.2¢/kg", "$1.05/doz.", "$1.15/1,000", "1.5¢/kg on drained weight", "15¢/jewel over 7"; "$1.50 each".
    specific: money "/" UNIT specific_base?
            | money "each"                 -> specific_each
    money: NUMBER "¢"                     -> cents
         | "$" NUMBER                     -> dollars
    // Longer spellings first: a regular expression takes the first alternative that matches.
    // "thou- sand": a word broken across two lines of the printed schedule (column 2 of 9608.99.30).
    UNIT: /1,000 pins|1,000|1000|thou- ?sand|thousand|clean kg|kg|pf\. ?liter|liter|doz\.?|pr\.?|line\/ ?gross|gross/
        | /lin\. m|m2|m3|m|t|g|bbl|head|jewel|article|pack/

    // What a specific part is measured on, when it is not the goods as presented.
    ?specific_base: quantity_base
                  | content
                  | excess
    quantity_base: DRAINED_WEIGHT
                 | CONTENTS_AND_CONTAINER
                 | ENTIRE_CONTENTS
                 | INCLUDING_CONTAINER
                 | TOTAL_SUGARS
                 | RECORDING_SURFACE
                 | IMMEDIATE_CONTAINERS
    // "weght": a typo in column 2 of 2003.10.01 (2025 basic edition).
    DRAINED_WEIGHT: /on drained we(?:i)?ght/
    CONTENTS_AND_CONTAINER: "on contents and container"
    ENTIRE_CONTENTS: "on entire contents of container"
    INCLUDING_CONTAINER: /, ?including weight of container/
    TOTAL_SUGARS: "of total sugars"
    // "m2of": a missing space in column 2 of 8523.29.40.
    RECORDING_SURFACE: "of recording surface"
    IMMEDIATE_CONTAINERS: "of immediate containers"
    // Metal ores and alloys: "0.8¢/kg on lead content"; alcohol: "$1.32/pf. liter on ethyl alcohol content";
    // "$40/kg of anhydrous morphine content" (column 2 of 1302.11).
    content: CONTENT
    CONTENT: /(?:on|of) [a-z][a-z ]*? content\b/
    // Watches: "$2.25 each + 15¢/jewel over 7 + 60% on the case": only the jewels beyond 7 pay.
    excess: "over" NUMBER

    // Floors and ceilings. "than" is missing in column 2 of 1701.13.10 ("but not less 2.831562¢ /kg").
    minimum: "but not less" "than"? term
    maximum: ("but not over" | "but not more than") term

    // ---- Formulas --------------------------------------------------------------------------------------------
    // Raw cane sugar (1701): the rate falls with the sugar's polarity, down to a floor.
    sugar_formula: specific "less" specific DEGREE_CLAUSE minimum
    DEGREE_CLAUSE: /for each degree under \d+ degrees \(and fractions of a degree in proportion\)/
    // Watch movements (9110): "4.3% + 1.7¢/jewel + 0.2¢ for each other piece or part, but if consisting in part of
    // a plate or a set of plates the total duty shall not exceed the duty for the complete movement".
    per_piece: money "for each other piece or part"
    movement_cap: MOVEMENT_CAP
    MOVEMENT_CAP: PLATES_CONDITION " " MOVEMENT_LIMIT
    PLATES_CONDITION: ", but if consisting in part of a plate or a set of plates"
    MOVEMENT_LIMIT: "the total duty shall not exceed the duty for the complete movement"

    // ---- Chapter 99: a duty on top of the goods' own subheading ------------------------------------------------
    // "The duty provided in the applicable subheading + 25%", "... plus 25%", "... + a duty of 50% upon the value
    // of the copper content", or the subheading's duty alone. "inthe" is a missing space in 9903.89.55.
    subheading_plus: SUBHEADING_DUTY (_PLUS added)?
    SUBHEADING_DUTY: /The duty provided (?:for )?in ?the applicable subheading/
    // 9903.91.12 names the subheadings: "The duty provided in subheadings 8716.39.00, 8716.90.30 or 8716.90.50 + 100%".
    subheadings_plus: "The duty provided in subheadings" HTS_NUMBER ("," HTS_NUMBER)* "or" HTS_NUMBER _PLUS added
    HTS_NUMBER: /\d{4}\.\d{2}\.\d{2}(?:\.\d{2})?/
    _PLUS: "+" | "plus"
    added: percent
         | "a duty of" percent CONTENT_VALUE?
    CONTENT_VALUE: /upon the value of the \S.*? content\b/
    // Chapter 98 (9822.05): a reduction of the subheading's rate: "The duty rate provided in such subheading minus
    // 0.5%".
    subheading_minus: "The duty rate provided in such subheading minus" percent

    // ---- Rates set by reference ------------------------------------------------------------------------------
    // The rate is another line's, or a duty on a value the text defines; there is nothing to compute from the text.
    reference: RATE_APPLICABLE
             | RATE_PROVIDED_FOR
             | DUTY_DESCRIBED
             | SEE_NOTE
    // "The rate applicable to each garment in the ensemble if separately entered", "The rate of duty applicable to
    // that article in the set subject to the highest rate of duty" ("appli- cable": a line break, 8211.10).
    RATE_APPLICABLE: /The rate (?:of duty )?appli(?:- )?cable\b.*/
    // Special rates: "The duty rate provided for originating goods of Korea in such subheading".
    RATE_PROVIDED_FOR: /The (?:duty )?rate provided for\b.*/
    // Chapter 98: "A duty upon the value of the repairs or alterations (see U.S. note 3 of this subchapter)".
    DUTY_DESCRIBED: /A duty\b.*/
    // "See additional U.S. note 1"; in special rates "See 9822.04.25", "See U.S. note 3(e)".
    SEE_NOTE: /See\b.*/

    FRACTION: /\d+\/\d+/
    NUMBER: /\d+(?:\.\d+)?/
    FULL_STOP: "."
    %import common.WS
    %ignore WS
"""

EXPECTED_RATE = (
    'expected a schedule rate such as "Free", "6.5%", "2.2¢/kg", "$1.05/doz.", "0.4¢/kg + 20%", "No change" or '
    '"The duty provided in the applicable subheading + 25%"'
)

# What the error message says for a named terminal; anonymous ones ("+", "each", ...) are quoted as written.
_TERMINAL_NAMES = {
    "NUMBER": "a number",
    "FRACTION": 'a fraction ("1/3")',
    "UNIT": "a unit (kg, doz., liter, pf. liter, t, m2, each, ...)",
    "VALUE_BASE": 'what the percentage is on ("on the case")',
    "CONDITION": "a condition",
    "NOTE_CONDITION": '"See U.S. note N of this subchapter"',
    "NO_CHANGE": '"No change"',
    "DRAINED_WEIGHT": '"on drained weight"',
    "INCLUDING_CONTAINER": '", including weight of container"',
    "CONTENT": '"on ... content"',
    "DEGREE_CLAUSE": '"for each degree under 100 degrees (and fractions of a degree in proportion)"',
    "MOVEMENT_CAP": '", but if consisting in part of a plate ..."',
    "SUBHEADING_DUTY": '"The duty provided in the applicable subheading"',
    "HTS_NUMBER": 'a subheading ("8716.39.00")',
    "CONTENT_VALUE": '"upon the value of the ... content"',
    "RATE_APPLICABLE": '"The rate applicable ..."',
    "RATE_PROVIDED_FOR": '"The rate provided for ..."',
    "DUTY_DESCRIBED": '"A duty ..."',
    "SEE_NOTE": '"See ..."',
    "$END": "the end of the text",
}

# A group of special-rate program codes: "(A,AU,BH,CL,...)", "(A*)", "(S+)". The exports also have "(E IL" (comma
# missing), ".OM" (stray full stop), "(B,C,)" (trailing comma) and "(PA (PA)" (doubled); the codes are what counts.
# A lower-case group ("(see U.S. note 3 ...)", "note 1(b)") belongs to the rate text and is not a program group.
_PROGRAM_CODE = r"[A-Z][A-Z0-9]*[+*]?"
_PROGRAM_GROUP = re.compile(rf"\(\s*(?P<codes>{_PROGRAM_CODE}(?:[\s,.(]+{_PROGRAM_CODE})*)[\s,.]*\)")


class ScheduleRateError(ValueError):
    """A rate text the grammar does not accept."""


class RateKind(StrEnum):
    FREE = "free"
    AD_VALOREM = "ad_valorem"
    SPECIFIC = "specific"
    COMPOUND = "compound"
    FORMULA = "formula"  # the sugar polarity scale, the watch movement cap
    ADDITIONAL = "additional"  # chapter 99: on top of the duty of the applicable subheading
    NO_CHANGE = "no_change"
    OTHER = "other"  # the rate is set by reference to another line or a defined value


class ScheduleSpecific(SpecificDuty):
    """An amount in US dollars per unit of quantity: "2.2¢/kg" is USD 0.022/kg."""

    currency: str = "USD"
    base: str | None = None  # what it is measured on, as written: "on drained weight", "on lead content"
    over: Decimal | None = None  # "15¢/jewel over 7": only the units beyond 7 pay

    def text(self) -> str:
        text = super().text()
        if self.over is not None:
            text += f" over {self.over}"
        return f"{text} {self.base}" if self.base else text


# "on the entire set" (3213.10, paint sets) and "on the full value of the imported article" are the whole value.
_WHOLE_VALUE_BASES = {"on the entire set", "on the full value of the imported article"}


class AdValorem(BaseModel):
    """A percentage of a value: of the goods' whole value, or of a part or content the base names."""

    model_config = ConfigDict(frozen=True)
    percent: Decimal  # "33 1/3" is given to 28 significant digits; `exact` is the fraction
    written: str  # the percentage as written: "6.5", "33 1/3"
    base: str | None = None  # as written: "on the case", "of the fair retail value", "on the value of the lead content"

    @property
    def on_whole_value(self) -> bool:
        return self.base is None or self.base in _WHOLE_VALUE_BASES

    @property
    def exact(self) -> Fraction:
        whole, _, fraction = self.written.partition(" ")
        return Fraction(whole) + (Fraction(fraction) if fraction else 0)


class DegreeScale(BaseModel):
    """The sugar polarity scale: the rate falls by `per_degree` for each degree (and fraction) under `under`."""

    model_config = ConfigDict(frozen=True)
    per_degree: ScheduleSpecific
    under: Decimal


class ScheduleRate(BaseModel):
    """One rate of the schedule, typed. `text` is the original text; the other fields are what it says."""

    model_config = ConfigDict(frozen=True)
    text: str
    kind: RateKind
    percent: Decimal | None = None  # ad valorem on the goods' whole value (None when there is no such part)
    ad_valorem: tuple[AdValorem, ...] = ()  # every ad valorem part, including those on a part or a content
    specific: tuple[ScheduleSpecific, ...] = ()
    minimum: ScheduleRate | None = None  # "but not less than 15.4¢/kg"
    maximum: ScheduleRate | None = None  # "but not over ..."
    degree_scale: DegreeScale | None = None  # the sugar formula
    cap_note: str | None = None  # the watch movement cap, as written
    # what the parts are on, as written: "on drained weight", "on the case; on the battery"
    base_note: str | None = None
    condition: str | None = None  # "under bond, as prescribed in U.S. note 1 to this subchapter"
    additional_to_subheading: bool = False  # chapter 99: on top of the duty of the applicable subheading
    subheadings: tuple[str, ...] = ()  # when the text names the subheadings instead ("8716.39.00, ...")
    added: ScheduleRate | None = None  # the duty added (or, with a negative percent, taken off) by chapter 99/98
    content_base: str | None = None  # "copper content" in "a duty of 50% upon the value of the copper content"
    reference: str | None = None  # kind other: the text that says where the rate is
    programs: tuple[str, ...] = ()  # special rates: the program codes, "A", "A*", "AU", ...

    def as_duty_expression(self) -> DutyExpression | None:
        """The rule packs' expression of this rate, when it has one: whole-value ad valorem and plain specific parts."""
        if self.kind is RateKind.FREE and self.condition is None:
            return DutyExpression(text=self.text, percent=Decimal(0))
        if self.kind not in (RateKind.AD_VALOREM, RateKind.SPECIFIC, RateKind.COMPOUND):
            return None
        if self.minimum or self.maximum or any(not part.on_whole_value for part in self.ad_valorem):
            return None
        if any(part.base or part.over is not None for part in self.specific):
            return None
        specific = tuple(SpecificDuty(amount=part.amount, currency="USD", unit=part.unit) for part in self.specific)
        return DutyExpression(text=self.text, percent=self.percent, specific=specific)


# ---- Units ----------------------------------------------------------------------------------------------------

# Spellings that `normalise_unit` keeps as written, mapped to one name: the schedule's unit of quantity column where
# it has one ("Jwls." is "jewel", "pf.liters" is "pf.liter", "gr.lines" is the rate's "line/ gross").
_SCHEDULE_UNIT_ALIASES = {
    "m²": "m2",
    "head": "item",
    "article": "item",
    "jwls": "jewel",
    "jewels": "jewel",
    "1,000": "thousand",
    "1000": "thousand",
    "1,000 pins": "thousand",
    "thou- sand": "thousand",
    "thou-sand": "thousand",
    "thousands": "thousand",
    "hundreds": "hundred",
    "pr": "pair",
    "pf. liter": "pf.liter",
    "pf.liters": "pf.liter",
    "pf. liters": "pf.liter",
    "line/ gross": "gr.line",
    "line/gross": "gr.line",
    "gr.lines": "gr.line",
    "clean kg": "cy kg",
    "lin. m": "m",
    "dz pcs": "doz",
    "doz. prs": "doz pair",
}

# "on lead content" with a rate per kg: the schedule counts that quantity as "Pb kg", and so on.
_CONTENT_UNITS = {
    "lead": "pb kg",
    "copper": "cu kg",
    "zinc": "zn kg",
    "tungsten": "w kg",
    "molybdenum": "mo kg",
    "manganese": "mn kg",
    "silicon": "si kg",
    "magnesium": "mg kg",
    "anhydrous morphine": "kg amc",
}

# Units that convert exactly into one another: (dimension, size in the dimension's first unit).
_CONVERTIBLE: dict[str, tuple[str, Fraction]] = {
    "kg": ("mass", Fraction(1)),
    "t": ("mass", Fraction(1000)),
    "g": ("mass", Fraction(1, 1000)),
    "item": ("count", Fraction(1)),
    "doz": ("count", Fraction(12)),
    "gross": ("count", Fraction(144)),
    "hundred": ("count", Fraction(100)),
    "thousand": ("count", Fraction(1000)),
    "pair": ("pairs", Fraction(1)),
    "doz pair": ("pairs", Fraction(12)),
    "liter": ("volume", Fraction(1)),
    "m3": ("volume", Fraction(1000)),
    "thousand m3": ("volume", Fraction(1_000_000)),
}


def schedule_unit(text: str) -> str:
    """The one name of a unit, whether spelled in a rate ("pf. liter") or in the unit column ("pf.liters")."""
    spelling = normalise_unit(" ".join(text.split()))
    return _SCHEDULE_UNIT_ALIASES.get(spelling, spelling)


def unit_conversion(from_unit: str, to_unit: str) -> Fraction | None:
    """How many `to_unit` one `from_unit` is, when the two convert exactly."""
    if from_unit == to_unit:
        return Fraction(1)
    source, target = _CONVERTIBLE.get(from_unit), _CONVERTIBLE.get(to_unit)
    if source is None or target is None or source[0] != target[0]:
        return None
    return source[1] / target[1]


# ---- From the parse tree to a ScheduleRate -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limit:
    kind: str  # "minimum", "maximum" or "cap"
    term: AdValorem | ScheduleSpecific | None = None
    written: str = ""  # the bound as written ("15.4¢/kg"), or the cap's text


@dataclass(frozen=True)
class _Added:
    percent: AdValorem
    written: str  # "25%", "a duty of 50% upon the value of the copper content"
    content: str | None = None


_Part = AdValorem | ScheduleSpecific


def _base_note(parts: Iterable[_Part]) -> str | None:
    notes = list(dict.fromkeys(part.base for part in parts if part.base))
    return "; ".join(notes) if notes else None


def _content_of(base: str | None) -> str | None:
    match = re.search(r"value of the (.+ content)$", base or "")
    return match.group(1) if match else None


def _rate_of(text: str, parts: list[_Part], limits: Iterable[_Limit] = ()) -> ScheduleRate:
    """Ad valorem, specific or compound, from its parts; a cap makes it a formula."""
    ad_valorem = tuple(part for part in parts if isinstance(part, AdValorem))
    specific = tuple(part for part in parts if isinstance(part, ScheduleSpecific))
    whole = [part.percent for part in ad_valorem if part.on_whole_value]
    minimum = maximum = None
    cap_note = None
    for limit in limits:
        if limit.kind == "cap":
            cap_note = limit.written
        elif limit.term is not None:
            bound = _rate_of(limit.written, [limit.term])
            minimum, maximum = (bound, maximum) if limit.kind == "minimum" else (minimum, bound)
    if cap_note is not None:
        kind = RateKind.FORMULA
    elif ad_valorem and specific:
        kind = RateKind.COMPOUND
    else:
        kind = RateKind.AD_VALOREM if ad_valorem else RateKind.SPECIFIC
    contents = {content for part in ad_valorem if (content := _content_of(part.base))}
    return ScheduleRate(
        text=text,
        kind=kind,
        percent=sum(whole, Decimal(0)) if whole else None,
        ad_valorem=ad_valorem,
        specific=specific,
        minimum=minimum,
        maximum=maximum,
        cap_note=cap_note,
        base_note=_base_note(parts),
        content_base=contents.pop() if len(contents) == 1 else None,
    )


def _cents(number: Token) -> Decimal:
    return Decimal(str(number)).scaleb(-2)  # exact: 2.2¢ is 0.022 dollars


class _ToRate(Transformer[Token, ScheduleRate]):
    """Builds a ScheduleRate from the parse tree; `text` is the original text."""

    def __init__(self, text: str, cleaned: str) -> None:
        super().__init__()
        self.text = text
        self.cleaned = cleaned

    # -- terms
    def percent(self, items: list[Token]) -> AdValorem:
        return AdValorem(percent=Decimal(str(items[0])), written=str(items[0]))

    def percent_with_fraction(self, items: list[Token]) -> AdValorem:
        whole, fraction = str(items[0]), str(items[1])
        exact = Fraction(whole) + Fraction(fraction)
        return AdValorem(percent=Decimal(exact.numerator) / Decimal(exact.denominator), written=f"{whole} {fraction}")

    def value_base(self, items: list[Token]) -> str:
        return str(items[0]).strip()

    def ad_valorem(self, items: list[AdValorem | str]) -> AdValorem:
        percent = items[0]
        assert isinstance(percent, AdValorem)
        if len(items) > 1:
            return percent.model_copy(update={"base": str(items[1])})
        return percent

    def cents(self, items: list[Token]) -> Decimal:
        return _cents(items[0])

    def dollars(self, items: list[Token]) -> Decimal:
        return Decimal(str(items[0]))

    def quantity_base(self, items: list[Token]) -> tuple[str, str]:
        token = items[0]
        base = str(token).lstrip(", ").strip()
        if token.type == "DRAINED_WEIGHT":
            base = "on drained weight"
        return (token.type, base)

    def content(self, items: list[Token]) -> tuple[str, str]:
        return ("CONTENT", str(items[0]).strip())

    def excess(self, items: list[Token]) -> tuple[str, str]:
        return ("EXCESS", str(items[0]))

    def specific(self, items: list[object]) -> ScheduleSpecific:
        amount, unit_token = items[0], items[1]
        assert isinstance(amount, Decimal)
        written_unit = " ".join(str(unit_token).split())
        unit = schedule_unit(written_unit)
        base: str | None = "pins" if written_unit == "1,000 pins" else None
        over: Decimal | None = None
        if len(items) > 2:
            base_item = items[2]
            assert isinstance(base_item, tuple)
            kind, text = (str(item) for item in base_item)
            if kind == "EXCESS":
                over = Decimal(text)
            else:
                base = text
                if kind == "TOTAL_SUGARS" and unit == "kg":
                    unit = "kg ttl sug"
                elif kind == "CONTENT" and unit == "kg":
                    name = re.sub(r"^(?:on|of) | content$", "", text)
                    unit = _CONTENT_UNITS.get(name, f"kg {name} content")
        return ScheduleSpecific(amount=amount, unit=unit, base=base, over=over)

    def specific_each(self, items: list[Decimal]) -> ScheduleSpecific:
        return ScheduleSpecific(amount=items[0], unit="item")

    def per_piece(self, items: list[Decimal]) -> ScheduleSpecific:
        return ScheduleSpecific(amount=items[0], unit="item", base="for each other piece or part")

    def _written(self, meta: Meta, opening: str = "") -> str:
        """The text of a rule's span, without its opening words: the "15.4¢/kg" of "but not less than 15.4¢/kg"."""
        return re.sub(opening, "", self.cleaned[meta.start_pos : meta.end_pos]).strip()

    # -- limits
    @v_args(meta=True)
    def minimum(self, meta: Meta, items: list[_Part]) -> _Limit:
        return _Limit("minimum", items[-1], self._written(meta, r"^but not less( than)?"))

    @v_args(meta=True)
    def maximum(self, meta: Meta, items: list[_Part]) -> _Limit:
        return _Limit("maximum", items[-1], self._written(meta, r"^but not (over|more than)"))

    def movement_cap(self, items: list[Token]) -> _Limit:
        return _Limit("cap", written=str(items[0]).lstrip(", "))

    # -- whole rates
    def start(self, items: list[object]) -> ScheduleRate:
        rate = items[0]
        assert isinstance(rate, ScheduleRate)
        return rate

    def free(self, items: list[str]) -> ScheduleRate:
        return ScheduleRate(text=self.text, kind=RateKind.FREE, condition=items[0] if items else None)

    def free_condition(self, items: list[Token]) -> str:
        return str(items[0]).strip()

    def no_change(self, _items: list[Token]) -> ScheduleRate:
        return ScheduleRate(text=self.text, kind=RateKind.NO_CHANGE)

    def duty(self, items: list[_Part | _Limit]) -> ScheduleRate:
        parts = [item for item in items if not isinstance(item, _Limit)]
        limits = [item for item in items if isinstance(item, _Limit)]
        return _rate_of(self.text, parts, limits)

    def sugar_formula(self, items: list[object]) -> ScheduleRate:
        base, per_degree, clause, minimum = items
        assert isinstance(base, ScheduleSpecific) and isinstance(per_degree, ScheduleSpecific)
        assert isinstance(minimum, _Limit) and minimum.term is not None
        under = Decimal(re.findall(r"\d+", str(clause))[0])
        return ScheduleRate(
            text=self.text,
            kind=RateKind.FORMULA,
            specific=(base,),
            degree_scale=DegreeScale(per_degree=per_degree, under=under),
            minimum=_rate_of(minimum.written, [minimum.term]),
        )

    @v_args(meta=True)
    def added(self, meta: Meta, items: list[object]) -> _Added:
        percent = items[0]
        assert isinstance(percent, AdValorem)
        written = self._written(meta)
        if len(items) > 1:
            base = str(items[1])
            content = re.sub(r"^upon the value of the ", "", base)
            return _Added(percent.model_copy(update={"base": base}), written, content)
        return _Added(percent, written)

    def _additional(self, added: _Added | None, subheadings: tuple[str, ...] = ()) -> ScheduleRate:
        return ScheduleRate(
            text=self.text,
            kind=RateKind.ADDITIONAL,
            additional_to_subheading=True,
            subheadings=subheadings,
            added=_rate_of(added.written, [added.percent]) if added else None,
            content_base=added.content if added else None,
        )

    def subheading_plus(self, items: list[object]) -> ScheduleRate:
        added = items[1] if len(items) > 1 else None
        assert added is None or isinstance(added, _Added)
        return self._additional(added)

    def subheadings_plus(self, items: list[object]) -> ScheduleRate:
        added = items[-1]
        assert isinstance(added, _Added)
        return self._additional(added, tuple(str(item) for item in items[:-1]))

    def subheading_minus(self, items: list[AdValorem]) -> ScheduleRate:
        reduction = items[0]
        taken_off = AdValorem(percent=-reduction.percent, written=f"-{reduction.written}")
        return self._additional(_Added(taken_off, f"minus {reduction.written}%"))

    def reference(self, items: list[Token]) -> ScheduleRate:
        return ScheduleRate(text=self.text, kind=RateKind.OTHER, reference=str(items[0]).strip())


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", propagate_positions=True)


def _describe(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return name
    return f'"{pattern.value}"' if isinstance(pattern, PatternStr) else name.lower()


def _syntax_error(text: str, error: UnexpectedInput) -> ScheduleRateError:
    if isinstance(error, UnexpectedToken):
        expected, got = error.expected, repr(str(error.token)) if error.token.type != "$END" else "the end"
    elif isinstance(error, UnexpectedCharacters):
        start = error.pos_in_stream or 0
        expected, got = error.allowed or set(), repr(text[start : start + 12])
    elif isinstance(error, UnexpectedEOF):
        expected, got = set(error.expected), "the end"
    else:  # pragma: no cover - lark raises only the three above
        expected, got = set(), "?"
    wanted = " or ".join(sorted({_describe(name) for name in expected})) or "nothing more"
    column = getattr(error, "column", "?")
    opening = f"{EXPECTED_RATE}; " if column == 1 else ""
    return ScheduleRateError(f"{opening}in {text!r} at column {column} expected {wanted}, got {got}")


def _parse_one(text: str, original: str, programs: tuple[str, ...]) -> ScheduleRate:
    if not text:
        where = f" before the programs ({','.join(programs)})" if programs else ""
        raise ScheduleRateError(f"{EXPECTED_RATE}, got no rate text{where}")
    try:
        tree = _parser().parse(text)
        rate = _ToRate(original, text).transform(tree)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    return rate.model_copy(update={"programs": programs}) if programs else rate


def _segments(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """A special-rate text cut into (rate text, program codes): "Free (A,AU) 0.7% (KR)" has two."""
    segments: list[tuple[str, tuple[str, ...]]] = []
    position = 0
    for match in _PROGRAM_GROUP.finditer(text):
        codes = tuple(dict.fromkeys(re.findall(_PROGRAM_CODE, match["codes"])))
        segments.append((text[position : match.start()].strip(), codes))
        position = match.end()
    if text[position:].strip() or not segments:
        segments.append((text[position:].strip(), ()))
    return segments


@cache
def parse_schedule_rate(text: str) -> ScheduleRate:
    """Parse one rate text (general, column 2, chapter 99, or a special rate with one program group)."""
    cleaned = " ".join(text.split())
    segments = _segments(cleaned)
    if len(segments) > 1:
        raise ScheduleRateError(
            f"{text!r} gives {len(segments)} rates, each with its programs; read it with parse_special_rate"
        )
    rate_text, programs = segments[0]
    return _parse_one(rate_text, text, programs)


@cache
def parse_special_rate(text: str) -> tuple[ScheduleRate, ...]:
    """Parse a special-rate text into one rate per program group: "Free (A,AU,BH) 0.7% (KR)" gives two rates."""
    cleaned = " ".join(text.split())
    return tuple(_parse_one(rate_text, rate_text, programs) for rate_text, programs in _segments(cleaned))


# ---- Amounts ------------------------------------------------------------------------------------------------------


def _decimal(value: Fraction) -> Decimal:
    """Exact when the fraction has a finite decimal form; otherwise to 28 significant digits."""
    numerator, denominator = value.numerator, value.denominator
    rest, twos, fives = denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return Decimal(numerator) / Decimal(denominator)
    scale = max(twos, fives)
    return Decimal(numerator * 10**scale // denominator).scaleb(-scale)


@dataclass(frozen=True)
class _Inputs:
    value: Fraction | None
    quantity: Fraction | None
    unit: str | None
    quantities: tuple[tuple[str, Fraction], ...]
    degrees: Fraction | None


_Result = tuple[Fraction | None, list[str]]


def _value_needed(base: str) -> str:
    phrase = re.sub(r"^(?:on|of|upon) ", "", base)
    if re.search(r"\b(?:value|cost)\b", phrase):
        return f"needs {phrase}"
    return f"needs the value of {phrase}"


def _quantity(part: ScheduleSpecific, inputs: _Inputs) -> _Result:
    """The quantity a specific part is charged on, in the part's unit."""
    offered: list[tuple[str | None, Fraction]] = []
    if inputs.quantity is not None:
        offered.append((inputs.unit, inputs.quantity))
    offered.extend(inputs.quantities)
    for unit, quantity in offered:
        factor = Fraction(1) if unit is None else unit_conversion(unit, part.unit)
        if factor is not None:
            return quantity * factor, []
    if inputs.unit is not None and inputs.quantity is not None:
        return None, [f"the line's unit is {inputs.unit}, the rate is per {part.unit}"]
    return None, [f"needs a quantity in {part.unit}"]


def _specific_amount(part: ScheduleSpecific, inputs: _Inputs) -> _Result:
    quantity, reasons = _quantity(part, inputs)
    if quantity is None:
        return None, reasons
    if part.over is not None:
        quantity = max(quantity - Fraction(part.over), Fraction(0))
    return Fraction(part.amount) * quantity, []


def _ad_valorem_amount(part: AdValorem, inputs: _Inputs) -> _Result:
    if not part.on_whole_value:
        return None, [_value_needed(part.base or "")]
    if inputs.value is None:
        return None, ["needs the value of the goods"]
    return inputs.value * part.exact / 100, []


def _sugar_amount(rate: ScheduleRate, scale: DegreeScale, inputs: _Inputs) -> _Result:
    base = rate.specific[0]
    if inputs.degrees is None:
        falls_by = f"{scale.per_degree.amount} USD/{scale.per_degree.unit}"
        return None, [
            f"needs the polarity in degrees (the rate falls by {falls_by} for each degree under {scale.under})"
        ]
    quantity, reasons = _quantity(base, inputs)
    if quantity is None:
        return None, reasons
    shortfall = max(Fraction(scale.under) - inputs.degrees, Fraction(0))
    per_unit = Fraction(base.amount) - Fraction(scale.per_degree.amount) * shortfall
    return per_unit * quantity, []


def _amount(rate: ScheduleRate, inputs: _Inputs) -> _Result:
    if rate.kind is RateKind.FREE:
        return Fraction(0), []
    if rate.kind is RateKind.NO_CHANGE:
        return None, ["'No change': the column 2 rate of the goods' own subheading applies"]
    if rate.kind is RateKind.OTHER:
        return None, [f"the rate is set by reference: {rate.reference}"]
    if rate.kind is RateKind.ADDITIONAL:
        return _amount(rate.added, inputs) if rate.added else (Fraction(0), [])
    if rate.cap_note is not None:
        return None, [f"a formula: {rate.cap_note}"]
    if rate.degree_scale is not None:
        total, reasons = _sugar_amount(rate, rate.degree_scale, inputs)
    else:
        units = {part.unit for part in rate.specific}
        if inputs.unit is None and inputs.quantity is not None and len(units) > 1:
            return None, [f"the rate has parts per {' and per '.join(sorted(units))}: give the unit of the quantity"]
        results = [_ad_valorem_amount(part, inputs) for part in rate.ad_valorem]
        results += [_specific_amount(part, inputs) for part in rate.specific]
        reasons = list(dict.fromkeys(reason for _, missing in results for reason in missing))
        amounts = [amount for amount, _ in results if amount is not None]
        total = sum(amounts, Fraction(0)) if len(amounts) == len(results) else None
    if total is None or reasons:
        return None, reasons
    for bound, name, pick in ((rate.minimum, "minimum", max), (rate.maximum, "maximum", min)):
        if bound is None:
            continue
        bound_amount, missing = _amount(bound, inputs)
        if bound_amount is None:
            return None, [f"the {name} {reason}" for reason in missing]
        total = pick(total, bound_amount)
    return total, []


def amount(
    rate: ScheduleRate,
    value: Decimal | None,
    quantity: Decimal | None,
    unit: str | None,
    *,
    quantities: Mapping[str, Decimal] | None = None,
    degrees: Decimal | None = None,
) -> tuple[Decimal | None, str | None]:
    """The exact, unrounded duty in US dollars of goods of customs `value` and `quantity` in `unit`; or why not.

    `unit` is the unit the quantity is in (a spelling of the rate or of the schedule's unit column: "doz.", "Pb kg");
    it converts exactly within mass (kg, t, g), counts (item, doz, gross, thousand) and volume (liter, m3). None means
    the quantity is in the rate's own unit. `quantities` gives more quantities by unit, for rates with parts in two
    units ("18.5¢/liter + $1.32/pf. liter"). `degrees` is the polarity of sugar, for the 1701 formula.

    For a chapter 99 rate (`additional_to_subheading`), the amount is the duty added on top of the applicable
    subheading's own duty (zero when the text adds nothing; negative for "minus 0.5%"), which is computed from
    that subheading's rate. A missing quantity or value is never taken as zero: the amount is None with the reason.
    """
    inputs = _Inputs(
        value=None if value is None else Fraction(value),
        quantity=None if quantity is None else Fraction(quantity),
        unit=None if unit is None else schedule_unit(unit),
        quantities=tuple((schedule_unit(name), Fraction(number)) for name, number in (quantities or {}).items()),
        degrees=None if degrees is None else Fraction(degrees),
    )
    total, reasons = _amount(rate, inputs)
    if total is None:
        return None, "; ".join(reasons)
    return _decimal(total), None


def ad_valorem_equivalent(
    rate: ScheduleRate,
    value: Decimal | None,
    quantity: Decimal | None,
    unit: str | None,
    *,
    quantities: Mapping[str, Decimal] | None = None,
    degrees: Decimal | None = None,
) -> tuple[Decimal | None, str | None]:
    """The duty as a percentage of the value (20.048 for "0.4¢/kg + 20%" on 120 kg worth 1000); or why not."""
    if value is None:
        return None, "needs the value of the goods"
    if value == 0:
        return None, "the value is zero"
    duty, reason = amount(rate, value, quantity, unit, quantities=quantities, degrees=degrees)
    if duty is None:
        return None, reason
    return _decimal(Fraction(duty) * 100 / Fraction(value)), None


# ---- Parse reports ------------------------------------------------------------------------------------------------


class ParseReport(BaseModel):
    """How many texts a parser read: distinct and in total, with every text it did not read and why."""

    model_config = ConfigDict(frozen=True)
    distinct_parsed: int
    distinct_unparsed: int
    total_parsed: int
    total_unparsed: int
    unparsed: dict[str, int]  # text -> how many times it occurs
    errors: dict[str, str]  # text -> what the grammar expected
    kinds: dict[str, int]  # kind -> how many distinct parsed texts

    @property
    def distinct(self) -> int:
        return self.distinct_parsed + self.distinct_unparsed

    @property
    def total(self) -> int:
        return self.total_parsed + self.total_unparsed

    @property
    def distinct_share(self) -> Decimal:
        return Decimal(self.distinct_parsed) / Decimal(self.distinct) if self.distinct else Decimal(1)

    def summary(self) -> str:
        return (
            f"{self.distinct_parsed}/{self.distinct} distinct and {self.total_parsed}/{self.total} texts parsed; "
            f"not parsed: {self.distinct_unparsed} distinct, {self.total_unparsed} in total"
        )


def parse_report(
    texts: Iterable[str],
    parse: Callable[[str], ScheduleRate | tuple[ScheduleRate, ...]] = parse_schedule_rate,
) -> ParseReport:
    """Parse every text; count what was read and keep every text that was not, with its count and the error."""
    counts = Counter(texts)
    unparsed: dict[str, int] = {}
    errors: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    for text in counts:
        try:
            result = parse(text)
        except ScheduleRateError as error:
            unparsed[text] = counts[text]
            errors[text] = str(error)
            continue
        rates = result if isinstance(result, tuple) else (result,)
        kinds.update({rate.kind.value for rate in rates})
    total_unparsed = sum(unparsed.values())
    return ParseReport(
        distinct_parsed=len(counts) - len(unparsed),
        distinct_unparsed=len(unparsed),
        total_parsed=sum(counts.values()) - total_unparsed,
        total_unparsed=total_unparsed,
        unparsed=unparsed,
        errors=errors,
        kinds=dict(sorted(kinds.items())),
    )
