"""Figures of the classical methods: `params.figures` is "data" (pictures of the data alone and
of the three effects; needs only the long table) or "models" (fitted lines and beta-space
ellipses, from the method artifacts). Each figure is saved as <out_dir>/<key>.svg and listed,
with its caption, in the part's figures JSON."""

import json
from pathlib import Path

import pandas as pd

from multilevel.classical.artifacts.figures import (
    beta_space_figures,
    data_space_figures,
    effects_figures,
)
from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.as_method import hierarchical_rows
from multilevel.plots import save_figure
from multilevel.step import LOG, script_step


def _save(figures, out_dir: Path, meta_out) -> None:
    metas = []
    for fig in figures:
        path = save_figure(fig.figure, out_dir / f"{fig.key}.svg")
        metas.append(fig.meta(path))
    write_json(meta_out, metas)


def main(
    spec: DatasetSpec,
    which: str,
    long_path,
    method_paths,
    model_paths,
    out_dir,
    meta_out,
    effects_meta_out=None,
    logger=LOG,
):
    long = pd.read_parquet(long_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if which == "data":
        figures = data_space_figures(long, spec)
        effects = effects_figures(long, spec)
        _save(effects, out_dir, effects_meta_out)
    elif which == "models":
        artifacts = {}
        for path in method_paths:
            artifacts.update(json.loads(Path(path).read_text()))
        artifacts.update(hierarchical_rows(model_paths, artifacts, spec))
        figures = beta_space_figures(long, spec, artifacts)
    else:
        raise ValueError(f"figures must be 'data' or 'models', not {which!r}")
    _save(figures, out_dir, meta_out)
    logger.info("wrote %d figures to %s", len(figures), out_dir)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.params.figures,
            step.input.long,
            step.input.get("methods", []),
            step.input.get("models", []),
            step.output.svgs,
            step.output.meta,
            step.output.get("effects_meta"),
            logger=step.logger,
        )
