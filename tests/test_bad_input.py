"""Bad input gets one clear DataError naming the file, column and rows; raw data is untouched."""

import shutil

import pandas as pd
import pytest

from multilevel.config import validate_config
from multilevel.data.prepare import prepare
from multilevel.errors import DataError

from .helpers import ROOT, spec_from

STUDENTS = ROOT / "data" / "raw" / "MathAchieve.csv"
SCHOOLS = ROOT / "data" / "raw" / "MathAchSchool.csv"


def hs_entry(**changes):
    entry = {
        "title": "test",
        "files": {
            "level1": {"path": str(STUDENTS)},
            "level2": {"path": str(SCHOOLS), "key": "School"},
        },
        "drop": ["MEANSES"],
        "rename": {"School": "school", "MathAch": "mathach", "SES": "ses"},
        "roles": {
            "cluster": "school",
            "outcome": "mathach",
            "predictor": "ses",
            "group": "Sector",
            "group_reference": "Catholic",
        },
        "subset": {"column": "school", "values": [1317, 2626, 4292]},
    }
    for key, value in changes.items():
        entry[key] = value
    return entry


def test_a_small_valid_entry_works():
    long = prepare(spec_from(hs_entry())).long
    assert long["school"].nunique() == 3


def test_missing_raw_file(tmp_path):
    entry = hs_entry(files={"level1": {"path": str(tmp_path / "nope.csv")}})
    with pytest.raises(DataError, match="not found") as err:
        prepare(spec_from(entry))
    assert "nope.csv" in str(err.value)


def test_misspelt_role_column():
    entry = hs_entry()
    entry["roles"] = {**entry["roles"], "outcome": "mathch"}
    with pytest.raises(DataError) as err:
        prepare(spec_from(entry))
    message = str(err.value)
    assert "roles.outcome" in message and "'mathch'" in message and "MathAchieve.csv" in message


def test_group_that_varies_within_a_cluster(tmp_path):
    students = pd.read_csv(STUDENTS)
    students["Track"] = "A"
    students.loc[students["School"] == 1317, "Track"] = ["A", "B"] * 24
    students.loc[students["School"] == 4292, "Track"] = "B"
    path = tmp_path / "students.csv"
    students.to_csv(path, index=False)
    entry = hs_entry(files={"level1": {"path": str(path)}})
    entry["roles"] = {**entry["roles"], "group": "Track", "group_reference": None}
    with pytest.raises(DataError) as err:
        prepare(spec_from(entry))
    message = str(err.value)
    assert "Track" in message and "varies within clusters" in message and "1317" in message
    assert "4292" not in message


def test_empty_subset():
    entry = hs_entry(subset={"column": "school", "values": [1, 2]})
    with pytest.raises(DataError, match="selects no rows"):
        prepare(spec_from(entry))


def test_non_numeric_outcome(tmp_path):
    students = pd.read_csv(STUDENTS)
    students["MathAch"] = students["MathAch"].astype(str)
    students.loc[[140, 145], "MathAch"] = "n/a?"
    path = tmp_path / "students.csv"
    students.to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    with pytest.raises(DataError) as err:
        prepare(spec_from(entry))
    message = str(err.value)
    # data rows 141 and 146 are lines 142 and 147 of the file (the header is line 1)
    assert "mathach" in message and "lines 142, 147" in message


def test_broken_csv_row(tmp_path):
    path = tmp_path / "broken.csv"
    lines = STUDENTS.read_text().splitlines()
    lines[10] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    with pytest.raises(DataError, match="malformed CSV") as err:
        prepare(spec_from(entry))
    assert str(err.value).endswith("[file " + str(path) + "; line 11]")


@pytest.mark.parametrize(
    "rows, label, expected",
    [([5], "lines", "line 5"), ([5, 9], "lines", "lines 5, 9"), (["A"], "clusters", "cluster A")],
)
def test_the_rows_of_an_error_agree_in_number(rows, label, expected):
    assert str(DataError("bad", rows=rows, row_label=label)).endswith(f"[{expected}]")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    entry = hs_entry(files={"level1": {"path": str(path)}})
    with pytest.raises(DataError, match="empty"):
        prepare(spec_from(entry))


def test_ids_numbers_in_one_file_strings_in_the_other(tmp_path):
    schools = pd.read_csv(SCHOOLS)
    schools["School"] = schools["School"].astype(str)
    path = tmp_path / "schools.parquet"
    schools.to_parquet(path)
    entry = hs_entry(files={**hs_entry()["files"], "level2": {"path": str(path), "key": "School"}})
    long = prepare(spec_from(entry)).long
    assert len(long) == 48 + 38 + 65


def test_duplicate_level2_rows(tmp_path):
    schools = pd.read_csv(SCHOOLS)
    schools = pd.concat([schools, schools.iloc[[3]]])
    path = tmp_path / "schools.csv"
    schools.to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level2": {"path": str(path), "key": "School"}})
    with pytest.raises(DataError, match="more than one row") as err:
        prepare(spec_from(entry))
    assert "schools.csv" in str(err.value)


