"""End to end: the workflow builds the hs report, a rerun does nothing, bad input fails cleanly."""

import os
import re

import pytest
import yaml

from .helpers import raw_config
from .workflow import make_workdir, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(built_hs):
    return built_hs


def test_report_html_is_self_contained_and_complete(built):
    html = (built / "reports" / "hs" / "report.html").read_text()
    agree, total = map(int, re.search(r"(\d+) of (\d+) published values reproduced", html).groups())
    assert total > 1000 and agree >= total - 5
    # every value that differs is explained in the audit, never hidden
    differing = re.findall(r'<tr class="bad">(.*?)</tr>', html, re.S)
    assert len(differing) == 2 * (total - agree)  # in the "why" table and in the full list
    why = re.findall(r'<td class="why">(.*?)</td>', html, re.S)
    assert len(why) == total - agree and all(w.strip() and w != "NOT EXPLAINED" for w in why)
    assert "Figure 1." in html and "Uniform quantile plots" in html
    assert "Reproduction audit" in html
    # the code version is the project's commit, though the work directory is elsewhere
    assert re.search(r"git commit <code>[0-9a-f]{12}", html)
    # self-contained: images inline, no external stylesheet or script
    assert "data:image/svg+xml;base64," in html
    assert not re.search(r'<(img|script|link)[^>]+(src|href)="(?!data:|#)', html)
    assert "sha256 2989487412b25e7b6ee76114e9ab2c75d0197679e865956fdd01808028eba3fd" in html


def test_diagnostics_chapter(built):
    html = (built / "reports" / "hs" / "report.html").read_text()
    chapter = html[html.index('<section id="diagnostics"') :]
    chapter = chapter[: chapter.index("</section>")]
    for key in ("residuals", "cluster_spread", "blup_quantiles", "blup_against", "influence"):
        assert f'id="figure-diagnostics_{key}"' in chapter
    assert 'id="table-diagnostics_influence"' in chapter
    assert "Of the 1977 standardized residuals" in chapter
    assert "Each of the 40 clusters was left out in turn and the model refitted" in chapter
    csv = built / "reports" / "hs" / "tables" / "diagnostics" / "diagnostics_influence.csv"
    rows = csv.read_text().splitlines()
    assert len(rows) == 41 and rows[0].startswith("cluster,label,n,cooks,dfbetas[")
    assert (built / "results" / "hs" / "benchmarks" / "model_figures.tsv").exists()


def test_the_report_says_which_df_rule_the_monte_carlo_supports_here(built):
    """The mixed chapter reads the Monte Carlo study of the df rules at the study size nearest
    to this dataset's number of clusters (hs: 40 of 10, 20, 40), with the rules it finds
    honest there, from the study's own summary."""
    import json
    import re

    html = (built / "reports" / "hs" / "report.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    study = json.loads(
        (built / "results" / "simulation" / "parts" / "montecarlo_df.json").read_text()
    )
    sentence = re.search(r"the nearest to this dataset's 40 clusters is (\d+), where (.*?)\.", text)
    assert sentence and int(sentence[1]) == 40
    honest = study["montecarlo_df"]["honest"]["40"]
    named = [label for rule, label in study["montecarlo_df"]["rules"] if label in sentence[2]]
    expected = [
        label
        for rule, label in study["montecarlo_df"]["rules"]
        if all(rule in honest[q] for q in ("within", "slope_gap", "intercept_gap"))
    ]
    assert named == expected


def test_pdf_is_written(built):
    pdf = (built / "reports" / "hs" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000


def test_every_rule_logs_and_benchmarks(built):
    for rule in ("prepare_data", "describe_data", "fit_methods", "render_report"):
        assert (built / "results" / "hs" / "logs" / f"{rule}.log").exists()
        assert (built / "results" / "hs" / "benchmarks" / f"{rule}.tsv").exists()


def test_no_change_rerun_does_nothing(built):
    result = run(built, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_bad_config_fails_with_no_partial_output(tmp_path):
    config = raw_config()
    config["datasets"]["hs"]["roles"]["predictor"] = "sess"
    workdir = make_workdir(tmp_path / "bad", config)
    result = run(workdir)
    assert result.returncode != 0
    assert "column 'sess' not found" in result.stderr
    assert "MathAchieve.csv" in result.stderr
    produced = [p for p in (workdir / "results").rglob("*") if p.is_file()]
    assert all(p.suffix in (".log", ".tsv") for p in produced), produced
    assert not (workdir / "reports").exists()


def scheduled_jobs(output: str) -> dict[str, int]:
    """Jobs per rule from a dry run's count table, without the count line and the target."""
    jobs = {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", output, re.M)}
    for target in ("total", "all"):
        jobs.pop(target, None)
    return jobs


def jobs_after_config_change(workdir, change) -> dict[str, int]:
    """The jobs a dry run schedules after ``change(config)``; the config is restored after."""
    path = workdir / "config" / "config.yaml"
    text, stat = path.read_text(), path.stat()
    config = yaml.safe_load(text)
    change(config)
    try:
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        result = run(workdir, "--dry-run")
    finally:
        path.write_text(text)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert result.returncode == 0, result.stderr[-3000:]
    return scheduled_jobs(result.stdout + result.stderr)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["report"].update(pin_date="2001-01-01"),
        lambda c: c["datasets"]["hs"].update(title="Another title"),
    ],
    ids=["report date", "dataset title"],
)
def test_a_report_option_rerenders_only_the_report(built, change):
    assert jobs_after_config_change(built, change) == {"render_report": 1}


def test_the_registry_flag_reruns_only_the_steps_that_reproduce_the_document(built):
    jobs = jobs_after_config_change(
        built, lambda c: c["datasets"]["hs"].update(reproduces_document=False)
    )
    # the steps that use it, and the one reading what fit_methods rewrites (the effects and the
    # models' figures); not prepare_data, the ten mixed fits or the other figures
    assert jobs == {
        "describe_data": 1,
        "fit_methods": 1,
        "methods_models": 1,
        "mixed_tables": 1,
        "render_report": 1,
    }


def test_a_role_reruns_the_dataset_steps_and_not_the_simulation(built):
    jobs = jobs_after_config_change(
        built, lambda c: c["datasets"]["hs"]["roles"].update(group_reference="Public")
    )
    # preparing the long table uses the reference (it orders the group's categories), so every
    # step of the dataset runs again; the simulation chapter uses no dataset
    assert jobs["prepare_data"] == 1 and jobs["fit_methods"] == 1 and jobs["mixed_fits"] == 1
    assert not {rule for rule in jobs if "simulat" in rule or "montecarlo" in rule}


def test_editing_a_template_rerenders_only_the_report(built):
    template = built / "workflow" / "templates" / "partials" / "data.html.j2"
    text, stat = template.read_text(), template.stat()
    try:
        template.write_text(text + "\n")
        result = run(built, "--dry-run")
    finally:
        template.write_text(text)
        os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scheduled_jobs(result.stdout + result.stderr) == {"render_report": 1}
