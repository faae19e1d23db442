import hashlib
from pathlib import Path

from multilevel.workflow_config import workflow_datasets

# Validate config/config.yaml and each config/datasets/NAME.yaml against config/schema.yaml
# (filling defaults), then every column a dataset names against its raw files' headers. A bad
# dataset to build stops here, before any job runs, with one message naming the file, the key
# and the column; another broken dataset is only skipped, with a warning.
DATASETS = workflow_datasets(config, "config/datasets")
# The report's templates live beside the Snakefile (they are code, like scripts/), whatever the
# working directory. Their digest is a parameter of the report rule: editing one re-renders the
# report and nothing else (Snakemake does not track the times of files outside the working
# directory).
TEMPLATE_DIGEST = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for path in sorted(
            (Path(workflow.main_snakefile).parent / "templates").rglob("*")
        )
        if path.suffix in (".j2", ".css")
    )
).hexdigest()
REGISTRY = "data/published.csv"


wildcard_constraints:
    dataset="|".join(DATASETS),


def dataset_entry(wildcards):
    """This dataset's whole entry: the report prints it."""
    return config["datasets"][wildcards.dataset]


def dataset_fields(*keys):
    """A param function giving only these fields of this dataset's entry: Snakemake re-runs a
    job whose params changed, so a step is given only what it uses (multilevel.step builds
    the DatasetSpec from them)."""

    def fields(wildcards):
        entry = dataset_entry(wildcards)
        return {key: entry[key] for key in keys if key in entry}

    return fields


# What the steps read of a dataset's entry. Preparing the long table uses every field that
# shapes it (the group's reference orders its categories, the predictor orders the labels);
# the analyses use the roles, and those that reproduce the document's numbers the flag saying
# whether this dataset is the document's. Only the report uses the title and description.
preparation_of = dataset_fields(
    "files", "drop", "rename", "roles", "composition", "id_label", "subset"
)
roles_of = dataset_fields("roles", "id_label")
roles_and_registry_of = dataset_fields("roles", "id_label", "reproduces_document")
description_of = dataset_fields(
    "roles", "id_label", "composition", "reproduces_document"
)


# Rule priorities (priority: in data.smk, methods.smk, mixed.smk, simulation.smk): the
# dataset's chain first (preparing the table, the fits, then the longest figure jobs), so that
# the report's last inputs are not left waiting behind the simulation chapter, which depends
# on no dataset and fills the other core; but the df-rules study, the longest job of all,
# starts at once, or it ends the build alone. A cold hs draft on 2 cores
# (medians of 3 alternating runs): 19.8 s without priorities, 17.9 s with those of the
# dataset's chain; 18.2 s -> 17.7 s with the df study's too.


def fit_workers(pieces):
    """Threads of a job that fits ``pieces`` models of the long table: one below a 1 MB table
    (about 60,000 rows), where each fit takes a fraction of a second and a worker process
    costs more than it saves; else up to one per piece. Snakemake asks again when the job is
    about to run; before the table exists (a dry run) the answer is one."""

    def threads(wildcards, input):
        table = Path(input.long)
        if not table.exists() or table.stat().st_size < 1_000_000:
            return 1
        return min(workflow.cores, pieces)

    return threads


def report_options(wildcards):
    return config["report"]


def raw_files(wildcards):
    return [
        entry["path"]
        for entry in config["datasets"][wildcards.dataset]["files"].values()
    ]


def pdf_output():
    """The report rule's PDF, unless the run is a draft (--config format=html)."""
    if config["format"] == "html":
        return {}
    return {"pdf": "reports/{dataset}/report.pdf"}


def report_paths(name):
    paths = [f"reports/{name}/report.html"]
    return (
        paths if config["format"] == "html" else [*paths, f"reports/{name}/report.pdf"]
    )


# The report is made of parts, one per stage. Each part names its artifacts: tables (JSON lists
# of tables), figures (JSON lists of figures with their SVG files), values (JSON dicts of registry
# values) and context (JSON for the part's template). Parts appear in the document's order
# (PART_ORDER: data pp. 9-34, methods and effects pp. 35-75, theory pp. 76-88, the simulated
# school pp. 89-100, fitting pp. 101-173, then the diagnostics of the fitted model), then any
# other part in the order registered.
PARTS = {}
ARTIFACT_KINDS = ("tables", "figures", "values", "context")
PART_ORDER = [
    "data",
    "methods",
    "effects",
    "theory",
    "simulation",
    "mixed",
    "diagnostics",
]


def ordered_parts():
    rank = {name: i for i, name in enumerate(PART_ORDER)}
    return sorted(PARTS.items(), key=lambda item: rank.get(item[0], len(PART_ORDER)))


def register_part(name, title, **artifacts):
    """Add a report section rendered by templates/partials/<name>.html.j2."""
    unknown = set(artifacts) - set(ARTIFACT_KINDS)
    if unknown:
        raise ValueError(f"unknown artifact kinds for part {name}: {sorted(unknown)}")
    PARTS[name] = {
        "title": title,
        **{k: list(artifacts.get(k, [])) for k in ARTIFACT_KINDS},
    }


def part_files(wildcards):
    """Every artifact of every part, for this dataset: the report's inputs."""
    return sorted(
        {
            path.format(dataset=wildcards.dataset)
            for part in PARTS.values()
            for kind in ARTIFACT_KINDS
            for path in part[kind]
        }
    )


def part_layout(wildcards):
    return {
        name: {
            "title": part["title"],
            **{
                kind: [p.format(dataset=wildcards.dataset) for p in part[kind]]
                for kind in ARTIFACT_KINDS
            },
        }
        for name, part in ordered_parts()
    }
