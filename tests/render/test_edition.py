"""The edition code: what it says, that two unrelated readers read it off the printed page (and
off a photocopy, and a copy of that copy), that it never carries the patient, and that it leaves
the page as it was."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers.pdfs import datamatrix_after_copies, datamatrix_codes, figure_alts, qr_codes, ua_problems
from helpers.project import DATA, ROOT, variant, variant_keys

from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project, load_content
from factsheets.render.edition import LANGUAGE, MODULE_MM, ROOM_MM, content_version, edition_id, edition_svg
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant

# The shortest identifier (a 16 x 36 rectangle), a type variant's and the longest (16 x 48).
SAMPLES = ["bone/general", "where-it-spreads/breast", "what-is-metastatic-cancer/general"]
ANN = Personal("Ann Lee", "1 Dec 2026", "Dr Okafor, 555-0100")


def _geometry(svg: str) -> tuple[int, int, float, float]:
    """(width and height in modules with the quiet zone, width and height in cm) of an edition code."""
    box = re.search(r'viewBox="-?\d+ -?\d+ (\d+) (\d+)"', svg)
    size = re.search(r'width="([\d.]+)cm" height="([\d.]+)cm"', svg)
    assert box, svg[:300]
    assert size, svg[:300]
    return int(box[1]), int(box[2]), float(size[1]), float(size[2])


def test_the_identifier_names_variant_content_version_and_language(content: Content) -> None:
    general = content.fill(Variant("bone"))
    typed = content.fill(Variant.of("where-it-spreads", "breast"))
    assert edition_id(general) == f"factsheets:bone/general@{content_version(general)};lang=en"
    assert edition_id(typed) == f"factsheets:where-it-spreads/breast@{content_version(typed)};lang=en"
    assert re.fullmatch(r"factsheets:where-it-spreads/breast@[0-9a-f]{8};lang=en", edition_id(typed))
    assert edition_id(typed) == edition_id(content.fill(Variant.of("where-it-spreads", "breast")))  # pure
    assert LANGUAGE == "en"


def test_every_code_has_modules_of_0_8_mm_or_more_and_fits_the_bottom_margin(content: Content) -> None:
    shapes = set()
    for key in variant_keys():
        svg = edition_svg(edition_id(content.fill(variant(key))))
        width, height, width_cm, height_cm = _geometry(svg)
        module_mm = width_cm * 10 / width
        assert module_mm >= MODULE_MM == 0.8, key  # what a copy of a copy still resolves (issue 24)
        assert module_mm == pytest.approx(height_cm * 10 / height)  # square modules
        assert height_cm * 10 <= ROOM_MM + 1e-6, key
        shapes.add((width - 4, height - 4))  # without the 2-module quiet zone
        assert ' id="' not in svg  # a packet has many on its pages
        assert 'fill="#fff"' in svg
        assert f"<title>Edition code for staff: factsheets:{key}@" in svg
    assert shapes == {(36, 16), (48, 16)}  # the shortest symbols that hold the ids: rectangles, 1.6 cm high


def test_an_identifier_too_long_for_the_footer_is_refused() -> None:
    svg = edition_svg('factsheets:<b>&"x"/general@00000000;lang=en')
    assert "<title>Edition code for staff: factsheets:&lt;b&gt;&amp;&quot;x&quot;/general@" in svg
    with pytest.raises(FactsheetsError, match=r"taller than the 1\.6 cm the footer has for it"):
        edition_svg(f"factsheets:{'a-very-long-sheet-name' * 3}/general@00000000;lang=en")


@pytest.mark.parametrize("key", SAMPLES)
def test_both_readers_read_the_code_off_the_page_and_off_a_photocopy(
    renderer: Renderer, content: Content, key: str
) -> None:
    filled = content.fill(variant(key))
    result = renderer.render(filled, RenderOptions())
    expected = [edition_id(filled)]
    assert datamatrix_codes(result.pdf) == {"zxing-cpp": expected, "libdmtx": expected}
    assert datamatrix_codes(result.pdf, copied=True) == {"zxing-cpp": expected, "libdmtx": expected}
    assert datamatrix_after_copies(result.pdf) == {"zxing-cpp": expected, "libdmtx": expected}  # a copy of a copy
    assert result.pages == 1
    assert sorted(code.text for code in qr_codes(result.pdf)) == sorted(s.url for s in filled.sources)


def test_a_personalised_sheet_carries_the_same_code_and_no_name(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "breast"))
    blank = renderer.html(filled, RenderOptions())
    named = renderer.html(filled, RenderOptions(personal=ANN))
    code = re.search(r'<svg [^>]*class="edition-code".*?</svg>', blank, re.DOTALL)
    assert code is not None
    assert code[0] in named  # drawn the same, module for module
    pdf = renderer.render(filled, RenderOptions(personal=ANN)).pdf
    found = datamatrix_codes(pdf, copied=True)
    assert found == {"zxing-cpp": [edition_id(filled)], "libdmtx": [edition_id(filled)]}
    assert not any(part in found["zxing-cpp"][0] for part in ("Ann", "Lee", "Okafor"))


def test_the_code_is_a_figure_with_its_identifier_as_alternative_text(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("bone"))
    pdf = renderer.render(filled, RenderOptions(personal=ANN)).pdf
    assert ua_problems(pdf) == []
    alts = figure_alts(pdf)
    assert alts[-1] == f"Edition code for staff: {edition_id(filled)}"  # the footer: last in reading order
    assert sum(alt.startswith("QR code linking to") for alt in alts) == len(filled.sources)


def test_large_print_carries_the_code_on_every_page(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "breast"))
    result = renderer.render(filled, RenderOptions(large_print=True))
    every_page = [edition_id(filled)] * result.pages
    assert datamatrix_codes(result.pdf) == {"zxing-cpp": every_page, "libdmtx": every_page}
    assert datamatrix_after_copies(result.pdf) == {"zxing-cpp": every_page, "libdmtx": every_page}
    assert result.pages <= 2
    assert sorted(code.text for code in qr_codes(result.pdf)) == sorted(s.url for s in filled.sources)


@pytest.fixture(scope="module")
def with_clinic() -> tuple[Renderer, Content]:
    """The test clinic's renderer and content: its name and phone lengthen the footer's second line."""
    project = Project(ROOT, DATA / "clinic")
    return Renderer(project), load_content(project)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_footer_and_its_code_stay_in_the_bottom_margin(with_clinic: tuple[Renderer, Content], paper: str) -> None:
    """Four lines of footer beside the code (a clinic's name and phone wrap the second) keep off the content."""
    renderer, content = with_clinic
    for sheet_id in ("how-cancer-spreads", "what-is-metastatic-cancer"):  # the longest line; the rectangle
        document, _, _ = renderer.fit(content.fill(Variant(sheet_id)), RenderOptions(paper=paper))
        page = document.pages[0]._page_box
        footer, code = _box(page, "footer"), _box(page, "svg", "edition-code")
        content_bottom = page.content_box_y() + page.height
        assert footer.position_y >= content_bottom - 0.01, sheet_id  # CSS px
        assert code.position_y >= content_bottom - 0.01, sheet_id
        assert code.position_y + code.margin_height() <= page.margin_height() - 0.2 / 2.54 * 96  # off the edge


def _box(page: Any, tag: str, cls: str | None = None) -> Any:  # WeasyPrint's boxes have no types
    """The first box laid out for an element `tag` (of class `cls`) on the page."""
    stack = [page]
    while stack:
        box = stack.pop(0)
        element = getattr(box, "element", None)
        if element is not None and element.tag.endswith(tag) and (cls is None or cls in element.get("class", "")):
            return box
        stack += getattr(box, "children", [])
    raise AssertionError(f"no <{tag}> laid out")
