"""Print that survives (issue 24, items 6 and 7), measured on the real PDF and its pixels.

- Type: every character of a standard sheet at 8 pt or more and everything for the patient at 9 pt
  or more (only the staff label is smaller); every character of large print at 16 pt or more. The
  sizes are read from the PDF's text (pdfium: font size times the text matrix), not from the CSS.
- Large print's page 2 is headed by the sheet's title and the patient's name, as an artifact of
  the page (not in any tag, log or style sheet).
- The edition code reads off a copy of a copy (the 150 dpi scan, skewed, blurred and thresholded,
  then all of that again) with both readers; the QR codes too (tests/render/test_qr.py).
- The shared parts (When to call, notes, sources) take less of the page than before.
"""

from __future__ import annotations

import logging
from typing import Any

import pypdfium2 as pdfium
import pytest
from helpers.pdfs import PrintedChar, datamatrix_after_copies, printed_chars, text_of, ua_problems
from helpers.project import variant, variant_keys

from factsheets.errors import FactsheetsError
from factsheets.project import Content
from factsheets.render.edition import edition_id
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant

ANN = Personal("Ann O'Neil", "22 Nov 2026", "Dr Okafor, 555-0100")
STAFF_LABEL = "Staff: scan to record this handout"  # for staff, not the patient: 8 pt, the one thing under 9
MM = 25.4 / 96  # WeasyPrint lays out in CSS px


def _spelled(chars: list[PrintedChar]) -> str:
    return "".join(c.char for c in chars)


@pytest.mark.parametrize("key", variant_keys())
def test_a_standard_sheet_prints_nothing_under_8_pt_and_nothing_for_the_patient_under_9(
    renderer: Renderer, content: Content, key: str
) -> None:
    """Was: the 7 pt staff label, 7.5 pt box labels and 7 to 8 pt source numbers, 8 to 12% of the characters."""
    filled = content.fill(variant(key))
    result = renderer.render(filled, RenderOptions(personal=ANN))
    chars = printed_chars(result.pdf)
    assert min(c.pt for c in chars) >= 8, key
    assert _spelled([c for c in chars if c.pt < 9]) == STAFF_LABEL.replace(" ", ""), key
    expected = [edition_id(filled)]
    assert datamatrix_after_copies(result.pdf) == {"zxing-cpp": expected, "libdmtx": expected}, key  # was 1 of 36


@pytest.mark.parametrize("key", variant_keys())
def test_large_print_prints_every_character_at_16_pt_or_more(renderer: Renderer, content: Content, key: str) -> None:
    """Was: 36 to 48% of large print's characters under 16 pt (labels 10 pt, footer 9 pt, staff label 7 pt)."""
    result = renderer.render(content.fill(variant(key)), RenderOptions(large_print=True, personal=ANN))
    chars = printed_chars(result.pdf)
    small = sorted({(c.pt, c.char) for c in chars if c.pt < 16})
    assert not small, (key, small[:10])
    assert result.pages == 2, key
    assert {c.page for c in chars} == {0, 1}


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_on_a4_too(renderer: Renderer, content: Content, paper: str) -> None:
    result = renderer.render(content.fill(Variant("bone")), RenderOptions(paper=paper, large_print=True))
    assert min(c.pt for c in printed_chars(result.pdf)) >= 16
    assert ua_problems(result.pdf) == []


def _page_text(pdf: bytes, page: int) -> str:
    return " ".join(pdfium.PdfDocument(pdf)[page].get_textpage().get_text_bounded().split())


def _top_text(pdf: bytes, page: int) -> str:
    """The text in the top 1.85 cm of a page: large print's margin above the content."""
    drawn = pdfium.PdfDocument(pdf)[page]
    height = drawn.get_height()
    return " ".join(drawn.get_textpage().get_text_bounded(bottom=height - 1.85 / 2.54 * 72).split())


def test_large_print_page_2_is_headed_by_the_title_and_the_patients_name(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("lungs"))
    named = renderer.render(filled, RenderOptions(large_print=True, personal=ANN)).pdf
    blank = renderer.render(filled, RenderOptions(large_print=True)).pdf
    assert _top_text(named, 1) == f"{filled.sheet.title} · For {ANN.patient}"
    assert _top_text(blank, 1) == filled.sheet.title  # no name given: the title alone
    assert " · For " not in _page_text(named, 0)  # page 1 has the band and the personal box instead
    assert ua_problems(named) == []  # the heading is a running-header artifact, not untagged text
    assert text_of(named).count(ANN.patient) == 2  # the box on page 1, the heading of page 2


def test_the_patients_name_is_only_on_the_page(
    renderer: Renderer, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    """The heading takes the name from the page (CSS string-set), so no style sheet, cache or log holds it."""
    with caplog.at_level(logging.DEBUG):
        pdf = renderer.render(content.fill(Variant("bone")), RenderOptions(large_print=True, personal=ANN)).pdf
    assert ANN.patient in _page_text(pdf, 1)
    assert not any(ANN.patient in record.getMessage() for record in caplog.records)
    cached: list[Any] = list(renderer._size_css.values())
    assert all(ANN.patient not in repr(vars(css)) for css in cached)


def test_a_name_too_long_for_page_2s_heading_is_refused_at_its_field(renderer: Renderer, content: Content) -> None:
    """49 wide characters fit the personal box's two lines (letter), not the heading's two lines after the title."""
    name = "山" * 49
    filled = content.fill(Variant("lungs"))
    with pytest.raises(FactsheetsError) as caught:
        renderer.render(filled, RenderOptions(large_print=True, personal=Personal(name)))
    problem = caught.value.problems[0]
    assert problem.field == "patient"
    assert "heading of page 2" in str(problem)
    assert name not in str(problem)
    assert renderer.render(filled, RenderOptions(large_print=True, personal=Personal(name[:46]))).pages == 2


# --- Room from the shared parts (item 7) ------------------------------------------------------------------


def _box(page: Any, cls: str) -> Any:  # WeasyPrint's boxes have no types
    stack = [page]
    while stack:
        box = stack.pop(0)
        element = getattr(box, "element", None)
        if element is not None and cls in (element.get("class") or "").split():
            return box
        stack += getattr(box, "children", [])
    raise AssertionError(f"no .{cls} laid out")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_shared_parts_take_13_mm_less_of_the_page(renderer: Renderer, content: Content, paper: str) -> None:
    """From the top of When to call to the foot of the sources, at 12 pt with one row of sources: 107.3 mm before
    (a 62 mm call box; 34 mm QR codes with a 4-module quiet zone drawn), 94.2 mm now, on letter and A4 alike."""
    filled = content.fill(Variant("pain"))  # one source: one row of cards, the QR code its height
    document = renderer._layout(renderer.html(filled, RenderOptions(paper=paper)), paper, 12.0, False)
    page = document.pages[0]._page_box
    act, sources = _box(page, "act"), _box(page, "sources")
    span = (sources.position_y + sources.margin_height() - act.position_y) * MM
    assert span <= 94.5, span
    assert _box(page, "call").margin_height() * MM <= 52, "the shared call box grew"
