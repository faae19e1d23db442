"""The simulation chapter's simulated school (document pages 89-100): its tables, the numbers
the report's prose quotes and the listing of Figures 8-17; what the simulation_chapter step
writes, from :func:`multilevel.simulation.simulate.simulate_example`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from multilevel.report.figure_listing import FigureArtifact
from multilevel.report.tables import Table, format_frame
from multilevel.simulation.example_figures import EXAMPLE_FIGURES
from multilevel.simulation.simulate import Example, ExampleDesign

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


def school_context(example: Example, j: int = 1) -> dict:
    """Numbers the report's prose quotes about school ``j``."""
    s = example.school(j)
    d = s["beta"] - example.gamma
    e = s["beta_hat"] - s["beta"]
    f = s["beta_hat"] - example.gamma
    return {
        "school": j,
        "n": s["n"],
        "beta": s["beta"].tolist(),
        "beta_hat": s["beta_hat"].tolist(),
        # Mahalanobis distances: of the true line from gamma (under G), of the estimate from
        # the true line (under sigma^2 (X'X)^-1) and from gamma (under V).
        "distance_beta": float(np.sqrt(d @ np.linalg.solve(example.G, d))),
        "distance_estimate": float(np.sqrt(e @ np.linalg.solve(s["sampling_cov"], e))),
        "distance_estimate_gamma": float(np.sqrt(f @ np.linalg.solve(s["V"], f))),
        "sampling_sd": np.sqrt(np.diag(s["sampling_cov"])).tolist(),
        "G_sd": np.sqrt(np.diag(example.G)).tolist(),
        "V_sd": np.sqrt(np.diag(s["V"])).tolist(),
    }


def example_values(example: Example, j: int = 1) -> dict:
    """School ``j``'s students for the registry (page 90): ``sim/school1/<i>/ses|eps|y``."""
    s = example.school(j)
    return {
        f"sim/school{j}/{i}/{name}": float(v)
        for i, row in enumerate(zip(s["ses"], s["eps"], s["y"], strict=True), start=1)
        for name, v in zip(("ses", "eps", "y"), row, strict=True)
    }


def example_tables(example: Example) -> list[Table]:
    s = example.school(1)
    detail = pd.DataFrame({"SES": s["ses"], "ε": s["eps"], "Y": s["y"]})
    detail.index = pd.RangeIndex(1, len(detail) + 1, name="student")
    sch = example.schools
    overview = pd.DataFrame(
        {
            "N": sch["n"],
            "true β0": sch["beta0"],
            "true β1": sch["beta1"],
            "LS β̂0": sch["b0"],
            "LS β̂1": sch["b1"],
            "SD β̂0": np.sqrt(sch["v00"]),
            "SD β̂1": np.sqrt(sch["v11"]),
        }
    )
    overview.index.name = "school"
    two = {c: 2 for c in overview.columns if c != "N"}
    return [
        Table(
            key="sim_school1",
            title="School 1 of the simulation in detail",
            frame=format_frame(detail, {"SES": 2, "ε": 2, "Y": 2}),
            caption=(
                f"The document's school 1, its {s['n']} students as printed on page 90: SES, "
                "the error ε ~ N(0, σ²) and Y = β01 + β11 SES + ε. Its true line "
                f"β1 = ({s['beta'][0]:.2f}, {s['beta'][1]:.2f}) is not printed: it is the "
                "least-squares line of Y − ε on SES, exact up to the printing's rounding"
            ),
            doc_pages="90",
        ),
        Table(
            key="sim_schools",
            title="The simulated schools: true and least-squares coefficients",
            frame=format_frame(overview, two),
            caption=(
                "True β_j = γ + u_j and the least-squares estimate β̂_j of each school, with "
                "the standard deviations of β̂_j given β_j (the square roots of the diagonal of "
                "σ²(X_j′X_j)⁻¹). School 1 is the document's (page 90); the others are drawn "
                "from the configuration's seed"
            ),
            doc_pages="89",
        ),
    ]


def example_context(design: ExampleDesign, example: Example) -> dict:
    """The simulation's design and school 1's numbers, for the report's prose."""
    return {
        "example": {
            "seed": design.seed,
            "schools": design.schools,
            "gamma": list(design.gamma),
            "G": [list(r) for r in design.G],
            "sigma2": design.sigma2,
            "mean_size": design.mean_size,
            "school1": school_context(example, 1),
        }
    }


FIGURE_FILE = re.compile(r"document_figure_(\d+)\.svg$")


def example_figure_paths(paths) -> dict:
    """Each figure's key -> its path, paired by the document's figure number in the file's name
    (``document_figure_08.svg`` is Figure 8), whatever the order of ``paths``."""
    by_number = {}
    for path in paths:
        found = FIGURE_FILE.search(Path(path).name)
        if found is None:
            raise ValueError(f"{path}: not a document_figure_<number>.svg path")
        by_number[int(found.group(1))] = path
    numbers = {key: entry[0] for key, entry in EXAMPLE_FIGURES.items()}
    if sorted(by_number) != sorted(numbers.values()):
        raise ValueError(
            f"expected the paths of Figures {sorted(numbers.values())}, got {sorted(by_number)}"
        )
    return {key: by_number[n] for key, n in numbers.items()}


def example_figure_listing(svgs: dict, gamma) -> list[dict]:
    """The report's listing of Figures 8-17 saved at ``svgs`` (key -> path)."""
    return [
        FigureArtifact(
            key,
            title,
            CAPTIONS[key].format(g0=gamma[0], g1=gamma[1]),
            f"Figure {number}, p. {page}",
        ).meta(svgs[key])
        for key, (number, page, _, _, title) in EXAMPLE_FIGURES.items()
    ]
