"""`multilevel list`: the configured datasets, each with its title or what is wrong with it."""

from __future__ import annotations

import argparse

from multilevel.cli.project import all_datasets, dataset_path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "list",
        help="list the configured datasets",
        description="List the datasets of config/datasets/ (and any inline in config.yaml): "
        "name, title and raw files, or the problem of a broken file.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    datasets, problems = all_datasets()
    width = max((len(n) for n in [*datasets, *problems]), default=4)
    for name in sorted([*datasets, *problems]):
        if name in problems:
            print(f"{name:<{width}}  BROKEN  {problems[name]}")
            continue
        entry = datasets[name]
        files = ", ".join(f["path"] for f in entry["files"].values())
        where = dataset_path(name) if dataset_path(name).exists() else "config/config.yaml"
        print(f"{name:<{width}}  {entry['title']}  ({files}; {where})")
    if not datasets and not problems:
        print("no datasets configured: `multilevel init DATA` writes one")
    return 1 if problems else 0
