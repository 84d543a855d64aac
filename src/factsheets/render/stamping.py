"""Editions laid out once, a patient's details stamped on them (issue 26).

Two patients' copies of a sheet differ only where the details print: the personal box, which
has a fixed place and height, and, with a care team given, the "When to call" box's line, set in
the room of the line it replaces (parts/personal.html, parts/call.html, sheet.css). So a
`Renderer` keeps each sheet's edition, its layout with no details, and a copy with details
lays out only what carries them:

- `Editions` keeps the blank laid-out WeasyPrint documents in memory, the least recently used
  dropped first, under the key the fitted size is kept under (a hash of the sheet's HTML laid
  out blank, with the paper and page budget: no name, date or contact; a content change, a
  template or a print date is another key, so a stale edition is never stamped). Each keeps
  its PDF too, once written, and the PDF with a slot for each set of units stamped on it (`holed`).
- `units` compares the sheet's HTML with the details to the edition's, element by element, and
  finds the smallest elements holding every difference: the personal box (filled, not blank),
  and the call line (`p.phone`). Everything else is the same element for element, text for text.
- `carrier` cuts a copy of the sheet's HTML down to its units and what they stand in: each
  element on the way to one keeps its children, as empty shells (same tag and attributes, no
  content), so each unit is laid out in the same containing block at the same width (the call
  box keeps its flex row beside the notes) with the same style sheets, page size and body size,
  all in one small layout. Most sheets of a packet at one body size have the same carrier: it
  is laid out once for them.
- `placement` finds where the unit's box goes on the edition and checks that a full layout would
  set it there alike; `pieces` gives each unit's box a page of its own, drawn and tagged, which
  `overlay` lays onto the holed edition's PDF. The kept document is never changed and never
  holds a name.

Where stamping could not give exactly what a full layout gives, `CannotStamp` is raised and the
renderer lays the sheet out whole with the details (each case was found by an attack on this
module, and the tests hold it to a full layout):
- a value printed in a page margin: large print's page 2 heading carries the patient's name
  through CSS `string-set`, which WeasyPrint resolves while it paginates, so the heading is part
  of the page's layout, not of the box that sets the string; a running element likewise;
- a unit that takes other room than the blank element it replaces (its width, its margins, its
  height with its margins), that a float outside it stands beside (its lines would wrap around
  the float in a full layout, not in the small one), that another box overlaps, that is split
  into several boxes (across pages or lines), or lies outside `<body>` (a title with a name in
  it would change the PDF's metadata): a clinic's template or style sheet that lets a detail move the page;
- a unit a full layout draws in passes (`check_drawn_alone`: positioned, floated, transformed,
  translucent or clipped parts, outlines, list markers, background images), or inside a box so
  drawn, or after text so drawn (the piece goes after the text read before it, `overlay`);
  one that counts or quotes across the page; one that is not a plain block, or holds a link;
- a style rule that reads the details' boxes from elsewhere (`.personal.filled + main`, `:has`),
  or styles the carrier otherwise than the whole page (`:empty` on a shell): `check_styled_alike`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, tostring

from cssselect2 import ElementWrapper
from weasyprint import CSS, HTML
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import (
    BlockBox,
    BlockContainerBox,
    FlexBox,
    MarginBox,
    ReplacedBox,
    TableCellBox,
    TextBox,
)
from weasyprint.layout.absolute import AbsolutePlaceholder

from factsheets.render.options import EDITIONS_KEPT
from factsheets.render.recent import Recent

if TYPE_CHECKING:
    from factsheets.render.overlay import Holed
    from factsheets.render.shapes import Shape

# How far a stamped box's room may differ from the blank one's, in CSS px (1/96 in): float noise only.
TOLERANCE_PX = 1e-3


class CannotStamp(Exception):  # a reason to lay the sheet out whole, not an error
    """Stamping would not give what a full layout gives: lay the sheet out with the details.

    Its message says why in terms of the page, never a value.
    """


# A blank unit's page, box, the ids of the boxes above it, and what its bottom margin collapses with (`_below`).
Site = tuple[int, Any, tuple[int, ...], "float | str | None"]


@dataclass
class Edition:
    """A sheet's layout with no personal details, at the size it fitted, kept to stamp copies on."""

    document: Document
    body_pt: float
    attempts: int  # layouts the fit step needed to make it
    key: str = ""  # what it is kept under (`Renderer._fit_key`)
    # The fields given (their names, never their values) that stamping could not take on this
    # edition: the next copy with the same fields goes straight to a full layout.
    unstampable: set[tuple[str, ...]] = field(default_factory=set)
    pdf: bytes | None = None  # the edition written, once asked for: the copy with no details
    # The edition written with a slot for each set of boxes copies with details have stamped on it
    # (`holed`), by the ids of its boxes that the slots stand in: one per set of fields given, at most.
    holed: dict[tuple[int, ...], Holed] = field(default_factory=dict)
    # Each blank unit's site (page, box, way, what its bottom margin collapses with), checked, or why no
    # piece can stand in for it (`site`).
    sites: dict[int, Site | str] = field(default_factory=dict)
    # Where the details go for each set of fields given, found with markers (`shapes`), or why not.
    shapes: dict[tuple[str, ...], Shape | str] = field(default_factory=dict)


