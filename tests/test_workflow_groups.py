"""End to end with a group of four levels whose names are numbers (ChickWeight's diets):
every figure, table and sentence of the methods chapters speaks of every level against the
reference, in the configured order, with the variable's name ("Diet 2"), never "nan"; a
line a method cannot estimate (the between-chick line of a diet whose chicks all have the
same weighing days) is said to be so, as R's lm prints NA."""

import re
from html import unescape

import pytest

from .helpers import raw_config
from .workflow import make_workdir, run

pytestmark = pytest.mark.slow

# Not the natural order: the report must follow the configuration, not sort the levels.
ORDER = ["1", "4", "3", "2"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    config = raw_config()
    config["simulation"]["montecarlo"].update(replicates=10, chunks=1)
    config["datasets"]["chickweight"]["roles"]["group_order"] = ORDER
    config["dataset"] = "chickweight"
    workdir = make_workdir(tmp_path_factory.mktemp("chick"), config)
    result = run(workdir, "reports/chickweight/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (workdir / "reports" / "chickweight" / "report.html").read_text()
    return workdir, html


def text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_level_against_the_reference_in_words(built):
    _, html = built
    words = text(html)
    assert "Diet 1, 220 rows in 20 clusters; Diet 4, 118 rows" in words  # configured order
    for lv in ("2", "3", "4"):
        assert f"Diet {lv} minus Diet 1 is" in words
        assert f"Diet {lv} − Diet 1 in slope" in words  # the coefficient tables
    assert "4 fitted lines, one per level of Diet" in words
    assert "the two fitted lines" not in words and "with two groups" not in words
    assert not re.search(r"\bnan\b", words)


def test_difference_figures_have_a_panel_per_level_on_one_frame(built):
    workdir, _ = built
    figures = workdir / "results" / "chickweight" / "figures" / "methods_models"
    frames = set()
    for key in ("diff_pooled", "diff_fe", "diff_twostage", "diff_between"):
        svg = (figures / f"{key}.svg").read_text()
        for lv in ("2", "3", "4"):
            assert f'id="centre:pooled:{lv} - 1"' in svg, (key, lv)
        frames.add(tuple(re.findall(r'id="axes_\d+"', svg)))
    between = (figures / "diff_between.svg").read_text()
    # Diets 2 and 3: every chick weighed on the same days, so the between line is aliased
    assert "not estimable: between" in between
    assert 'id="centre:between:4 - 1"' in between
    assert 'id="centre:between:2 - 1"' not in between


def test_omnibus_tests_and_aliased_terms(built):
    _, html = built
    block = re.search(r'id="table-methods_omnibus">(.*?)</figure>', html, re.S).group(1)
    cells = text(block)
    assert "3, 570" in cells and "6, 570" in cells  # pooled: k - 1 and 2(k - 1) DF
    assert "At the 5% level, the slopes differ by" in cells
    between = text(re.search(r'id="table-between_group_coef">(.*?)</figure>', html, re.S)[1])
    assert re.search(r"Time:Diet2 — — — —", between)
    lines = text(re.search(r'id="table-group_lines">(.*?)</figure>', html, re.S)[1])
    assert "between: Diet 2 — — — — —" in lines
    order = [m.group(1) for m in re.finditer(r"pooled: Diet (\d)", lines)]
    assert order == ORDER
