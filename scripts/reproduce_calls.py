"""The dataset's roles -> the R and statsmodels calls of every method and model, for the report's
"reproduce it elsewhere" boxes and appendix (multilevel.report.calls)."""

from pathlib import Path

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.report.calls import all_calls
from multilevel.step import LOG, script_step
from multilevel.workflow_names import METHOD_KEYS


def main(spec: DatasetSpec, context_out, logger=LOG):
    calls = all_calls(spec.roles, METHOD_KEYS, f"results/{spec.name}/data/long.parquet")
    Path(context_out).parent.mkdir(parents=True, exist_ok=True)
    write_json(context_out, calls)
    logger.info("calls for %d methods and %d models", len(calls["methods"]), len(calls["models"]))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(step.spec, step.output.context, logger=step.logger)
