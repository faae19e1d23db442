from pathlib import Path

from multilevel.config import validate_config

# Validate against config/schema.yaml (filling defaults); a bad config stops here with a message
# naming the entry and the key.
validate_config(config, source="config")

DATASETS = sorted(config["datasets"])
REGISTRY = "data/published.csv"


wildcard_constraints:
    dataset="|".join(DATASETS),


def dataset_config(wildcards):
    """The config a step needs: this dataset's entry and the report options."""
    return {
        "dataset": wildcards.dataset,
        "report": config["report"],
        "datasets": {wildcards.dataset: config["datasets"][wildcards.dataset]},
    }


def raw_files(wildcards):
    return [
        entry["path"]
        for entry in config["datasets"][wildcards.dataset]["files"].values()
    ]


def report_paths(name):
    return [f"reports/{name}/report.html", f"reports/{name}/report.pdf"]


FIGURES = ["quantiles"]
TABLES = ["data"]
VALUES = ["data"]
