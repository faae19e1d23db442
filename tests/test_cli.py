"""The `multilevel` command (run as `python -m multilevel.cli`, what the console script
calls): init -> check -> report on small files, and the bad-input catalogue through the
command and through a plain Snakemake run stopped at the data step. Every failure is one
message and a non-zero exit, never a traceback, and the raw files are untouched."""

import hashlib
import importlib.util
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from multilevel.cli.main import main

from .helpers import ROOT
from .workflow import run as snakemake

SLEEP = ROOT / "data" / "raw" / "sleepstudy.csv"


def command(project, *args):
    """The command in a process of its own, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "multilevel.cli", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def cli(monkeypatch, capsys):
    """The command in this process (seconds quicker): its exit status and what it printed.
    An exception it did not turn into a message would fail the test."""

    def call(project, *args):
        monkeypatch.chdir(project)
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse: --help and usage errors
            status = exc.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out.out, out.err)

    return call


def no_traceback(result):
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr, result.stderr


@pytest.fixture
def project(tmp_path):
    """A project directory: the global config, no dataset yet, a data/ folder of its own."""
    (tmp_path / "config" / "datasets").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "config.yaml", tmp_path / "config" / "config.yaml")
    (tmp_path / "data").mkdir()
    # the files every report reads besides the dataset's own: the registry and the
    # document's simulated school
    for name in ("published.csv", "simulated_school.csv"):
        shutil.copy(ROOT / "data" / name, tmp_path / "data" / name)
    return tmp_path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_dataset(project, name, path, **options):
    entry = {
        "title": name,
        "files": {"level1": {"path": path, **options}},
        "roles": {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"},
    }
    (project / "config" / "datasets" / f"{name}.yaml").write_text(yaml.safe_dump(entry))


def test_init_proposes_roles_with_reasons_and_check_summarises(project, cli):
    pupils = pd.read_csv(SLEEP)
    pupils["Unit"] = np.where(pupils["Subject"] % 2 == 0, "North", "South")
    pupils.to_csv(project / "data" / "sleep.csv", sep=";", decimal=",", index=False)
    before = digest(project / "data" / "sleep.csv")
    result = cli(project, "init", "data/sleep.csv", "--name", "sleep", "--decimal", ",")
    assert result.returncode == 0, result.stderr
    assert "'Subject' has 18 distinct values" in result.stdout
    assert "'Unit' is a level-2 category" in result.stdout
    assert "multilevel check sleep" in result.stdout
    written = yaml.safe_load((project / "config" / "datasets" / "sleep.yaml").read_text())
    assert written["roles"] == {
        "cluster": "Subject",
        "outcome": "Reaction",
        "predictor": "Days",
        "group": "Unit",
    }
    assert written["files"]["level1"] == {
        "path": "data/sleep.csv",
        "decimal": ",",
        "delimiter": ";",
    }
    again = cli(project, "init", "data/sleep.csv", "--name", "sleep")
    assert again.returncode == 1 and "--force" in again.stderr
    no_traceback(again)

    result = cli(project, "check", "sleep")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "semicolon-separated (set)" in out and "decimal ','" in out
    assert "Rows: 180 read, 180 used, 0 removed for missing values" in out
    assert "Clusters (Subject): 18; rows per cluster: min 10, median 10, max 10" in out
    assert "Unit" in out and "level 2" in out and "category (2 levels)" in out
    assert digest(project / "data" / "sleep.csv") == before


def test_check_counts_missing_values_and_unused_level2_clusters(project, cli):
    frame = pd.read_csv(SLEEP)
    frame.loc[[0, 5], "Reaction"] = -99
    frame.to_csv(project / "data" / "sleep.csv", index=False)
    subjects = pd.DataFrame({"Subject": [*frame["Subject"].unique(), 900, 901], "Arm": "A"})
    subjects.loc[::2, "Arm"] = "B"
    subjects.to_csv(project / "data" / "subjects.csv", index=False)
    entry = {
        "title": "t",
        "files": {
            "level1": {"path": "data/sleep.csv", "na_values": [-99]},
            "level2": {"path": "data/subjects.csv", "key": "Subject"},
        },
        "roles": {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"},
    }
    (project / "config" / "datasets" / "s.yaml").write_text(yaml.safe_dump(entry))
    result = cli(project, "check", "s")
    assert result.returncode == 0, result.stderr
    assert "Rows: 180 read, 178 used, 2 removed for missing values" in result.stdout
    assert "2 rows removed for missing values (Reaction: 2); rows 1, 6" in result.stdout
    assert "2 clusters of the level-2 file have no level-1 rows (not used): 900, 901" in (
        result.stdout
    )


def test_check_counts_one_removed_row_and_one_repeated_row_in_the_singular(project, cli):
    frame = pd.read_csv(SLEEP)
    frame.loc[4, "Reaction"] = None
    frame = pd.concat([frame, frame.iloc[[7]]], ignore_index=True)
    frame["Lab"] = "north"  # a text column with one value
    frame.to_csv(project / "data" / "sleep.csv", index=False)
    write_dataset(project, "s", "data/sleep.csv")
    result = cli(project, "check", "s")
    assert result.returncode == 0, result.stderr
    assert "1 row removed for missing values (Reaction: 1); row 5\n" in result.stdout
    assert "1 row repeats an earlier row exactly (kept): row 181\n" in result.stdout
    assert "text (1 value) " in result.stdout


@pytest.mark.parametrize(
    "case, options, message",
    [
        ("latin1", {}, "byte 0xe9 at line 2, column 11 is not utf-8"),
        ("decimal", {}, "the outcome must be numeric; some values are not numbers (e.g. '249,56')"),
    ],
)
def test_bad_input_gets_one_message_from_check_and_from_snakemake(
    project, cli, case, options, message
):
    frame = pd.read_csv(SLEEP)
    path = project / "data" / "s.csv"
    if case == "latin1":
        frame["Subject"] = "Séance-" + frame["Subject"].astype(str)
        frame.to_csv(path, index=False, encoding="latin-1")
    else:
        frame.to_csv(path, sep=";", decimal=",", index=False)
    before = digest(path)
    write_dataset(project, "s", "data/s.csv", **options)
    result = cli(project, "check", "s")
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    no_traceback(result)
    result = snakemake(project, "--config", "dataset=s", "--", "results/s/data/prepare.json")
    assert result.returncode != 0
    assert f"Error: {message}" in result.stderr
    no_traceback(result)
    if case == "decimal":  # found by the step (latin-1 already when Snakemake reads headers)
        log = (project / "results" / "s" / "logs" / "prepare_data.log").read_text()
        assert "Traceback" in log  # the traceback is kept, in the rule's log
    assert digest(path) == before


def test_an_xlsx_workbook_through_snakemake(project):
    path = project / "data" / "s.xlsx"
    pd.read_csv(SLEEP).to_excel(path, sheet_name="Data", index=False, engine="openpyxl")
    write_dataset(project, "s", "data/s.xlsx")
    result = snakemake(project, "--config", "dataset=s", "--", "results/s/data/prepare.json")
    assert result.returncode == 0, result.stderr[-2000:]
    info = yaml.safe_load((project / "results" / "s" / "data" / "prepare.json").read_text())
    assert info["n_rows"] == 180 and info["n_clusters"] == 18


def test_list_and_a_broken_dataset_file(project, cli):
    write_dataset(project, "good", str(SLEEP))
    (project / "config" / "datasets" / "bad.yaml").write_text("title: [x\n")
    result = cli(project, "list")
    assert result.returncode == 1
    assert "bad   BROKEN" in result.stdout and "bad.yaml" in result.stdout
    assert "good  good" in result.stdout
    result = cli(project, "check", "bad")
    assert result.returncode == 1 and "not valid YAML at line 2, column 1: " in result.stderr
    assert "(while parsing a flow sequence at line 1, column 8)" in result.stderr
    assert "config/datasets/bad.yaml" in result.stderr and result.stderr.count("\n") == 1
    no_traceback(result)
    result = cli(project, "check", "good")
    assert result.returncode == 0, result.stderr
    result = cli(project, "check", "missing")
    assert result.returncode == 1 and "multilevel init DATA --name missing" in result.stderr


def test_report_stops_at_the_data_step_with_one_message(project):
    frame = pd.read_csv(SLEEP).astype({"Reaction": object})
    frame.loc[3, "Reaction"] = "n/a?"
    frame.to_csv(project / "data" / "s.csv", index=False)
    write_dataset(project, "s", "data/s.csv")
    write_dataset(project, "other", "data/missing.csv")  # broken, but not the one built
    result = command(project, "report", "s", "--format", "html", "--cores", "1")
    assert result.returncode == 1
    assert "other" not in result.stderr and "missing.csv" not in result.stderr
    assert "Error: the outcome must be numeric" in result.stderr and "line 5]" in result.stderr
    assert "results/s/logs/multilevel-report.log" in result.stderr
    no_traceback(result)
    assert not (project / "reports" / "s" / "report.html").exists()


def test_usage_errors_and_help(tmp_path, cli):
    result = cli(tmp_path, "--help")
    assert result.returncode == 0 and "exit status:" in result.stdout
    for name in ("init", "check", "report", "list"):
        result = cli(tmp_path, name, "--help")
        assert result.returncode == 0 and "usage: multilevel " + name in result.stdout
    result = cli(tmp_path, "report")
    assert result.returncode == 2
    assert "the following arguments are required: name" in result.stderr
    result = cli(tmp_path, "list")
    assert result.returncode == 1 and "no config/config.yaml here" in result.stderr


def test_the_readme_example_init_and_check(project, cli):
    """README's walk-through on data/examples/, which its generator script reproduces."""
    examples = ROOT / "data" / "examples"
    spec = importlib.util.spec_from_file_location("make_examples", examples / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pupils, classes = module.make(np.random.default_rng(module.SEED))
    pd.testing.assert_frame_equal(pupils, pd.read_csv(examples / "pupils.csv"))
    pd.testing.assert_frame_equal(classes, pd.read_csv(examples / "classes.csv"))

    (project / "data" / "examples").symlink_to(examples)
    readme = (ROOT / "README.md").read_text()
    init = (
        "init data/examples/pupils.csv --level2 data/examples/classes.csv --key class --name pupils"
    )
    assert f".venv/bin/multilevel {init}" in readme
    result = cli(project, *init.split())
    assert result.returncode == 0, result.stderr
    roles = yaml.safe_load((project / "config" / "datasets" / "pupils.yaml").read_text())["roles"]
    assert roles == {
        "cluster": "class",
        "outcome": "score",
        "predictor": "hours",
        "group": "school_type",
        "labels": ["gender"],
    }
    result = cli(project, "check", "pupils")
    assert result.returncode == 0, result.stderr
    assert "Rows: 454 read, 451 used, 3 removed for missing values" in result.stdout
    assert "Clusters (class): 30" in result.stdout
    assert "2 clusters of the level-2 file have no level-1 rows (not used): C31, C32" in (
        result.stdout
    )


def test_the_html_draft_builds_everything_but_the_pdf(project):
    write_dataset(project, "s", str(SLEEP))
    result = snakemake(project, "--dry-run", "--config", "dataset=s", "format=html")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout + result.stderr
    assert "output: reports/s/report.html, reports/s/report.qmd, reports/s/audit.csv\n" in out
    assert "report.pdf" not in out
    result = snakemake(project, "--dry-run", "--config", "dataset=s")
    assert "reports/s/report.pdf" in result.stdout + result.stderr


def test_check_on_the_documents_dataset(project, cli):
    """hs: 7185 students read, the document's 40 schools and 1977 students kept."""
    (project / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    shutil.copy(ROOT / "config" / "datasets" / "hs.yaml", project / "config" / "datasets")
    result = cli(project, "check", "hs")
    assert result.returncode == 0, result.stderr
    assert "Rows: 7185 read, 1977 after the subset, 1977 used, 0 removed" in result.stdout
    assert "Clusters (school): 40; rows per cluster: min 29, median 52.5, max 66" in result.stdout
    assert "Sector" in result.stdout and "category (2 levels)" in result.stdout
    assert "Warnings:" not in result.stdout


def test_init_suggests_file_options_and_passes_a_cluster_that_leaves_no_predictor(project, cli):
    # a text cluster id, and a level-1 predictor of whole numbers with more distinct values
    frame = pd.read_csv(SLEEP).drop(columns="Days")
    frame = frame.rename(columns={"Subject": "Rat"})  # a name that does not say "id"
    frame["Rat"] = "R" + frame["Rat"].astype(str)
    frame["Age"] = (20 + frame.index % 50).astype(object)
    frame.loc[[3, 70], "Age"] = "."
    frame["Reaction"] = frame["Reaction"].map(lambda v: f"{v:.2f}".replace(".", ","))
    frame.to_csv(project / "data" / "sleep.csv", sep=";", index=False)
    comma = "'Reaction' looks like numbers with a decimal comma: add --decimal ,"
    missing = "'Age' is numbers but for '.': if that means missing, add --na-values ."
    result = cli(project, "init", "data/sleep.csv", "--name", "s")
    assert result.returncode == 1 and result.stdout == ""
    assert f"found 0: none\n  {comma}\n  {missing}\n" in result.stderr, result.stderr
    result = cli(project, "init", "data/sleep.csv", "--name", "s", "--decimal", ",")
    assert result.returncode == 1 and f"found 1: Reaction\n  {missing}\n" in result.stderr
    result = cli(
        project,
        "init",
        "data/sleep.csv",
        "--name",
        "s",
        "--force",
        "--decimal",
        ",",
        "--na-values",
        ".",
    )
    assert result.returncode == 0, result.stderr
    assert "note" not in result.stdout
    assert "(Age, ranked higher, would leave fewer than two numeric" in result.stdout
    written = yaml.safe_load((project / "config" / "datasets" / "s.yaml").read_text())
    assert written["files"]["level1"]["na_values"] == ["."]
    assert written["roles"]["cluster"] == "Rat"
    assert cli(project, "check", "s").returncode == 0


def test_init_notes_a_column_of_numbers_read_as_text(project, cli):
    frame = pd.read_csv(SLEEP)
    frame["Weight"] = (frame["Reaction"] / 3).round(1).astype(object)
    frame.loc[5, "Weight"] = "?"
    frame.to_csv(project / "data" / "sleep.csv", index=False)
    result = cli(project, "init", "data/sleep.csv", "--name", "s")
    assert result.returncode == 0, result.stderr
    assert "  note      'Weight' is numbers but for '?': if that means missing, add " in (
        result.stdout
    )


def test_output_closed_early_ends_quietly():
    """`multilevel list | head -1`: the reader goes away; no traceback, the pipe's status."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: the first write fails
    try:
        result = subprocess.run(
            [sys.executable, "-m", "multilevel.cli", "list"],
            cwd=ROOT,  # the project's own datasets: something to list
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    no_traceback(result)
    assert (result.returncode, result.stderr) == (141, "")


def test_init_on_a_workbook_whose_data_are_on_another_sheet(project, cli):
    path = project / "data" / "s.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"note": ["study of sleep", "see the Data sheet"]}).to_excel(
            book, sheet_name="Read me", index=False
        )
        pd.read_csv(SLEEP).to_excel(book, sheet_name="Data", index=False)
    before = digest(path)
    result = cli(project, "init", "data/s.xlsx", "--name", "s")
    assert result.returncode == 1 and result.stdout == ""
    no_traceback(result)
    assert "its other sheets: 'Data' (--sheet NAME)" in result.stderr, result.stderr
    result = cli(project, "init", "data/s.xlsx", "--name", "s", "--sheet", "Data")
    assert result.returncode == 0, result.stderr
    assert digest(path) == before
