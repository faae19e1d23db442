"""The report's PDF: WeasyPrint lays out the report in parts on every core, a cache keeps each
part's PDF by the part's HTML, and pypdf joins the parts into one file.

Why parts: WeasyPrint is single-threaded and spends some 10 s on the 61 pages of the hs report.
Every chapter starts on a new page, so a chapter's pages do not depend on the chapters before
it, except for the page numbers in the footer and in the table of contents. The report is cut
into the front matter (title, provenance, contents) and one part per chapter (each a complete
HTML document with the same head and stylesheet). A part is rendered knowing its first page
number; its page count does not depend on that number (footers sit in the page margins), so:

1. page counts come from the previous build (``index.json`` in the cache) or, on a first build,
   from a layout-only pass over every part, in parallel;
2. each chapter is rendered (or taken from the cache, keyed by its HTML and first page) in
   parallel; if a count turned out different, the chapters after it are rendered again with
   the right first page (the counts are then known, so this happens at most once);
3. the front matter is rendered last, with the page number of every entry of the contents
   written in (``data-page``; the print stylesheet shows it after a leader);
4. pypdf appends the parts in order (with their bookmarks and named destinations) and adds the
   links that cross parts, which WeasyPrint could not resolve within one part.

Each part is laid out with multilevel.report.page_flow, which moves a figure or table that
would leave a hole at the bottom of a page past the text that follows it.

The result does not depend on what the cache held: a part is the same bytes whether rendered
now or taken from the cache, and the joined file is the same for the same parts.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import io
import json
import logging
import math
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from multilevel.files import write_whole
from multilevel.report import page_flow
from multilevel.report.page_flow import flowed

SCREEN_ONLY = "screen-only"
FRONT = "front"
PDF_IDENTIFIER = b"multilevel-report"
POINTS_PER_PX = 0.75

logger = logging.getLogger("multilevel.report.pdf")
# Part of the cache key: a part's pages depend on its HTML and on how page_flow moves units.
FLOW = hashlib.sha256(Path(page_flow.__file__).read_bytes()).hexdigest()[:16]


@dataclass
class Part:
    name: str
    elements: list  # body children, in order
    html: str = ""  # the part as a complete document, set once its page numbers are known


@dataclass
class RenderedPart:
    pdf: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)  # anchor -> page index in the part
    links: list = field(default_factory=list)  # [page index, anchor, [x1, y1, x2, y2] in pt]
    seconds: float = 0.0  # how long it took: the next build schedules the slowest parts first

    def meta(self) -> dict:
        return {
            "pages": self.pages,
            "anchors": self.anchors,
            "links": self.links,
            "seconds": self.seconds,
        }


@contextmanager
def fewer_garbage_collections():
    """WeasyPrint allocates millions of short-lived objects and few cycles: with Python's default
    thresholds the collector's full passes cost some 2 s of a 12 s render; rarer passes keep
    memory within 10% of the default."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _classes(element) -> list[str]:
    return element.get("class", "").split()


def drop_screen_only(root) -> None:
    """Remove what the print stylesheet hides: WeasyPrint computes styles for hidden elements
    too, and the audit's interactive table alone is some 19,000 elements. A contents entry
    whose target went with them (a table kept for the HTML) goes too."""
    for parent in list(root.iter()):
        for child in [c for c in parent if SCREEN_ONLY in _classes(c)]:
            parent.remove(child)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    for parent in list(root.iter()):
        for item in [c for c in parent if c.tag == "li"]:
            link = item.find("a")
            target = link.get("href", "") if link is not None else ""
            if target.startswith("#") and target[1:] not in ids:
                parent.remove(item)


def split_parts(root) -> list[Part]:
    """The report in parts: one per top-level ``<section>`` with an id (named by it, in the
    wrappers it sits in, such as ``<main>``), and the front matter: everything else."""
    body = root.find("body")
    parent = {child: node for node in body.iter() for child in node}
    sections = [
        s
        for s in body.iter("section")
        if s.get("id") and all(a.tag != "section" for a in _chain(s, parent))
    ]
    running = [e for e in body.iter("p") if "running-title" in _classes(e)][:1]
    parts = [Part(FRONT, _without(body, set(sections), parent))]
    for section in sections:
        wrapped = section
        for wrapper in _chain(section, parent):
            if wrapper is body:
                break
            shell = ET.Element(wrapper.tag, wrapper.attrib)
            shell.append(wrapped)
            wrapped = shell
        for title in running:  # after the heading: before it, it would push the heading's page
            section.insert(1, copy.copy(title))  # break onto a second page
        parts.append(Part(section.get("id"), [wrapped]))
    return parts


def _without(body, removed: set, parent: dict) -> list:
    """Copies of the body's children without the ``removed`` elements (shallow where nothing
    is removed below)."""
    holding = {a for element in removed for a in _chain(element, parent)}

    def strip(element):
        if element not in holding:
            return element
        shell = ET.Element(element.tag, element.attrib)
        shell.text = element.text
        shell.extend(strip(c) for c in element if c not in removed)
        return shell

    return [strip(c) for c in body if c not in removed]


