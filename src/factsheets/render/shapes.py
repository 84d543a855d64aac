"""Where a copy's details go, found once per edition and set of fields: with markers, not a patient's values.

Stamping a copy (`stamping`) compares the sheet's HTML with the details to the edition's, cuts
the units out into a small page (`stamping.carrier`) and checks that no style rule reads them:
parsing a whole sheet and matching its style rules is most of what a stamped copy costs
after its small layout (~8 ms a sheet). Two copies with the same fields given differ only in
the values, so that work is done once, on the sheet's HTML made with a marker in place of each
value (`marked`), and kept with the edition (`Shape`). A copy then needs only its own HTML
made from the templates, to check it against the marked one:

- its HTML must be the marked HTML with each marker replaced by its value (`check`): so a
  template that reads a value (its length, a test, a slice) instead of only printing it gives
  other HTML, and the copy is stamped the long way, by parsing its own HTML;
- each value must be plain: no character HTML escapes or reads apart (`& < > " '`), no control,
  no space at its ends (`clean` folds spaces), so that it parses to the same text node as its
  marker, which parses only to text (`found` refuses a shape with a marker anywhere else);
- then the marked carrier, copied with the values put in place of the markers (`filled_in`), is
  the carrier of the copy's own HTML, and style rules match it alike (no selector reads text;
  `:empty` sees text in both).

Nothing here holds a value: the markers are private-use characters, which `personal.clean`
refuses in any value, and a shape keeps only what the marked HTML gave.
"""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass, replace

from cssselect2 import ElementWrapper
from markupsafe import escape

from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.stamping import CannotStamp, Carrier, Unit, follow, path_to

# One marker per field: private-use characters, never in a value (`personal.clean` refuses them).
MARKERS = {"patient": "\ue000patient\ue001", "date": "\ue000date\ue001", "care_team": "\ue000care_team\ue001"}
_SPECIAL = set("&<>\"'\ue000\ue001")
_REFUSED = {"Cc", "Cs", "Co", "Cn"}  # controls (a carriage return, a NUL: the parser changes them), and the like


@dataclass(frozen=True)
class Shape:
    """A sheet's units found with markers for one set of fields: the marked HTML, its units, their carrier."""

    html: str  # the sheet's HTML with markers for the values
    found: list[Unit]  # (the edition's element, the marked element) per unit
    carrier: Carrier  # the marked units cut out (`stamping.carrier`)
    paths: tuple[tuple[int, ...], ...]  # each unit's element in the carrier's tree, by child indices


def marked(options: RenderOptions) -> RenderOptions:
    """`options` with a marker in place of each value given: what a shape is made from."""
    given = options.personal.fields()
    return replace(options, personal=Personal(**{name: MARKERS[name] if given[name] else "" for name in given}))


def plain(personal: Personal) -> bool:
    """Whether every value given parses to the same text node as its marker: non-empty, no space at its
    ends and none doubled, nothing HTML reads apart, no control, private-use or unassigned character."""
    return all(
        value == " ".join(value.split())
        and not _SPECIAL.intersection(value)
        and not any(unicodedata.category(char) in _REFUSED for char in value)
        for value in personal.fields().values()
        if value
    )


def check(shape: Shape, html: str, personal: Personal) -> bool:
    """Whether a copy's `html` is the shape's marked HTML with its values, escaped, in place of the markers."""
    return _filled(shape.html, personal, escaped=True) == html


def shape(html: str, found: list[Unit], cut: Carrier) -> Shape:
    """The shape of the marked `html`: its units (found against the edition's) and their carrier.

    Refused where a marker is anywhere but in the units' text: in an attribute, a comment or the
    head, a value might parse otherwise than its marker. (A marker elsewhere in the body makes its
    element a unit: only those are searched, and every marker in the HTML must be found there.)
    """
    tops = {id(mine) for _, mine in found}
    in_text = 0
    for element in (element for _, mine in found for element in mine.iter()):
        if any(marker in str(value) for value in element.attrib.values() for marker in MARKERS.values()):
            raise CannotStamp("a detail is printed in an attribute")
        texts = (element.text or "", "" if id(element) in tops else element.tail or "")  # a unit's tail is not its
        in_text += sum(text.count(marker) for text in texts for marker in MARKERS.values())
    if in_text != sum(html.count(marker) for marker in MARKERS.values()):
        raise CannotStamp("a detail is printed outside the text of its box")
    root = cut.page.etree_element
    return Shape(html, found, cut, tuple(tuple(path_to(root, element)) for element in cut.elements))


def filled_in(found: Shape, personal: Personal) -> Carrier:
    """The shape's marked carrier, copied, with the copy's values in place of the markers."""
    page = copy.copy(found.carrier.page)
    root = copy.deepcopy(found.carrier.page.etree_element)
    for element in root.iter():
        if element.text:
            element.text = _filled(element.text, personal)
        if element.tail:
            element.tail = _filled(element.tail, personal)
    page.etree_element = root
    page.wrapper_element = ElementWrapper.from_html_root(root, content_language=None)
    elements = tuple(follow(root, list(path)) for path in found.paths)
    return Carrier(page, elements, _filled(found.carrier.key, personal, escaped=True))


def unfilled(html: str, personal: Personal) -> str:
    """A copy's HTML with each value, as HTML prints it, replaced by its marker: the HTML its shape was made
    from (`Renderer._known` finds the edition by it). With plain values this undoes `_filled` exactly."""
    for name, value in personal.fields().items():
        if value:
            html = html.replace(str(escape(value)), MARKERS[name])
    return html


def _filled(text: str, personal: Personal, escaped: bool = False) -> str:
    """`text` with each marker replaced by its value (as HTML prints it when `escaped`)."""
    for name, value in personal.fields().items():
        if value:
            text = text.replace(MARKERS[name], str(escape(value)) if escaped else value)
    return text
