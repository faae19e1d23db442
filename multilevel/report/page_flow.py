"""Text flows around page breaks: a figure or table that does not fit in the space left on a
page moves to the next one whole (``break-inside: avoid``), and without help it leaves a hole
there. Print layout floats such a unit instead: the text after it fills the page, and the unit
follows. WeasyPrint has no such floats, so this module does it on the laid-out part: while a
figure or table starts a page after a page that ends early, it moves past the next block of
text (a paragraph, a list, a display formula) or past a subsection's heading and its first
block, never past a chapter's heading or another unit (numbers stay in page order), and the
part is laid out again. A figure that cannot move is drawn smaller to fit the space left, if
that costs it at most a quarter of its height. The HTML report keeps the written order and
sizes; only the PDF's differ, and only by whole blocks within a chapter.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

# A page whose content ends above this fraction of its height ends early: a little above the
# 60% that multilevel.report.page_fill checks, which measures ink (a line box reaches lower).
EARLY = 0.63
UNITS = ("figure-", "table-")  # ids of the units that may move
PASSABLE = {"p", "ul", "ol", "dl", "pre", "blockquote", "span"}  # blocks a unit may move past
SUBHEADINGS = {"h3", "h4"}
MAX_MOVES = 12  # per part: each move costs one more layout
SHRINK = 0.75  # a figure may be drawn this much smaller to fit the space left before it


def content_fill(page) -> float:
    """How far down its content area a WeasyPrint page's content reaches, 0..1."""
    box = page._page_box
    top, height = box.content_box_y(), box.height
    bottom = top
    for child in box.children[0].descendants():
        kind = type(child).__name__
        if kind in ("LineBox", "BlockReplacedBox", "InlineReplacedBox"):
            bottom = max(bottom, child.position_y + child.margin_height())
    return (bottom - top) / height if height else 1.0


def stranded_unit(document, fixed: set[str] = frozenset()) -> tuple[str, float, float] | None:
    """A figure or table (other than ``fixed``) standing at the top of a page after a page
    that ends early (the hole it left): its id and the height its image would need to fit the
    space left (0 if it has no image)."""
    pages = document.pages
    for index in range(1, len(pages)):
        top = pages[index]._page_box.content_box_y()
        for name, (_, y1, _, y2) in pages[index].anchors.items():
            if name.startswith(UNITS) and name not in fixed and abs(y1 - top) < 2:
                before = pages[index - 1]
                fill = content_fill(before)
                if fill < EARLY:
                    # the space left, less the unit's margins (2 x 1.5rem) and a little
                    space = (1 - fill) * before._page_box.height - 48
                    image = _image_height(pages[index], y1, y2)
                    return name, image, max(image - (y2 - y1 - space), 0.0)
    return None


def _image_height(page, y1: float, y2: float) -> float:
    """The height of the (first) image laid out between y1 and y2 on ``page``."""
    for child in page._page_box.children[0].descendants():
        if type(child).__name__ in ("BlockReplacedBox", "InlineReplacedBox"):
            if y1 <= child.position_y <= y2 and getattr(child, "element_tag", "") == "img":
                return child.height
    return 0.0


def shrink_image(root, unit_id: str, height_px: float) -> bool:
    element = next((e for e in root.iter() if e.get("id") == unit_id), None)
    image = element.find(".//img") if element is not None else None
    if image is None:
        return False
    image.set("style", f"max-height: {height_px:.0f}px")
    return True


def move_past_next_block(root, unit_id: str) -> bool:
    """Move the element ``unit_id`` (or the wrapper it is the only content of) after the
    block of text that follows it; False if it cannot move."""
    parent_of = {child: parent for parent in root.iter() for child in parent}
    element = next((e for e in root.iter() if e.get("id") == unit_id), None)
    if element is None:
        return False
    # A figure wrapped alone in a div (e.g. a wide figure) moves with its wrapper.
    while (
        element in parent_of
        and len(parent_of[element]) == 1
        and parent_of[element].tag == "div"
        and not (parent_of[element].text or "").strip()
    ):
        element = parent_of[element]
    parent = parent_of.get(element)
    if parent is None:
        return False
    siblings = list(parent)
    position = siblings.index(element)
    if position + 1 >= len(siblings):
        return False
    # Past one block of text, or past a subsection's heading with the block after it (as a
    # float passes a subsection heading in print), never past a chapter's heading.
    passed = 2 if siblings[position + 1].tag in SUBHEADINGS else 1
    following = siblings[position + 1 : position + 1 + passed]
    if len(following) < passed or not _passable(following[-1]):
        return False
    # The text between the elements (Jinja's whitespace) stays where it is.
    element_tail, last_tail = element.tail, following[-1].tail
    parent.remove(element)
    following[-1].tail, element.tail = element_tail, last_tail
    parent.insert(position + passed, element)
    return True


def _passable(element) -> bool:
    return element.tag in PASSABLE and not any(
        e.tag in ("h1", "h2", "h3", "h4", "figure") for e in element.iter()
    )


def flowed(html: str, render):
    """The part laid out by ``render(html)`` with stranded units moved; returns the final
    document."""
    import tinyhtml5

    document = render(html)
    root, fixed = None, set()
    for _ in range(MAX_MOVES):
        stranded = stranded_unit(document, fixed)
        if stranded is None:
            break
        unit, image, fitting = stranded
        if root is None:
            root = tinyhtml5.parse(html, namespace_html_elements=False)
        if not move_past_next_block(root, unit):
            fixed.add(unit)  # it cannot move: drawn smaller if that is enough, then left
            if not (image and fitting >= SHRINK * image and shrink_image(root, unit, fitting)):
                continue
        html = "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html")
        document = render(html)
    return document
