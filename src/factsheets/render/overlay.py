"""A patient's details laid onto an edition's written PDF: their ink on its page, their tags in its tree.

Writing a whole sheet again for every patient is most of what a stamped copy used to cost
(WeasyPrint draws every line and every QR code again, then subsets the fonts). Here the
edition is written once with an empty slot where each detail's box goes (`stamping.holed`), and
each copy writes only the boxes with the details, a page per box (`stamping.pieces`). This
module joins the two with pikepdf (qpdf), as `merging` joins sheets into a packet:

- ink: each piece's content stream goes into the edition's page where a full layout draws the
  box's text (after the text the structure tree reads before it, so text extraction reads the
  page in the same order), moved by where the box stands (one `cm`), its fonts and other resources
  renamed so they cannot clash with the page's (and each font subset tagged anew, as PDF asks of
  subsets that differ). Finding that place means reading the page's
  drawing, so it is done once, when the holed edition is written (`prepare`): its page content
  is cut there into separate streams, and a copy only slips its piece's stream between them;
- tags: each piece's structure elements take the place of its slot (an empty /Figure the
  holed edition carries, found by its /Alt), with their marked-content ids shifted past the
  page's own and entered in the parent tree, so a screen reader reads them where the slot was.

What cannot be joined this way (a parent tree split into /Kids, a piece with annotations) is
`CannotStamp`: the renderer then lays the sheet out whole.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Object

from factsheets.render.merging import kids, summarize
from factsheets.render.stamping import CannotStamp, slot

PT_PER_PX = 0.75  # WeasyPrint draws CSS px at 3/4 pt, y downwards from the page's top

# The operand naming a resource, by operator: (resource category, operand index).
_NAMED = {
    "Tf": ("/Font", 0),
    "Do": ("/XObject", 0),
    "gs": ("/ExtGState", 0),
    "sh": ("/Shading", 0),
    "cs": ("/ColorSpace", 0),
    "CS": ("/ColorSpace", 0),
    "scn": ("/Pattern", -1),
    "SCN": ("/Pattern", -1),
    "BDC": ("/Properties", 1),
    "DP": ("/Properties", 1),
}


@dataclass(frozen=True)
class Move:
    """How far a piece moves to stand in its slot, in CSS px (its page is the slot's)."""

    dx: float
    dy: float


@dataclass(frozen=True)
class Slot:
    """Where a piece's drawing goes in the holed edition's page content."""

    page: int
    at: int  # the index in the page's /Contents array it is inserted at
    undo: pikepdf.Matrix  # the inverse of the transformation in force there: the piece draws from the page's own
    element: tuple[int, int]  # the slot's structure element, by object number and generation


@dataclass(frozen=True)
class Holed:
    """The holed edition's PDF, its page content cut where each slot's piece goes; slots by number."""

    pdf: bytes
    slots: tuple[Slot, ...]
    digest: str  # of `pdf`: what a packet made of holed editions is kept under (`joined`)


# Where a slot's piece goes: its page, the index in the page's /Contents it is inserted at, the undo matrix.
Cut = tuple[int, int, pikepdf.Matrix]

# Ink for one sheet: a PDF with a page per box (`stamping.pieces`; a packet's boxes all in one), and for each
# of the sheet's slots in turn, the page that goes there and how far it moves.
Ink = tuple[bytes, list[tuple[int, Move]]]


def prepare(pdf: bytes, count: int) -> Holed:
    """Cut the holed edition's page content where each of its `count` slots' pieces go: just after the
    marked content the structure tree reads before the slot, where a full layout draws the box's text."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        follows = _preceding(document, count)
        cuts: dict[int, Cut] = {}  # by slot
        for number, page in enumerate(document.pages):
            here = {n: mcid for n, (on, mcid) in enumerate(follows) if on == number}
            if here:
                cuts.update({n: (number, at, undo) for n, (at, undo) in _cut(document, page, here).items()})
        return _kept(document, [cuts[n] for n in range(count)])


def joined(editions: list[Holed], title: str) -> Holed:
    """Several holed editions as one packet's (`merging.merge`), its slots numbered on from one sheet to the
    next: a packet of stamped sheets is then laid out in one pass (`overlay`), not written sheet by sheet
    and merged. Made once for each packet of the same editions; without a summary (a patient's codes,
    maybe: `overlay` adds it to the copy). Each sheet's page content is already cut at its slots, and
    the merge keeps it so: its cuts carry over, on the packet's pages."""
    from factsheets.render.merging import merge

    parts: list[tuple[str, bytes]] = []
    cuts: list[Cut] = []
    pages = 0
    for edition in editions:
        with pikepdf.open(io.BytesIO(edition.pdf)) as pdf:
            for n, (parent, index) in enumerate(_slots(pdf, len(edition.slots))):
                kids(parent)[index].Alt = slot(len(cuts) + n)
            buffer = io.BytesIO()
            pdf.save(buffer)
            parts.append(("", buffer.getvalue()))
            cuts += [(pages + place.page, place.at, place.undo) for place in edition.slots]
            pages += len(pdf.pages)
    with pikepdf.open(io.BytesIO(merge(parts, title))) as document:
        return _kept(document, cuts)


def _kept(document: pikepdf.Pdf, cuts: list[Cut]) -> Holed:
    """The holed PDF as kept: written with object streams (qpdf reads those in half the time, and a copy's
    first copy into it reads every object), its slots' structure elements found as written, once."""
    buffer = io.BytesIO()
    document.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    written = buffer.getvalue()
    with pikepdf.open(io.BytesIO(written)) as saved:
        elements = [kids(parent)[index].objgen for parent, index in _slots(saved, len(cuts))]
    slots = tuple(Slot(*cut, element) for cut, element in zip(cuts, elements, strict=True))
    return Holed(written, slots, hashlib.sha256(written).hexdigest())


def overlay(edition: Holed, inks: list[Ink], summary: str = "") -> bytes:
    """The holed edition's PDF with each page of each ink drawn and tagged in its slot, the slots taken in
    order: the bytes of one finished sheet, or of a packet (`joined`, and its `summary`: `merging.summarize`).

    An ink used by several sheets (a packet's personal box, laid out once) has its fonts and other
    resources copied once for all of them; its tags are copied for each, from a copy of its own.
    """
    if sum(len(moves) for _, moves in inks) != len(edition.slots):
        raise CannotStamp("the details' boxes are not one for each slot")
    with pikepdf.open(io.BytesIO(edition.pdf)) as out, ExitStack() as opened:
        shared: dict[int, tuple[pikepdf.Pdf, str]] = {}  # by the ink's identity: its resources' source, prefix
        streams: list[tuple[int, int, int, pikepdf.Stream]] = []  # (page, index in /Contents, slot, stream)
        first = 0
        for ink, moves in inks:
            if id(ink) not in shared:
                shared[id(ink)] = (opened.enter_context(pikepdf.open(io.BytesIO(ink))), f"S{len(shared)}")
            with pikepdf.open(io.BytesIO(ink)) as tags:
                slots = edition.slots[first : first + len(moves)]
                streams += _laid_on(out, shared[id(ink)], tags, slots, moves, first)
            first += len(moves)
        for number, at, _, drawing in sorted(streams, key=lambda item: item[:3], reverse=True):
            out.pages[number].obj.Contents.insert(at, drawing)  # the last first: earlier places stay put
        summarize(out, summary)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def _laid_on(
    out: pikepdf.Pdf,
    resources: tuple[pikepdf.Pdf, str],
    tags: pikepdf.Pdf,
    slots: tuple[Slot, ...],
    moves: list[tuple[int, Move]],
    first: int,
) -> list[tuple[int, int, int, pikepdf.Stream]]:
    """Each page of an ink that a sheet uses (`tags`, opened for this use) tagged in its slot of `out`, its
    resources copied from `resources` (the ink opened once for all its uses, and their names' prefix);
    its drawing, to insert: (page, index in /Contents, slot, stream)."""
    source, prefix = resources
    tops = _detached(tags)
    streams = []
    for n, ((index, move), slot_n) in enumerate(zip(moves, slots, strict=True)):
        piece, page = tags.pages[index], out.pages[slot_n.page]
        mcids = _page_keys(out, page)
        offset = len(mcids)
        names = _resources(out, source, page, source.pages[index], prefix)  # the pieces of one ink share its names
        drawing = out.make_stream(_ink(piece, names, offset, move, slot_n.undo))
        streams.append((slot_n.page, slot_n.at, first + n, drawing))
        # The slot's place is found now: an earlier piece may have put several elements beside it.
        _tags(out, page, _slot_place(out, slot_n.element), tops[index], offset)
        mcids.extend(out.copy_foreign(kid) for kid in _page_keys(tags, piece))
    return streams


def _preceding(document: pikepdf.Pdf, count: int) -> list[tuple[int, int | None]]:
    """For each slot: its page, and the last marked-content id on that page the structure tree reads before
    it (None: the slot comes first on its page)."""
    index_of = {page.obj.objgen: n for n, page in enumerate(document.pages)}
    wanted = {slot(n): n for n in range(count)}
    found: dict[int, tuple[int, int | None]] = {}
    last: dict[int, int] = {}  # page -> the last id read on it so far

    def walk(node: Any, page: int | None) -> None:  # pikepdf gives integers as int
        if isinstance(node, Array):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, Dictionary):
            here = index_of.get(node.Pg.objgen, page) if "/Pg" in node else page
            alt = str(node.get("/Alt", ""))
            if alt in wanted and here is not None:
                found[wanted[alt]] = (here, last.get(here))
            elif node.get("/Type") == "/MCR" and "/MCID" in node and here is not None:
                last[here] = int(node.MCID)
            elif "/S" in node:
                walk(node.get("/K"), here)
        elif isinstance(node, int) and page is not None:
            last[page] = int(node)

    walk(_document(document), None)
    if len(found) != count:
        raise CannotStamp("the holed edition's tags lack a slot for a detail")
    return [found[n] for n in range(count)]


