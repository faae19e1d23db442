"""The mixed-model steps end to end on hs, through the library the steps call (no Snakemake):
one artifact per model (multilevel.hierarchical.ladder), the chapters' tables and values
(multilevel.hierarchical.artifacts) and figures (multilevel.hierarchical.figures).

Against the R fixtures (tests/fixtures/r/mixed_models.json, nlme 3.1-162; see its README):
for the models where nlme and lme4 agree (a well-determined optimum) fixed effects and SDs
are compared at the precision nlme prints (relative 5e-5, the fixture README's optimiser
tolerance); on the flat surfaces the README lists (hs intercepts and slopes as outcomes) at
2e-3, as tests/test_mixed_fixtures.py does. Registry values are compared at the document's
printed precision by the audit rule itself; the two interval end points whose disagreement is
explained in the registry's note are the only ones allowed to disagree."""

import json
from functools import cache
from pathlib import Path

import pytest

from multilevel.config import DatasetSpec, load_config
from multilevel.data.prepare import prepare
from multilevel.files import json_clean
from multilevel.hierarchical.artifacts import mixed_chapters
from multilevel.hierarchical.figures import mixed_figures
from multilevel.hierarchical.ladder import MODEL_KEYS, fit_model, spec_for
from multilevel.report.published import audit, load_registry
from multilevel.report.tables import read_tables, write_tables

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "r" / "mixed_models.json"
REGISTRY = ROOT / "data" / "published.csv"
FIGURES = (
    "resid_fitted",
    "outcome_by_cluster",
    "outcome_by_cluster_zoom",
    "blue_blup",
    "shrinkage",
    "blup_lines",
    "beta_space",
    "contextual",
)
EXPLAINED = {"mixed/oneway/intervals/sd/lower", "mixed/oneway/intervals/sd/upper"}


@cache
def r_fits() -> dict:
    return json.loads(FIXTURE.read_text())["fits"]["hs"]


def through_json(obj):
    """``obj`` as the next step reads it from the file the step writes (NaN as null)."""
    return json.loads(json.dumps(json_clean(obj), allow_nan=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("mixed")
    config = load_config(ROOT / "config" / "config.yaml")
    spec = DatasetSpec.from_config(config, "hs")
    long = prepare(spec, ROOT).long
    models = {
        key: fit_model(spec_for(spec.roles, key), long, spec.roles, spec.id_label)
        for key in MODEL_KEYS
    }
    models = {k: through_json(a) for k, a in models.items()}
    chapters = mixed_chapters(models, long, spec)
    svgs = {k: out / f"{k}.svg" for k in FIGURES}
    listing = mixed_figures(models, long, spec).save(svgs)

    def tables(items, name):
        write_tables(items, out / name)
        return read_tables(out / name)

    return {
        "models": models,
        "theory_tables": tables(chapters.theory_tables, "theory_tables.json"),
        "theory_context": through_json(chapters.theory_context),
        "tables": tables(chapters.tables, "tables.json"),
        "values": chapters.registry_values(load_registry(REGISTRY)["key"]),
        "context": through_json(chapters.context),
        "figures": listing,
        "svgs": svgs,
    }


def flat(r: dict) -> bool:
    """A flat likelihood surface, by the fixture README's signs: nlme and lme4 disagree on the
    optimum by more than 1e-6, nlme needed a non-default control, or lme4 is at the boundary."""
    lme4 = r["lme4"]
    return (
        abs(r["logLik"] - lme4["logLik"]) > 1e-6
        or bool(r["failed_controls"])
        or bool(lme4["is_singular"])
    )


@pytest.mark.parametrize("method", ["REML", "ML"])
@pytest.mark.parametrize("key", MODEL_KEYS)
def test_artifacts_match_nlme(built, key, method):
    rec = built["models"][key]["fits"][method]
    r = r_fits()[key][method]
    rtol = 2e-3 if flat(r) else 5e-5
    r_names = [
        n.replace("ses.m", "cvar(ses)").replace("ses.d", "dvar(ses)") for n in r["fixed"]["names"]
    ]
    assert rec["fixed_names"] == r_names
    fixed = zip(rec["fixed_names"], r["fixed"]["value"], r["fixed"]["df"], strict=True)
    for name, value, df in fixed:
        assert rec["params"][name] == pytest.approx(value, rel=rtol, abs=rtol * 1e-2)
        assert rec["df"][name] == df
    assert rec["sigma"] == pytest.approx(r["sigma"], rel=rtol)
    if not flat(r):
        for name, sd in zip(rec["random_names"], r["random"]["sd"], strict=True):
            assert rec["sd_re"][name] == pytest.approx(sd, rel=rtol)


def test_registry_values_agree_except_the_explained(built):
    registry = load_registry(REGISTRY)
    mine = registry[registry["key"].str.startswith("mixed/")]
    result = audit(mine, built["values"])
    assert len(result) >= 100
    disagree = set(result.loc[~result["agree"], "key"])
    assert disagree <= EXPLAINED
    notes = mine.set_index("key").loc[sorted(EXPLAINED), "note"]
    assert all("nlme" in n and "Hessian" in n for n in notes)


def test_tables_and_context(built):
    keys = [t["key"] for t in built["tables"]]
    assert keys[:2] == ["ladder", "lr_tests"]
    for k in ("oneway_clusters", "oneway_intervals", "blue_blup_spread", "contextual_effects"):
        assert k in keys
    ladder = next(t for t in built["tables"] if t["key"] == "ladder")
    assert len(ladder["rows"]) == 10
    ctx = built["context"]
    assert ctx["contextual"]["ok"] and ctx["contextual"]["by_group"]
    assert ctx["lines"]["key"] == "intercepts_slopes_outcomes"
    assert ctx["oneway"]["mean_of_means"] < ctx["oneway"]["gamma"] < ctx["oneway"]["overall_mean"]
    assert [t["key"] for t in built["theory_tables"]] == ["notation"]
    assert built["theory_context"]["fitted"]["ok"]


def test_figures(built):
    assert [f["key"] for f in built["figures"]] == [f"mixed_{k}" for k in FIGURES]
    shrink = built["svgs"]["shrinkage"].read_text()
    assert 'id="points:blue"' in shrink and 'id="arrow:P5762C"' in shrink
    beta = built["svgs"]["beta_space"].read_text()
    for gid in ("ellipse:blue:Catholic", "ellipse:blup:Public", "mean:Catholic"):
        assert f'id="{gid}"' in beta
