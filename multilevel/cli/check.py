"""`multilevel check NAME`: validate a dataset's file and data in seconds (the workflow's first
step, run here) and print what a user should know first."""

from __future__ import annotations

import argparse

from multilevel.cli.project import dataset_path, dataset_spec
from multilevel.data.checkup import checkup
from multilevel.headers import check_headers


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate a dataset's file and data",
        description="Validate config/datasets/NAME.yaml and the data it names, as the "
        "workflow's first step would, and print rows, clusters, cluster sizes, each "
        "variable's role, level, type and missing values, and warnings. Exit status 0 when "
        "the dataset can be reported, 1 when not (the message says what to fix).",
    )
    parser.add_argument("name", help="the dataset (config/datasets/NAME.yaml)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = dataset_spec(args.name)
    check_headers(spec)
    result = checkup(spec)
    prepared = result.prepared
    print(f"{dataset_path(args.name)}: valid")
    for path, how in result.files:
        print(f"  file {path}: {how}")
    subset = f", {prepared.n_subset_rows} after the subset" if prepared.n_removed_by_subset else ""
    print(
        f"Rows: {prepared.n_raw_rows} read{subset}, {len(prepared.long)} used, "
        f"{len(prepared.dropped_rows)} removed for missing values"
    )
    sizes = result.sizes
    print(
        f"Clusters ({spec.roles.cluster}): {result.n_clusters}; rows per cluster: "
        f"min {sizes['min']}, median {sizes['median']:g}, max {sizes['max']}"
    )
    print("Variables:")
    width = max(len(v.name) for v in result.variables)
    for v in result.variables:
        level = v.level if v.level == "cluster id" else f"level {v.level}"
        print(
            f"  {v.name:<{width}}  {v.role or '-':<9}  {level:<10}  {v.kind:<22}  "
            f"{v.missing} missing"
        )
    if result.warnings:
        print("Warnings:")
        for warning in result.warnings:
            print(f"  - {warning}")
    print(f"OK. Next: multilevel report {args.name} --format html")
    return 0
