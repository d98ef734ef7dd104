"""Loading a valid rule pack, and the YAML rules every rule file is read with.

The pack comes from the `pack_root` fixture of conftest.py: pack.yaml, lists/us/demo.yaml and us/demo/base.yaml.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tradelex.errors import PackError, PackErrors
from tradelex.rules.loader import load_pack, measure_id_for
from tradelex.rules.model import Confidence, Direction, Kind
from tradelex.rules.yaml_source import read_yaml_mapping

TARIFF = """\
title: Demo tariff
imposed_by: US
partners: [CN]
authority: Test Act
kind: ad_valorem
values:
  2025-04-05:
    rate: "25%"
    source: Test notice
    confidence: confirmed
scope:
  - from: 2025-04-05
    include: ["6109"]
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(root: Path) -> list[tuple[str, str | None, str | None, str]]:
    with pytest.raises(PackErrors) as raised:
        load_pack(root)
    return [
        (Path(error.file).relative_to(root).as_posix(), error.measure, error.field, error.message)
        for error in raised.value.errors
    ]


# --- a valid pack ---


def test_a_valid_pack_loads(pack_root: Path) -> None:
    pack = load_pack(pack_root)

    assert pack.meta.name == "test-pack"
    assert pack.meta.version == "1"
    assert pack.meta.cutoff == date(2025, 6, 1)
    assert pack.root == str(pack_root)
    base = pack.measure("us.demo.base")
    assert base.title == "Base tariff"
    assert base.kind is Kind.AD_VALOREM
    assert base.direction is Direction.IMPORT
    assert base.stacking.precedence == 10
    value = base.values[date(2025, 4, 5)]
    assert value.rate is not None
    assert value.rate.percent == Decimal(10)
    assert value.confidence is Confidence.CONFIRMED


def test_path_as_str_is_accepted(pack_root: Path) -> None:
    assert list(load_pack(str(pack_root)).measures) == ["us.demo.base"]


def test_a_folder_without_pack_yaml_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PackError) as raised:
        load_pack(tmp_path)
    assert not isinstance(raised.value, PackErrors)
    assert raised.value.file == str(tmp_path / "pack.yaml")
    assert raised.value.message == f"not a rule pack: pack.yaml is missing in {tmp_path}"


# --- ids come from paths ---


def test_ids_come_from_paths(pack_root: Path) -> None:
    write(pack_root, "us/s301/list3.yaml", TARIFF)
    write(pack_root, "cn/mofcom/export-control/gallium.yaml", TARIFF)

    pack = load_pack(pack_root)

    assert list(pack.measures) == ["cn.mofcom.export-control.gallium", "us.demo.base", "us.s301.list3"]
    assert pack.measure("us.s301.list3").id == "us.s301.list3"
    assert measure_id_for(pack_root, pack_root / "us" / "s301" / "list3.yaml") == "us.s301.list3"


def test_an_id_key_that_agrees_with_the_path_is_accepted(pack_root: Path) -> None:
    write(pack_root, "us/s301/list3.yaml", "id: us.s301.list3\n" + TARIFF)
    assert load_pack(pack_root).measure("us.s301.list3").id == "us.s301.list3"


def test_an_id_key_that_disagrees_with_the_path_is_an_error(pack_root: Path) -> None:
    write(pack_root, "us/s301/list3.yaml", "id: us.s301.list4\n" + TARIFF)
    assert errors_of(pack_root) == [
        (
            "us/s301/list3.yaml",
            "us.s301.list3",
            "id",
            "id 'us.s301.list4' does not match the file's path, which gives 'us.s301.list3'",
        )
    ]


def test_lists_and_tests_folders_hold_no_measures(pack_root: Path) -> None:
    write(pack_root, "us/demo/tests/golden.yaml", "- not: a measure\n")
    write(pack_root, "tests/cases.yaml", "anything: goes\n")

    pack = load_pack(pack_root)

    assert list(pack.measures) == ["us.demo.base"]
    assert list(pack.lists) == ["@us/demo"]