class Editions(Recent[Edition]):
    """Blank editions by key (`Renderer._fit_key`), the least recently used dropped past `limit`."""

    def __init__(self, limit: int = EDITIONS_KEPT) -> None:
        super().__init__(limit)


Unit = tuple[Element, Element]  # (the edition's element, the element with the details in its place)


def units(edition: Document, page: HTML) -> list[Unit]:
    """The smallest elements of `page` (the sheet with details, parsed) holding every difference from the edition.

    Two elements are the same when their tag, attributes, text and number of children are, and
    so are their children's tails; otherwise the element is a unit, whole. Raises `CannotStamp`
    when a difference is outside `<body>` or there is none.
    """
    blank_root = _root_box(edition.pages[0]._page_box).element
    found = _differences(blank_root, page.etree_element)
    blank_body = _body(blank_root)
    inside = {id(element) for element in blank_body.iter()} - {id(blank_body)}
    if not found:
        raise CannotStamp("the copy with details is the same HTML as the edition")
    if any(id(blank) not in inside for blank, _ in found):
        raise CannotStamp("the details change the sheet outside <body> (its head, or the body's own attributes)")
    if any(
        element.tag == "style" or "stylesheet" in (element.get("rel") or "").split()
        for element in page.etree_element.iter()
    ):
        raise CannotStamp("the sheet's HTML carries style sheets of its own (a <style> or a <link>)")
    return found


def check_styled_alike(sheets: list[CSS], edition: Document, page: HTML, found: list[Unit]) -> None:
    """Every element outside the units must match the same style rules with the details as without: a
    rule that reads a unit's class through a sibling or `:has` selector (`.personal.filled + main`)
    would restyle the rest of the page, which the edition's layout does not know."""
    blank = ElementWrapper.from_html_root(_root_box(edition.pages[0]._page_box).element, content_language=None)
    skip = {id(mine) for _, mine in found}
    if not _same_rules([sheet.matcher for sheet in sheets], blank, page.wrapper_element, skip):
        raise CannotStamp("a style rule outside the details' boxes depends on them")


@dataclass(frozen=True)
class Carrier:
    """The sheet cut down to its units and what they stand in, ready to lay out together."""

    page: HTML
    elements: tuple[Element, ...]  # the units' elements in `page`, in the order of the units
    key: str  # what its layout depends on: two carriers with the same key lay out alike


def carrier(page: HTML, found: list[Unit], sheets: list[CSS]) -> Carrier:
    """`page` (the sheet with details, parsed) cut down, in a copy, to its units and what they stand in.

    Each element on the way from the root to a unit keeps its children; those not on the way are
    kept as empty shells (the same tag and attributes, no text or children), so selectors and flex
    rows see the same siblings while there is next to nothing to lay out. All of a sheet's units
    are in one carrier, laid out at once (one layout, not one per unit). Sheets whose carriers
    are alike (most sheets of a packet at one body size: the same personal box and call line)
    lay them out alike: `key` is the cut body with the root's attributes, not the head's title or
    description. Each element kept must match the same rules of `sheets` as in the whole page, or
    the cut would style it otherwise (a shell is empty: `:empty` matches it).
    """
    root = copy.deepcopy(page.etree_element)
    mine = [follow(root, path_to(page.etree_element, unit[1])) for unit in found]
    wanted = {id(element) for element in mine}
    on_way: set[int] = set()
    _mark_ways(root, wanted, on_way)
    _prune(root, wanted, on_way)
    cut = copy.copy(page)
    cut.wrapper_element = ElementWrapper.from_html_root(root, content_language=None)
    cut.etree_element = root
    if not _same_rules([sheet.matcher for sheet in sheets], page.wrapper_element, cut.wrapper_element, set()):
        raise CannotStamp("a detail's box is styled otherwise when cut out (`:empty`, `:has` or the like)")
    head = root.find("head")
    styles = [] if head is None else [child for child in head if child.tag in ("style", "link", "base")]
    parts = [repr(sorted(root.attrib.items())), *(tostring(element, "unicode") for element in styles)]
    return Carrier(cut, tuple(mine), "\n".join([*parts, tostring(_body(root), "unicode")]))


