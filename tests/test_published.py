"""The registry of published values is well formed, and the data stage reproduces each entry."""

import re

import pandas as pd
import pytest

from multilevel.data.prepare import prepare
from multilevel.errors import DataError
from multilevel.report.published import agrees, audit, load_registry, read_registry
from multilevel.report.reproduce import DataValues

from .helpers import ROOT, configured

REGISTRY = load_registry(ROOT / "data" / "published.csv")


def test_registry_entries_are_complete():
    assert len(REGISTRY) > 1000
    for entry in REGISTRY.itertuples():
        assert entry.key and entry.meaning and entry.value
        assert all(re.fullmatch(r"\d+", p.strip()) for p in entry.page.split(";")), entry
        if entry.decimals != "":
            # in e-notation ("5.60e-07") the printed decimals are the mantissa's
            printed = entry.value.lstrip("<").lower().split("e")[0]
            shown = len(printed.split(".")[1]) if "." in printed else 0
            assert int(entry.decimals) == shown, entry


def test_agreement_is_at_printed_precision():
    assert agrees("0.4210526", "7", 0.42105263157)
    assert not agrees("0.4210526", "7", 0.4210531)
    assert agrees("13.177687", "6", 13.1776875)  # exactly half: R printed the even digit
    assert not agrees("1977", "0", 1978)
    assert agrees("Female", "", "Female") and not agrees("Female", "", "Male")
    assert agrees("<.00001", "5", 3e-9) and not agrees("<.00001", "5", 0.001)
    assert not agrees("12.5", "1", None)


def test_agreement_in_e_notation_is_at_the_printed_significant_digits():
    # "5.60e-07": three significant digits, so the last one is worth 1e-9
    assert agrees("5.60e-07", "2", 5.6049e-07)
    assert agrees("5.60e-07", "2", 5.5951e-07)
    assert not agrees("5.60e-07", "2", 5.607e-07)
    assert not agrees("5.60e-07", "2", 5.59e-07)
    # a value of another order of magnitude never agrees, however small the difference
    assert not agrees("5.60e-07", "2", 5.60e-08)
    assert agrees("5.1e-10", "1", 5.14e-10) and not agrees("5.1e-10", "1", 5.16e-10)
    assert agrees("3.12E-05", "2", 3.1249e-05) and not agrees("3.12E-05", "2", 3.1251e-05)
    # bounds printed in e-notation, with or without a decimal point
    assert agrees("<2e-16", "0", 1e-30) and not agrees("<2e-16", "0", 3e-16)
    assert agrees("<2.2e-16", "1", 2.1e-16) and not agrees("<2.2e-16", "1", 2.2e-16)
    assert agrees("<.00001", "5", 9.9e-6) and not agrees("<.00001", "5", 1e-5)


def test_audit_shows_e_notation_values_in_e_notation():
    entry = {"key": "k", "value": "5.60e-07", "decimals": "2", "page": "46"}
    registry = pd.DataFrame([{**entry, "meaning": "a p-value", "note": ""}])
    row = audit(registry, {"k": 5.6049e-07}).iloc[0]
    assert row["agree"] and row["reproduced"] == "5.6049e-07"


@pytest.fixture(scope="module")
def data_values():
    spec = configured("hs")
    return DataValues(prepare(spec).long, spec).resolve(REGISTRY["key"])


DATA_PREFIXES = ("n/", "row/", "tab/", "up/", "upall/", "label/")


def test_every_data_page_value_is_reproduced(data_values):
    data_entries = REGISTRY[REGISTRY["key"].str.startswith(DATA_PREFIXES)]
    result = audit(data_entries, data_values)
    failures = result[~result["agree"]]
    assert failures.empty, failures.head(20).to_string()
    assert len(result) == len(data_entries) > 1000


def test_audit_flags_a_wrong_value(data_values):
    wrong = dict(data_values)
    wrong["n/rows"] = 1976
    result = audit(REGISTRY[REGISTRY["key"] == "n/rows"], wrong)
    assert not result["agree"].iloc[0]


def test_errata_are_noted():
    notes = REGISTRY[REGISTRY["note"] != ""]
    assert any("21 Public" in n for n in notes["note"])


def test_audit_shows_values_at_useful_precision():
    from multilevel.report.published import show

    assert show(52.0, "0") == "52"
    assert show(0.42105263, "7") == "0.421052630"
    assert show(5.6e-07, "2", "5.60e-07") == "5.6000e-07"
    assert show(None, "2") == "not computed"


def test_the_registry_reads_as_pandas_reads_it_text_only():
    """read_registry (csv module, for the report step) gives what pandas' reader gave."""
    path = ROOT / "data" / "published.csv"
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert read_registry(path) == expected.to_dict(orient="records")
    pd.testing.assert_frame_equal(load_registry(path), expected)


HEADER = "key,value,decimals,page,meaning,note\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (HEADER + "a,1,0,9,,\nb,2,0,9,,\na,3,0,9,,\n", "duplicate keys.*rows 2, 4"),
        (HEADER + "a,1,0,9,,\nb,2,0,9,,,extra\n", "more fields than its header.*row 3"),
        ("key,value,page\na,1,9\n", "lacks columns.*'decimals'"),
    ],
)
def test_a_broken_registry_is_refused_naming_the_file_and_rows(tmp_path, text, message):
    path = tmp_path / "published.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message) as caught:
        read_registry(path)
    assert "published.csv" in str(caught.value)
