"""Malformed rule files, one reason per file, each paired with the exact error the loader must report.

In the style of OpenFisca's tests/core/parameter_validation: every file in bad_packs/ starts with a comment
saying what is wrong with it, and CASES below says where the file goes in a pack and which errors (file, measure,
field, message) loading that pack must give. The expected texts are written here by hand, never generated from
the program's output.

Each case builds the small valid pack of conftest.py (pack.yaml, lists/us/demo.yaml and the neighbour measure
us.demo.base with precedence 10) and puts the bad file at `place`: us/demo/bad.yaml for a measure, pack.yaml
(replacing the valid one) or lists/us/bad.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tradelex.errors import PackErrors
from tradelex.rules.loader import load_pack

BAD_PACKS = Path(__file__).parent / "bad_packs"
MEASURE = "us/demo/bad.yaml"
MEASURE_ID = "us.demo.bad"
PACK = "pack.yaml"
LIST = "lists/us/bad.yaml"
ALL_KEYS_OF_A_MEASURE = (
    "authority, base, checked_on, condition, direction, exempts, imposed_by, kind, note, partners, partners_excluded, "
    "scope, stacking, struck_down, suspensions, title, transit, values"
)
ALL_KEYS_OF_A_VALUE = "announced, applies, base, confidence, heading, note, rate, rates_by_code, source, url"
ALL_KEYS_OF_A_SCOPE_CLAUSE = "announced, confidence, exclude, from, include, note, source, until, url"
EXPECTED_RATE = 'expected a rate such as "25%", "USD 0.50/kg", "7.5% + USD 0.50/kg" or "Free"'


class Error(NamedTuple):
    file: str  # the file's path inside the pack
    measure: str | None
    field: str | None
    message: str


class Case(NamedTuple):
    fixture: str  # bad_packs/<fixture>.yaml
    place: str  # where the fixture goes in the pack
    errors: list[Error]


def measure_error(field: str | None, message: str, *, measure: str | None = MEASURE_ID) -> Error:
    return Error(MEASURE, measure, field, message)


def yaml_error(message: str) -> Error:
    """Errors of a file that does not read as a mapping name the file only: it has no measure yet."""
    return Error(MEASURE, None, None, message)


CASES = [
    # --- keys that are not part of the model ---
    Case(
        "unknown_top_level_key",
        MEASURE,
        [
            measure_error("effective", f"unknown key 'effective'; expected one of: {ALL_KEYS_OF_A_MEASURE}"),
        ],
    ),
    Case(
        "unknown_key_in_value",
        MEASURE,
        [
            measure_error("values.2025-04-05.notes", f"unknown key 'notes'; expected one of: {ALL_KEYS_OF_A_VALUE}"),
        ],
    ),
    Case(
        "unknown_key_in_scope",
        MEASURE,
        [
            measure_error("scope.0.to", f"unknown key 'to'; expected one of: {ALL_KEYS_OF_A_SCOPE_CLAUSE}"),
        ],
    ),
    Case(
        "unknown_key_in_stacking",
        MEASURE,
        [
            measure_error(
                "stacking.notwith",
                "unknown key 'notwith'; expected one of: not_with, only_on_value_not_subject_to, precedence",
            ),
        ],
    ),
    # --- provenance ---
    Case("missing_source", MEASURE, [measure_error("values.2025-04-05.source", "required, but missing")]),
    Case("missing_confidence", MEASURE, [measure_error("values.2025-04-05.confidence", "required, but missing")]),
    Case(
        "bad_confidence",
        MEASURE,
        [
            measure_error(
                "values.2025-04-05.confidence", "Input should be 'confirmed' or 'unconfirmed', got 'probable'"
            ),
        ],
    ),
    Case(
        "url_without_scheme",
        MEASURE,
        [
            measure_error(
                "values.2025-04-05.url",
                "expected a URL that starts with http:// or https://, got 'www.example.com/notice'",
            ),
        ],
    ),
    # --- rates ---
    Case(
        "rate_as_integer",
        MEASURE,
        [
            measure_error("values.2025-04-05.rate", 'expected the rate as a quoted string such as "25%", got 25'),
        ],
    ),
    Case(
        "rate_as_fraction",
        MEASURE,
        [
            measure_error("values.2025-04-05.rate", 'expected the rate as a quoted string such as "25%", got 0.25'),
        ],
    ),
    Case(
        "rate_unparseable",
        MEASURE,
        [
            measure_error("values.2025-04-05.rate", f"{EXPECTED_RATE}, got '25 percent'"),
        ],
    ),
    Case(
        "rate_unknown_currency",
        MEASURE,
        [
            measure_error("values.2025-04-05.rate", "'XYZ' is not an ISO 4217 currency code"),
        ],
    ),
    Case(
        "rate_two_percentages",
        MEASURE,
        [
            measure_error("values.2025-04-05.rate", "more than one ad valorem part; write their sum"),
        ],
    ),
    Case(
        "rate_does_not_fit_kind",
        MEASURE,
        [
            measure_error("values.2025-04-05", "rate 'USD 1/kg' does not fit kind ad_valorem"),
        ],
    ),
    Case(
        "rates_by_code_bad_code",
        MEASURE,
        [
            measure_error(
                "values.2025-04-05.rates_by_code.61A9", "expected a product code of digits (dots allowed), got '61A9'"
            ),
        ],
    ),
    Case(
        "first_value_ends_measure",
        MEASURE,
        [
            measure_error("values", "the first value (2025-04-05) ends the measure before it starts"),
        ],
    ),
    # --- dates ---
    Case(
        "date_key_not_a_calendar_date",
        MEASURE,
        [
            measure_error("values.2025-13-01", "'2025-13-01' is not a calendar date"),
        ],
    ),
    Case(
        "date_key_other_format",
        MEASURE,
        [
            measure_error("values.04/05/2025", "expected a date as YYYY-MM-DD, got '04/05/2025'"),
        ],
    ),
    Case(
        "duplicate_date_key",
        MEASURE,
        [
            yaml_error(
                "YAML error at line 12, column 3: duplicate key '2025-04-05' (a key may appear once in a mapping)"
            ),
        ],
    ),
    # --- scope ---
    Case("missing_scope", MEASURE, [measure_error("scope", "required, but missing")]),
    Case(
        "scope_without_include_or_exclude",
        MEASURE,
        [
            measure_error("scope.0", "a scope clause needs `include` or `exclude`"),
        ],
    ),
    Case(
        "scope_until_before_from",
        MEASURE,
        [
            measure_error("scope.0", "`until` 2025-03-01 must come after `from` 2025-04-05"),
        ],
    ),
    Case(
        "scope_code_with_letter",
        MEASURE,
        [
            measure_error("scope.0.include", "expected a product code of digits (dots allowed), got '61A9'"),
        ],
    ),
    Case(
        "scope_code_five_digits",
        MEASURE,
        [
            measure_error("scope.0.include", "expected 2, 4, 6, 8 or 10 digits, got 5 in '61091'"),
        ],
    ),
    Case(
        "scope_list_name_bad_shape",
        MEASURE,
        [
            measure_error("scope.0.include", "'@US/Demo' is not a list name such as @us/annex-ii"),
        ],
    ),
    Case(
        "scope_undefined_list",
        MEASURE,
        [
            measure_error("scope.0.include", "list @us/missing is not defined in lists/ (defined: @us/demo)"),
        ],
    ),
    # --- stacking and references to other measures ---
    Case(
        "not_with_unknown_measure",
        MEASURE,
        [
            measure_error("stacking.not_with", "'us.demo.nowhere' names no measure in the pack"),
        ],
    ),
    Case(
        "not_with_pattern_matches_nothing",
        MEASURE,
        [
            measure_error("stacking.not_with", "'uk.*' names no measure in the pack"),
        ],
    ),
    Case(
        "only_on_value_higher_precedence",
        MEASURE,
        [
            measure_error(
                "stacking.only_on_value_not_subject_to",
                "us.demo.base must come first to leave a remainder: give it a lower stacking.precedence than 5",
            ),
        ],
    ),
    Case(
        "precedence_not_integer",
        MEASURE,
        [
            measure_error(
                "stacking.precedence",
                "Input should be a valid integer, unable to parse string as an integer, got 'high'",
            ),
        ],
    ),
    # --- kinds ---
    Case(
        "unknown_kind",
        MEASURE,
        [
            measure_error(
                "kind",
                "Input should be 'ad_valorem', 'specific', 'compound', 'licence_required', 'ban' or 'exemption', "
                "got 'quota_tariff'",
            ),
        ],
    ),
    Case(
        "exemption_without_exempts",
        MEASURE,
        [
            measure_error("exempts", "an exemption must name the measures it exempts"),
        ],
    ),
    Case(
        "exempts_on_tariff",
        MEASURE,
        [
            measure_error("exempts", "only an exemption exempts; this measure is ad_valorem"),
        ],
    ),
    Case(
        "licence_with_rate",
        MEASURE,
        [
            measure_error("values.2025-04-05", "a licence_required measure takes `applies: true|false`, not a rate"),
        ],
    ),
    Case(
        "tariff_with_applies",
        MEASURE,
        [
            measure_error("values.2025-04-05", "a tariff takes `rate` (null ends it), not `applies`"),
        ],
    ),
    Case(
        "applies_as_no",
        MEASURE,
        [
            measure_error("values.2025-06-01.applies", "expected true or false, got 'no'"),
        ],
    ),
    # --- who and on whom ---
    Case(
        "partners_star_and_country",
        MEASURE,
        [
            measure_error("partners", "'*' (every partner) stands alone"),
        ],
    ),
    Case(
        "partner_not_a_country",
        MEASURE,
        [
            measure_error("partners.1", "'ZZ' is not an ISO 3166 country code"),
        ],
    ),
    Case(
        "imposed_by_three_letters",
        MEASURE,
        [
            measure_error("imposed_by", "expected a 2-letter ISO 3166 country code such as US, got 'USA'"),
        ],
    ),
    Case(
        "heading_bad_format",
        MEASURE,
        [
            measure_error(
                "values.2025-04-05.heading",
                "expected a heading such as 9903.88.03 (dddd.dd.dd or dddd.dd.dd.dd), got '9903.88'",
            ),
        ],
    ),
    # --- transit rules and suspensions ---
    Case(
        "transit_entered_before_loaded",
        MEASURE,
        [
            measure_error("transit.0", "`entered_before` 2025-04-01 must come after `loaded_before` 2025-04-05"),
        ],
    ),
    Case(
        "suspension_specific_rate",
        MEASURE,
        [
            measure_error(
                "suspensions.0",
                "a partial suspension suspends a percentage, such as \"24%\", got 'USD 1/kg'",
            ),
        ],
    ),
    # --- ids ---
    Case(
        "id_not_matching_path",
        MEASURE,
        [
            measure_error("id", "id 'us.demo.other' does not match the file's path, which gives 'us.demo.bad'"),
        ],
    ),
    Case(
        "file_name_not_an_id",
        "us/demo/Bad_Name.yaml",
        [
            Error(
                "us/demo/Bad_Name.yaml",
                "us.demo.Bad_Name",
                "id",
                "'us.demo.Bad_Name' is not a measure id such as us.s301.list3 (lowercase, dotted)",
            ),
        ],
    ),
    # --- the file as a whole ---
    Case(
        "yaml_syntax_error",
        MEASURE,
        [
            yaml_error("YAML error at line 5, column 10: expected ',' or ']', but got ':'"),
        ],
    ),
    Case(
        "top_level_list",
        MEASURE,
        [
            yaml_error("expected a mapping of fields at the top of the file, got list"),
        ],
    ),
    Case(
        "empty_file",
        MEASURE,
        [
            yaml_error("expected a mapping of fields at the top of the file, got an empty file"),
        ],
    ),
    Case(
        "python_tag",
        MEASURE,
        [
            yaml_error(
                "YAML error at line 2, column 8: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:python/object/apply:os.getcwd'"
            ),
        ],
    ),
    Case(
        "two_errors",
        MEASURE,
        [
            measure_error("title", "required, but missing"),
            measure_error("values.2025-04-05.rate", 'expected the rate as a quoted string such as "25%", got 25'),
        ],
    ),
    # --- pack.yaml ---
    Case("pack_missing_cutoff", PACK, [Error(PACK, None, "cutoff", "required, but missing")]),
    Case(
        "pack_unknown_key",
        PACK,
        [
            Error(PACK, None, "cutoff", "required, but missing"),
            Error(
                PACK,
                None,
                "cut_off",
                "unknown key 'cut_off'; expected one of: cutoff, description, known_gaps, name, version",
            ),
        ],
    ),
    # --- lists ---
    Case("list_missing_confidence", LIST, [Error(LIST, None, "confidence", "required, but missing")]),
    Case(
        "list_bad_code",
        LIST,
        [
            Error(LIST, None, "codes.1", "expected a product code of digits (dots allowed), got '61A9'"),
        ],
    ),
]


def _params() -> list[object]:
    return [pytest.param(case, id=case.fixture) for case in CASES]


def _errors_of(root: Path) -> list[Error]:
    with pytest.raises(PackErrors) as raised:
        load_pack(root)
    return [
        Error(Path(error.file).relative_to(root).as_posix(), error.measure, error.field, error.message)
        for error in raised.value.errors
    ]


@pytest.mark.parametrize("case", _params())
def test_bad_file_gives_exactly_its_error(case: Case, pack_root: Path) -> None:
    target = pack_root / case.place
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((BAD_PACKS / f"{case.fixture}.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    errors = _errors_of(pack_root)

    assert len(errors) == len(case.errors), errors
    for got, expected in zip(errors, case.errors, strict=True):
        assert got.file == expected.file
        assert got.measure == expected.measure
        assert got.field == expected.field
        assert got.message == expected.message


def test_the_pack_without_a_bad_file_loads(pack_root: Path) -> None:
    """The cases' errors come from their bad files, not from the pack they are put in."""
    pack = load_pack(pack_root)
    assert list(pack.measures) == ["us.demo.base"]
    assert list(pack.lists) == ["@us/demo"]


def test_every_fixture_has_a_case_and_every_case_a_fixture() -> None:
    fixtures = sorted(path.stem for path in BAD_PACKS.glob("*.yaml"))
    cases = sorted(case.fixture for case in CASES)
    assert fixtures == cases
    assert len(cases) == len(set(cases)), "a fixture is named by two cases"


@pytest.mark.parametrize("fixture", sorted(path.name for path in BAD_PACKS.glob("*.yaml")))
def test_every_fixture_starts_with_a_comment_saying_what_is_wrong(fixture: str) -> None:
    first_line = (BAD_PACKS / fixture).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Wrong")