def _same_rules(matchers: list[Any], whole: Any, other: Any, skip: set[int]) -> bool:
    """Whether each element of `other` (a tree of cssselect2 wrappers) matches the rules its counterpart in
    `whole` does, element by element down both trees, but for those in `skip` and below them."""
    pairs = [(whole, other)]
    while pairs:
        a, b = pairs.pop()
        if id(b.etree_element) in skip:
            continue
        if _rules(matchers, a) != _rules(matchers, b):
            return False
        pairs.extend(zip(a.iter_children(), b.iter_children(), strict=False))  # a shell has none: stop there
    return True


def _rules(matchers: list[Any], wrapper: Any) -> list[tuple[int, int, str | None]]:
    """Which rules of which style sheet match the element (and for which pseudo-element)."""
    return [(n, order, pseudo) for n, matcher in enumerate(matchers) for _, order, pseudo, _ in matcher.match(wrapper)]


def path_to(root: Element, element: Element) -> list[int]:
    """The child indices from `root` down to `element`."""
    parents = {id(child): (parent, index) for parent in root.iter() for index, child in enumerate(parent)}
    path: list[int] = []
    while element is not root:
        parent, index = parents[id(element)]
        path.append(index)
        element = parent
    return path[::-1]


def follow(root: Element, path: list[int]) -> Element:
    for index in path:
        root = root[index]
    return root


@dataclass(frozen=True)
class Placement:
    """Where one unit's box, laid out alone, goes on the edition's page."""

    page: int  # the edition's page it is on
    blank: Any  # the edition's box for the unit, with no details (nothing of the copy is kept here)
    dx: float  # how far the unit's box moves from where the small layout set it to where `blank` is, in CSS px
    dy: float
    way: tuple[int, ...]  # ids of the edition's boxes from its page box down to `blank`


def unit_box(small: Document, element: Element) -> Any:
    """The unit's one box in its small layout (`element` in it), checked once to be drawable alone, before it
    is written alone; `CannotStamp` otherwise."""
    box = box_of(small, element)
    check_drawn_alone(box, element.tag)
    if _in_margins(small, element):
        raise CannotStamp("a personal value is printed in a page margin (a running element)")
    if _float_beside(small.pages[0]._page_box, box):  # a floated shell, moved up beside it with the rest gone
        raise CannotStamp(f"a float stands beside <{element.tag}> where it is laid out alone")
    return box


def placement(edition: Edition, blank_element: Element, new: Any) -> Placement:
    """Where a unit laid out alone (`new`, from `unit_box`) goes on the edition, in place of `blank_element`;
    `CannotStamp` where a full layout would set or draw it otherwise."""
    number, box, way, below = site(edition, blank_element)
    if _margins(edition.document) and _sets_strings(new):
        raise CannotStamp("a personal value is printed in a page margin (CSS string-set)")
    _check_same_room(box, new, blank_element.tag, below)
    dx, dy = box.border_box_x() - new.border_box_x(), box.border_box_y() - new.border_box_y()
    return Placement(number, box, dx, dy, way)


def site(edition: Edition, blank_element: Element) -> Site:
    """The blank unit's page, box, way (the ids of the boxes above it) and what its bottom margin collapses
    with (`_below`), checked once per edition: that a piece can stand in for it, drawn where a full layout
    draws it."""
    if id(blank_element) not in edition.sites:
        edition.sites[id(blank_element)] = _site(edition.document, blank_element)
    found = edition.sites[id(blank_element)]
    if isinstance(found, str):
        raise CannotStamp(found)
    return found


