"""End to end: the workflow builds the hs report, a rerun does nothing, bad input fails cleanly."""

import os
import re

import pytest
import yaml

from .helpers import ROOT
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


def test_pdf_is_written(built):
    pdf = (built / "reports" / "hs" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000


def test_every_rule_logs_and_benchmarks(built):
    for rule in ("prepare_data", "describe_data", "figure_quantiles", "render_report"):
        assert (built / "results" / "hs" / "logs" / f"{rule}.log").exists()
        assert (built / "results" / "hs" / "benchmarks" / f"{rule}.tsv").exists()


def test_no_change_rerun_does_nothing(built):
    result = run(built, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_bad_config_fails_with_no_partial_output(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["datasets"]["hs"]["roles"]["predictor"] = "sess"
    workdir = make_workdir(tmp_path / "bad", config)
    result = run(workdir)
    assert result.returncode != 0
    assert "column 'sess' not found" in result.stderr
    assert "MathAchieve.csv" in result.stderr
    produced = [p for p in (workdir / "results").rglob("*") if p.is_file()]
    assert all(p.suffix in (".log", ".tsv") for p in produced), produced
    assert not (workdir / "reports").exists()


def test_editing_a_template_rerenders_only_the_report(built):
    template = built / "workflow" / "templates" / "partials" / "data.html.j2"
    text, stat = template.read_text(), template.stat()
    try:
        template.write_text(text + "\n")
        result = run(built, "--dry-run")
    finally:
        template.write_text(text)
        os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout + result.stderr, re.M))
    for target in ("total", "all"):  # the count line and the target rule
        jobs.pop(target, None)
    assert set(jobs) == {"render_report"}, jobs
