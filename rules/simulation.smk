# The simulation chapter: the document's simulated school (pages 89-100, Figures 8-17) and a
# Monte Carlo study of every method, split into chunks (one job each) and gathered into a
# summary. Nothing here depends on a dataset: the artifacts live in results/simulation/ and the
# part is shown in every dataset's report.
from multilevel.errors import DataError

SIM_EXAMPLE = config["simulation"]["example"]
SIM_MC = {
    k: v for k, v in config["simulation"]["montecarlo"].items() if k != "df_rules"
}
# the df-rules study uses the design and df_rules, not the main study's replicates or chunks
SIM_MC_DF = {
    k: v
    for k, v in config["simulation"]["montecarlo"].items()
    if k not in ("replicates", "chunks")
}
SIM_FIGURES = [f"{n:02d}" for n in range(8, 18)]

if not 1 <= SIM_MC["chunks"] <= SIM_MC["replicates"]:
    raise DataError(
        f"config: simulation.montecarlo.chunks ({SIM_MC['chunks']}) must be between 1 and "
        f"the number of replicates ({SIM_MC['replicates']})"
    )


wildcard_constraints:
    chunk=r"\d+",


localrules:
    simulation_chapter,


register_part(
    "simulation",
    "A simulated school, and which methods are consistent, efficient and honest",
    tables=[
        "results/simulation/parts/example_tables.json",
        "results/simulation/parts/montecarlo_tables.json",
        "results/simulation/parts/montecarlo_df_tables.json",
    ],
    figures=[
        "results/simulation/parts/example_figures.json",
        "results/simulation/parts/montecarlo_figures.json",
        "results/simulation/parts/montecarlo_df_figures.json",
    ],
    values=["results/simulation/parts/example_values.json"],
    context=[
        "results/simulation/parts/example.json",
        "results/simulation/parts/montecarlo.json",
        "results/simulation/parts/montecarlo_df.json",
    ],
)


# One job per chunk of replicates; replicate i always uses the i-th seed spawned from the
# master seed, so the number of chunks does not change any result.
rule montecarlo_chunk:
    output:
        "results/simulation/montecarlo/chunk_{chunk}.parquet",
    log:
        "results/simulation/logs/montecarlo_chunk_{chunk}.log",
    benchmark:
        "results/simulation/benchmarks/montecarlo_chunk_{chunk}.tsv"
    conda:
        "envs/multilevel.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        design=SIM_MC,
    script:
        "../scripts/montecarlo_chunk.py"


# The simulated school (Figures 8-17) and the Monte Carlo study gathered from its chunks (the
# summary, its tables and its figures): one job, the same size for every dataset (a job each
# cost a Python start-up, pandas and matplotlib: about 0.9 s of CPU in a cold draft).
rule simulation_chapter:
    input:
        school="data/simulated_school.csv",
        chunks=expand(
            "results/simulation/montecarlo/chunk_{chunk}.parquet",
            chunk=range(SIM_MC["chunks"]),
        ),
    output:
        example_students="results/simulation/example/students.parquet",
        example_schools="results/simulation/example/schools.parquet",
        example_tables="results/simulation/parts/example_tables.json",
        example_context="results/simulation/parts/example.json",
        example_values="results/simulation/parts/example_values.json",
        example_svgs=expand(
            "results/simulation/figures/document_figure_{n}.svg", n=SIM_FIGURES
        ),
        example_meta="results/simulation/parts/example_figures.json",
        mc_replicates="results/simulation/montecarlo/replicates.parquet",
        mc_summary="results/simulation/montecarlo/summary.parquet",
        mc_tables="results/simulation/parts/montecarlo_tables.json",
        mc_context="results/simulation/parts/montecarlo.json",
        mc_estimates="results/simulation/figures/montecarlo_estimates.svg",
        mc_coverage="results/simulation/figures/montecarlo_coverage.svg",
        mc_meta="results/simulation/parts/montecarlo_figures.json",
    log:
        "results/simulation/logs/simulation_chapter.log",
    benchmark:
        "results/simulation/benchmarks/simulation_chapter.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        example=SIM_EXAMPLE,
        design=SIM_MC,
    script:
        "../scripts/simulation_chapter.py"


# Coverage under the z, nlme, Satterthwaite and Kenward-Roger df rules at a few numbers of
# clusters: one job (a few hundred REML fits per number of clusters).
rule montecarlo_df:
    output:
        replicates="results/simulation/montecarlo/df_rules.parquet",
        tables="results/simulation/parts/montecarlo_df_tables.json",
        context="results/simulation/parts/montecarlo_df.json",
        figure="results/simulation/figures/montecarlo_df_coverage.svg",
        meta="results/simulation/parts/montecarlo_df_figures.json",
    log:
        "results/simulation/logs/montecarlo_df.log",
    benchmark:
        "results/simulation/benchmarks/montecarlo_df.tsv"
    priority: 3
    conda:
        "envs/multilevel.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        design=SIM_MC_DF,
    script:
        "../scripts/montecarlo_df.py"


rule simulation:
    input:
        rules.montecarlo_df.output,
        rules.simulation_chapter.output,
