"""The front matter's abstract is written from the parts' numbers, leaves out what a dataset
lacks, and the audit's headline separates listings of the data from model outputs."""

from types import SimpleNamespace

import pandas as pd

from multilevel.report.front_matter import abstract
from multilevel.report.published import is_listing
from multilevel.report.render import audit_context, number_sections

ROLES = SimpleNamespace(cluster="school", outcome="y", predictor="x", group="Sector")
OVERVIEW = {
    "counts": {"rows": 1977, "clusters": 40, "min_size": 29, "max_size": 66},
    "groups": {
        "levels": [
            {"name": "Catholic", "mean_outcome": 13.5},
            {"name": "Public", "mean_outcome": 11.25},
        ]
    },
}


def effect(name, estimate, scope="overall", se=0.1):
    return {"effect": name, "scope": scope, "estimate": estimate, "se": se}


def test_the_abstract_reports_the_parts_numbers():
    parts = {
        "effects": {
            "effects": [
                effect("within", 2.2234),
                effect("between", 5.7712, se=0.7),
                effect("pooled", 3.1549),
                effect("within", 1.70, "Catholic"),
                effect("within", 2.90, "Public"),
            ]
        },
        "mixed": {
            "oneway": {"gamma": 12.6, "sd_re": 2.84, "sigma": 6.3, "icc": 0.169},
            "contextual": {
                "effects": [{**effect("contextual", 3.75), "lower": 2.26, "upper": 5.24}]
            },
        },
    }
    text = " ".join(abstract(SimpleNamespace(roles=ROLES), OVERVIEW, parts))
    assert "1,977 rows in 40 schools (29 to 66 rows each)" in text
    assert "by 2.22 (SE 0.10)" in text and "by 5.77 (SE 0.70)" in text and "gives 3.15" in text
    assert "contextual effect (between minus within) is 3.75, 95% interval 2.26 to 5.24" in text
    assert "(Public minus Catholic: -2.25)" in text and "1.70 in Catholic and 2.90" in text
    assert "17% of the variance lies between schools" in text


def test_the_abstract_leaves_out_what_the_dataset_lacks():
    roles = SimpleNamespace(cluster="Subject", outcome="d", predictor="age", group=None)
    overview = {"counts": {"rows": 108, "clusters": 27, "min_size": 4, "max_size": 4}}
    parts = {"effects": {"effects": [effect("within", 0.66), effect("between", None)]}}
    sentences = abstract(SimpleNamespace(roles=roles), overview, parts)
    assert sentences[0].startswith("108 rows in 27 Subjects (4 rows each)")
    assert "no between-Subject effect" in sentences[1]
    assert len(sentences) == 2  # no group, no mixed models: nothing invented


def test_the_audit_counts_listings_apart_from_model_outputs():
    frame = pd.DataFrame(
        {
            "key": ["n/rows", "row/1/ses", "mixed/oneway/sigma", "pooled/coef/ses"],
            "page": ["9", "10", "149", "46"],
            "meaning": ["", "", "", ""],
            "published": ["1977", "0.1", "6.3", "2.1"],
            "reproduced": ["1977", "0.1", "6.3", "2.2"],
            "agree": [True, True, True, False],
            "note": ["", "", "", "rounding"],
        }
    )
    chapters = {"n/rows": "The data", "row/1/ses": "The data", "mixed/oneway/sigma": "Fitting"}
    audit = audit_context(frame.to_dict(orient="records"), chapters)
    assert (audit["n_listings"], audit["n_listings_agree"]) == (2, 2)
    assert (audit["n_models"], audit["n_models_agree"]) == (2, 1)
    sections = {(s["chapter"], s["section"]): s["n"] for s in audit["by_section"]}
    assert sections[("The data", "counts")] == 1
    assert sections[("Fitting", "mixed/oneway")] == 1
    # the document's simulated school is printed data, not a model's output
    assert is_listing("sim/school1/3/ses") and not is_listing("mixed/oneway/sigma")


def test_chapters_are_numbered_and_appendices_lettered():
    sections = [{"title": "A"}, {"title": "B"}, {"title": "Audit", "appendix": True}]
    number_sections(sections)
    assert [s["heading"] for s in sections] == ["1. A", "2. B", "Appendix A. Audit"]
