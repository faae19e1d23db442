"""One job, several fits: map_forked runs a function over items in forked workers, and the
merged fitting steps write the same files whichever number of workers they use."""

import importlib.util
import os

import pytest

from multilevel.workers import map_forked
from multilevel.workflow_names import METHOD_KEYS, MODEL_KEYS

from .helpers import ROOT, configured, configured_long


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_come_back_in_order_from_other_processes():
    offset = 100  # closed over: the workers inherit it when they fork

    def work(item):
        return item + offset, os.getpid()

    results = list(map_forked(work, range(7), workers=3))
    assert [value for value, _ in results] == list(range(100, 107))
    assert os.getpid() not in {pid for _, pid in results}


def test_one_worker_runs_in_this_process():
    assert list(map_forked(lambda item: os.getpid(), [1, 2], workers=1)) == [os.getpid()] * 2


def test_an_exception_in_a_worker_is_raised_here():
    def work(item):
        if item == 2:
            raise ValueError(f"item {item} is bad")
        return item

    with pytest.raises(ValueError, match="item 2 is bad"):
        list(map_forked(work, [1, 2, 3], workers=2))


@pytest.mark.parametrize(
    ("script", "keys"),
    [("mixed_fits", MODEL_KEYS), ("fit_methods", METHOD_KEYS)],
)
def test_a_merged_step_writes_the_same_files_with_workers(tmp_path, script, keys):
    main = _script(script).main
    spec = configured("hs")
    long = tmp_path / "long.parquet"
    configured_long("hs").to_parquet(long)

    def outputs(folder):
        if script == "mixed_fits":
            return {key: tmp_path / folder / f"{key}.json" for key in keys}
        return {
            key: {
                kind: tmp_path / folder / f"{key}.{kind}.json"
                for kind in ("result", "tables", "values")
            }
            for key in keys
        }

    registry = [ROOT / "data" / "published.csv"] if script == "fit_methods" else []
    main(spec, outputs("serial"), long, *registry, threads=1)
    main(spec, outputs("forked"), long, *registry, threads=2)
    serial = sorted((tmp_path / "serial").iterdir())
    assert len(serial) == len(keys) * (1 if script == "mixed_fits" else 3)
    for path in serial:
        assert path.read_bytes() == (tmp_path / "forked" / path.name).read_bytes(), path.name
