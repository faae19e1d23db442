"""Figures 8-17 of the document (pages 91-100): the simulated school in data and beta space."""

from pathlib import Path

import pandas as pd

from multilevel.files import write_json
from multilevel.plots.simulation import EXAMPLE_FIGURES, example_figures
from multilevel.plots.style import save_figure
from multilevel.simulate import Example, ExampleDesign
from multilevel.step import LOG, script_step

CAPTIONS = {
    "sim_fig08": "The line of the population means, E(Y) = γ0 + γ1 SES, with γ = ({g0:g}, {g1:g})",
    "sim_fig09": "School 1's true line (dashed), drawn from the population of lines",
    "sim_fig10": "School 1's students around its true line: Y = β01 + β11 SES + ε",
    "sim_fig11": "The least-squares line β̂1 fitted to school 1's data, beside its true line",
    "sim_fig12": "Each line is a point (slope, intercept); γ is the population mean",
    "sim_fig13": (
        "The dispersion ellipse of G: its shadows on the axes are the mean ± 1 SD of the true "
        "slopes and intercepts"
    ),
    "sim_fig14": "School 1's true coefficients β1 as a point drawn from the population",
    "sim_fig15": (
        "The dispersion ellipse σ²(X1′X1)⁻¹ of the least-squares estimate around the true β1"
    ),
    "sim_fig16": "The observed least-squares estimate β̂1",
    "sim_fig17": (
        "The dispersion of β̂1 as an estimate of γ: V1 = G + σ²(X1′X1)⁻¹ (dashed), barely "
        "larger than G because the school's sampling variance is small beside G"
    ),
}


def main(cfg: dict, students_path, schools_path, svg_outs, meta_out, logger=LOG):
    if len(svg_outs) != len(EXAMPLE_FIGURES):
        raise ValueError(f"expected {len(EXAMPLE_FIGURES)} figure paths, got {len(svg_outs)}")
    example = Example(
        ExampleDesign.from_config(cfg),
        pd.read_parquet(schools_path),
        pd.read_parquet(students_path),
    )
    figures = example_figures(example.school(1), example.gamma, example.G)
    meta = []
    for (key, (number, page, _, _, title)), path in zip(
        EXAMPLE_FIGURES.items(), svg_outs, strict=True
    ):
        save_figure(figures[key], path)
        meta.append(
            {
                "key": key,
                "file": str(path),
                "title": title,
                "caption": CAPTIONS[key].format(g0=example.gamma[0], g1=example.gamma[1]),
                "doc_ref": f"Figure {number}, p. {page}",
            }
        )
    Path(meta_out).parent.mkdir(parents=True, exist_ok=True)
    write_json(meta_out, meta)
    logger.info("wrote %d figures", len(meta))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.example,
            step.input.students,
            step.input.schools,
            list(step.output.svgs),
            step.output.meta,
            logger=step.logger,
        )