def _cut(
    document: pikepdf.Pdf, page: pikepdf.Page, after: dict[int, int | None]
) -> dict[int, tuple[int, pikepdf.Matrix]]:
    """Split the page's content into streams just after each slot's preceding marked content (None: before
    the page's first); for each slot, the index its piece goes at and the inverse of the transformation there."""
    operations = pikepdf.parse_content_stream(page)
    cuts: dict[int, tuple[int, pikepdf.Matrix]] = {}
    states = [(pikepdf.Matrix(), False)]  # (transformation, clipped) at each q depth
    marked: list[int | None] = []  # the marked-content ids open
    in_text = False
    for index, instruction in enumerate(operations):
        operator = str(instruction.operator)
        mcid = _marked_id(instruction) if operator == "BDC" else None
        closed = marked.pop() if operator == "EMC" and marked else None
        due = [n for n, before in after.items() if n not in cuts and (before is None and mcid is not None)]
        if due:
            _check_open(states, in_text, marked)
            cuts.update({n: (index, states[-1][0].inverse()) for n in due})
        if operator in ("BDC", "BMC"):
            marked.append(mcid)
        elif operator == "q":
            states.append(states[-1])
        elif operator == "Q" and len(states) > 1:
            states.pop()
        elif operator == "cm":
            states[-1] = (pikepdf.Matrix(*[float(x) for x in instruction.operands]) @ states[-1][0], states[-1][1])
        elif operator in ("W", "W*"):
            states[-1] = (states[-1][0], True)
        elif operator in ("BT", "ET"):
            in_text = operator == "BT"
        done = [n for n, before in after.items() if n not in cuts and closed is not None and before == closed]
        if done:
            _check_open(states, in_text, marked)
            cuts.update({n: (index + 1, states[-1][0].inverse()) for n in done})
    if len(cuts) != len(after):
        raise CannotStamp("the marked content before a detail's slot is not on its page")
    bounds = sorted({index for index, _ in cuts.values()})
    chunks = [operations[a:b] for a, b in zip([0, *bounds], [*bounds, len(operations)], strict=True)]
    page.obj.Contents = Array([document.make_stream(pikepdf.unparse_content_stream(chunk)) for chunk in chunks])
    return {n: (bounds.index(index) + 1, undo) for n, (index, undo) in cuts.items()}


