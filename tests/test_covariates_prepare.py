"""Covariates in preparation: kind and level read from the data, treatment coding against the
configured (or first sorted) reference, missing values removed and counted, bad covariates
stopped with one DataError."""

import numpy as np
import pandas as pd
import pytest

from multilevel.data.covariates import covariate_design, describe_covariates
from multilevel.data.prepare import prepare
from multilevel.errors import DataError

from .helpers import spec_from


def _entry(tmp_path, students: pd.DataFrame, schools: pd.DataFrame, **roles):
    s_path, c_path = tmp_path / "students.csv", tmp_path / "schools.csv"
    students.to_csv(s_path, index=False)
    schools.to_csv(c_path, index=False)
    return {
        "title": "test",
        "files": {
            "level1": {"path": str(s_path)},
            "level2": {"path": str(c_path), "key": "id"},
        },
        "roles": {"cluster": "id", "outcome": "y", "predictor": "x", "group": "g", **roles},
    }


def _data(seed: int = 1, clusters: int = 6, per: int = 5):
    rng = np.random.default_rng(seed)
    n = clusters * per
    ids = np.repeat(np.arange(1, clusters + 1), per)
    students = pd.DataFrame(
        {
            "id": ids,
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "sex": rng.choice(["girl", "boy"], size=n),
            "age": rng.integers(10, 15, size=n).astype(float),
        }
    )
    schools = pd.DataFrame(
        {
            "id": np.arange(1, clusters + 1),
            "g": ["A", "B"] * (clusters // 2),
            "size": rng.integers(100, 900, size=clusters),
            "region": ["north", "south", "east"] * (clusters // 3),
        }
    )
    return students, schools


def test_kind_level_and_default_reference(tmp_path):
    students, schools = _data()
    entry = _entry(tmp_path, students, schools, covariates=["sex", "age", "size", "region"])
    prepared = prepare(spec_from(entry))
    info = {c["name"]: c for c in prepared.covariates}
    assert (info["sex"]["kind"], info["sex"]["level"]) == ("categorical", 1)
    assert info["sex"]["levels"] == ["boy", "girl"]  # sorted, as R's factor
    assert info["sex"]["columns"] == ["sexgirl"]
    assert (info["age"]["kind"], info["age"]["level"]) == ("numeric", 1)
    assert (info["size"]["kind"], info["size"]["level"]) == ("numeric", 2)  # level-2 file
    assert info["region"]["level"] == 2
    assert info["region"]["reference"] == "east"
    assert info["region"]["columns"] == ["regionnorth", "regionsouth"]
    assert list(prepared.long["sex"].cat.categories) == ["boy", "girl"]


def test_configured_reference(tmp_path):
    students, schools = _data()
    entry = _entry(
        tmp_path,
        students,
        schools,
        covariates=["sex", "region"],
        covariate_references={"sex": "girl", "region": "south"},
    )
    long = prepare(spec_from(entry)).long
    (sex, region) = describe_covariates(long, "id", ["sex", "region"])
    assert sex.levels == ("girl", "boy") and sex.columns == ["sexboy"]
    assert region.levels == ("south", "east", "north")
    design = covariate_design(long, [sex, region])
    assert list(design.columns) == ["sexboy", "regioneast", "regionnorth"]
    np.testing.assert_array_equal(design["sexboy"], (long["sex"] == "boy").astype(float))
    assert design.loc[long["region"] == "south"].to_numpy()[:, 1:].sum() == 0


def test_missing_covariate_rows_removed_and_counted(tmp_path):
    students, schools = _data()
    students.loc[[3, 7, 20], "age"] = np.nan
    entry = _entry(tmp_path, students, schools, covariates=["age"])
    prepared = prepare(spec_from(entry))
    assert prepared.dropped_missing == {"age": 3}
    assert prepared.dropped_rows == [4, 8, 21]  # raw line numbers minus the header
    assert len(prepared.long) == len(students) - 3


def test_categorical_with_one_level_is_an_error(tmp_path):
    students, schools = _data()
    students["sex"] = "girl"
    entry = _entry(tmp_path, students, schools, covariates=["sex"])
    with pytest.raises(DataError, match="single level") as err:
        prepare(spec_from(entry))
    assert "column 'sex'" in str(err.value) and "students.csv" in str(err.value)


def test_unknown_reference_is_an_error(tmp_path):
    students, schools = _data()
    entry = _entry(
        tmp_path, students, schools, covariates=["sex"], covariate_references={"sex": "man"}
    )
    with pytest.raises(DataError, match="'man' is not a level of covariate 'sex'"):
        prepare(spec_from(entry))


def test_reference_for_a_non_covariate_or_a_number_is_an_error(tmp_path):
    students, schools = _data()
    entry = _entry(
        tmp_path, students, schools, covariates=["age"], covariate_references={"sex": "boy"}
    )
    with pytest.raises(DataError, match="not covariates"):
        prepare(spec_from(entry))
    entry["roles"]["covariate_references"] = {"age": "12"}
    with pytest.raises(DataError, match="numeric, so it has no reference"):
        prepare(spec_from(entry))


def test_misspelt_covariate_named_before_reading(tmp_path):
    students, schools = _data()
    entry = _entry(tmp_path, students, schools, covariates=["agee"])
    with pytest.raises(DataError, match=r"roles.covariates\[0\]: column 'agee' not found"):
        prepare(spec_from(entry))
