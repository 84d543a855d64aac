"""Editions laid out once, details stamped (issue 26): a stamped copy is the copy a full layout makes, for every
sheet, read from real PDFs (text, tags, pixels); the kept editions never hold a name; refusals still hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import io
import shutil
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from helpers.pdfs import Tagged, tag_tree, text_of, ua_problems
from helpers.project import DATA, ROOT, variant, variant_keys
from PIL import ImageChops

from factsheets.errors import FactsheetsError
from factsheets.patient.choice import choose_for
from factsheets.patient.packet import render_packet
from factsheets.project import Content, Project, load_content
from factsheets.render.options import EDITIONS_KEPT, RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.render.stamping import Edition, Editions

DAY = dt.date(2026, 5, 1)
# Long, realistic values: the name and the contact wrap nowhere but fill most of their lines.
DETAILS = Personal(
    "Maria Guadalupe Fernandez-Castellanos",
    "May 1, 2026",
    "Dr Alexandra Pemberton-Smythe, Oncology Nurse Navigator, (555) 010-0100",
)
DPI = 50


@pytest.fixture(scope="module")
def keeping() -> Renderer:
    """A renderer that keeps each sheet's edition: copies with details are stamped on it."""
    return Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)


@pytest.fixture(scope="module")
def laying_out() -> Renderer:
    """A renderer that lays every copy out whole (`full_layout`), as before editions were kept."""
    return Renderer(Project(ROOT, DATA / "no-clinic"))


def _pages(pdf: bytes) -> list:
    return [page.render(scale=DPI / 72).to_pil().convert("RGB") for page in pdfium.PdfDocument(pdf)]


def _differing(stamped: bytes, full: bytes) -> list[tuple[int, tuple[int, int, int, int] | None]]:
    """(page, the box of pixels that differ) for each page of the two PDFs that differs; [] when alike."""
    mine, theirs = _pages(stamped), _pages(full)
    assert len(mine) == len(theirs)
    found = [(n, ImageChops.difference(a, b).getbbox()) for n, (a, b) in enumerate(zip(mine, theirs, strict=True))]
    return [(n, box) for n, box in found if box is not None]


def _shape(element: Tagged, depth: int = 0) -> list[tuple[int, str]]:
    """The structure elements' kinds in reading order, with their depth."""
    return [(depth, element.kind)] + [item for kid in element.kids for item in _shape(kid, depth + 1)]


def _same_copy(stamped: bytes, full: bytes) -> str:
    """The same text in the same reading order, the same tag tree, the same pixels on every page: the text."""
    text = text_of(stamped)
    assert text == text_of(full)
    mine, theirs = tag_tree(stamped), tag_tree(full)
    assert _shape(mine) == _shape(theirs)
    assert mine == theirs  # and each element holds the same text
    assert _differing(stamped, full) == []
    return text


@pytest.mark.parametrize("key", variant_keys())
def test_a_stamped_copy_is_the_copy_a_full_layout_makes(
    keeping: Renderer, laying_out: Renderer, content: Content, key: str
) -> None:
    filled = content.fill(variant(key))
    keeping.render(filled, RenderOptions(paper="letter", print_date=DAY))  # the edition, laid out and kept
    options = RenderOptions(paper="letter", print_date=DAY, personal=DETAILS)
    stamped = keeping.render(filled, options)
    full = laying_out.render(filled, options, full_layout=True)
    assert stamped.stamped, "laid out whole: the details could not be stamped on this sheet"
    assert not full.stamped
    assert (stamped.pages, stamped.body_pt, stamped.renders) == (full.pages, full.body_pt, 1)
    text = _same_copy(stamped.pdf, full.pdf)
    assert DETAILS.patient in text
    assert f"Call your care team: {DETAILS.care_team}" in text


