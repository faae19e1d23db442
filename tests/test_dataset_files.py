"""One dataset per file in config/datasets/: each validated alone, a broken one blocks only
itself (in the library and in a plain Snakemake run), with one message naming the file."""

import yaml

from multilevel.config import collect_datasets, load_config, read_dataset_file
from multilevel.errors import DataError

from .helpers import CONFIG, DATASETS, raw_config
from .workflow import make_workdir, run

GOOD = {
    "title": "t",
    "files": {"level1": {"path": "data/raw/sleepstudy.csv"}},
    "roles": {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"},
}


def test_every_configured_dataset_is_a_valid_file_of_its_own():
    names = sorted(p.stem for p in DATASETS.glob("*.yaml"))
    assert {"hs", "hsb", "orthodont", "sleepstudy"} <= set(names)
    config = load_config(CONFIG)
    assert sorted(config["datasets"]) == names
    assert "datasets" not in yaml.safe_load(CONFIG.read_text())  # global settings only
    # defaults are filled in the entry, as the steps expect
    assert config["datasets"]["sleepstudy"]["roles"]["group"] is None


def test_loading_twice_in_one_process_gives_the_same_config():
    # the schema is parsed once per process: a default it gives (datasets: {}) must be copied
    # into each config, not shared, or the second load finds the first's datasets
    first = load_config(CONFIG)
    assert load_config(CONFIG) == first
    assert set(first["datasets"]) == {path.stem for path in DATASETS.glob("*.yaml")}


def write(directory, name, text):
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.yaml").write_text(text)


def test_a_broken_file_blocks_only_its_own_dataset(tmp_path):
    folder = tmp_path / "datasets"
    write(folder, "good", yaml.safe_dump(GOOD))
    write(folder, "malformed", "title: [unclosed\nroles: {")
    write(folder, "invalid", yaml.safe_dump({**GOOD, "roles": {"cluster": "Subject"}}))
    config = {"dataset": "good"}
    problems = collect_datasets(config, folder)
    assert list(config["datasets"]) == ["good"]
    assert sorted(problems) == ["invalid", "malformed"]
    assert "malformed.yaml" in str(problems["malformed"]) and "YAML" in str(problems["malformed"])
    invalid = str(problems["invalid"])
    assert "invalid.yaml" in invalid and "datasets.invalid.roles" in invalid
    assert "'outcome' is a required property" in invalid


def test_a_dataset_in_both_places_is_refused(tmp_path):
    write(tmp_path, "twice", yaml.safe_dump(GOOD))
    config = {"dataset": "twice", "datasets": {"twice": dict(GOOD)}}
    problems = collect_datasets(config, tmp_path)
    assert "configured twice" in str(problems["twice"]) and "twice" not in config["datasets"]


def test_a_file_name_that_cannot_be_a_dataset_name(tmp_path):
    write(tmp_path, "my study", yaml.safe_dump(GOOD))
    try:
        read_dataset_file(tmp_path / "my study.yaml")
    except DataError as exc:
        assert "rename the file" in str(exc) and "my study.yaml" in str(exc)
    else:
        raise AssertionError("a name with a space was accepted")


def test_snakemake_skips_a_broken_dataset_file_and_stops_cleanly_on_it(tmp_path):
    config = raw_config()
    del config["datasets"]
    workdir = make_workdir(tmp_path / "w", config)
    write(workdir / "config" / "datasets", "broken", "title: x\nroles: [\n")
    result = run(workdir, "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Warning: dataset 'broken' is skipped" in result.stderr
    assert "config/datasets/broken.yaml" in result.stderr
    assert "reports/hs/report.html" in result.stdout + result.stderr

    result = run(workdir, "--dry-run", "--config", "dataset=broken")
    assert result.returncode != 0
    assert "Error: not valid YAML" in result.stderr and "broken.yaml" in result.stderr
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
