"""report.qmd is a valid Quarto source: front matter parses, every referenced file exists."""

import re

import pytest
import yaml

pytestmark = pytest.mark.slow


def test_qmd_front_matter_and_references(built_hs):
    qmd = built_hs / "reports" / "hs" / "report.qmd"
    text = qmd.read_text()
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "no YAML front matter"
    front = yaml.safe_load(match.group(1))
    assert front["title"].startswith("High School and Beyond")
    assert set(front["format"]) == {"html", "pdf"}
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images, "no figures referenced"
    for ref in images:
        assert (qmd.parent / ref).resolve().is_file(), ref
    html = (built_hs / "reports" / "hs" / "report.html").read_text()
    # the same numbered figures and tables as the HTML report
    assert len(images) == len(set(re.findall(r'id="figure-([^"]+)"', html)))
    labels = re.findall(r"\{#tbl-[^}]+\}", text)
    assert len(labels) == len(set(re.findall(r'id="table-([^"]+)"', html)))
    sections = re.findall(r"^## .*\{#sec-([^}]+)\}$", text, re.M)
    assert sections == re.findall(r'<section id="([^"]+)" class="chapter">', html)