def _check_open(states: list[tuple[pikepdf.Matrix, bool]], in_text: bool, marked: list[int | None]) -> None:
    """A piece is drawn from the page's own space: where it goes, nothing may clip it, and no text object or
    marked content (an artifact, say) be open around it."""
    if states[-1][1] or in_text or marked:
        raise CannotStamp("a detail's box would be drawn inside a clip, a text object or marked content")


def _marked_id(instruction: Any) -> int | None:
    operands = instruction.operands
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return int(operands[1].MCID)
    return None


def _detached(source: pikepdf.Pdf) -> list[list[Object]]:
    """Each piece page's top structure elements, cut loose from the piece's tree and pages so that copying
    them copies their own subtree and nothing of the piece around it."""
    page_of = {page.obj.objgen: n for n, page in enumerate(source.pages)}
    tops: list[list[Object]] = [[] for _ in source.pages]
    if source.pages and any("/Annots" in page.obj for page in source.pages):
        raise CannotStamp("a detail's box carries a link or a form field")
    for element in kids(_document(source)):
        tops[page_of[element.Pg.objgen]].append(element)
        del element["/P"]
    for top in (element for elements in tops for element in elements):
        for element in _elements(top):
            if "/Pg" in element:
                del element["/Pg"]
    return tops


def _slot_place(out: pikepdf.Pdf, element: tuple[int, int]) -> tuple[Object, int]:
    """(parent element, index in its /K) of the slot's element."""
    found = out.get_object(element)
    parent = found.P
    (index,) = [n for n, kid in enumerate(kids(parent)) if isinstance(kid, Dictionary) and kid.objgen == element]
    return parent, index