def _site(document: Document, blank_element: Element) -> Site | str:
    """`site`, or why not: the reason's words, never the exception (its traceback would keep the caller's
    frames alive in the kept edition, and with them the copy being stamped)."""
    tag = blank_element.tag
    blank = _outermost(document, {id(blank_element)}).get(id(blank_element), [])
    try:
        if len(blank) != 1:
            raise CannotStamp(f"<{tag}> is not one box in the edition (split across pages?)")
        (number, path) = blank[0]
        box, page_box = path[-1], document.pages[number]._page_box
        if _margins(document) and _sets_strings(box):
            raise CannotStamp("a personal value is printed in a page margin (CSS string-set)")
        if _in_margins(document, blank_element):
            raise CannotStamp(f"part of <{tag}> is printed in a page margin (a running element)")
        if any(isinstance(step, AbsolutePlaceholder) or _drawn_apart(step) for step in path[1:-1]):
            raise CannotStamp(f"<{tag}> is inside a box drawn apart (positioned, transformed, translucent, clipped)")
        if any(_reads_inside(step) for step in path[1:-1]) or any(
            "baseline" in step.style["align_self"] for step in path
        ):
            raise CannotStamp(f"<{tag}> is inside a box that reads its text or lines, or aligns it by its baseline")
        if any(_ink_beyond(other) for other in _boxes(page_box) if not isinstance(other, MarginBox)):
            raise CannotStamp("the page draws ink beyond a box's edges")
        if any(_targets(other) for page in document.pages for other in _boxes(page._page_box)):
            raise CannotStamp("the sheet reads text from elsewhere on its pages (target-text)")
        check_drawn_alone(box, tag)
        if _float_beside(page_box, box):
            raise CannotStamp(f"a float stands beside <{tag}>: its lines would be set without it")
        if _overlapped(page_box, box, path):
            raise CannotStamp(f"another box overlaps <{tag}>: the two would be drawn in another order")
        _check_drawn_after(page_box, box)
    except CannotStamp as err:
        return str(err)
    return number, box, tuple(id(step) for step in path[:-1]), _below(path)


def box_of(small: Document, element: Element) -> Any:
    """The one box laid out for a unit's element; `CannotStamp` when it is split (across pages or lines)."""
    found = _outermost(small, {id(element)}).get(id(element), [])
    if len(found) != 1:
        raise CannotStamp(f"<{element.tag}> with details is not one box (split across pages?)")
    return found[0][1][-1]


def holed(edition: Document, placed: list[Placement]) -> Document:
    """The edition with each unit's blank box replaced by a placeholder that draws nothing in the same room.

    Its PDF is the page every copy with these fields is stamped on (`overlay`): the placeholder's
    tag, an empty /Figure whose /Alt is `slot(n)`, marks where the unit's tags go. The kept
    edition is never changed: only the boxes on the way to a placeholder are copied.
    """
    pages = list(edition.pages)
    for number in sorted({place.page for place in placed}):
        here = [(n, place) for n, place in enumerate(placed) if place.page == number]
        swapped = {id(place.blank): _placeholder(place.blank, slot(n)) for n, place in here}
        ways = {step for _, place in here for step in place.way}
        pages[number] = Page(_grafted(edition.pages[number]._page_box, swapped, ways))
    return edition.copy(pages)


def pieces(small: Document, boxes: list[Any]) -> Document:
    """A page for each of `boxes` (units', in `small`) holding only that box where the small layout set it:
    drawn and tagged alone, all written at once.

    The page, html and body boxes around it are copies that draw nothing (no background, no
    border), so each page is its unit's ink and nothing else, and its tags are the unit's.
    """
    page_box = small.pages[0]._page_box
    root = _root_box(page_box)
    body = next((child for child in root.children if child.element_tag == "body"), None)
    if body is None:
        raise CannotStamp("the small layout has no <body> box")
    pages = []
    for box in boxes:
        page_copy = _undrawn(page_box, [_undrawn(root, [_undrawn(body, [box])])])
        page_copy.canvas_background = None
        pages.append(Page(page_copy))
    return small.copy(pages)


def slot(n: int) -> str:
    """The /Alt text that marks where the n-th unit's tags go in the holed edition's structure tree."""
    return f"factsheets stamping slot {n}"


