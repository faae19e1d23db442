"""The data chapter: what the levels are, the variables and their level, and the tables of the
document's data-preparation pages (first rows, cross tables, one row per cluster)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.covariates import describe_covariates
from multilevel.data.grouping import invariant_columns, tab, up
from multilevel.data.prepare import ROW_ID
from multilevel.report.tables import Table, format_frame
from multilevel.selection import TABLE_ROWS, largest_clusters, selection_note


def numeric_digits(frame: pd.DataFrame, default: int = 3) -> dict[str, int]:
    """Decimals to show per float column: the fewest that show every value as stored (at most
    `default` more than needed for raw values like 0.882)."""
    digits = {}
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            values = frame[column].dropna()
            for d in range(0, 7):
                if (values.round(d) - values).abs().max() < 1e-9:
                    break
            digits[column] = d if d < 7 else default
    return digits


def variable_table(long: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    roles = spec.roles
    invariant = set(invariant_columns(long, roles.cluster))
    derived = {spec.id_label}
    if spec.composition:
        derived.add(spec.composition["name"])
        if spec.composition.get("category"):
            derived.add(spec.composition["category"]["name"])
    role_of = {roles.cluster: "cluster id", roles.outcome: "outcome", roles.predictor: "predictor"}
    if roles.group:
        role_of[roles.group] = "level-2 group"
    for label in roles.labels:
        role_of[label] = "label"
    for covariate in roles.covariates:
        role_of[covariate] = "covariate"
    rows = []
    for column in long.columns:
        if column == ROW_ID:
            continue
        series = long[column]
        numeric = pd.api.types.is_numeric_dtype(series)
        if column == roles.cluster:
            level = "2 (index)"
        elif column in derived:
            level = "2 (derived from level 1)"
        elif column in invariant:
            level = "2"
        else:
            level = "1"
        if numeric:
            summary = f"{series.min():.4g} to {series.max():.4g}"
            kind = "numeric"
        else:
            levels = sorted(map(str, series.dropna().unique()))
            summary = ", ".join(levels[:6]) + (
                f" ... ({len(levels)} values)" if len(levels) > 6 else ""
            )
            kind = "categorical"
        rows.append(
            {
                "variable": column,
                "role": role_of.get(column, ""),
                "level": level,
                "type": kind,
                "values": summary,
            }
        )
    return pd.DataFrame(rows).set_index("variable")


def covariate_table(long: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """One row per covariate: its level, type and coding, and where each method puts it."""
    cluster = spec.roles.cluster
    rows = []
    for cov in describe_covariates(long, cluster, spec.roles.covariates):
        level1 = cov.level == 1
        rows.append(
            {
                "covariate": cov.name,
                "level": str(cov.level),
                "type": cov.kind,
                "coding": (
                    "as it is"
                    if cov.kind == "numeric"
                    else f"treatment contrasts, reference {cov.reference}"
                ),
                "coefficients": ", ".join(cov.columns),
                "fixed effects": (
                    "one common coefficient" if level1 else f"absorbed by the {cluster} effects"
                ),
                "two-stage": f"each {cluster}'s regression" if level1 else "second stage",
                "between": f"{cluster} mean" if level1 else "as it is",
            }
        )
    return pd.DataFrame(rows).set_index("covariate")


def data_tables(
    long: pd.DataFrame,
    spec: DatasetSpec,
    head_rows: int = 50,
    csv_link: str | None = None,
    registry: pd.DataFrame | None = None,
) -> list[Table]:
    """The data chapter's tables. Tables with one row per cluster show at most TABLE_ROWS
    clusters (multilevel.selection) and keep every cluster in `full`, for the CSV that
    `write_tables` writes; `csv_link` is where the report links to those files. `registry`
    (the document's dataset only): the published values, whose rows the some() listings show
    (:func:`some_tables`)."""
    roles = spec.roles
    cluster = roles.cluster
    tables = [
        Table(
            key="variables",
            title="Variables and their level",
            caption=(
                "Level-1 variables vary between the units within a cluster; level-2 variables "
                "are constant within each cluster, either characteristics of the cluster or "
                "derived from its level-1 data (which could change with another sample)."
            ),
            frame=variable_table(long, spec),
            doc_pages="18, 27",
        )
    ]
    if roles.covariates:
        tables.append(
            Table(
                key="covariates",
                title="Covariates held constant",
                caption=(
                    "Each covariate enters every method's and model's fixed part additively; "
                    "its level is read from the data (constant within every "
                    f"{cluster}: level 2). A categorical covariate has one coefficient per "
                    "level other than its reference (treatment contrasts); lines and group "
                    "comparisons are at covariates 0, a categorical one at its reference level"
                ),
                frame=covariate_table(long, spec),
            )
        )
    head = long.head(head_rows).set_index(ROW_ID)
    head.index.name = "row in raw file"
    tables.append(
        Table(
            key="head",
            title=f"The first {head_rows} rows of the long table",
            caption=f"One row per level-1 unit; level-2 variables repeat within each {cluster}.",
            frame=format_frame(head, numeric_digits(long)),
            doc_pages="10-11, 18",
        )
    )
    tables.extend(some_tables(long, spec, registry))
    shown = largest_clusters(long[cluster], TABLE_ROWS)
    total = long[cluster].nunique()

    def per_cluster(key, title, caption, full, digits=None, pages="", index=None):
        """A table with one row per cluster (plus a Total row): the selected clusters shown,
        every cluster kept for the CSV."""
        keep = full.index.isin(shown if index is None else index) | (full.index == "Total")
        frame = full if keep.all() else full[keep]
        link = f"{csv_link}/{key}.csv" if csv_link else ""
        note = selection_note(len(shown), total, cluster, link or None)
        return Table(
            key=key,
            title=title,
            caption=caption + (f" {note}." if note else ""),
            frame=format_frame(frame, digits) if digits is not None else frame,
            doc_pages=pages,
            full=full,
            csv=link if note else "",
        )

    if roles.group:
        tables.append(
            per_cluster(
                "tab_group_cluster",
                f"{roles.group} by {cluster}",
                f"Rows in each {cluster}: each {cluster} is in one {roles.group}.",
                tab(long, cluster, roles.group),
                pages="19-21",
            )
        )
    for label in roles.labels[:1]:
        tables.append(
            per_cluster(
                f"tab_{label}_cluster",
                f"{label} by {cluster}",
                f"Number of rows of each {label} in each {cluster}.",
                tab(long, cluster, label),
                pages="21-22",
            )
        )
        if roles.group:
            for level in long[roles.group].cat.categories:
                within = long[long[roles.group] == level]
                tables.append(
                    per_cluster(
                        f"tab_{label}_cluster_{level}",
                        f"{label} by {cluster}: {roles.group} {level}",
                        f"The same table within the {level} {cluster}s.",
                        tab(within, cluster, label),
                        pages="22-23",
                    )
                )
    clusters = up(long, cluster).drop(columns=[ROW_ID], errors="ignore")
    tables.append(
        per_cluster(
            "up",
            f"One row per {cluster}: the variables invariant within {cluster}s",
            f"{len(clusters)} rows: only the variables constant within each {cluster}.",
            clusters,
            {**numeric_digits(clusters), **_comp_digits(spec)},
            "26",
        )
    )
    summary = up(long, cluster, summarise=True).drop(columns=[ROW_ID], errors="ignore")
    tables.append(
        per_cluster(
            "up_summary",
            f"One row per {cluster}, with summaries of level-1 variables",
            "Level-1 variables summarised: means of numeric variables, modes of others.",
            summary,
            {**_comp_digits(spec), **{c: 8 for c in (roles.outcome, roles.predictor)}},
            "26",
        )
    )
    if spec.id_label:
        by_label = up(long, spec.id_label).drop(columns=[ROW_ID], errors="ignore")
        by_label = by_label.reindex(long[spec.id_label].cat.categories)
        label_of = clusters[spec.id_label] if spec.id_label in clusters else None
        tables.append(
            per_cluster(
                "up_label",
                f"One row per {spec.id_label}, in the order of the informative label",
                (
                    f"The informative label {spec.id_label} orders the {cluster}s"
                    + (f" by {roles.group}, then" if roles.group else "")
                    + f" by the mean of {roles.predictor} in the {cluster}."
                ),
                by_label,
                {**numeric_digits(by_label), **_comp_digits(spec)},
                "31, 34",
                index=None if label_of is None else label_of.loc[shown].astype(str),
            )
        )
    return tables


# ---------------------------------------------------------------- a few rows, as some() prints
#: how many rows a listing of "some" rows shows, and the seed that picks them
SOME_ROWS = 10
SOME_SEED = 2017
#: the document's some() listings (pages 24, 25, 30): the derived level-2 variables each shows
#: (the composition, then its category, are added to the data between the listings)
SOME_PAGES = {"24": (), "25": ("composition",), "30": ("composition", "category")}


def some_rows(n_rows: int, count: int = SOME_ROWS, seed: int = SOME_SEED) -> list[int]:
    """``count`` row numbers (1-based, sorted) drawn without replacement from ``n_rows`` rows
    by a Generator seeded with ``seed``, as R's ``car::some`` draws rows to print."""
    rng = np.random.default_rng(seed)
    return sorted(int(i) + 1 for i in rng.choice(n_rows, size=min(count, n_rows), replace=False))


def document_rows(registry: pd.DataFrame, page: str) -> list[int]:
    """The rows of the long table the registry holds for a page (keys ``row/<i>/<column>``)."""
    rows = registry[registry["key"].str.startswith("row/")]
    on_page = rows[rows["page"].map(lambda p: page in [q.strip() for q in str(p).split(";")])]
    return sorted({int(k.split("/")[1]) for k in on_page["key"]})


def some_tables(
    long: pd.DataFrame, spec: DatasetSpec, registry: pd.DataFrame | None = None
) -> list[Table]:
    """A few rows of the long table, as the document's ``some(hs)`` prints them (pages 24, 25,
    30). With the registry of the document's dataset, the rows the document printed on each
    page, with the variables it had then; otherwise one listing of seeded random rows."""
    derived = {
        "composition": spec.composition["name"] if spec.composition else None,
        "category": (spec.composition or {}).get("category", {}).get("name"),
    }
    later = {c for c in (*derived.values(), spec.id_label) if c}
    digits = {**numeric_digits(long), **_comp_digits(spec)}

    def listing(key, rows, columns, title, caption, pages):
        frame = long.iloc[[r - 1 for r in rows]][columns].rename(columns={ROW_ID: "raw-file row"})
        frame.index = pd.Index(rows, name="long-table row")
        return Table(
            key=key,
            title=title,
            caption=caption,
            frame=format_frame(frame, digits),
            doc_pages=pages,
        )

    if registry is not None:
        out = []
        for page, adds in SOME_PAGES.items():
            rows = document_rows(registry, page)
            if not rows:
                continue
            extra = [derived[a] for a in adds if derived[a]]
            columns = [c for c in long.columns if c not in later] + extra
            out.append(
                listing(
                    f"some_{page}",
                    rows,
                    columns,
                    f"Some rows of the long table, as page {page} lists them",
                    "The rows the document's some() drew at random, with the variables the "
                    "data had at that point",
                    page,
                )
            )
        return out
    rows = some_rows(len(long))
    return [
        listing(
            "some",
            rows,
            list(long.columns),
            f"Some rows of the long table: {len(rows)} at random",
            f"Drawn by a generator seeded with {SOME_SEED}, as the document's some() draws "
            "rows at random",
            "24, 25, 30",
        )
    ]


def _comp_digits(spec: DatasetSpec) -> dict[str, int]:
    return {spec.composition["name"]: 7} if spec.composition else {}


__all__ = [
    "data_tables",
    "variable_table",
    "numeric_digits",
    "some_rows",
    "some_tables",
    "document_rows",
]