def _slots(out: pikepdf.Pdf, count: int) -> list[tuple[Object, int]]:
    """(parent element, index in its /K) of each slot, by number."""
    wanted = {slot(n): n for n in range(count)}
    found: dict[int, tuple[Object, int]] = {}
    for parent in _elements(_document(out)):
        for index, kid in enumerate(kids(parent)):
            alt = kid.get("/Alt") if isinstance(kid, Dictionary) else None
            if alt is not None and str(alt) in wanted:
                found[wanted[str(alt)]] = (parent, index)
    if len(found) != count:
        raise CannotStamp("the holed edition's tags lack a slot for a detail")
    return [found[n] for n in range(count)]


def _resources(
    out: pikepdf.Pdf, source: pikepdf.Pdf, page: pikepdf.Page, piece: pikepdf.Page, prefix: str
) -> dict[str, dict[str, str]]:
    """Copy the piece's resources onto the page under new names; the renaming, by category. Pieces written
    together share their resources (one font subset for all): each is copied and named once."""
    names: dict[str, dict[str, str]] = {}
    theirs: Any = piece.obj.get("/Resources", Dictionary())
    mine: Any = page.obj.Resources
    for category in map(str, theirs.keys()):
        if category == "/ProcSet":
            continue
        if category not in mine:
            mine[category] = Dictionary()
        renamed = names.setdefault(category, {})
        for key, value in theirs[category].items():
            new = f"/{prefix}{key[1:]}"
            # A direct one made indirect first: qpdf then copies it, and all it refers to, in one call, and
            # copies one object once for all the pieces of an ink.
            copied = out.copy_foreign(value if value.is_indirect else source.make_indirect(value))
            if new not in mine[category]:
                mine[category][new] = copied
                if category == "/Font":
                    _retag(copied)
            elif not _same(mine[category][new], copied):  # not another piece's of the same ink
                raise CannotStamp("the edition's page already uses a resource name a detail's box needs")
            renamed[key] = new
    return names


def _same(mine: Object, copied: Object) -> bool:
    """Whether a resource already on the page is `copied`: the same object (qpdf copies one object once)."""
    return bool(mine.is_indirect and copied.is_indirect and mine.objgen == copied.objgen)