def _placeholder(box: Any, marker: str) -> Any:
    """`box` emptied: the same room, no children, nothing drawn, tagged as an empty figure named `marker`."""
    empty = _undrawn(box, [])
    empty.element = Element("img", {"alt": marker})
    empty.element_tag = "img"
    return empty


def _undrawn(box: Any, children: list[Any]) -> Any:
    """A copy of `box` with these children, and no background or border of its own to draw."""
    copy = box.copy()
    copy.children = children
    copy.background = None
    for side in ("top", "right", "bottom", "left"):
        setattr(copy, f"border_{side}_width", 0)
    return copy


def check_drawn_alone(box: Any, tag: str) -> None:
    """A unit is drawn on a page of its own, in one piece, and its tags are moved into the edition's tree.

    So it must be a block whose tags do not depend on its parent's (not a list item or a table's
    part), with nothing in it that a full layout draws in another pass (positioned, floated,
    transformed, translucent, clipped, outlined, a list marker, a background image, which PDF
    places in the page's space), nothing counted or quoted across the page (counters, quotes:
    the small layout has no page around it), no link, anchor, bookmark or form field (those
    live in the document, not on the page), and no `::first-line` or `::first-letter` (WeasyPrint
    tags its box otherwise on a page of its own).
    """
    if not isinstance(box, (BlockBox, FlexBox)) or box.element_tag in {"li", "dt", "dd"}:
        raise CannotStamp(f"<{tag}> with details is not a plain block (a list item, a table's part, inline)")
    for inner in _boxes(box):
        if inner.link or inner.style["anchor"] or inner.style["bookmark_level"] != "none" or inner.is_input():
            raise CannotStamp(f"<{tag}> with details holds a link, an anchor, a bookmark or a form field")
        if _drawn_apart(inner) or _painted_apart(inner):
            raise CannotStamp(f"<{tag}> with details holds a box a full layout draws in another pass")
        if _counted(inner):
            raise CannotStamp(f"<{tag}> with details counts or quotes across the page")
        if str(inner.element_tag).endswith(("::first-line", "::first-letter")):  # tagged otherwise alone
            raise CannotStamp(f"<{tag}> with details is styled by its first line or letter")


def _drawn_apart(box: Any) -> bool:
    """Whether WeasyPrint draws `box` in a pass of its own: positioned (running elements too), floated,
    transformed, translucent or clipping its content."""
    style = box.style
    return bool(
        style["position"] != "static"
        or style["float"] != "none"
        or style["transform"]
        or style["opacity"] < 1
        or style["overflow"] != "visible"
        or style["z_index"] != "auto"  # a grid item with one is drawn apart even unpositioned
    )


def _painted_apart(box: Any) -> bool:
    """Whether `box` paints something that does not move with its text: a list marker, ink beyond its edges
    (an outline is drawn after everything), a background image or gradient (a PDF pattern, placed in the
    page's space)."""
    style = box.style
    return bool(
        "list-item" in style["display"]
        or str(box.element_tag).endswith("::marker")
        or _ink_beyond(box)
        or any(image[0] != "none" for image in style["background_image"])
    )


def _reads_inside(box: Any) -> bool:
    """Whether a box around a unit reads its text or counts its lines: a named string or a bookmark made of
    its text, or a line clamp (the details' lines would be clamped otherwise); or holds it in a table cell
    (aligned by the rows' baselines)."""
    style = box.style
    return bool(
        style["string_set"] != "none"
        or style["bookmark_level"] != "none"
        or style["max_lines"] != "none"
        or style["continue"] != "auto"
        or "baseline" in style["align_items"]
        or isinstance(box, TableCellBox)
    )


def _ink_beyond(box: Any) -> bool:
    """Whether `box` paints outside its border box (a shadow, a border image, an outline): over a unit
    maybe, in another order than a stamped copy draws the unit."""
    style = box.style
    return bool(
        style["box_shadow"]
        or style["border_image_source"][0] != "none"
        or (style["outline_style"] != "none" and style["outline_width"])
    )


def _targets(box: Any) -> bool:
    """Whether `box`'s generated content reads another element's text or counters (`target-text()`)."""
    content = box.style["content"]
    return content not in ("normal", "none") and any(str(item[0]).startswith("target") for item in content)


