"""Editions laid out once, a patient's details stamped on them (issue 26).

Two patients' copies of a sheet differ only where the details print: the personal box, which
has a fixed place and height, and, with a care team given, the "When to call" box's line, set in
the room of the line it replaces (parts/personal.html, parts/call.html, sheet.css). So a
`Renderer` keeps each sheet's edition, its layout with no details, and a copy with details
lays out only what carries them:

- `Editions` keeps the blank laid-out WeasyPrint documents in memory, the least recently used
  dropped first, under the key the fitted size is kept under (a hash of the sheet's HTML laid
  out blank, with the paper and page budget: no name, date or contact; a content change, a
  template or a print date is another key, so a stale edition is never stamped).
- `units` compares the sheet's HTML with the details to the edition's, element by element, and
  finds the smallest elements holding every difference: the personal box (filled, not blank),
  and the call line (`p.phone`). Everything else is the same element for element, text for text.
- `carriers` cuts the sheet's HTML down to those elements and what they stand in: each element
  on the way to one keeps its children, as empty shells (same tag and attributes, no content),
  so each unit is laid out in the same containing block at the same width (the call box keeps
  its flex row beside the notes) with the same style sheets, page size and body size.
- `stamp` makes new pages for the edition in which each unit's box is the small layout's,
  moved to where the edition has the blank one. Only the boxes on the way to it (page, html,
  body, the call box and its row) are copied; the kept document is never changed and never
  holds a name. WeasyPrint makes the PDF's structure tree from the boxes when it writes, so the
  stamped boxes are tagged where they stand, as in a full layout.

Where stamping could not give exactly what a full layout gives, `CannotStamp` is raised and the
renderer lays the sheet out whole with the details:
- a value printed in a page margin: large print's page 2 heading carries the patient's name
  through CSS `string-set`, which WeasyPrint resolves while it paginates, so the heading is part
  of the page's layout, not of the box that sets the string;
- a unit that takes other room than the blank element it replaces (its width, its margins, its
  height with its margins), that a float outside it stands beside (its lines would wrap around the
  float in a full layout, not in the small one), or is split into several boxes (across pages or lines), or lies
  outside `<body>` (a title with a name in it would change the PDF's metadata): a clinic's
  template or style sheet that lets a detail move the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from weasyprint import HTML
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.layout.absolute import AbsolutePlaceholder

from factsheets.render.options import EDITIONS_KEPT
from factsheets.render.recent import Recent

# How far a stamped box's room may differ from the blank one's, in CSS px (1/96 in): float noise only.
TOLERANCE_PX = 1e-3


class CannotStamp(Exception):  # a reason to lay the sheet out whole, not an error
    """Stamping would not give what a full layout gives: lay the sheet out with the details.

    Its message says why in terms of the page, never a value.
    """


@dataclass
class Edition:
    """A sheet's layout with no personal details, at the size it fitted, kept to stamp copies on."""

    document: Document
    body_pt: float
    attempts: int  # layouts the fit step needed to make it
    # The fields given (their names, never their values) that stamping could not take on this
    # edition: the next copy with the same fields goes straight to a full layout.
    unstampable: set[tuple[str, ...]] = field(default_factory=set)


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
    return found


def carriers(page: HTML, found: list[Unit]) -> None:
    """Cut `page` down, in place, to the units and what they stand in; call before laying it out.

    Each element on the way from the root to a unit keeps its children; those not on the way are
    kept as empty shells (the same tag and attributes, no text or children), so selectors and flex
    rows see the same siblings while there is next to nothing to lay out.
    """
    wanted = {id(mine) for _, mine in found}
    on_way: set[int] = set()
    _mark_ways(page.etree_element, wanted, on_way)
    _prune(page.etree_element, wanted, on_way)


def stamp(edition: Document, small: Document, found: list[Unit]) -> Document:
    """The edition with each unit's box taken from `small` (the layout of `carriers`) and moved into place.

    `small`'s boxes are moved (it is made for this and thrown away); the edition's are shared and
    never changed: the new pages copy only the boxes on the way to a stamped one.
    """
    blank = _outermost(edition, {id(element) for element, _ in found})
    laid = _outermost(small, {id(element) for _, element in found})
    margins = any(isinstance(box, MarginBox) for page in edition.pages for box in page._page_box.children)
    stamped: dict[int, dict[int, Any]] = {}  # page index -> id of the edition's box -> box stamped in its place
    ways: dict[int, set[int]] = {}  # page index -> ids of the edition's boxes on the way to one
    for element, mine in found:
        if len(blank.get(id(element), [])) != 1 or len(laid.get(id(mine), [])) != 1:
            raise CannotStamp(f"<{element.tag}> with details is not one box in each layout (split across pages?)")
        (number, path), (_, small_path) = blank[id(element)][0], laid[id(mine)][0]
        box, new = path[-1], small_path[-1]
        if margins and (_sets_strings(new) or _sets_strings(box)):
            raise CannotStamp("a personal value is printed in a page margin (CSS string-set)")
        if any(isinstance(step, AbsolutePlaceholder) for step in path):
            raise CannotStamp(f"<{element.tag}> with details is inside a positioned box")
        _check_same_room(box, new, element.tag)
        if _float_beside(edition.pages[number]._page_box, box):
            raise CannotStamp(f"a float stands beside <{element.tag}>: its lines would be set without it")
        new.translate(box.border_box_x() - new.border_box_x(), box.border_box_y() - new.border_box_y())
        stamped.setdefault(number, {})[id(box)] = new
        ways.setdefault(number, set()).update(id(step) for step in path[:-1])
    pages = [
        Page(_grafted(page._page_box, stamped[number], ways[number])) if number in stamped else page
        for number, page in enumerate(edition.pages)
    ]
    return edition.copy(pages)


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


def _check_same_room(blank: Any, stamped: Any, tag: str) -> None:
    """The stamped box must take exactly the blank one's room, or the rest of the page would be elsewhere."""
    sizes = [
        (blank.margin_left, stamped.margin_left),
        (blank.margin_top, stamped.margin_top),
        (blank.border_width(), stamped.border_width()),
        (blank.margin_width(), stamped.margin_width()),
        (blank.margin_height(), stamped.margin_height()),
    ]
    if any(abs(a - b) > TOLERANCE_PX for a, b in sizes):
        raise CannotStamp(f"<{tag}> takes other room with the details than without")


def _grafted(box: Any, stamped: dict[int, Any], ways: set[int]) -> Any:
    """`box` with the boxes in `stamped` (by id) replaced: the boxes on the way to them copied, the rest shared.

    Copied with `box.copy()`, not WeasyPrint's `copy_with_children`: in WeasyPrint 70 that resets
    the *original* box's `remove_decoration_sides`, which would change how the kept edition
    draws a box split across pages.
    """
    if id(box) in stamped:
        return stamped[id(box)]
    if id(box) not in ways:
        return box
    new = box.copy()
    new.children = [_grafted(child, stamped, ways) for child in box.children]
    return new
