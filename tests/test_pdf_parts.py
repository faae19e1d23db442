"""multilevel.report.pdf: the PDF rendered in parts (in parallel, cached) is the PDF of the whole
HTML."""

import io
import logging

import pytest
import weasyprint
from pypdf import PdfReader

from multilevel.report.pdf import drop_screen_only, render_pdf
from multilevel.report.render import TEMPLATES

CSS = (TEMPLATES / "report.css").read_text()


def paragraphs(label: str, n: int) -> str:
    return "".join(f"<p>{label} paragraph {i}: {'words ' * 40}</p>" for i in range(n))


def report_html(lengths=(3, 40, 5), extra: str = "") -> str:
    """A report shaped like ours: header, contents, chapters in <main>, cross-chapter links."""
    names = ["alpha", "beta", "gamma"]
    contents = "".join(f'<li><a href="#{n}">{n.title()}</a></li>' for n in names)
    sections = "".join(
        f'<section id="{n}" class="chapter"><h2>{i + 1}. {n.title()}</h2>'
        f"{paragraphs(n, k)}"
        f'<p id="{n}-end">End of {n}; see <a href="#{names[(i + 1) % 3]}-end">the next</a>.</p>'
        "</section>"
        for i, (n, k) in enumerate(zip(names, lengths))
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>T</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><p class='running-title'>A test report</p><h1>A test report</h1>"
        f"<p class='screen-only'>only on screen</p>{extra}</header>"
        f"<nav class='toc'><h2>Contents</h2><ol>{contents}"
        '<li><a href="#gamma-end">The end of gamma</a></li></ol></nav>'
        f"<main>{sections}</main></body></html>"
    )


def whole(html: str) -> bytes:
    """The reference: WeasyPrint on the whole document at once."""
    document = weasyprint.HTML(string=html, media_type="print")
    drop_screen_only(document.etree_element)
    return document.write_pdf()


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def rendered(html, tmp_path, name="out.pdf", **kwargs) -> bytes:
    path = tmp_path / name
    render_pdf(html, path, **kwargs)
    return path.read_bytes()


def test_parts_give_the_pages_of_the_whole_document(tmp_path):
    html = report_html()
    parts = page_texts(rendered(html, tmp_path, workers=2))
    reference = page_texts(whole(html))
    assert len(parts) == len(reference) > 6
    assert parts == reference  # same text on every page: footers, contents numbers, running heads
    assert "only on screen" not in " ".join(parts)


def links(reader) -> list[tuple[int, str, tuple]]:
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                box = tuple(float(v) for v in annotation["/Rect"])
                found.append((index, str(annotation["/Dest"]), box))
    return sorted(found)


def test_links_across_parts_land_where_the_anchor_is(tmp_path):
    html = report_html()
    pdf = rendered(html, tmp_path, workers=2)
    reader = PdfReader(io.BytesIO(pdf))
    destinations = reader.named_destinations
    pages_of = {name: reader.get_destination_page_number(d) for name, d in destinations.items()}
    found = links(reader)
    assert {t for _, t, _ in found} >= {"alpha", "beta", "gamma", "gamma-end", "alpha-end"}
    assert all(t in destinations for _, t, _ in found)
    text = page_texts(pdf)
    for target in ("gamma-end", "beta-end"):
        assert f"End of {target.split('-')[0]}" in text[pages_of[target]]
    # The same links, on the same pages, in the same places, as in the whole document.
    reference = links(PdfReader(io.BytesIO(whole(html))))
    assert [(i, t) for i, t, _ in found] == [(i, t) for i, t, _ in reference]
    for (_, _, box), (_, _, expected) in zip(found, reference):
        assert box == pytest.approx(expected, abs=0.01)
    whole_reader = PdfReader(io.BytesIO(whole(html)))
    assert pages_of == {
        name: whole_reader.get_destination_page_number(d)
        for name, d in whole_reader.named_destinations.items()
    }


def test_the_cache_renders_only_changed_chapters_and_changes_no_byte(tmp_path, caplog):
    cache = tmp_path / "cache"
    first = rendered(report_html(), tmp_path, "a.pdf", cache_dir=cache, workers=2)
    with caplog.at_level(logging.INFO, logger="multilevel.report.pdf"):
        again = rendered(report_html(), tmp_path, "b.pdf", cache_dir=cache, workers=2)
    assert again == first
    assert "rendered 0 of 3 chapters" in caplog.text
    caplog.clear()
    # A longer first chapter moves every later page: the first round finds the new page count,
    # the second renders the later chapters with their new first pages; the result is what a
    # build without a cache gives.
    longer = report_html(lengths=(30, 40, 5))
    with caplog.at_level(logging.INFO, logger="multilevel.report.pdf"):
        cached = rendered(longer, tmp_path, "c.pdf", cache_dir=cache, workers=2)
    assert cached == rendered(longer, tmp_path, "d.pdf", workers=1)
    assert page_texts(cached) == page_texts(whole(longer))
    assert "rendered 1 of 3 chapters (alpha)" in caplog.text
    assert "rendered 2 of 3 chapters (beta, gamma)" in caplog.text
    caplog.clear()
    # A change inside the last chapter that keeps its length: only that chapter is rendered.
    edited = longer.replace("End of gamma", "End of GAMMA")
    with caplog.at_level(logging.INFO, logger="multilevel.report.pdf"):
        rendered(edited, tmp_path, "e.pdf", cache_dir=cache, workers=2)
    assert "rendered 1 of 3 chapters (gamma)" in caplog.text
    assert "front matter" not in caplog.text  # its numbers did not change: taken from the cache
    caplog.clear()
    # A stylesheet edit changes every part: the front matter is rendered beside the chapters with
    # the last build's numbers, which still hold.
    restyled = edited.replace("</style>", "p { color: #111; }</style>")
    with caplog.at_level(logging.INFO, logger="multilevel.report.pdf"):
        result = rendered(restyled, tmp_path, "f.pdf", cache_dir=cache, workers=2)
    assert "rendered 3 of 3 chapters" in caplog.text
    assert "front matter" not in caplog.text
    assert result == rendered(restyled, tmp_path, "g.pdf", workers=2)
    leftovers = sorted(p.name for p in cache.iterdir())
    assert len(leftovers) == 2 * 4 + 1  # the parts of the last build and the index


@pytest.mark.parametrize("workers", [1, 2])
def test_same_bytes_with_any_number_of_workers(tmp_path, workers):
    html = report_html()
    assert rendered(html, tmp_path, workers=workers) == rendered(html, tmp_path, "2.pdf", workers=2)


def test_a_damaged_cache_is_rendered_again(tmp_path):
    cache = tmp_path / "cache"
    html = report_html()
    fresh = rendered(html, tmp_path, "a.pdf", cache_dir=cache, workers=2)
    for path in sorted(cache.glob("*.json"))[:3]:
        path.write_text("{not json")
    (cache / "index.json").write_text("")
    assert rendered(html, tmp_path, "b.pdf", cache_dir=cache, workers=2) == fresh
    assert not list(cache.glob("*.tmp"))