def test_a_stamped_copy_passes_the_same_pdf_ua_checks(
    keeping: Renderer, laying_out: Renderer, content: Content
) -> None:
    filled = content.fill(variant("where-it-spreads/breast"))  # a table: header cells, scopes
    options = RenderOptions(paper="letter", print_date=DAY, personal=DETAILS)
    stamped = keeping.render(filled, options)
    assert stamped.stamped
    assert ua_problems(stamped.pdf) == ua_problems(laying_out.render(filled, options, full_layout=True).pdf) == []


@pytest.mark.parametrize("key", ["bone/general", "where-it-spreads/breast"])
def test_large_print_is_stamped_unless_the_name_heads_page_2(
    keeping: Renderer, laying_out: Renderer, content: Content, key: str
) -> None:
    """Page 2's heading takes the name from the page itself (CSS string-set, resolved while paginating): a copy
    with a name is laid out whole; one with only the date and the care team is stamped."""
    filled = content.fill(variant(key))
    dated = RenderOptions(large_print=True, print_date=DAY, personal=dataclasses.replace(DETAILS, patient=""))
    stamped = keeping.render(filled, dated)
    assert stamped.stamped
    _same_copy(stamped.pdf, laying_out.render(filled, dated, full_layout=True).pdf)
    named = RenderOptions(large_print=True, print_date=DAY, personal=Personal("Ann Lee", care_team="Dr Okafor"))
    whole = keeping.render(filled, named)
    assert not whole.stamped
    assert whole.pages == 2
    page_2 = pdfium.PdfDocument(whole.pdf)[1].get_textpage().get_text_range()
    assert "For Ann Lee" in " ".join(page_2.split())
    assert whole.pdf == laying_out.render(filled, named, full_layout=True).pdf
    assert keeping.render(filled, named).renders == 1  # known not to stamp: straight to the one full layout


def test_the_kept_edition_never_holds_a_name_and_writes_as_before(content: Content) -> None:
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    filled = content.fill(variant("bone/general"))
    blank = RenderOptions(print_date=DAY)
    first = renderer.render(filled, blank)
    named = renderer.render(filled, dataclasses.replace(blank, personal=DETAILS))
    assert named.stamped
    assert DETAILS.patient in text_of(named.pdf)
    (edition,) = list(renderer.editions)
    again = renderer.render(filled, blank)  # writes the kept edition again
    assert again.pdf == first.pdf
    assert again.renders == 1
    assert list(renderer.editions) == [edition]
    assert edition.pdf == first.pdf
    (holed,) = edition.holed.values()  # the edition written with slots for the box and the call line
    assert "Prepared for" not in text_of(holed.pdf)  # the blank box is a slot
    kept = " ".join([*_texts(edition), text_of(holed.pdf)])  # every piece of text the kept boxes and PDFs hold
    for word in ("Guadalupe", "Fernandez-Castellanos", "Pemberton-Smythe", "010-0100"):
        assert word in text_of(named.pdf)
        assert word not in kept
        assert word not in text_of(again.pdf)