# --- lists ---


def test_lists_resolve_by_their_path_under_lists(pack_root: Path) -> None:
    write(
        pack_root, "lists/us/annex-ii.yaml", "title: Annex II\nsource: EO\nconfidence: unconfirmed\ncodes: ['2601']\n"
    )
    write(pack_root, "us/demo/annexed.yaml", TARIFF.replace('["6109"]', '["@us/annex-ii", "@us/demo"]'))

    pack = load_pack(pack_root)

    assert list(pack.lists) == ["@us/annex-ii", "@us/demo"]
    assert pack.lists["@us/annex-ii"].confidence is Confidence.UNCONFIRMED
    assert pack.measure("us.demo.annexed").scope[0].include == ["@us/annex-ii", "@us/demo"]


def test_list_codes_are_normalised_to_digits(pack_root: Path) -> None:
    assert load_pack(pack_root).lists["@us/demo"].codes == ["610910", "8471"]


# --- values ---


def test_values_are_sorted_by_date(pack_root: Path) -> None:
    text = TARIFF.replace(
        """  2025-04-05:
    rate: "25%"
""",
        """  2025-06-01:
    rate: "50%"
    source: Later notice
    confidence: confirmed
  2025-04-05:
    rate: "25%"
""",
    ).replace(
        "scope:",
        """  2025-05-01:
    rate: "30%"
    source: Middle notice
    confidence: unconfirmed
scope:""",
    )
    write(pack_root, "us/demo/later.yaml", text)

    measure = load_pack(pack_root).measure("us.demo.later")

    assert measure.value_dates == [date(2025, 4, 5), date(2025, 5, 1), date(2025, 6, 1)]
    assert [str(value.rate.text) for value in measure.values.values() if value.rate] == ["25%", "30%", "50%"]


def test_a_null_rate_after_the_first_value_ends_the_measure(pack_root: Path) -> None:
    text = TARIFF.replace(
        "scope:",
        """  2025-05-01:
    rate: null
    source: Repeal notice
    confidence: confirmed
scope:""",
    )
    write(pack_root, "us/demo/repealed.yaml", text)

    measure = load_pack(pack_root).measure("us.demo.repealed")

    assert [value.ends for value in measure.values.values()] == [False, True]


# --- the YAML reader ---


def test_yaml_dates_stay_strings_until_the_model_parses_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rule.yaml",
        "checked_on: 2025-04-05\nvalues:\n  2025-04-05: {}\nscope:\n  - from: 2025-04-05\n",
    )

    data = read_yaml_mapping(path)

    assert data["checked_on"] == "2025-04-05"
    assert list(data["values"]) == ["2025-04-05"]
    assert data["scope"][0]["from"] == "2025-04-05"


def test_the_model_turns_date_strings_into_dates(pack_root: Path) -> None:
    write(pack_root, "us/demo/checked.yaml", TARIFF + "checked_on: 2025-05-31\n")

    measure = load_pack(pack_root).measure("us.demo.checked")

    assert measure.checked_on == date(2025, 5, 31)
    assert measure.value_dates == [date(2025, 4, 5)]
    assert measure.scope[0].from_ == date(2025, 4, 5)


@pytest.mark.parametrize("word", ["NO", "No", "no", "yes", "Yes", "on", "off", "Y", "n"])
def test_yaml_1_1_boolean_words_stay_strings(tmp_path: Path, word: str) -> None:
    path = write(tmp_path, "rule.yaml", f"word: {word}\nwords: [{word}]\n")
    assert read_yaml_mapping(path) == {"word": word, "words": [word]}


