"""The formulas a job draws into the cache before the report step: every literal math("...")
of the templates, and nothing the templates build at render time."""

from multilevel.report.render import TEMPLATES
from multilevel.report.template_formulas import computed_formulas, template_formulas


def test_literal_formulas_are_found_once_and_computed_ones_are_named(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "a.html.j2").write_text(
        '<p>{{ math("\\\\gamma_{00}") }} and {{ math("\\\\sigma^2", display=True) }}</p>\n'
        '{% if x %}{{ math("\\\\gamma_{00}") }}{% endif %}{{ other("\\\\tau") }}\n'
    )
    (tmp_path / "partials" / "b.html.j2").write_text(
        '{{ math("\\\\sqrt{g} = %.3f" % value) }}\n{{ math(name) }}{{ math("\\\\rho") }}'
    )
    assert template_formulas(tmp_path) == ["\\gamma_{00}", "\\sigma^2", "\\rho"]
    assert computed_formulas(tmp_path) == ["b.html.j2:1", "b.html.j2:2"]


def test_the_report_templates_write_every_formula_as_a_literal():
    """So the step that fills the formula cache leaves the report step, the last of a build,
    nothing to draw and no matplotlib to import. A number belongs beside a formula, as text
    ({{ math("\\\\sigma") }} = {{ value }}), not inside it."""
    assert computed_formulas(TEMPLATES) == []
    assert len(template_formulas(TEMPLATES)) >= 30
