"""multilevel.report.svg_tidy: lighter SVG that draws the same, in a browser and in WeasyPrint."""

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image, ImageChops

from multilevel.plots.style import new_figure, rasterize_point_clouds, save_figure, style
from multilevel.report.svg_tidy import GROUP, SHAPES, SVG_NS, tidy_svg

MINIMAL = f"""<?xml version="1.0" encoding="utf-8" standalone="no"?>
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="10pt" viewBox="0 0 10 10"
     xmlns="{SVG_NS}" version="1.1">
 <metadata><title>x</title></metadata>
 <defs><style type="text/css">*{{stroke-linejoin: round; stroke-linecap: butt}}</style></defs>
 <g id="figure_1">
  <g id="line2d_1">
   <path d="M 0 0 L 5 5" style="fill: none; stroke: #222222; stroke-linecap: square"/>
  </g>
  <g id="ellipse:pooled">
   <path id="m1" d="M 0 0 L 0 3" style="stroke: #ff0000; mix-blend-mode: multiply"/>
  </g>
  <g id="patch_9"><use xlink:href="#m1" x="1" y="1"/></g>
  <g id="text_1"><text x="1" y="9" style="font-size: 8px; text-anchor: middle">a</text></g>
 </g>
</svg>
"""


def parsed(text):
    return ET.fromstring(text)


def test_styles_become_attributes_and_an_elements_own_value_wins():
    root = parsed(tidy_svg(MINIMAL))
    paths = root.findall(f".//{{{SVG_NS}}}path")
    first = paths[0]
    assert first.get("style") is None
    assert (first.get("fill"), first.get("stroke")) == ("none", "#222222")
    assert first.get("stroke-linecap") == "square"  # its own, not the universal rule's butt
    assert first.get("stroke-linejoin") == "round"  # from the universal rule
    # A property that is not a presentation attribute stays in the style attribute.
    assert paths[1].get("style") == "mix-blend-mode: multiply"
    text = root.find(f".//{{{SVG_NS}}}text")
    assert (text.get("font-size"), text.get("text-anchor")) == ("8px", "middle")
    assert text.get("stroke-linecap") is None  # the rule goes to shapes only


def test_generated_groups_dissolve_named_ones_stay_and_metadata_goes():
    root = parsed(tidy_svg(MINIMAL))
    ids = [g.get("id") for g in root.iter(GROUP)]
    assert ids == ["ellipse:pooled"]
    assert root.find(f"{{{SVG_NS}}}metadata") is None
    assert root.find(f".//{{{SVG_NS}}}style") is None
    use = root.find(f".//{{{SVG_NS}}}use")
    assert use.get("{http://www.w3.org/1999/xlink}href") == "#m1"
    assert use.get("stroke-linecap") == "butt"


def test_a_referenced_group_is_kept():
    text = MINIMAL.replace('<use xlink:href="#m1"', '<use xlink:href="#line2d_1"')
    ids = [g.get("id") for g in parsed(tidy_svg(text)).iter(GROUP)]
    assert "line2d_1" in ids


def demo_figure():
    rng = np.random.default_rng(3)
    with style():
        fig, ((left, right),) = new_figure(1, 2, figsize=(6, 3))
        left.plot([0, 1, 2], [1, 0, 2], "--", label="dashed")
        left.scatter(rng.normal(size=3000), rng.normal(size=3000), s=3)  # a bitmap cloud
        left.legend()
        right.bar(["a", "b"], [2, 3])
        right.set_title(r"$\hat\beta_1$ by group")
        right.annotate("note", (0, 2), (0.5, 2.5), arrowprops={"arrowstyle": "->"})
        (line,) = right.plot([0, 1], [0.5, 1.5], lw=3, solid_capstyle="round")
        line.set_gid("named:line")
    return fig


@pytest.fixture(scope="module")
def figure_svgs(tmp_path_factory):
    fig = demo_figure()
    rasterize_point_clouds(fig)  # as save_figure does
    raw = io.StringIO()
    with style():
        fig.savefig(raw, format="svg", metadata={"Date": None})
    path = save_figure(fig, tmp_path_factory.mktemp("svg") / "demo.svg")
    return raw.getvalue(), path.read_text()


def test_saved_figures_are_tidied_and_deterministic(figure_svgs, tmp_path):
    raw, tidied = figure_svgs
    assert tidied == tidy_svg(raw)
    assert tidied.count("<") < raw.count("<") / 2
    again = save_figure(demo_figure(), tmp_path / "again.svg").read_text()
    assert again == tidied
    root = parsed(tidied)
    assert [g.get("id") for g in root.iter(GROUP) if g.get("id") == "named:line"]
    assert all("stroke-linejoin" in e.attrib for e in root.iter() if e.tag in SHAPES)


@pytest.mark.slow
def test_a_browser_draws_the_tidied_figure_pixel_for_pixel(browser, figure_svgs):
    page = browser.new_page(viewport={"width": 900, "height": 500})
    shots = []
    for svg in figure_svgs:
        data = base64.b64encode(svg.encode()).decode()
        page.set_content(f'<img id="f" style="width:880px" src="data:image/svg+xml;base64,{data}">')
        page.wait_for_load_state()
        shots.append(Image.open(io.BytesIO(page.locator("#f").screenshot())).convert("RGB"))
    page.close()
    assert shots[0].size == shots[1].size
    assert ImageChops.difference(*shots).getbbox() is None, "the tidied SVG draws differently"


def test_prefixes_survive_other_libraries_registering_theirs():
    ET.register_namespace("", "http://example.org/another")  # as a PDF metadata writer may
    text = tidy_svg(MINIMAL)
    assert text.splitlines()[1].startswith(f'<svg xmlns="{SVG_NS}"')
    assert "ns0:" not in text and "xlink:href" in text
