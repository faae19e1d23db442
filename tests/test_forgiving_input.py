"""Raw files as users have them: semicolons and decimal commas, tabs, Latin-1 text, their own
missing-value codes, Excel workbooks. Each is read to the same table as the plain CSV, or gets
one DataError naming the file, the line and what to do; the files are never modified."""

import hashlib

import pandas as pd
import pytest

from multilevel.data.fileformat import FileOptions, describe_format, sniff_delimiter
from multilevel.data.prepare import prepare
from multilevel.data.rawdata import read_table
from multilevel.errors import DataError
from multilevel.headers import check_headers

from .helpers import ROOT, spec_from

SLEEP = ROOT / "data" / "raw" / "sleepstudy.csv"
ROLES = {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"}


def entry(**file_entry):
    return {"title": "t", "files": {"level1": file_entry}, "roles": dict(ROLES)}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def plain():
    return prepare(spec_from(entry(path=str(SLEEP)))).long


def test_semicolons_and_decimal_commas(tmp_path, plain):
    path = tmp_path / "sleep.csv"
    pd.read_csv(SLEEP).to_csv(path, sep=";", decimal=",", index=False)
    assert "249,56;0;308" in path.read_text()
    before = digest(path)
    spec = spec_from(entry(path=str(path), decimal=","))
    check_headers(spec)  # the header check at parse time sniffs the delimiter too
    pd.testing.assert_frame_equal(prepare(spec).long, plain)
    assert digest(path) == before
    # without `decimal: ","` the outcome is text: the message names the column and a value
    with pytest.raises(DataError, match="must be numeric") as err:
        prepare(spec_from(entry(path=str(path))))
    assert "'249,56'" in str(err.value) and "Reaction" in str(err.value)


def test_a_tab_separated_file_is_detected(tmp_path, plain):
    path = tmp_path / "sleep.tsv"
    pd.read_csv(SLEEP).to_csv(path, sep="\t", index=False)
    assert describe_format(FileOptions(path=str(path))).startswith("text, tab-separated (detected)")
    pd.testing.assert_frame_equal(prepare(spec_from(entry(path=str(path)))).long, plain)


def test_the_delimiter_the_most_lines_agree_on():
    assert sniff_delimiter(["a;b;c\n", "1,5;2;3\n", "2,5;3;4\n"]) == ";"
    assert sniff_delimiter(["a,b\n", "1,2\n"]) == ","
    assert sniff_delimiter(["only\n", "1\n"]) == ","


def latin1_file(tmp_path):
    frame = pd.read_csv(SLEEP)
    frame["Subject"] = "Séance-" + frame["Subject"].astype(str)
    path = tmp_path / "sleep.csv"
    frame.to_csv(path, index=False, encoding="latin-1")
    return path


def test_latin1_text_gets_the_line_column_and_the_encoding_to_set(tmp_path):
    path = latin1_file(tmp_path)
    before = digest(path)
    with pytest.raises(DataError) as err:
        prepare(spec_from(entry(path=str(path))))
    message = str(err.value)
    # the first é is on line 2 (the first data row), the 11th character after "249.56,0,S"
    assert "byte 0xe9 at line 2, column 11 is not utf-8" in message
    assert "encoding: cp1252" in message and "latin-1" in message and "sleep.csv" in message
    long = prepare(spec_from(entry(path=str(path), encoding="latin-1"))).long
    assert long["Subject"].iloc[0] == "Séance-308" and len(long) == 180
    assert digest(path) == before


def test_an_unknown_encoding_name():
    with pytest.raises(DataError, match="unknown encoding 'latin-9000'"):
        read_table({"path": str(SLEEP), "encoding": "latin-9000"})


def test_missing_value_codes_are_removed_and_counted(tmp_path):
    frame = pd.read_csv(SLEEP).astype({"Reaction": object})
    frame.loc[[3, 7], "Reaction"] = "-99"
    frame.loc[10, "Reaction"] = "."
    path = tmp_path / "sleep.csv"
    frame.to_csv(path, index=False)
    prepared = prepare(spec_from(entry(path=str(path), na_values=["-99", "."])))
    assert prepared.dropped_missing == {"Reaction": 3}
    assert prepared.dropped_rows == [4, 8, 11] and len(prepared.long) == 177


def test_an_xlsx_workbook_first_sheet_or_named(tmp_path, plain):
    path = tmp_path / "sleep.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"note": ["not the data"]}).to_excel(book, sheet_name="Notes", index=False)
        pd.read_csv(SLEEP).to_excel(book, sheet_name="Data", index=False)
    before = digest(path)
    spec = spec_from(entry(path=str(path), sheet="Data"))
    check_headers(spec)
    pd.testing.assert_frame_equal(prepare(spec).long, plain)
    # the first sheet by default: here it lacks the columns, and the message says which it has
    with pytest.raises(DataError, match="column 'Subject' not found") as err:
        prepare(spec_from(entry(path=str(path))))
    assert "note" in str(err.value)
    with pytest.raises(DataError, match="no sheet 'Daten'") as err:
        prepare(spec_from(entry(path=str(path), sheet="Daten")))
    assert "Notes, Data" in str(err.value)
    assert digest(path) == before


def test_a_file_named_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "sleep.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    with pytest.raises(DataError, match="not a readable .xlsx file"):
        read_table(str(path))