def _below(path: list[Any]) -> float | str | None:
    """What the unit's bottom margin collapses with: the top margin of the next box in its block flow; "end"
    when it is the flow's last (it may collapse through its parent); None in a flex or grid container."""
    box, parent = path[-1], path[-2]
    if not isinstance(parent, BlockContainerBox):
        return None
    later = parent.children[parent.children.index(box) + 1 :]
    flowing = [b for b in later if b.style["float"] == "none" and b.style["position"] in ("static", "relative")]
    if not flowing or not flowing[0].border_height():
        return "end"
    return float(flowing[0].margin_top)


def _collapsed(a: float, b: float) -> float:
    """Two adjoining margins as CSS collapses them: the largest positive plus the most negative."""
    return max(a, b, 0) + min(a, b, 0)


def _counted(box: Any) -> bool:
    """Whether `box` counts or quotes: its text would depend on the page around it."""
    style = box.style
    content = style["content"]
    generated = content not in ("normal", "none") and any(item[0] != "string" for item in content)
    return bool(
        generated or style["counter_reset"] or style["counter_set"] or style["counter_increment"] not in ("auto", ())
    )


def _in_margins(document: Document, element: Element) -> bool:
    """Whether a page margin holds a box of `element` or of an element in it: a running element
    (`position: running()`), moved out of the unit's box into the margin while WeasyPrint paginates."""
    inside = {id(part) for part in element.iter()}
    for page in document.pages:
        for margin in page._page_box.children:
            if isinstance(margin, MarginBox) and any(id(box.element) in inside for box in _boxes(margin)):
                return True
    return False


def _margins(document: Document) -> bool:
    return any(isinstance(box, MarginBox) for page in document.pages for box in page._page_box.children)


def _overlapped(page_box: Any, unit: Any, path: list[Any]) -> bool:
    """Whether a box other than the unit's own and those around it overlaps it: a full layout draws
    backgrounds before text, a stamped copy the unit's all at once, so overlapping ink would stack otherwise."""
    above = {id(step) for step in path}
    inside = {id(box) for box in _boxes(unit)}
    x0, y0 = unit.border_box_x(), unit.border_box_y()
    x1, y1 = x0 + unit.border_width(), y0 + unit.border_height()
    for box in _boxes(page_box):
        if id(box) in above or id(box) in inside or isinstance(box, MarginBox) or not hasattr(box, "border_box_x"):
            continue
        bx, by = box.border_box_x(), box.border_box_y()
        across = bx < x1 - TOLERANCE_PX and bx + box.border_width() > x0 + TOLERANCE_PX
        if across and by < y1 - TOLERANCE_PX and by + box.border_height() > y0 + TOLERANCE_PX:
            return True
    return False


def _check_drawn_after(page_box: Any, unit: Any) -> None:
    """The piece goes in the page's drawing just after the text (or image) the structure tree reads before the
    unit (`overlay.prepare`): that must be drawn in the pass the unit is, the page's flow, not apart from it."""
    last: tuple[Any, bool] | None = None  # the last text or image before the unit, and whether drawn apart

    def walk(box: Any, apart: bool) -> bool:
        nonlocal last
        if box is unit:
            return True
        if isinstance(box, MarginBox):
            return False
        apart = apart or _drawn_apart(box) or str(box.element_tag).endswith("::marker")
        if isinstance(box, (TextBox, ReplacedBox)):
            last = (box, apart)
        return any(walk(child, apart) for child in getattr(box, "children", []))

    walk(page_box, False)
    if last is None:
        if any(_drawn_apart(box) for box in _boxes(page_box) if not isinstance(box, MarginBox)):
            raise CannotStamp("the unit comes first on a page that draws something apart")
    elif last[1]:
        raise CannotStamp("the text before the unit is drawn apart from the page's flow")


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def _differences(blank: Element, mine: Element) -> list[Unit]:
    if (
        blank.tag != mine.tag
        or blank.attrib != mine.attrib
        or (blank.text or "") != (mine.text or "")
        or len(blank) != len(mine)
        or any((a.tail or "") != (b.tail or "") for a, b in zip(blank, mine, strict=True))
    ):
        return [(blank, mine)]
    return [unit for a, b in zip(blank, mine, strict=True) for unit in _differences(a, b)]