def test_level1_clusters_missing_from_the_level2_file_are_named(tmp_path):
    schools = pd.read_csv(SCHOOLS)
    path = tmp_path / "schools.csv"
    schools[schools["School"] != 2626].to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level2": {"path": str(path), "key": "School"}})
    with pytest.raises(DataError, match=r"not in the level-2 file .*\(2626\): add") as err:
        prepare(spec_from(entry))
    message = str(err.value)
    assert "MathAchieve.csv" in message and "column 'School'" in message and "lines " in message


def test_missing_values_are_removed_and_counted(tmp_path):
    students = pd.read_csv(STUDENTS)
    students.loc[[140, 141], "SES"] = None
    path = tmp_path / "students.csv"
    students.to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    prepared = prepare(spec_from(entry))
    assert prepared.dropped_missing == {"ses": 2}
    assert prepared.dropped_rows == [141, 142]
    assert len(prepared.long) == 48 + 38 + 65 - 2


def test_config_errors_name_the_entry_and_key():
    with pytest.raises(DataError) as err:
        validate_config({"dataset": "x", "datasets": {"x": {"title": "t", "files": {}}}})
    message = str(err.value)
    assert "datasets.x" in message and "roles" in message


def test_raw_file_untouched_after_failure(tmp_path):
    copy = tmp_path / "students.csv"
    shutil.copy(STUDENTS, copy)
    before = copy.read_bytes()
    entry = hs_entry(files={"level1": {"path": str(copy)}})
    entry["roles"] = {**entry["roles"], "predictor": "nope"}
    with pytest.raises(DataError):
        prepare(spec_from(entry))
    assert copy.read_bytes() == before


def test_predictor_constant_within_every_cluster(tmp_path):
    students = pd.read_csv(STUDENTS)
    students["SES"] = students["MEANSES"]
    path = tmp_path / "students.csv"
    students.to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    with pytest.raises(DataError, match="constant within every cluster") as err:
        prepare(spec_from(entry))
    assert "'ses'" in str(err.value)


def test_single_row_clusters_and_duplicate_rows_are_counted(tmp_path):
    students = pd.read_csv(STUDENTS)
    keep = students[students["School"].isin([1317, 2626])]
    lone = students[students["School"] == 4292].head(1)
    twice = keep.iloc[[5]]
    frame = pd.concat([keep, lone, twice], ignore_index=True)
    path = tmp_path / "students.csv"
    frame.to_csv(path, index=False)
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    prepared = prepare(spec_from(entry))
    assert prepared.single_row_clusters == [4292]
    assert prepared.duplicate_rows == [len(frame)]  # the last row repeats row 6
    assert len(prepared.long) == len(frame)  # kept, not dropped


def test_group_with_one_level():
    entry = hs_entry(subset={"column": "school", "values": [1317, 4292]})
    with pytest.raises(DataError, match="at least two levels") as err:
        prepare(spec_from(entry))
    assert "Sector" in str(err.value)


def test_file_that_is_not_csv(tmp_path):
    path = tmp_path / "students.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old Excel workbook")
    entry = hs_entry(files={"level1": {"path": str(path)}})
    with pytest.raises(DataError, match="unsupported file type"):
        prepare(spec_from(entry))
    binary = tmp_path / "students.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01binary")
    entry = hs_entry(files={"level1": {"path": str(binary)}})
    with pytest.raises(DataError, match="students.csv"):
        prepare(spec_from(entry))


def test_one_column_in_two_roles():
    entry = hs_entry()
    entry["roles"] = {**entry["roles"], "predictor": "mathach"}
    with pytest.raises(DataError, match="roles.predictor: column 'mathach' is already the outcome"):
        prepare(spec_from(entry))


def test_a_column_name_twice_in_the_header(tmp_path):
    path = tmp_path / "students.csv"
    lines = STUDENTS.read_text().splitlines()
    header = lines[0].split(",")
    header[-1] = header[0]  # the last column takes the first one's name
    path.write_text("\n".join([",".join(header), *lines[1:]]) + "\n")
    entry = hs_entry(files={**hs_entry()["files"], "level1": {"path": str(path)}})
    with pytest.raises(DataError, match=f"column '{header[0]}' appears twice") as err:
        prepare(spec_from(entry))
    assert f"(columns 1 and {len(header)})" in str(err.value)


def test_a_cluster_id_that_differs_on_every_row(tmp_path):
    students = pd.read_csv(STUDENTS)
    students["School"] = range(len(students))  # a row id, not the school
    path = tmp_path / "students.csv"
    students.to_csv(path, index=False)
    entry = hs_entry(files={"level1": {"path": str(path)}}, subset=None)
    entry["roles"] = {**entry["roles"], "group": None}
    with pytest.raises(DataError, match="every cluster has a single row") as err:
        prepare(spec_from(entry))
    assert "'school' takes a different value on each of the 7185 rows" in str(err.value)


def test_a_single_cluster():
    entry = hs_entry(subset={"column": "school", "values": [1317]})
    with pytest.raises(DataError, match="every row is in one cluster \\('1317'\\)") as err:
        prepare(spec_from(entry))
    assert "at least two" in str(err.value)