def _chain(element, parent: dict):
    while element in parent:
        element = parent[element]
        yield element


def part_html(root, part: Part, first_page: int) -> str:
    """One part as a complete HTML document: the report's head, this part's body, and the page
    number its first page carries."""
    document = ET.Element("html", root.attrib)
    head = copy.deepcopy(root.find("head"))
    style = ET.SubElement(head, "style")
    style.text = f"@page :first {{ counter-reset: page {first_page}; }}"
    if part.name != FRONT:  # the report's first page has no running header; a part's first does
        style.text += " @page :first { @top-center { content: string(running); } }"
    document.append(head)
    body = ET.SubElement(document, "body", root.find("body").attrib)
    body.extend(part.elements)
    return "<!DOCTYPE html>\n" + ET.tostring(document, encoding="unicode", method="html")


def number_contents(front: Part, pages_of: dict[str, int]) -> None:
    """Write each entry's page number into the contents (the print stylesheet shows
    ``attr(data-page)``): the front matter cannot count pages of documents it does not hold."""
    for element in front.elements:
        for link in element.iter("a"):
            target = link.get("href", "")
            if target.startswith("#"):
                link.set("data-page", str(pages_of.get(target[1:], 0)))


def _render(html: str, layout_only: bool = False) -> RenderedPart:
    import weasyprint

    start = time.perf_counter()
    with fewer_garbage_collections():
        document = flowed(html, lambda h: weasyprint.HTML(string=h, media_type="print").render())
        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        if layout_only:
            return RenderedPart(b"", len(document.pages), anchors)
        # Links to anchors in other parts: WeasyPrint would drop them with an error; they are
        # kept aside and added when the parts are joined.
        crossing = []
        for index, page in enumerate(document.pages):
            kept = []
            for link in page.links:
                kind, target, rectangle, _ = link
                if kind == "internal" and target not in anchors:
                    x1, y1, x2, y2 = rectangle  # as WeasyPrint writes its own links
                    box = [x1, page.height - y1, x2, page.height - y2]
                    crossing.append([index, target, [v * POINTS_PER_PX for v in box]])
                else:
                    kept.append(link)
            page.links[:] = kept
        pdf = document.write_pdf(pdf_identifier=PDF_IDENTIFIER)
    seconds = round(time.perf_counter() - start, 3)
    return RenderedPart(pdf, len(document.pages), anchors, crossing, seconds)


def _layout(html: str) -> RenderedPart:
    return _render(html, layout_only=True)


class PartCache:
    """Rendered parts on disk, keyed by the SHA-256 of the part's HTML (which holds its first
    page number), the WeasyPrint version and the page_flow code; ``index.json`` keeps the
    last build's page counts and contents numbers. Parts the last build did not use are
    removed."""

    def __init__(self, directory: str | Path | None):
        self.directory = Path(directory) if directory else None
        self.memory: dict[str, RenderedPart] = {}
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def key(html: str) -> str:
        import weasyprint

        return hashlib.sha256(f"{weasyprint.__version__}\n{FLOW}\n{html}".encode()).hexdigest()[:32]

    def get(self, html: str) -> RenderedPart | None:
        key = self.key(html)
        if key in self.memory or not self.directory:
            return self.memory.get(key)
        pdf, meta = self.directory / f"{key}.pdf", self.directory / f"{key}.json"
        try:
            self.memory[key] = RenderedPart(pdf.read_bytes(), **json.loads(meta.read_text()))
        except (OSError, ValueError, TypeError):  # absent or damaged: render it again
            return None
        return self.memory[key]

    def put(self, html: str, part: RenderedPart) -> None:
        key = self.key(html)
        self.memory[key] = part
        if self.directory:  # the PDF first: its metadata file marks the entry complete
            write_whole(self.directory / f"{key}.pdf", part.pdf)
            write_whole(self.directory / f"{key}.json", json.dumps(part.meta()))

    def previous(self) -> dict:
        """The last build's page counts, contents numbers and seconds per part."""
        index = self.directory / "index.json" if self.directory else None
        try:
            return json.loads(index.read_text()) if index else {}
        except (OSError, ValueError):
            return {}

    def finish(self, entry: dict, keep: list[str]) -> None:
        if not self.directory:
            return
        write_whole(self.directory / "index.json", json.dumps(entry, sort_keys=True))
        kept = {self.key(html) for html in keep} | {"index"}
        for path in self.directory.iterdir():
            if path.suffix in (".pdf", ".json", ".tmp") and path.stem not in kept:
                path.unlink()


