"""Properties of the reference evaluator, checked by Hypothesis on packs built in memory.

Each property says, in its docstring, which wrong evaluator it catches. Packs are built directly from the
pydantic models (never from files); codes are random digit strings (`validate_nomenclature=False`) and every
call passes `today=` so that no answer depends on the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradelex.engine.assessment import Assessment, Reason
from tradelex.engine.line import Line
from tradelex.engine.reference import evaluate_line
from tradelex.rules.model import Measure, NamedList, Pack, PackMeta

CENT = Decimal("0.01")
START = date(2024, 1, 1)
SPAN = 900  # days drawn from START .. START + SPAN
EARLY = date(2000, 1, 1)  # before every drawn date: undated scopes and always-known values
LATER = date(2028, 1, 1)  # after every drawn date, end and key
TODAY = date(2031, 1, 1)  # after every drawn date
IMPORTER = "US"
ORIGIN = "CN"

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------------------------
# Building packs and lines


def measure(measure_id: str, values: dict[date, str | None], **fields: Any) -> Measure:
    """A measure of the importer on the origin, ad valorem over every product unless `fields` say otherwise."""
    data: dict[str, Any] = {
        "id": measure_id,
        "title": f"Measure {measure_id}",
        "imposed_by": IMPORTER,
        "partners": [ORIGIN],
        "authority": "Test Act",
        "kind": "ad_valorem",
        "values": {
            key.isoformat(): {"rate": rate, "source": f"notice {measure_id} {key}", "confidence": "confirmed"}
            for key, rate in values.items()
        },
        "scope": [{"from": EARLY.isoformat(), "include": ["*"]}],
    }
    data.update(fields)
    return Measure.model_validate(data)


def make_pack(*measures: Measure, lists: dict[str, NamedList] | None = None) -> Pack:
    return Pack(
        meta=PackMeta(name="mem", version="1", cutoff=date(2030, 1, 1)),
        measures={m.id: m for m in measures},
        lists=lists or {},
        root="mem",
    )


def make_line(day: date, code: str = "6109100012", value: Decimal | str | None = "1000", **fields: Any) -> Line:
    return Line.parse(
        code=code, origin=ORIGIN, importer=IMPORTER, date=day, value=value, validate_nomenclature=False, **fields
    )


def assess(pack: Pack, line: Line, as_known_on: date | None = None, today: date = TODAY) -> Assessment:
    return evaluate_line(pack, line, as_known_on=as_known_on, today=today)


def excluded_code(assessment: Assessment, measure_id: str) -> Reason | None:
    return next((e.code for e in assessment.excluded if e.measure == measure_id), None)


def percent_text(percent: Decimal) -> str:
    return f"{format(percent, 'f')}%"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------------------
# Strategies

days = st.integers(min_value=0, max_value=SPAN).map(lambda n: START + timedelta(days=n))
percents = st.integers(min_value=0, max_value=20000).map(lambda n: Decimal(n).scaleb(-2))  # 0 .. 200.00
whole_percents = st.integers(min_value=1, max_value=150).map(Decimal)
money = st.integers(min_value=1, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))  # 0.01 .. 10 million
EVEN_LENGTHS = (2, 4, 6, 8, 10)


# ---------------------------------------------------------------------------------------------------------------
# 1. The longest prefix wins


@st.composite
def scope_cases(draw: st.DrawFn) -> tuple[str, list[tuple[bool, str]], int]:
    """A code and (include?, prefix) pairs, many of them prefixes of the code; and a number of clauses."""
    code = draw(st.text(alphabet="01", min_size=10, max_size=10))
    patterns: list[tuple[bool, str]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        included = draw(st.booleans())
        length = draw(st.sampled_from(EVEN_LENGTHS))
        if draw(st.booleans()):
            prefix = code[:length]
        else:
            prefix = draw(st.text(alphabet="01", min_size=length, max_size=length))
        patterns.append((included, prefix))
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        patterns.append((draw(st.booleans()), ""))  # '*', the empty prefix
    clauses = draw(st.integers(min_value=1, max_value=3))
    return code, patterns, clauses


def scope_oracle(code: str, patterns: list[tuple[bool, str]]) -> bool | None:
    """Brute force: the longest matching prefix decides, an exclusion wins a tie; None when none matches."""
    matching = [(len(prefix), included) for included, prefix in patterns if code.startswith(prefix)]
    if not matching:
        return None
    longest = max(length for length, _ in matching)
    return all(included for length, included in matching if length == longest)


@PROPERTY
@given(case=scope_cases(), via_list=st.booleans())
def test_longest_prefix_wins(case: tuple[str, list[tuple[bool, str]], int], via_list: bool) -> None:
    """The measure applies iff the longest matching prefix is an inclusion; an exclusion wins a tie.

    Catches an evaluator that lets the first (or last) matching clause decide, that lets an inclusion win a tie,
    that lets the shortest (or any) matching prefix decide, that looks only at one clause of several in force,
    or that mishandles '*' and @lists.
    """
    code, patterns, clause_count = case
    lists: dict[str, NamedList] = {}
    clauses: list[dict[str, Any]] = [
        {"from": EARLY.isoformat(), "include": [], "exclude": []} for _ in range(clause_count)
    ]
    for index, (included, prefix) in enumerate(patterns):
        pattern = "*" if prefix == "" else prefix
        if via_list and prefix:
            name = f"@test/l{index}"
            lists[name] = NamedList(title="list", source="test", confidence="confirmed", codes=[prefix])
            pattern = name
        clauses[index % clause_count]["include" if included else "exclude"].append(pattern)
    clauses = [c for c in clauses if c["include"] or c["exclude"]]
    pack = make_pack(measure("us.scope", {EARLY: "10%"}, scope=clauses), lists=lists)

    result = assess(pack, make_line(START, code=code))

    expected = scope_oracle(code, patterns)
    applies = result.layer("us.scope") is not None
    assert applies == (expected is True)
    if expected is None:
        assert excluded_code(result, "us.scope") is Reason.OUT_OF_SCOPE
    elif expected is False:
        assert excluded_code(result, "us.scope") is Reason.SCOPE_EXCLUSION
    else:
        assert excluded_code(result, "us.scope") is None


# ---------------------------------------------------------------------------------------------------------------
# 2. A measure outside its dates never applies


@PROPERTY
@given(
    keys=st.lists(days, min_size=1, max_size=4, unique=True),
    end_offset=st.integers(min_value=1, max_value=300),
    rates=st.lists(percents, min_size=4, max_size=4),
    day=days,
)
def test_outside_its_dates_never_applies(keys: list[date], end_offset: int, rates: list[Decimal], day: date) -> None:
    """Before the first key: excluded as not_yet_in_force; on or after the end (rate null): excluded as expired.

    (Not yet in force is said as known after the start; as known on an earlier entry date, the measure is not
    known at all, so it is not listed.)

    Catches an evaluator that treats the first value as holding since forever, that reads the end key as
    inclusive of the last rate (off by one on the end day) or ignores a null rate, or that drops a measure out of
    force silently instead of explaining why.
    """
    keys = sorted(keys)
    end = keys[-1] + timedelta(days=end_offset)
    values: dict[date, str | None] = {key: percent_text(rate) for key, rate in zip(keys, rates, strict=False)}
    values[end] = None
    pack = make_pack(measure("us.dated", values))

    # As known later, every key is known: the measure is explained as not yet in force, or as expired.
    result = assess(pack, make_line(day), as_known_on=LATER)
    # As known on the entry date, a measure that starts later is not known yet: it is neither applied nor listed.
    as_then = assess(pack, make_line(day))

    layer = result.layer("us.dated")
    if day < keys[0]:
        assert layer is None
        assert excluded_code(result, "us.dated") is Reason.NOT_YET_IN_FORCE
        assert as_then.layer("us.dated") is None
        assert excluded_code(as_then, "us.dated") is None
    elif day >= end:
        assert layer is None
        assert excluded_code(result, "us.dated") is Reason.EXPIRED
        assert as_then.layer("us.dated") is None
        assert excluded_code(as_then, "us.dated") is Reason.EXPIRED
    else:
        assert as_then.layer("us.dated") == layer
        in_force = max(key for key in keys if key <= day)
        assert layer is not None
        assert layer.value_date == in_force
        assert layer.rate_text == values[in_force]
        assert excluded_code(result, "us.dated") is None


# ---------------------------------------------------------------------------------------------------------------
# 3. A measure for another partner never changes a result


@st.composite
def ordinary_measures(draw: st.DrawFn) -> list[Measure]:
    """A few measures on the origin with rates, precedences, some `not_with`, maybe an exemption."""
    count = draw(st.integers(min_value=1, max_value=4))
    ids = [f"us.m{index}" for index in range(count)]
    measures = []
    for measure_id in ids:
        others = [other for other in ids if other != measure_id]
        not_with = draw(st.lists(st.sampled_from(others), max_size=1, unique=True)) if others else []
        scope_prefix = draw(st.sampled_from(["*", "61", "6109", "85"]))
        measures.append(
            measure(
                measure_id,
                {EARLY: percent_text(draw(percents))},
                scope=[{"from": EARLY.isoformat(), "include": [scope_prefix]}],
                stacking={"precedence": draw(st.integers(0, 200)), "not_with": not_with},
            )
        )
    if draw(st.booleans()):
        measures.append(
            Measure.model_validate(
                {
                    "id": "us.exempt",
                    "title": "Exemption",
                    "imposed_by": IMPORTER,
                    "partners": [ORIGIN],
                    "authority": "Test Act",
                    "kind": "exemption",
                    "exempts": [draw(st.sampled_from(ids))],
                    "values": {EARLY.isoformat(): {"applies": True, "source": "exemption", "confidence": "confirmed"}},
                    "scope": [{"from": EARLY.isoformat(), "include": ["6109"]}],
                }
            )
        )
    return measures


@st.composite
def foreign_measures(draw: st.DrawFn) -> Measure:
    """A potent measure (precedence 0, `not_with: ['*']`, or an exemption of everything) that is not for this line."""
    way = draw(st.sampled_from(["partners", "partners_excluded", "imposed_by", "export"]))
    fields: dict[str, Any] = {"partners": [ORIGIN], "imposed_by": IMPORTER}
    if way == "partners":
        fields["partners"] = draw(st.lists(st.sampled_from(["CA", "MX", "DE", "JP", "VN"]), min_size=1, unique=True))
    elif way == "partners_excluded":
        fields["partners"] = ["*"]
        fields["partners_excluded"] = [ORIGIN, *draw(st.lists(st.sampled_from(["CA", "MX"]), unique=True))]
    elif way == "imposed_by":
        fields["imposed_by"] = draw(st.sampled_from(["CN", "CA", "MX", "DE"]))
        fields["partners"] = draw(st.sampled_from([[ORIGIN], ["*"]]))
    else:
        fields["direction"] = "export"
        fields["partners"] = draw(st.sampled_from([[ORIGIN], ["*"]]))
    measure_id = draw(st.sampled_from(["us.aaa.foreign", "us.m1x.foreign", "us.zzz.foreign"]))
    if draw(st.booleans()):
        exemption = {"applies": True, "source": "foreign", "confidence": "confirmed"}
        return Measure.model_validate(
            {
                "id": measure_id,
                "title": "Foreign exemption",
                "authority": "Other Act",
                "kind": "exemption",
                "exempts": ["*"],
                "values": {EARLY.isoformat(): exemption},
                "scope": [{"from": EARLY.isoformat(), "include": ["*"]}],
                **fields,
            }
        )
    stacking = {"precedence": 0, "not_with": ["*"], "only_on_value_not_subject_to": ["*"]}
    return measure(measure_id, {EARLY: percent_text(draw(percents))}, stacking=stacking, **fields)


@PROPERTY
@given(base=ordinary_measures(), foreign=foreign_measures(), day=days, value=money)
def test_measure_for_another_partner_changes_nothing(
    base: list[Measure], foreign: Measure, day: date, value: Decimal
) -> None:
    """Adding a measure that excludes the origin, is imposed by another country or is on exports changes nothing.

    Catches an evaluator that filters partners, importer or direction after stacking or exemptions (so a foreign
    measure excludes or exempts the line's measures), that ignores `partners_excluded` or `direction`, or that
    lets a foreign measure take part in `only_on_value_not_subject_to`.
    """
    line = make_line(day, value=value)
    without = assess(make_pack(*base), line)
    with_foreign = assess(make_pack(*base, foreign), line)
    assert with_foreign.model_dump() == without.model_dump()


# ---------------------------------------------------------------------------------------------------------------
# 4. The total is the sum of the layers


@st.composite
def priced_rates(draw: st.DrawFn) -> tuple[str, str, Decimal | None, Decimal | None]:
    """(kind, rate text, percent, amount per kg)."""
    kind = draw(st.sampled_from(["ad_valorem", "specific", "compound"]))
    percent = Decimal(draw(st.integers(min_value=0, max_value=20000))).scaleb(-draw(st.integers(0, 3)))
    per_kg = Decimal(draw(st.integers(min_value=1, max_value=100000))).scaleb(-draw(st.integers(0, 4)))
    if kind == "ad_valorem":
        return kind, percent_text(percent), percent, None
    if kind == "specific":
        return kind, f"USD {format(per_kg, 'f')}/kg", None, per_kg
    return kind, f"{percent_text(percent)} + USD {format(per_kg, 'f')}/kg", percent, per_kg


@PROPERTY
@given(
    rates=st.lists(priced_rates(), min_size=1, max_size=6),
    value=st.integers(min_value=1, max_value=10**10).map(lambda n: Decimal(n).scaleb(-3)),
    quantity=st.integers(min_value=0, max_value=10**7).map(lambda n: Decimal(n).scaleb(-2)),
)
def test_total_is_sum_of_layers(
    rates: list[tuple[str, str, Decimal | None, Decimal | None]], value: Decimal, quantity: Decimal
) -> None:
    """Each layer is rate × base rounded half-up to the cent; the total is the exact sum of the rounded layers.

    Catches an evaluator that rounds the total instead of each layer (or rounds half-even, or truncates), that
    goes through float, that drops the specific part of a compound rate, or whose total ad valorem percent is not
    the sum of the layers' equivalents.
    """
    measures = [measure(f"us.p{index}", {EARLY: text}, kind=kind) for index, (kind, text, _, _) in enumerate(rates)]
    result = assess(make_pack(*measures), make_line(START, value=value, quantity=quantity, unit="kg"))

    assert len(result.layers) == len(rates)
    for index, (kind, _, percent, per_kg) in enumerate(rates):
        layer = result.layer(f"us.p{index}")
        assert layer is not None
        exact = (value * percent / 100 if percent is not None else Decimal(0)) + (
            quantity * per_kg if per_kg is not None else Decimal(0)
        )
        assert layer.amount == cents(exact)
        if kind == "ad_valorem":
            assert layer.ad_valorem_equivalent_percent == percent
    assert result.total_amount == sum((layer.amount for layer in result.layers if layer.amount is not None), Decimal(0))
    assert result.total_ad_valorem_percent == sum(
        (layer.ad_valorem_equivalent_percent or Decimal(0) for layer in result.layers), Decimal(0)
    )


@PROPERTY
@given(
    whole_cents=st.integers(min_value=0, max_value=10**8),
    percent=st.sampled_from([1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50, 80, 100, 125, 200]).map(Decimal),
    layers=st.integers(min_value=1, max_value=4),
)
def test_half_cents_round_up(whole_cents: int, percent: Decimal, layers: int) -> None:
    """A layer of exactly n.nn5 rounds up to the next cent, in every layer, and the total adds the rounded layers.

    Catches an evaluator that rounds half-even or truncates, that computes through float (1.005 is a little less
    than 1.005 as a float, and would round down), or that rounds the total once instead of each layer.
    """
    exact = (Decimal(whole_cents) + Decimal("0.5")) / 100  # n.nn5
    value = exact * 100 / percent  # a finite decimal: percent divides a power of ten
    assert value * percent / 100 == exact
    measures = [measure(f"us.h{index}", {EARLY: percent_text(percent)}) for index in range(layers)]

    result = assess(make_pack(*measures), make_line(START, value=value))

    rounded = (Decimal(whole_cents) + 1) / 100
    assert [layer.amount for layer in result.layers] == [rounded] * layers
    assert result.total_amount == rounded * layers


# ---------------------------------------------------------------------------------------------------------------
# 5. Moving the date across a value's key changes only that measure


@st.composite
def keyed_measures(draw: st.DrawFn) -> list[tuple[str, dict[date, str | None]]]:
    measures = []
    for index in range(draw(st.integers(min_value=2, max_value=5))):
        keys = sorted(draw(st.lists(days, min_size=1, max_size=4, unique=True)))
        values: dict[date, str | None] = {keys[0]: percent_text(draw(percents))}
        for key in keys[1:]:
            values[key] = draw(st.one_of(st.none(), percents.map(percent_text)))
        measures.append((f"us.k{index}", values))
    return measures


@PROPERTY
@given(specs=keyed_measures(), data=st.data())
def test_crossing_a_key_changes_only_that_measure(
    specs: list[tuple[str, dict[date, str | None]]], data: st.DataObject
) -> None:
    """Between the day before a key and the key, only measures with a value keyed on that day change.

    Catches an evaluator whose value periods are off by one (a key taking effect the day after, or the previous
    value still holding on the key), or that lets one measure's change leak into another's layer.
    """
    all_keys = sorted({key for _, values in specs for key in values})
    day = data.draw(st.one_of(st.sampled_from(all_keys), days), label="day")
    pack = make_pack(*(measure(measure_id, values) for measure_id, values in specs))

    before = assess(pack, make_line(day - timedelta(days=1)))
    on = assess(pack, make_line(day))

    for measure_id, values in specs:
        layer_before, layer_on = before.layer(measure_id), on.layer(measure_id)
        if day not in values:
            assert layer_before == layer_on
            assert excluded_code(before, measure_id) == excluded_code(on, measure_id)
        elif values[day] is None:
            assert layer_on is None
            assert excluded_code(on, measure_id) is Reason.EXPIRED
        else:
            assert layer_on is not None
            assert layer_on.rate_text == values[day]
            assert layer_on.value_date == day


# ---------------------------------------------------------------------------------------------------------------
# 6. Two times


@PROPERTY
@given(
    first_key=days,
    gap=st.integers(min_value=1, max_value=200),
    announce_shift=st.integers(min_value=-100, max_value=200),
    entry_after=st.integers(min_value=0, max_value=200),
    known_shift=st.integers(min_value=-150, max_value=300),
    old=whole_percents,
    step=whole_percents,
)
def test_value_announced_later_is_invisible_before(
    first_key: date, gap: int, announce_shift: int, entry_after: int, known_shift: int, old: Decimal, step: Decimal
) -> None:
    """A value is visible only as known on or after its announcement; before that the previous value applies.

    Catches an evaluator that ignores `announced` (applying a retroactive value to what was known earlier), that
    treats the announcement date as the date of effect, or that is off by one on the announcement day.
    """
    new = old + step
    second_key = first_key + timedelta(days=gap)
    announced = second_key + timedelta(days=announce_shift)
    entry = second_key + timedelta(days=entry_after)
    known_on = max(first_key, entry + timedelta(days=known_shift))
    m = measure("us.two", {first_key: percent_text(old), second_key: percent_text(new)})
    values = dict(m.values)
    values[second_key] = values[second_key].model_copy(update={"announced": announced})
    pack = make_pack(m.model_copy(update={"values": values}))

    result = assess(pack, make_line(entry), as_known_on=known_on)

    layer = result.layer("us.two")
    assert layer is not None
    if known_on >= announced:
        assert (layer.rate_text, layer.value_date) == (percent_text(new), second_key)
    else:
        assert (layer.rate_text, layer.value_date) == (percent_text(old), first_key)


# ---------------------------------------------------------------------------------------------------------------
# 7. Suspensions


@PROPERTY
@given(
    start=days,
    length=st.one_of(st.none(), st.integers(min_value=1, max_value=300)),
    offset=st.integers(min_value=-100, max_value=400),
    rate=percents,
)
def test_whole_suspension_excludes(start: date, length: int | None, offset: int, rate: Decimal) -> None:
    """Inside [from, until) of a whole suspension the measure is excluded as suspended; outside, it applies.

    Catches an evaluator that ignores suspensions, that treats `until` as inclusive or `from` as exclusive, or that
    applies a suspension with no end only on its first day.
    """
    until = None if length is None else start + timedelta(days=length)
    suspension: dict[str, Any] = {"from": start.isoformat(), "source": "suspension", "confidence": "confirmed"}
    if until is not None:
        suspension["until"] = until.isoformat()
    pack = make_pack(measure("us.susp", {EARLY: percent_text(rate)}, suspensions=[suspension]))
    day = start + timedelta(days=offset)

    result = assess(pack, make_line(day))

    inside = start <= day and (until is None or day < until)
    if inside:
        assert result.layer("us.susp") is None
        assert excluded_code(result, "us.susp") is Reason.SUSPENDED
    else:
        layer = result.layer("us.susp")
        assert layer is not None and layer.rate_percent == rate


@PROPERTY
@given(
    rate=percents,
    fraction=st.integers(min_value=0, max_value=100),
    start=days,
    offset=st.integers(min_value=-100, max_value=100),
    value=money,
)
def test_partial_suspension_lowers_rate_by_its_points(
    rate: Decimal, fraction: int, start: date, offset: int, value: Decimal
) -> None:
    """A partial suspension of X% lowers the rate by exactly X points (and the amount accordingly) while in force.

    Catches an evaluator that reduces the rate by X percent of itself, that excludes the measure wholly, that
    ignores the partial suspension, or that keeps the old amount with a new rate.
    """
    suspended = (rate * fraction / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    assert suspended <= rate
    suspension = {
        "from": start.isoformat(),
        "rate": percent_text(suspended),
        "source": "partial",
        "confidence": "confirmed",
    }
    pack = make_pack(measure("us.part", {EARLY: percent_text(rate)}, suspensions=[suspension]))

    day = start + timedelta(days=offset)
    result = assess(pack, make_line(day, value=value))

    layer = result.layer("us.part")
    assert layer is not None
    expected = rate - suspended if day >= start else rate
    assert layer.rate_percent == expected
    assert layer.amount == cents(value * expected / 100)


# ---------------------------------------------------------------------------------------------------------------
# 8. Stacking


@PROPERTY
@given(
    precedences=st.lists(st.integers(min_value=0, max_value=300), min_size=2, max_size=2, unique=True),
    named_by_first=st.booleans(),
    wildcard=st.booleans(),
    rates=st.tuples(percents, percents),
)
def test_not_with_keeps_the_earlier_precedence(
    precedences: list[int], named_by_first: bool, wildcard: bool, rates: tuple[Decimal, Decimal]
) -> None:
    """Of two measures that do not stack, only the one with the lower precedence applies, whichever names the other.

    Catches an evaluator that reads `not_with` one way only, that orders by id or by file instead of precedence,
    that lets the later measure win, or that applies both.
    """
    ids = ("us.a.one", "us.b.two")
    patterns = ("us.b.*", "us.a.*") if wildcard else (ids[1], ids[0])
    stackings = [{"precedence": p} for p in precedences]
    namer = 0 if named_by_first else 1
    stackings[namer]["not_with"] = [patterns[namer]]
    pack = make_pack(*(measure(ids[i], {EARLY: percent_text(rates[i])}, stacking=stackings[i]) for i in range(2)))

    result = assess(pack, make_line(START))

    winner = 0 if precedences[0] < precedences[1] else 1
    loser = 1 - winner
    assert [layer.measure for layer in result.layers] == [ids[winner]]
    assert excluded_code(result, ids[loser]) is Reason.STACKING


@PROPERTY
@given(
    value=money,
    content_share=st.integers(min_value=0, max_value=1000),
    rates=st.tuples(percents, percents),
)
def test_only_on_value_not_subject_to_content(
    value: Decimal, content_share: int, rates: tuple[Decimal, Decimal]
) -> None:
    """A measure on copper content c leaves the other measure computed on value - c.

    Catches an evaluator that computes the second measure on the full value (double taxing the content), that
    subtracts the first measure's duty instead of its base, or that uses the content for both.
    """
    content = (value * content_share / 1000).quantize(CENT, rounding=ROUND_HALF_UP)
    assert content <= value
    metal = measure(
        "us.s232.copper", {EARLY: percent_text(rates[0])}, base="copper_content", stacking={"precedence": 10}
    )
    rest = measure(
        "us.recip",
        {EARLY: percent_text(rates[1])},
        stacking={"precedence": 20, "only_on_value_not_subject_to": ["us.s232.*"]},
    )

    result = assess(make_pack(metal, rest), make_line(START, value=value, content={"copper": content}))

    metal_layer, rest_layer = result.layer("us.s232.copper"), result.layer("us.recip")
    assert metal_layer is not None and rest_layer is not None
    assert metal_layer.amount == cents(content * rates[0] / 100)
    assert rest_layer.amount == cents((value - content) * rates[1] / 100)
    assert result.total_amount == metal_layer.amount + rest_layer.amount


@PROPERTY
@given(value=money, rates=st.tuples(percents, percents))
def test_only_on_value_not_subject_to_full_value_excludes(value: Decimal, rates: tuple[Decimal, Decimal]) -> None:
    """When the first measure is on the full customs value, the second is excluded with code stacking.

    Catches an evaluator that applies the second measure on a zero (or on the full) value instead of excluding it.
    """
    whole = measure("us.s232.steel", {EARLY: percent_text(rates[0])}, stacking={"precedence": 10})
    rest = measure(
        "us.recip",
        {EARLY: percent_text(rates[1])},
        stacking={"precedence": 20, "only_on_value_not_subject_to": ["us.s232.steel"]},
    )

    result = assess(make_pack(whole, rest), make_line(START, value=value))

    assert [layer.measure for layer in result.layers] == ["us.s232.steel"]
    assert excluded_code(result, "us.recip") is Reason.STACKING
    assert result.total_amount == cents(value * rates[0] / 100)


# ---------------------------------------------------------------------------------------------------------------
# 9. Transit


@PROPERTY
@given(
    loaded_before=days,
    window=st.integers(min_value=1, max_value=120),
    entry_offset=st.integers(min_value=-60, max_value=180),
    loaded_back=st.integers(min_value=0, max_value=200),
    rates=st.tuples(whole_percents, whole_percents, whole_percents),
)
def test_transit_window(
    loaded_before: date, window: int, entry_offset: int, loaded_back: int, rates: tuple[Decimal, Decimal, Decimal]
) -> None:
    """loaded < loaded_before <= entry < entered_before gives the transit rate; any other dates, the normal rate.

    Catches an evaluator with an inclusive/exclusive slip on any of the four bounds, one that checks the entry
    date only (ignoring the loading date), or one that applies the transit rate after `entered_before`.
    """
    old, new, transit = rates
    entered_before = loaded_before + timedelta(days=window)
    entry = loaded_before + timedelta(days=entry_offset)
    loaded = entry - timedelta(days=loaded_back)
    rule = {
        "loaded_before": loaded_before.isoformat(),
        "entered_before": entered_before.isoformat(),
        "rate": percent_text(transit),
        "source": "transit",
        "confidence": "confirmed",
    }
    pack = make_pack(measure("us.tr", {EARLY: percent_text(old), loaded_before: percent_text(new)}, transit=[rule]))

    result = assess(pack, make_line(entry, loaded=loaded))

    layer = result.layer("us.tr")
    assert layer is not None
    normal = new if entry >= loaded_before else old
    in_window = loaded < loaded_before <= entry < entered_before
    assert layer.rate_percent == (transit if in_window else normal)


# ---------------------------------------------------------------------------------------------------------------
# 10. Struck down


@PROPERTY
@given(
    ruling=days,
    entry_offset=st.integers(min_value=-200, max_value=100),
    known_offset=st.integers(min_value=-100, max_value=100),
    after=st.integers(min_value=1, max_value=400),
)
def test_struck_down(ruling: date, entry_offset: int, known_offset: int, after: int) -> None:
    """As known before the ruling the measure applies; on or after it, it is excluded as struck_down; by default,
    a later ruling known today is reported in a warning naming the measure.

    Catches an evaluator that applies a ruling by the entry date rather than by what is known (or the reverse),
    that is off by one on the ruling day, or that stays silent about a ruling made after the entry.
    """
    struck = {"on": ruling.isoformat(), "by": "Supreme Court", "refund": True, "confidence": "confirmed"}
    pack = make_pack(measure("us.ieepa.x", {EARLY: "20%"}, struck_down=struck))
    entry = ruling + timedelta(days=entry_offset)
    known_on = ruling + timedelta(days=known_offset)
    line = make_line(entry)

    known = assess(pack, line, as_known_on=known_on)
    if known_on < ruling:
        assert known.layer("us.ieepa.x") is not None
        assert excluded_code(known, "us.ieepa.x") is None
    else:
        assert known.layer("us.ieepa.x") is None
        assert excluded_code(known, "us.ieepa.x") is Reason.STRUCK_DOWN

    today = max(entry, ruling) + timedelta(days=after)
    default = assess(pack, line, as_known_on=None, today=today)
    if entry < ruling:
        assert default.layer("us.ieepa.x") is not None
        assert any("us.ieepa.x" in warning for warning in default.warnings)
    else:
        assert excluded_code(default, "us.ieepa.x") is Reason.STRUCK_DOWN
