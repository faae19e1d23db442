"""The scripts' adapter (multilevel.step) and the one JSON writer (multilevel.files)."""

import gc
import json
import logging
from types import SimpleNamespace

import numpy as np
import pytest

from multilevel.errors import DataError
from multilevel.files import write_json
from multilevel.step import dataset_spec, script_step


def test_write_json_writes_nan_as_null_and_numpy_scalars_as_numbers(tmp_path):
    path = tmp_path / "deep" / "out.json"
    write_json(path, {"b": float("nan"), "a": [np.float64(0.5), np.int64(2), np.inf]})
    text = path.read_text()
    assert text == '{\n "a": [\n  0.5,\n  2,\n  null\n ],\n "b": null\n}\n'
    assert json.loads(text) == {"a": [0.5, 2, None], "b": None}


def test_a_spec_from_some_fields_has_no_files_to_read():
    spec = dataset_spec("hs", {"roles": {"cluster": "school", "outcome": "y", "predictor": "x"}})
    assert spec.name == "hs" and spec.roles.cluster == "school"
    assert spec.files == {} and spec.raw_paths == [] and not spec.reproduces_document


@pytest.fixture(autouse=True)
def _thawed():
    """A step freezes what the process holds (a job's imports); the test process thaws it."""
    yield
    gc.unfreeze()


def _job(tmp_path):
    return SimpleNamespace(
        log=[str(tmp_path / "logs" / "fit_pooled.log")],
        rule="fit_method",
        input={},
        output={},
        params=SimpleNamespace(
            dataset={"roles": {"cluster": "c", "outcome": "y", "predictor": "x"}}
        ),
        wildcards=SimpleNamespace(dataset="toy", method="pooled"),
        threads=1,
    )


def test_a_step_logs_to_its_rule_log_named_after_the_log_file(tmp_path):
    with script_step(_job(tmp_path)) as step:
        assert step.spec.name == "toy" and step.spec.roles.predictor == "x"
        step.logger.info("hello")
    assert step.logger.name == "multilevel.fit_pooled"
    assert "hello" in (tmp_path / "logs" / "fit_pooled.log").read_text()


def test_a_data_error_ends_the_step_with_one_line_and_the_traceback_in_the_log(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop, script_step(_job(tmp_path)):
        raise DataError("column 'sess' not found")
    assert stop.value.code == 1
    assert capsys.readouterr().err == "Error: column 'sess' not found\n"
    log = (tmp_path / "logs" / "fit_pooled.log").read_text()
    assert "ERROR column 'sess' not found" in log and "Traceback" in log
    logging.getLogger("multilevel.fit_pooled").handlers.clear()


def test_a_step_keeps_what_its_script_imported_out_of_the_collectors_walks(tmp_path):
    gc.unfreeze()
    with script_step(_job(tmp_path)):
        assert gc.get_freeze_count() > 0
        frozen = gc.get_freeze_count()
        made = [[i] for i in range(1000)]  # the job's own objects are still collected
        gc.collect()
        assert gc.get_freeze_count() == frozen and len(made) == 1000
