"""The one place a workflow script meets Snakemake: its inputs, outputs, parameters and the
logging of the step.

A script ends with::

    if __name__ == "__main__":
        with script_step(snakemake) as step:
            main(step.spec, step.input.long, ..., logger=step.logger)

The step logs to the rule's log file (named after it) and to the terminal; a
:class:`~multilevel.errors.DataError` ends it with one clear line on the terminal and exit
status 1, its traceback in the log only.
A rule of a dataset passes, as ``params.dataset``, only the fields of the dataset's entry its
step uses (``rules/common.smk``), so that changing another field does not re-run it;
:attr:`Step.spec` builds the :class:`~multilevel.config.DatasetSpec` the library takes from
those fields.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multilevel.config import DatasetSpec, Roles
from multilevel.runlog import logged_step, step_logger


def dataset_spec(name: str, fields: dict) -> DatasetSpec:
    """A :class:`DatasetSpec` from some fields of a dataset's entry; the absent ones are empty
    (no title, no files): a step given only the roles cannot read the raw files by mistake."""
    fields = dict(fields)
    roles = Roles(**fields.pop("roles"))
    fields.setdefault("title", "")
    fields.setdefault("description", "")
    fields.setdefault("files", {})
    return DatasetSpec(name=name, roles=roles, **fields)


@dataclass(frozen=True)
class Step:
    input: Any
    output: Any
    params: Any
    wildcards: Any
    threads: int
    logger: logging.Logger

    @property
    def spec(self) -> DatasetSpec:
        return dataset_spec(self.wildcards.dataset, self.params.dataset)


@contextmanager
def script_step(smk) -> Iterator[Step]:
    """The Snakemake job ``smk`` as a :class:`Step`, with its logger set up.

    What the script imported lives as long as the job: it is moved out of the cyclic
    collector's sight (``gc.freeze``), so that the collections the job's own work sets off do
    not walk the 150,000-300,000 objects of pandas, scipy and matplotlib each time."""
    gc.freeze()
    log = smk.log[0] if smk.log else None
    name = Path(log).stem if log else smk.rule
    logger = step_logger(name, log)
    with logged_step(logger):
        yield Step(smk.input, smk.output, smk.params, smk.wildcards, smk.threads, logger)


# The logger of a step's function called outside Snakemake (a test, a benchmark).
LOG = logging.getLogger("multilevel")