def _mark_ways(element: Element, wanted: set[int], on_way: set[int]) -> bool:
    """Mark the elements with a unit inside them; return whether `element` is or holds one."""
    if id(element) in wanted:
        return True
    holds = False
    for child in element:
        holds = _mark_ways(child, wanted, on_way) or holds
    if holds:
        on_way.add(id(element))
    return holds


def _prune(element: Element, wanted: set[int], on_way: set[int]) -> None:
    for child in element:
        if id(child) in on_way:
            _prune(child, wanted, on_way)
        elif id(child) not in wanted and child.tag != "head":
            for grandchild in list(child):
                child.remove(grandchild)
            child.text = None


def _body(root: Element) -> Element:
    body = root.find("body")
    if body is None:
        raise CannotStamp("the sheet has no <body>")
    return body


def _root_box(page_box: Any) -> Any:
    for box in page_box.children:
        if box.element_tag == "html":
            return box
    raise CannotStamp("a page has no <html> box")


def _outermost(document: Document, elements: set[int]) -> dict[int, list[tuple[int, list[Any]]]]:
    """For each element (by id), its outermost boxes: [(page index, [page box, ..., the box]), ...].

    Anonymous boxes carry their parent's element, so the search stops at the first box of an element.
    """
    found: dict[int, list[tuple[int, list[Any]]]] = {}

    def walk(box: Any, path: list[Any], number: int) -> None:
        element = box.element
        if element is not None and id(element) in elements:
            found.setdefault(id(element), []).append((number, [*path, box]))
            return
        for child in getattr(box, "children", []):
            walk(child, [*path, box], number)

    for number, page in enumerate(document.pages):
        walk(page._page_box, [], number)
    return found


def _sets_strings(box: Any) -> bool:
    """Whether `box` or a box inside it sets a named string (CSS `string-set`), which page margins print."""
    if box.style["string_set"] != "none":
        return True
    return any(_sets_strings(child) for child in getattr(box, "children", []))


def _float_beside(page_box: Any, unit: Any) -> bool:
    """Whether a floated box outside `unit` shares any of its height on the page: the small layout keeps no
    content outside the units, so its lines would not wrap around the float as a full layout's do (a
    clinic's template with a floated icon or logo beside the call line)."""
    top, bottom = unit.position_y, unit.position_y + unit.margin_height()

    def walk(box: Any) -> bool:
        if box is unit:
            return False
        if box.style["float"] != "none":
            box_top = box.position_y
            if box_top < bottom and box_top + box.margin_height() > top:
                return True
        return any(walk(child) for child in getattr(box, "children", []))

    return walk(page_box)


def _check_same_room(blank: Any, stamped: Any, tag: str, below: float | str | None) -> None:
    """The stamped box must take exactly the blank one's room, or the rest of the page would be elsewhere.

    A bottom margin that differs (the call line takes its margin into its height) takes the same
    room only where it adjoins nothing (a flex or grid item) or a next box's top margin it collapses
    with alike: a list after it with a top margin would move in a full layout.
    """
    sizes = [
        (blank.margin_left, stamped.margin_left),
        (blank.margin_top, stamped.margin_top),
        (blank.border_width(), stamped.border_width()),
        (blank.margin_width(), stamped.margin_width()),
        (blank.margin_height(), stamped.margin_height()),
    ]
    if abs(blank.margin_bottom - stamped.margin_bottom) > TOLERANCE_PX:
        if below == "end":
            raise CannotStamp(f"<{tag}>'s bottom margin differs and may collapse through its parent")
        if isinstance(below, float):
            sizes.append(
                (
                    blank.border_height() + _collapsed(blank.margin_bottom, below),
                    stamped.border_height() + _collapsed(stamped.margin_bottom, below),
                )
            )
    if any(abs(a - b) > TOLERANCE_PX for a, b in sizes):
        raise CannotStamp(f"<{tag}> takes other room with the details than without")


def _grafted(box: Any, swapped: dict[int, Any], ways: set[int]) -> Any:
    """`box` with the boxes in `swapped` (by id) replaced: the boxes on the way to them (`ways`) copied, the
    rest shared, so the kept edition's own boxes are never changed."""
    if id(box) in swapped:
        return swapped[id(box)]
    if id(box) not in ways:
        return box
    new = box.copy()
    new.children = [_grafted(child, swapped, ways) for child in box.children]
    return new