def _retag(font: Any) -> None:
    """Give a piece's font subset a tag of its own (the six letters before "+" in its name): WeasyPrint tags a
    subset by its font, so the piece's and the page's subsets of one font share a name, and PDF asks that
    different subsets in a file have different tags (ISO 32000-1, 9.6.4), or a printer may mix them up."""
    fonts = [font, *font.get("/DescendantFonts", [])]
    descriptors = [f.FontDescriptor for f in fonts if "/FontDescriptor" in f]
    files = [d[key] for d in descriptors for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in d]
    digest = hashlib.sha256(b"".join(bytes(f.read_raw_bytes()) for f in files)).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    for owner, key in [*((f, "/BaseFont") for f in fonts), *((d, "/FontName") for d in descriptors)]:
        name = str(owner.get(key, ""))
        if len(name) > 8 and name[7] == "+":
            owner[key] = Name(f"/{tag}{name[7:]}")


def _ink(piece: pikepdf.Page, names: dict[str, dict[str, str]], offset: int, move: Move, undo: pikepdf.Matrix) -> bytes:
    """The piece's drawing, its resources renamed and marked-content ids shifted, moved into place."""
    operations = []
    for instruction in pikepdf.parse_content_stream(piece):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            raise CannotStamp("a detail's box draws an inline image")
        operands, operator = list(instruction.operands), str(instruction.operator)
        if operator in _NAMED:
            category, at = _NAMED[operator]
            if operands and isinstance(operands[at], Name) and str(operands[at]) in names.get(category, {}):
                operands[at] = Name(names[category][str(operands[at])])
        if operator == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
            properties = Dictionary(dict(operands[1].items()))
            properties.MCID = int(properties.MCID) + offset
            operands[1] = properties
        operations.append(pikepdf.ContentStreamInstruction(operands, instruction.operator))
    home = " ".join(f"{value:.12g}" for value in (undo.a, undo.b, undo.c, undo.d, undo.e, undo.f))
    shift = f"q {home} cm 1 0 0 1 {move.dx * PT_PER_PX:.6f} {-move.dy * PT_PER_PX:.6f} cm\n".encode()
    return shift + pikepdf.unparse_content_stream(operations) + b"\nQ\n"


def _tags(out: pikepdf.Pdf, page: pikepdf.Page, where: tuple[Object, int], tops: list[Object], offset: int) -> None:
    """The piece's elements, copied, in place of the slot: on this page, their content ids shifted."""
    parent, index = where
    copied = [out.copy_foreign(top) for top in tops]
    for top in copied:
        top.P = parent
        for element in _elements(top):
            element.Pg = page.obj
            element.K = _shifted(element.get("/K"), offset)
    before = kids(parent)
    parent.K = Array([*before[:index], *copied, *before[index + 1 :]])


def _shifted(node: Any, offset: int) -> Any:  # pikepdf gives integers as int
    """An element's /K with each marked-content id moved past the page's own."""
    if node is None:
        return Array()
    if isinstance(node, int):
        return int(node) + offset
    if isinstance(node, Array):
        return Array([_shifted(kid, offset) for kid in node])
    if isinstance(node, Dictionary) and node.get("/Type") == "/MCR":
        node.MCID = int(node.MCID) + offset
    return node


def _page_keys(pdf: pikepdf.Pdf, page: pikepdf.Page) -> Array:
    """The page's entry in the parent tree: its marked-content ids' elements, by id."""
    tree = pdf.Root.StructTreeRoot.ParentTree
    if "/Nums" not in tree:
        raise CannotStamp("the parent tree is split into /Kids")
    nums = tree.Nums
    key = int(page.obj.StructParents)
    for i in range(0, len(nums), 2):
        if int(nums[i]) == key:
            entry = nums[i + 1]
            assert isinstance(entry, Array), "a parent tree entry for a page is an array"
            return entry
    raise CannotStamp("a page has no entry in the parent tree")


def _document(pdf: pikepdf.Pdf) -> Object:
    """The /Document element WeasyPrint puts everything under."""
    (document,) = kids(pdf.Root.StructTreeRoot)
    return document


def _elements(top: Object) -> Iterator[Object]:
    """`top` and every structure element under it."""
    yield top
    for kid in kids(top):
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield from _elements(kid)