class PartRenderer:
    """Renders parts in a pool of worker processes (forked, so WeasyPrint is imported once)."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.terminate()

    def map(self, function: Callable, htmls: list[str], costs=None) -> list[RenderedPart]:
        if self.pool is None or len(htmls) < 2:
            return [function(h) for h in htmls]
        # Costliest first (by the last build's times, else by size), one at a time: the pool
        # stays busy to the end.
        costs = costs or [len(h) for h in htmls]
        order = sorted(range(len(htmls)), key=lambda i: -costs[i])
        done = self.pool.map(function, [htmls[i] for i in order], chunksize=1)
        results: list = [None] * len(htmls)
        for i, result in zip(order, done):
            results[i] = result
        return results


def first_pages(parts: list[Part], counts: dict[str, int]) -> dict[str, int]:
    first, page = {}, 1
    for part in parts:
        first[part.name] = page
        page += counts[part.name]
    return first


def render_pdf(
    html: str,
    pdf_path: str | Path,
    cache_dir=None,
    workers: int | None = None,
    log: logging.Logger = logger,
) -> None:
    """The report's HTML -> PDF at ``pdf_path``. ``cache_dir`` keeps rendered parts between
    builds; ``workers`` defaults to the cores this process may use."""
    import tinyhtml5
    import weasyprint  # noqa: F401  (imported once, before the workers are forked)

    if workers is None:
        workers = len(os.sched_getaffinity(0))
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    drop_screen_only(root)
    parts = split_parts(root)
    start = time.perf_counter()
    front, chapters = parts[0], parts[1:]
    cache = PartCache(cache_dir)
    rendered: dict[str, RenderedPart] = {}
    with PartRenderer(workers) as renderer:
        last = cache.previous()
        counts, contents = last.get("pages", {}), last.get("contents")
        seconds = last.get("seconds", {})
        if set(counts) != {p.name for p in parts}:
            number_contents(front, {})
            layouts = renderer.map(_layout, [part_html(root, p, 1) for p in parts])
            counts = {p.name: r.pages for p, r in zip(parts, layouts)}
            contents = None
            log.info("page counts from a layout pass: %s", counts)
        for _ in range(3):
            first = first_pages(parts, counts)
            for part in chapters:
                part.html = part_html(root, part, first[part.name])
            todo = [part for part in chapters if cache.get(part.html) is None]
            jobs = [part.html for part in todo]
            costs = [seconds.get(part.name, math.inf) for part in todo]
            if contents is not None:
                # The contents as the last build numbered them, rendered beside the chapters;
                # used only if the chapters' pages turn out the same.
                number_contents(front, contents)
                guess = part_html(root, front, 1)
                if cache.get(guess) is None:
                    jobs.append(guess)
                    costs.append(seconds.get(FRONT, math.inf))
            results = renderer.map(_render, jobs, costs)
            for html, result in zip(jobs, results):
                cache.put(html, result)
            for part in chapters:
                rendered[part.name] = cache.get(part.html)
            log.info(
                "rendered %d of %d chapters (%s), %d from the cache",
                len(todo),
                len(chapters),
                ", ".join(p.name for p in todo) or "none",
                len(chapters) - len(todo),
            )
            contents = {
                anchor: first[p.name] + index
                for p in chapters
                for anchor, index in rendered[p.name].anchors.items()
            }
            number_contents(front, contents)
            front.html = part_html(root, front, 1)
            rendered[FRONT] = cache.get(front.html)
            if rendered[FRONT] is None:
                log.info("rendering the front matter with the new page numbers")
                rendered[FRONT] = _render(front.html)
                cache.put(front.html, rendered[FRONT])
            actual = {p.name: rendered[p.name].pages for p in parts}
            if actual == counts:
                break
            counts = actual
        else:
            raise RuntimeError(f"page counts of the PDF parts do not settle: {counts}")
    seconds = {p.name: rendered[p.name].seconds for p in parts}
    entry = {"pages": counts, "contents": contents, "seconds": seconds}
    cache.finish(entry, keep=[p.html for p in parts])
    log.info("parts ready after %.1f s; joining", time.perf_counter() - start)
    Path(pdf_path).write_bytes(join_parts(parts, rendered, log))


def join_parts(
    parts: list[Part], rendered: dict[str, RenderedPart], log: logging.Logger = logger
) -> bytes:
    import pypdf
    import weasyprint
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = pypdf.PdfWriter()
    first_index, title = {}, None
    for part in parts:
        reader = pypdf.PdfReader(io.BytesIO(rendered[part.name].pdf))
        title = title or (reader.metadata or {}).get("/Title")
        first_index[part.name] = len(writer.pages)
        writer.append(reader)
    known = {a for p in parts for a in rendered[p.name].anchors}
    for part in parts:
        for index, anchor, rectangle in rendered[part.name].links:
            if anchor not in known:
                log.warning("link to a missing anchor #%s in part %s", anchor, part.name)
                continue
            link = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rectangle),
                    NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                    NameObject("/Dest"): TextStringObject(anchor),
                }
            )
            writer.add_annotation(first_index[part.name] + index, link)
    writer.add_metadata(
        {
            "/Title": title or "",
            "/Producer": f"WeasyPrint {weasyprint.__version__}, pypdf {pypdf.__version__}",
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