def _texts(edition: Edition) -> list[str]:
    found: list[str] = []

    def walk(box: object) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            found.append(text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in edition.document.pages:
        walk(page._page_box)
    return found


@pytest.mark.parametrize(
    ("details", "field", "words"),
    [
        (Personal("W" * 60), "patient", "is too long to fit on its line of the sheet (it needs 2 lines)"),
        (Personal(care_team="W" * 80), "care_team", "is too long to fit on its line of the sheet"),
        (Personal("Ann \U0001fae0 Lee"), "patient", "no installed font can print (U+1FAE0 MELTING FACE)"),
        (Personal(care_team="Dr Lee \U0001fae0"), "care_team", "no installed font can print"),
    ],
)
def test_a_value_that_would_not_print_is_still_refused_at_its_field(
    keeping: Renderer, content: Content, details: Personal, field: str, words: str
) -> None:
    filled = content.fill(variant("bone/general"))
    blank = keeping.render(filled, RenderOptions(print_date=DAY))  # kept: the copy below is stamped, or refused
    with pytest.raises(FactsheetsError) as err:
        keeping.render(filled, RenderOptions(print_date=DAY, personal=details))
    (problem,) = err.value.problems
    assert problem.field == field
    assert words in problem.message
    assert keeping.render(filled, RenderOptions(print_date=DAY)).pdf == blank.pdf  # the edition is as it was


def test_a_content_change_lays_the_sheet_out_afresh(content: Content) -> None:
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    filled = content.fill(variant("bone/general"))
    options = RenderOptions(print_date=DAY, personal=DETAILS)
    before = renderer.render(filled, options)
    shorter = dataclasses.replace(filled, sections=filled.sections[:-1])  # the sheet edited: its last section cut
    after = renderer.render(shorter, options)
    assert len(renderer.editions) == 2  # a new edition, under the new HTML's key; the old one not stamped on
    assert before.stamped
    assert after.stamped
    dropped = filled.sections[-1].heading
    assert dropped in text_of(before.pdf)
    assert dropped not in text_of(after.pdf)
    _same_copy(after.pdf, Renderer(Project(ROOT, DATA / "no-clinic")).render(shorter, options, full_layout=True).pdf)


def test_editions_are_kept_in_bounds_the_least_recently_used_dropped() -> None:
    editions = Editions(limit=2)
    first, second, third = (Edition(object(), 12.0, 1) for _ in range(3))  # type: ignore[arg-type]
    editions.put("a", first)
    editions.put("b", second)
    assert editions.get("a") is first  # used: now the most recent
    editions.put("c", third)
    assert editions.get("b") is None
    assert list(editions) == [first, third]
    assert EDITIONS_KEPT >= 16


def test_a_renderer_keeps_no_edition_unless_asked(content: Content) -> None:
    """A command or the batch build prints each sheet once: an edition laid out and then stamped would cost it
    two layouts where one does, so only the web server's workers keep editions (`init_worker(..., editions=...)`)."""
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"))
    result = renderer.render(content.fill(variant("bone/general")), RenderOptions(personal=Personal("Ann Lee")))
    assert (result.stamped, len(renderer.editions)) == (False, 0)


def _clinic(tmp_path: Path, css: str = "") -> Path:
    """The tests' clinic folder copied, with `css` added to the project's style sheet as the clinic's own."""
    clinic = tmp_path / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    if css:
        (clinic / "styles").mkdir()
        (clinic / "styles" / "sheet.css").write_text((ROOT / "styles" / "sheet.css").read_text() + css)
    return clinic


def _laid_out_whole(project: Project, options: RenderOptions) -> bytes:
    """bone's copy from a renderer that keeps editions, checked to be laid out whole: a full layout's bytes."""
    filled = load_content(project).fill(variant("bone/general"))
    result = Renderer(project, EDITIONS_KEPT).render(filled, options)
    assert not result.stamped
    assert result.pdf == Renderer(project).render(filled, options, full_layout=True).pdf
    return result.pdf


def test_a_float_beside_a_detail_only_where_it_is_laid_out_alone_sends_the_copy_to_a_full_layout(
    tmp_path: Path,
) -> None:
    """A clinic's floated masthead, kept as an empty shell of its height where the details are laid out alone,
    moves up beside the call line there (the title before it is gone): the contact would wrap around it, as
    it does nowhere on the page (found by an attack; a longer contact was refused as too long)."""
    floated = ".masthead { display: block; float: right; width: 12cm; height: 4cm; }"
    project = Project(ROOT, _clinic(tmp_path, floated))
    contact = Personal(date="May 1, 2026", care_team="Dr Okafor, Oncology Nurse, 555-0100")
    _laid_out_whole(project, RenderOptions(print_date=DAY, large_print=True, personal=contact))


def test_a_float_beside_a_detail_sends_the_copy_to_a_full_layout(tmp_path: Path) -> None:
    """A clinic's style sheet that floats its logo down beside the call line (large print): the small layout has
    no logo, so its line would be set at full width; the copy is laid out whole, as a full layout sets it
    (found by an attack on this change: stamped, a contact a full layout refuses was printed under the logo)."""
    floated = ".masthead { display: block; } .masthead .logo { float: right; width: 5cm; height: 14cm; }"
    project = Project(ROOT, _clinic(tmp_path, floated))
    _laid_out_whole(project, RenderOptions(print_date=DAY, large_print=True, personal=Personal(care_team="Dr Okafor")))


class Counting(Renderer):
    """A renderer that counts its layouts, small ones included, and the sheets' HTML it parses to stamp."""

    layouts = 0
    parsed = 0

    def _render(self, *args: Any, **kwargs: Any) -> Any:
        self.layouts += 1
        return super()._render(*args, **kwargs)

    def _cut_out(self, *args: Any, **kwargs: Any) -> Any:
        self.parsed += 1
        return super()._cut_out(*args, **kwargs)


def _stamped_from_shape(project: Project, named: list[Personal]) -> list[tuple[bool, int]]:
    """For each copy of bone with these details in turn: whether it was stamped, and how many times its
    renderer parsed a sheet's HTML to stamp it (its shape, made with markers, on the first; its own).
    Each copy is checked to be the copy a full layout makes."""
    renderer = Counting(project, EDITIONS_KEPT)
    filled = load_content(project).fill(variant("bone/general"))
    renderer.render(filled, RenderOptions(print_date=DAY))  # the edition
    found = []
    for personal in named:
        renderer.parsed = 0
        options = RenderOptions(print_date=DAY, personal=personal)
        result = renderer.render(filled, options)
        _same_copy(result.pdf, Renderer(project).render(filled, options, full_layout=True).pdf)
        found.append((result.stamped, renderer.parsed))
    return found


def test_a_copy_is_stamped_on_its_shape_without_parsing_its_html() -> None:
    """Where the details go is found once per edition and set of fields, with markers for the values: later
    copies with other plain values parse nothing. A value HTML reads apart (an ampersand, brackets) parses
    the copy's own HTML, and still stamps it."""
    project = Project(ROOT, DATA / "no-clinic")
    other = Personal("Ann Lee", "May 2, 2026", "Dr Okafor, 555-0100")
    special = Personal("Ann & Bo <Lee>", "May 2, 2026", "Smith & Jones 'Oncology'")
    assert _stamped_from_shape(project, [DETAILS, other, special]) == [(True, 1), (True, 0), (True, 1)]


UNPACKED = "{% set who, phone = personal.care_team.split(', ', 1) %}<strong>{{ who }}, {{ phone }}</strong>"


@pytest.mark.parametrize(
    ("part", "old", "new", "parsed"),
    [
        ("personal.html", "{{ personal.fields()[field] }}", "{{ personal.fields()[field] | upper }}", 2),
        ("personal.html", "{{ personal.fields()[field] }}", "{{ personal.fields()[field][:12] }}", 2),
        ("call.html", '<p class="phone care-team', '<p title="{{ personal.care_team }}" class="phone care-team', 2),
        ("call.html", "<strong>{{ personal.care_team }}</strong>", UNPACKED, 1),  # fails on the markers
    ],
)
def test_a_template_that_reads_a_value_stamps_each_copy_from_its_own_html(
    tmp_path: Path, part: str, old: str, new: str, parsed: int
) -> None:
    """A clinic's template that does more with a value than print it (upper-cases it, cuts it, puts it in an
    attribute, unpacks it): the markers could not stand for the values, so each copy's own HTML is parsed to
    stamp it (a copy made from the markers would print them, not the value); the first copy parses the
    marked HTML too, where the template takes the markers."""
    clinic = _clinic(tmp_path)
    source = (ROOT / "templates" / "parts" / part).read_text()
    assert old in source
    (clinic / "templates" / "parts" / part).write_text(source.replace(old, new))
    named = [DETAILS, Personal("Ann Lee", "May 2, 2026", "Dr Okafor, 555-0100")]
    assert _stamped_from_shape(Project(ROOT, clinic), named) == [(True, parsed), (True, 1)]


def test_a_packet_lays_each_detail_out_once_and_forgets_it(laying_out: Renderer, content: Content) -> None:
    """Five sheets with the same details: the personal box is laid out once per body size the sheets fitted at,
    not once per sheet; the packet is the packet full layouts make; nothing of it is kept afterwards."""
    counting = Counting(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    choice = choose_for(content, "breast", ["bone"], [])
    options = RenderOptions(paper="letter", print_date=DAY, personal=DETAILS)
    render_packet(content, counting, choice, dataclasses.replace(options, personal=Personal()))  # editions kept
    counting.layouts = 0
    stamped = render_packet(content, counting, choice, options)
    sizes = {edition.body_pt for edition in counting.editions}
    assert len(sizes) <= counting.layouts < len(choice.sheet_ids)  # a carrier alike on several sheets: once
    assert len(counting.packets) == 1  # the holed editions joined, and the pieces laid on them in one pass
    _same_copy(stamped, render_packet(content, laying_out, choice, options))
    assert counting._patient is None
    for edition in counting.editions:
        for pdf in [edition.pdf or b"", *(holed.pdf for holed in edition.holed.values())]:
            assert "Guadalupe" not in text_of(pdf)


def test_a_large_print_packet_is_joined_on_its_sheets_second_pages_too(laying_out: Renderer, content: Content) -> None:
    """Large print, two pages a sheet, the date and the care team given (no name: the page 2 heading would
    carry it): every sheet stamped, the packet joined in one pass, each slot on its sheet's page in the packet."""
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    choice = choose_for(content, "breast", ["bone"], [])
    personal = dataclasses.replace(DETAILS, patient="")
    options = RenderOptions(large_print=True, print_date=DAY, personal=personal)
    stamped = render_packet(content, renderer, choice, options)
    assert len(renderer.packets) == 1
    assert len(pdfium.PdfDocument(stamped)) > len(choice.sheet_ids)  # some sheets take two pages
    text = _same_copy(stamped, render_packet(content, laying_out, choice, options))
    assert text.count(f"Call your care team: {personal.care_team}") == len(choice.sheet_ids)


def test_a_kept_packet_holds_no_patients_codes(content: Content) -> None:
    """A packet's summary names the codes it was chosen by: it is on the copy (first bookmark, subject), never
    on the holed packet the renderer keeps, nor in what it is kept under."""
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    choice = choose_for(content, None, [], ["C50.911", "C79.51"])
    packet = render_packet(content, renderer, choice, RenderOptions(print_date=DAY, personal=DETAILS))
    with pikepdf.open(io.BytesIO(packet)) as pdf:
        assert pdf.open_outline().root[0].title == choice.summary
        assert pdf.docinfo["/Subject"] == choice.summary
        assert "C79.51" in choice.summary
    (kept,) = renderer.packets
    with pikepdf.open(io.BytesIO(kept.pdf)) as pdf:
        assert "C79.51" not in str(pdf.docinfo.get("/Subject", ""))
        assert all("C79.51" not in item.title for item in pdf.open_outline().root)
        assert "C79.51" not in str(pdf.open_metadata().get("dc:description", ""))
    assert not any("C79.51" in key for key in renderer.packets._kept)


def test_a_packet_that_cannot_be_joined_in_one_pass_is_merged_sheet_by_sheet(
    laying_out: Renderer, content: Content, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault while joining the holed editions costs the one pass, never the packet: each sheet is stamped on
    its own and the packet merged, the same packet; the log names the error's kind, not a value."""
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"), EDITIONS_KEPT)
    choice = choose_for(content, "breast", ["bone"], [])
    options = RenderOptions(paper="letter", print_date=DAY, personal=DETAILS)

    def broken(*args: Any) -> Any:
        raise RuntimeError(DETAILS.patient)

    monkeypatch.setattr("factsheets.render.renderer.joined", broken)
    packet = render_packet(content, renderer, choice, options)
    _same_copy(packet, render_packet(content, laying_out, choice, options))
    assert "RuntimeError" in caplog.text
    assert "Guadalupe" not in caplog.text


def test_a_detail_inside_a_clipped_box_sends_the_copy_to_a_full_layout(tmp_path: Path) -> None:
    """A clinic's style sheet that clips the "When to call" box: the piece would be drawn inside the clip of
    whatever the page draws before it, so the copy is laid out whole, byte for byte a full layout."""
    project = Project(ROOT, _clinic(tmp_path, ".call { overflow: hidden; }"))
    filled = load_content(project).fill(variant("bone/general"))
    options = RenderOptions(print_date=DAY, personal=Personal("Ann Lee", care_team="Dr Okafor"))
    keeping = Renderer(project, EDITIONS_KEPT)
    result = keeping.render(filled, options)
    assert not result.stamped
    assert result.pdf == Renderer(project).render(filled, options, full_layout=True).pdf
    named = dataclasses.replace(options, personal=Personal("Ann Lee"))
    stamped = keeping.render(filled, named)  # the same edition, after a copy it could not stamp
    assert stamped.stamped  # the box alone is not in the clipped call box: it is stamped
    _same_copy(stamped.pdf, Renderer(project).render(filled, named, full_layout=True).pdf)


@pytest.mark.parametrize(
    "css",
    [
        ".call .phone { display: inline-block; }",  # an inline-level unit: WeasyPrint tags only a block alone
        ".personal.filled + main { margin-top: 1cm; }",  # the rest of the page styled by the details' class
        ".personal .value.patient { position: running(name); } @page { @top-center { content: element(name); } }",
        ".call { transform: rotate(1deg); }",  # a piece is drawn from the page's own space
        ".personal { outline: 2pt solid red; }",  # drawn after everything in a full layout
        ".call .phone { background: radial-gradient(#fff, #ccc); }",  # a pattern stays in the page's space
        ".band { position: relative; z-index: 1; }",  # the text before the box drawn apart from the flow
        ".call { display: grid; } .call .phone { z-index: 1; }",  # a grid item with a z-index is drawn apart
        ".personal { box-shadow: 0 40px 0 red; }",  # ink beyond the box, over what a full layout draws later
        ".call ul { margin-top: 0.5rem; }",  # collapses with the blank line's bottom margin, not the contact's
        ".call { string-set: call content(text); } @page { @top-center { content: string(call); } }",
        ".call { line-clamp: 4; }",  # the contact's second line would clamp the box a line earlier
        ".personal .row { display: block; } .personal::first-line { text-transform: uppercase; }",  # tagged apart
    ],
)
def test_a_style_a_stamp_cannot_draw_alike_sends_the_copy_to_a_full_layout(tmp_path: Path, css: str) -> None:
    """Clinic style sheets found by an attack on PDF-level stamping (each stamped a copy that read, tagged or
    looked otherwise than a full layout, dropped the name, or crashed): each copy is laid out whole."""
    pdf = _laid_out_whole(Project(ROOT, _clinic(tmp_path, css)), RenderOptions(print_date=DAY, personal=DETAILS))
    assert DETAILS.patient in text_of(pdf)


def test_each_font_subset_in_a_stamped_copy_has_a_tag_of_its_own(keeping: Renderer, content: Content) -> None:
    """The details' subsets of a font are not the page's: PDF asks that different subsets have different tags
    (ISO 32000-1, 9.6.4), and WeasyPrint tags a subset by its font alone."""
    stamped = keeping.render(content.fill(variant("bone/general")), RenderOptions(print_date=DAY, personal=DETAILS))
    assert stamped.stamped
    with pikepdf.open(io.BytesIO(stamped.pdf)) as pdf:
        fonts = list(pdf.pages[0].Resources.Font.values())
        names = [str(font.DescendantFonts[0].FontDescriptor.FontName) for font in fonts]
        assert all(str(font.BaseFont) == name for font, name in zip(fonts, names, strict=True))
    assert len(set(names)) == len(names) > 3  # the page's and the details' subsets
    assert len({name.split("+")[1] for name in names}) < len(names)  # of the same fonts


def _reachable(root: object) -> Iterator[object]:
    """Every object reachable from `root` through references, but modules, classes and code, which lead to
    the whole program (this test's own constants among it), not to what `root` keeps."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        found = stack.pop()
        if id(found) in seen or isinstance(found, (types.ModuleType, type, types.FunctionType, types.CodeType)):
            continue
        seen.add(id(found))
        yield found
        stack.extend(gc.get_referents(found))


def test_nothing_a_renderer_keeps_holds_a_name(tmp_path: Path) -> None:
    """After single copies, a packet and copies that could not be stamped (laid out whole), no string or bytes
    reachable from the renderer holds any part of the details: not the kept editions, their PDFs and checks,
    nor a traceback kept by accident (one would keep the stamped copy's frames alive)."""
    project = Project(ROOT, _clinic(tmp_path, ".call { overflow: hidden; }"))  # the call line cannot be stamped
    content = load_content(project)
    renderer = Renderer(project, EDITIONS_KEPT)
    options = RenderOptions(print_date=DAY, personal=DETAILS)
    named = dataclasses.replace(options, personal=Personal(DETAILS.patient))
    for key in ("bone/general", "questions/general"):
        assert not renderer.render(content.fill(variant(key)), options).stamped
        assert renderer.render(content.fill(variant(key)), named).stamped
    render_packet(content, renderer, choose_for(content, "breast", ["bone"], []), named)
    large = dataclasses.replace(options, large_print=True)
    assert not renderer.render(content.fill(variant("bone/general")), large).stamped  # the name heads page 2
    words = ["Guadalupe", "Fernandez", "Castellanos", "Pemberton", "Smythe", "010-0100"]
    for found in _reachable(renderer):
        if isinstance(found, str):
            assert not any(word in found for word in words)
        elif isinstance(found, (bytes, bytearray)):
            text = text_of(bytes(found)) if found.startswith(b"%PDF") else found.decode("latin-1")
            assert not any(word in text for word in words)  # a PDF's text is glyph codes, compressed: read it


def test_a_template_with_a_style_sheet_of_its_own_sends_the_copy_to_a_full_layout(tmp_path: Path) -> None:
    """A `<style>` in a clinic's template part: its rules are in no style sheet the stamping checks see, and
    the carrier would cut it out with its part (the details' colour lost): laid out whole."""
    clinic = _clinic(tmp_path)
    notes = clinic / "templates" / "parts" / "notes.html"
    notes.write_text(notes.read_text() + "<style>.personal .value { color: #b00000; }</style>\n")
    _laid_out_whole(Project(ROOT, clinic), RenderOptions(print_date=DAY, personal=DETAILS))


def test_a_detail_read_by_target_text_on_another_page_sends_the_copy_to_a_full_layout(tmp_path: Path) -> None:
    """A clinic's notes box repeating the call box's text (`target-text()`) in large print, the call box on the
    other page: stamped, it printed the clinic's phone where a full layout prints the care team's contact
    (found by a review): laid out whole, the contact in every place."""
    see = ".see { font-size: 5pt; line-height: 1; } .see a::after { content: target-text(attr(href)); }"
    clinic = _clinic(tmp_path, see)
    parts = clinic / "templates" / "parts"
    call = (ROOT / "templates" / "parts" / "call.html").read_text()
    (parts / "call.html").write_text(call.replace('<section class="call"', '<section class="call" id="call"'))
    notes = (ROOT / "templates" / "parts" / "notes.html").read_text()
    (parts / "notes.html").write_text(
        notes.replace("</section>", '<p class="see"><a href="#call"></a></p>\n</section>')
    )
    options = RenderOptions(large_print=True, print_date=DAY, personal=Personal(care_team="Dr Zed Okafor 555-0199"))
    pdf = _laid_out_whole(Project(ROOT, clinic), options)
    assert text_of(pdf).count("Zed Okafor") == 3  # the personal box, the call line, and the notes
