"""The document's simulated school (pages 89-100): data, tables and context for the report."""

from pathlib import Path

import numpy as np
import pandas as pd

from multilevel.files import write_json
from multilevel.simulate import ExampleDesign, simulate_example
from multilevel.step import LOG, script_step
from multilevel.tables import Table, format_frame, write_tables


def school_context(example, j: int = 1) -> dict:
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


def tables(example) -> list[Table]:
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
                f"Its {s['n']} students: SES ~ N(0, 1), the error ε ~ N(0, σ²) and "
                "Y = β01 + β11 SES + ε"
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
                "σ²(X_j′X_j)⁻¹)"
            ),
            doc_pages="89",
        ),
    ]


def main(cfg: dict, students_out, schools_out, tables_out, context_out, logger=LOG):
    design = ExampleDesign.from_config(cfg)
    example = simulate_example(design, np.random.default_rng(design.seed))
    Path(students_out).parent.mkdir(parents=True, exist_ok=True)
    example.students.to_parquet(students_out, index=False)
    example.schools.to_parquet(schools_out)
    Path(tables_out).parent.mkdir(parents=True, exist_ok=True)
    write_tables(tables(example), tables_out)
    context = {
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
    write_json(context_out, context)
    logger.info(
        "simulated %d schools (%d students) with seed %d",
        design.schools,
        len(example.students),
        design.seed,
    )


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.example,
            step.output.students,
            step.output.schools,
            step.output.tables,
            step.output.context,
            logger=step.logger,
        )
