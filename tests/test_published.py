"""The registry of published values is well formed, and the data stage reproduces each entry."""

import re

import pytest

from multilevel.prepare import prepare
from multilevel.published import agrees, audit, load_registry
from multilevel.reproduce import DataValues

from .helpers import ROOT, configured

REGISTRY = load_registry(ROOT / "data" / "published.csv")


def test_registry_entries_are_complete():
    assert len(REGISTRY) > 1000
    for entry in REGISTRY.itertuples():
        assert entry.key and entry.meaning and entry.value
        assert all(re.fullmatch(r"\d+", p.strip()) for p in entry.page.split(";")), entry
        if entry.decimals != "":
            printed = entry.value.lstrip("<")
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
