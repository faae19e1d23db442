"""What lets the report step, the last job of a build, start and finish fast: templates
compiled by an earlier job (render.use_template_cache, compile_templates) and the audit's CSV
written without pandas."""

import shutil

import jinja2
import pandas as pd
import pytest

from multilevel.report import render


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A copy of the templates, and a template cache, for this test only."""
    copy = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, copy)
    monkeypatch.setattr(render, "TEMPLATES", copy)
    monkeypatch.setattr(render, "template_cache", None)
    render.use_template_cache(tmp_path / "cache")
    return copy


def _compiles(monkeypatch) -> list[str]:
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_templates_compiled_once_are_loaded_by_a_later_process_without_compiling(
    templates, monkeypatch
):
    count = render.compile_templates()
    assert count == len(list(templates.rglob("*.j2")))
    assert len(list((render.template_cache / "html").iterdir())) == count - 1
    assert len(list((render.template_cache / "qmd").iterdir())) == 1
    compiled = _compiles(monkeypatch)
    render.environment().get_template("base.html.j2")
    render.environment().get_template("partials/data.html.j2")
    render.environment(html=False).get_template(render.QMD_TEMPLATE)
    assert compiled == []
    # an edited template is compiled again
    edited = templates / "partials" / "data.html.j2"
    edited.write_text(edited.read_text() + "\n{# edited #}\n")
    render.environment().get_template("partials/data.html.j2")
    assert compiled == ["partials/data.html.j2"]


def test_the_two_environments_keep_their_own_code(templates):
    """The HTML environment escapes, the Quarto one does not: one cache folder each."""
    (templates / "probe.html.j2").write_text("{{ text }}")
    render.compile_templates()
    html = render.environment().get_template("probe.html.j2").render(text="<b>")
    plain = render.environment(html=False).get_template("probe.html.j2").render(text="<b>")
    assert (html, plain) == ("&lt;b&gt;", "<b>")


def test_the_audit_csv_is_what_pandas_wrote():
    rows = [
        {
            "key": "mixed/oneway/sigma",
            "page": "149; 150",
            "chapter": 'Fitting "hierarchical" models',
            "section": "mixed/oneway",
            "listing": False,
            "meaning": "residual SD, a, b",
            "published": "6.257",
            "reproduced": "6.2569",
            "agree": True,
            "note": "line one\nline two",
            "extra": "not a column",
        },
        {**dict.fromkeys(render.AUDIT_CSV_COLUMNS, ""), "agree": False, "listing": True},
    ]
    expected = pd.DataFrame(rows, columns=render.AUDIT_CSV_COLUMNS).to_csv(index=False)
    assert render.audit_csv({"rows": rows}) == expected
    assert render.audit_csv(None) == pd.DataFrame(columns=render.AUDIT_CSV_COLUMNS).to_csv(
        index=False
    )
