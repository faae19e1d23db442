"""multilevel.report.page_flow: a figure that would leave a hole moves past the next block of
text, never past a chapter heading or another figure (numbers stay in page order)."""

import tinyhtml5
import weasyprint

from multilevel.report.page_flow import flowed, move_past_next_block, stranded_unit


def ids_in_order(root) -> list[str]:
    return [e.get("id") for e in root.iter() if e.get("id")]


def parse(body: str):
    return tinyhtml5.parse(f"<html><body>{body}</body></html>", namespace_html_elements=False)


def test_a_figure_moves_past_text_and_a_subheading_but_not_a_figure_or_chapter():
    root = parse(
        '<figure id="figure-a"></figure><p id="p1">x</p><h3 id="h">H</h3><p id="p2">y</p>'
        '<figure id="figure-b"></figure><h2 id="c">C</h2>'
    )
    assert move_past_next_block(root, "figure-a")
    assert ids_in_order(root) == ["p1", "figure-a", "h", "p2", "figure-b", "c"]
    assert move_past_next_block(root, "figure-a")  # a subheading goes with its first block
    assert ids_in_order(root) == ["p1", "h", "p2", "figure-a", "figure-b", "c"]
    assert not move_past_next_block(root, "figure-a")  # never past another figure
    assert not move_past_next_block(root, "figure-b")  # nor a chapter's heading


def words(n: int, label: str) -> str:
    return "".join(f"<p>{label}{i} {'words ' * 60}</p>" for i in range(n))


def test_the_text_after_a_stranded_figure_fills_the_page_before_it():
    style = (
        "@page { size: A4; margin: 18mm } body { font-size: 10pt } "
        "figure { margin: 0; break-inside: avoid } .big { height: 190mm; background: #ccc }"
    )
    html = (
        f"<html><head><meta charset='utf-8'><style>{style}</style></head><body>"
        f"{words(6, 'Before')}<figure id='figure-x'><div class='big'></div>"
        f"<figcaption>Figure 1.</figcaption></figure>{words(8, 'After')}</body></html>"
    )

    def render(h):
        return weasyprint.HTML(string=h, media_type="print").render()

    assert stranded_unit(render(html))[0] == "figure-x"  # as written, it leaves a hole
    document = flowed(html, render)
    assert stranded_unit(document) is None
    texts = [
        " ".join(b.text for b in p._page_box.descendants() if hasattr(b, "text") and b.text)
        for p in document.pages
    ]
    assert "After0" in texts[0]  # the text after the figure now fills the first page