@pytest.mark.parametrize("text, value", [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_true_and_false_are_booleans(tmp_path: Path, text: str, value: bool) -> None:
    assert read_yaml_mapping(write(tmp_path, "rule.yaml", f"flag: {text}\n")) == {"flag": value}


def test_norway_stays_norway(pack_root: Path) -> None:
    write(
        pack_root,
        "us/demo/norway.yaml",
        TARIFF.replace("partners: [CN]", "partners: [NO, CN]\npartners_excluded: [NO]"),
    )

    measure = load_pack(pack_root).measure("us.demo.norway")

    assert measure.partners == ["NO", "CN"]
    assert measure.partners_excluded == ["NO"]


def test_duplicate_keys_are_rejected_with_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "rule.yaml", "title: One\nkind: ban\ntitle: Two\n")

    with pytest.raises(PackError) as raised:
        read_yaml_mapping(path)

    assert raised.value.file == str(path)
    assert raised.value.message == (
        "YAML error at line 3, column 1: duplicate key 'title' (a key may appear once in a mapping)"
    )


def test_duplicate_keys_are_rejected_in_nested_mappings_too(pack_root: Path) -> None:
    write(
        pack_root, "us/demo/twice.yaml", TARIFF.replace("    source: Test notice\n", "    source: A\n    source: B\n")
    )
    assert errors_of(pack_root) == [
        (
            "us/demo/twice.yaml",
            None,
            None,
            "YAML error at line 10, column 5: duplicate key 'source' (a key may appear once in a mapping)",
        )
    ]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object:collections.OrderedDict {}",
        "!!python/object/apply:os.getcwd []",
        "!!python/name:os.getcwd ''",
    ],
)
def test_python_tags_are_rejected(tmp_path: Path, tag: str) -> None:
    path = write(tmp_path, "rule.yaml", f"title: {tag}\n")

    with pytest.raises(PackError) as raised:
        read_yaml_mapping(path)

    tag_name = tag.split(" ")[0].removeprefix("!!")
    assert raised.value.message == (
        f"YAML error at line 1, column 8: could not determine a constructor for the tag 'tag:yaml.org,2002:{tag_name}'"
    )


def test_a_file_that_is_not_utf8_is_an_error(pack_root: Path) -> None:
    (pack_root / "us" / "demo" / "latin1.yaml").write_bytes("title: Caf\u00e9\n".encode("latin-1"))
    assert errors_of(pack_root) == [("us/demo/latin1.yaml", None, None, "not UTF-8 text")]


# --- reporting ---


def test_every_bad_file_is_reported_in_one_load(pack_root: Path) -> None:
    write(pack_root, "us/demo/a.yaml", TARIFF.replace('"25%"', "25"))
    write(pack_root, "us/demo/b.yaml", TARIFF.replace("kind: ad_valorem", "kind: quota"))
    write(pack_root, "pack.yaml", "name: test-pack\nversion: '1'\n")

    errors = errors_of(pack_root)

    assert [(file, field) for file, _, field, _ in errors] == [
        ("pack.yaml", "cutoff"),
        ("us/demo/a.yaml", "values.2025-04-05.rate"),
        ("us/demo/b.yaml", "kind"),
    ]


def test_pack_errors_describe_every_error(pack_root: Path) -> None:
    write(pack_root, "us/demo/bad.yaml", TARIFF.replace("    confidence: confirmed\n", ""))
    write(pack_root, "pack.yaml", "name: test-pack\nversion: '1'\n")

    with pytest.raises(PackErrors) as raised:
        load_pack(pack_root)

    assert raised.value.describe() == "\n".join(
        [
            "2 errors in the rule pack:",
            f"  {pack_root / 'pack.yaml'}: field cutoff: required, but missing",
            f"  {pack_root / 'us/demo/bad.yaml'}: measure us.demo.bad: field values.2025-04-05.confidence: "
            "required, but missing",
        ]
    )
    first = raised.value.errors[0]
    assert (first.file, first.measure, first.field, first.message) == (
        str(pack_root / "pack.yaml"),
        None,
        "cutoff",
        "required, but missing",
    )


def test_a_yml_file_is_not_silently_ignored(pack_root: Path) -> None:
    write(pack_root, "us/demo/forgotten.yml", TARIFF)
    assert errors_of(pack_root) == [
        ("us/demo/forgotten.yml", None, None, "a rule file must end in .yaml, not .yml"),
    ]
