"""Reading a packet's PDF sheet by sheet: each sheet's own text, block by block, as its tags hold it.

A sheet's own text is what its `<main>` prints, tagged /Part: its sections' headings, paragraphs,
list items and table rows. The boxes every sheet prints by design (Words to know, When to call,
notes, sources, the footer) and the title band and personal box are outside it, so they are
left out without guessing from the words. The text of each marked-content sequence comes from
the page (pypdf, through the ToUnicode maps), and the tag tree (pikepdf) says whose it is.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pikepdf
import pypdf

from factsheets.content.cancer_types import CancerType
from factsheets.selection.repeats import same
from factsheets.selection.sentences import sentences

BLOCKS = ("/P", "/LBody", "/TR")  # a paragraph, a list item's body, a table row (its cells joined)
NOTE = re.compile(
    r"^See also “.+”, earlier in this packet\.$"
)  # a packet's note referring back: no sentence of its own


@dataclass(frozen=True)
class Block:
    sheet: int  # which sheet of the packet (0 = first)
    kind: str  # "/P", "/LBody" or "/TR"
    text: str  # spaces folded, citation numbers left out

    @property
    def note(self) -> bool:
        return self.kind == "/P" and NOTE.match(self.text) is not None


def own_blocks(pdf: bytes) -> list[Block]:
    """Every paragraph, list item and table row of each sheet's own text (its /Part), in reading order."""
    texts = _marked_texts(pdf)
    found: list[Block] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        parts = [e for e in _descendants(doc.Root.StructTreeRoot) if e.get("/S") == "/Part"]
        for sheet, part in enumerate(parts):
            for element in _descendants(part):
                if str(element.get("/S")) in BLOCKS:
                    text = " ".join(" ".join(_text(element, texts, _page(element, None))).split())
                    if text:
                        found.append(Block(sheet, str(element.S), text))
    return found


def printed_twice(pdf: bytes) -> list[tuple[str, list[int]]]:
    """Each sentence (table row) of the sheets' own text printed more than once in the packet, with the
    sheets printing it; a packet's notes referring back are not sentences of the text."""
    where: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for block in own_blocks(pdf):
        if block.note:
            continue
        for sentence in [block.text] if block.kind == "/TR" else sentences(block.text):
            key = same(sentence)
            where.setdefault(key, []).append(block.sheet)
            shown.setdefault(key, sentence)
    return [(shown[key], sheets) for key, sheets in where.items() if len(sheets) > 1]


def other_types_text(pdf: bytes, ctype: CancerType, types: list[CancerType]) -> list[tuple[int, str, list[str]]]:
    """Each sentence of the sheets' own text that is about another cancer type: (sheet, sentence, types).

    About another type: it names one (colorectal cancer: colon and rectal, one phrase) and not `ctype`.
    A sentence naming two types apart ("breast cancer that spreads to the lung is metastatic breast
    cancer, not lung cancer") is an example of what applies to all, not another type's text.
    """
    found = []
    for block in own_blocks(pdf):
        for sentence in [block.text] if block.kind == "/TR" else sentences(block.text):
            named = [t for t in types if t.named_in(sentence)]
            if named and ctype not in named and _one_type(named, sentence):
                found.append((block.sheet, sentence, [t.key for t in named]))
    return found


def _one_type(named: list[CancerType], sentence: str) -> bool:
    """Whether the types named are named by one phrase (colon and rectal by "colorectal cancer")."""
    said = [{p for p in t.phrases if re.search(rf"\b{re.escape(p)}s?\b", sentence, re.IGNORECASE)} for t in named]
    return bool(set.intersection(*said))


def _marked_texts(pdf: bytes) -> dict[tuple[int, int], str]:
    """(page, MCID) -> the text drawn in that marked-content sequence."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
        marks = _Marks(index, texts)
        page.extract_text(visitor_operand_before=marks.operator, visitor_text=marks.text)
    return texts


class _Marks:
    """Follows BDC/EMC through one page's content stream and files each piece of text under its MCID."""

    def __init__(self, page: int, texts: dict[tuple[int, int], str]) -> None:
        self.page, self.texts, self.open = page, texts, list[int | None]()

    def operator(self, operator: bytes, operands: list[object], *_: object) -> None:
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, dict) else None
            self.open.append(int(mcid) if mcid is not None else None)
        elif operator == b"BMC":
            self.open.append(None)
        elif operator == b"EMC" and self.open:
            self.open.pop()

    def text(self, text: str, *_: object) -> None:
        mcid = next((m for m in reversed(self.open) if m is not None), None)
        if mcid is not None:
            key = (self.page, mcid)
            self.texts[key] = self.texts.get(key, "") + text


def _kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


def _descendants(node: pikepdf.Object) -> list[pikepdf.Dictionary]:
    found: list[pikepdf.Dictionary] = []
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found += _descendants(kid)
    return found


def _page(element: pikepdf.Object, inherited: int | None) -> int | None:
    page = element.get("/Pg") if isinstance(element, pikepdf.Dictionary) else None
    return pikepdf.Page(page).index if page is not None else inherited


def _text(element: pikepdf.Dictionary, texts: dict[tuple[int, int], str], page: int | None) -> list[str]:
    """The text an element holds, in order; a citation number (a NonStruct of digits) left out."""
    parts: list[str] = []
    for kid in _kids(element):
        if isinstance(kid, int) and page is not None:
            parts.append(texts.get((page, int(kid)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            parts.append(texts.get((_page(kid, page) or 0, int(kid.MCID)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            inner = _text(kid, texts, _page(kid, page))
            if kid.S == "/NonStruct" and "".join(inner).strip().isdigit():
                continue  # <sup class="cite">
            parts += [" ".join(inner)] if str(kid.S) in ("/TD", "/TH") else inner
    return parts
