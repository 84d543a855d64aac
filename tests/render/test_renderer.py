"""Rendering: real PDFs from every sheet, checked for pages, words, QR codes, type and metadata."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from pathlib import Path

import pypdfium2
import pytest
from helpers.cli import cli, run_cli
from helpers.pdfs import font_names, font_sizes_of, qr_codes, reader, text_of
from helpers.project import DATA, OVERFLOW_SHEET, ROOT, sheet_types, variant, variant_keys

from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LIMITS, Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.select import FilledSheet
from factsheets.selection.variant import GENERAL, Variant

THREE_TYPES = ("breast", "lung", "prostate")


def _some_variants() -> list[str]:
    """Every sheet as the general sheet, and each varying sheet for three cancer types (all, if it has three or fewer)."""
    keys = []
    for sheet_id, types in sheet_types().items():
        keys.append(f"{sheet_id}/{GENERAL}")
        keys += [f"{sheet_id}/{t}" for t in types if t in THREE_TYPES or len(types) <= 3]
    return keys


def test_the_parametrized_variants_are_the_projects(content: Content) -> None:
    """The cheap reading of sheets/ that the parametrized tests here and in test_qr use is the library's own list."""
    assert variant_keys() == [v.key for v in content.variants()]
    assert set(_some_variants()) <= set(variant_keys())


def _fold(text: str) -> str:
    return " ".join(text.split())


def _printed_words(filled: FilledSheet) -> list[str]:
    """Each passage (each table cell) that must appear on the page."""
    words = []
    for section in filled.sections:
        words.append(section.heading)
        for group in section.groups:
            for block in group.blocks:
                words += list(block.cells) if block.cells else [block.text]
            if group.clinic_text:
                words.append(group.clinic_text)
    return words


# Long, realistic values at the field limits: every sheet must fit with them at the same type size.
LONGEST = Personal(
    "Maria Guadalupe Fernandez-Castellanos de la Torre Villanueva"[: LIMITS["patient"]],
    "Tuesday, 22 November 2026"[: LIMITS["date"]],
    "Dr Alexandra Pemberton-Smythe, Oncology Nurse Navigator, (555) 010-0100 ext 4432"[: LIMITS["care_team"]],
)


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("key", variant_keys())
def test_every_variant_fits_with_the_longest_personal_details(
    renderer: Renderer, content: Content, key: str, paper: str
) -> None:
    assert len(LONGEST.patient) == LIMITS["patient"]
    assert len(LONGEST.care_team) == LIMITS["care_team"]
    filled = content.fill(variant(key))
    blank = renderer.render(filled, RenderOptions(paper=paper))
    named = renderer.render(filled, RenderOptions(paper=paper, personal=LONGEST))
    assert named.pages == blank.pages == 1
    assert named.body_pt == blank.body_pt  # the box was reserved all along
    text = text_of(named.pdf)
    assert LONGEST.patient in text
    assert LONGEST.care_team in text
    assert LONGEST.date in text
    sizes = set().union(*(font_sizes_of(named.pdf, words) for words in _printed_words(filled)[1:]))
    assert sizes, sizes
    assert min(sizes) >= 12, sizes  # body type measured from the PDF's characters, not the CSS


# A name in each script a US clinic meets (Latin with Vietnamese marks included).
SCRIPTS = [
    "김민준",
    "สมชาย ใจดี",
    "राहुल शर्मा",
    "محمد العلي",
    "דוד כהן",
    "Nguyễn Văn Hưng",
    "王小明",
    "山田太郎",
    "Zoë Ångström",
]
SHAPED = {"สมชาย ใจดี", "राहुल शर्मा", "محمد العلي"}  # text extraction gives glyph order, not the typed order


def test_names_in_every_script_print_with_real_glyphs(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("questions"))
    for name in SCRIPTS:  # the autouse fixture fails on any WeasyPrint warning, an empty box included
        result = renderer.render(filled, RenderOptions(personal=Personal(name, care_team=f"{name}, 555-0100")))
        assert result.pages == 1
        assert name in text_of(result.pdf) or name in SHAPED
    fonts = " ".join(font_names(renderer.render(filled, RenderOptions(personal=Personal(" ".join(SCRIPTS[:3])))).pdf))
    assert "Noto-Sans-CJK-KR" in fonts
    assert "Noto-Sans-Thai" in fonts
    assert "Noto-Sans-Devanagari" in fonts  # embedded


@pytest.mark.parametrize(
    ("details", "field", "words"),
    [
        (Personal("Ann \U0001fae0 Lee"), "patient", "no installed font can print (U+1FAE0 MELTING FACE)"),
        (Personal(care_team="Dr Lee \U0001fae0"), "care_team", "no installed font can print"),
        (Personal("W" * 60), "patient", "is too long to fit on its line of the sheet (it needs 2 lines)"),
        (Personal(date="WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW" * 2), "date", "is too long to fit on its line"),
    ],
)
def test_a_value_that_would_not_print_is_blamed_on_its_field(
    renderer: Renderer, content: Content, details: Personal, field: str, words: str
) -> None:
    filled = content.fill(Variant("bone"))
    with pytest.raises(FactsheetsError) as err:
        renderer.render(filled, RenderOptions(personal=details))
    (problem,) = err.value.problems
    assert problem.field == field
    assert words in problem.message
    assert "bone" not in problem.message


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("key", _some_variants())
def test_sheet_renders_on_one_page_with_all_its_words_and_codes(
    renderer: Renderer, content: Content, key: str, paper: str
) -> None:
    filled = content.fill(variant(key))
    result = renderer.render(filled, RenderOptions(paper=paper))
    assert result.pages == 1
    assert len(reader(result.pdf).pages) == 1
    text = text_of(result.pdf)
    assert _fold(filled.sheet.title) in text
    for passage in _printed_words(filled):
        assert _fold(passage) in text, passage
    body = next(b.text for s in filled.sections for g in s.groups for b in g.blocks if not b.cells)  # prose
    sizes = font_sizes_of(result.pdf, body)
    assert sizes, body
    assert min(sizes) >= 12, (body, sizes)
    codes = qr_codes(result.pdf)
    assert sorted(c.text for c in codes) == sorted(s.url for s in filled.sources)
    assert all(c.width_cm >= 2.4 for c in codes), codes
    box = reader(result.pdf).pages[0].mediabox
    expected = (612, 792) if paper == "letter" else (595, 842)
    assert (round(float(box.width)), round(float(box.height))) == expected


def test_pdf_metadata_language_tags_and_alt_text(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "breast"))
    pdf = renderer.render(filled, RenderOptions()).pdf
    doc = reader(pdf)
    meta = doc.metadata
    assert meta.title == "Where cancer spreads (Breast cancer)"
    assert meta.author == "factsheets"
    assert meta.subject.startswith("Patient information sheet: Where cancer spreads.")
    root = doc.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    alts = re.findall(rb"QR code linking to [^)]*", b"".join(_all_object_bytes(doc)))
    assert len(alts) == len(filled.sources)
    fonts = font_names(pdf)
    assert any("Atkinson-Hyperlegible" in name for name in fonts), fonts
    assert not any("DejaVu" in n for n in fonts), fonts


def _all_object_bytes(doc) -> list[bytes]:
    found = []

    def walk(obj) -> None:
        obj = obj.get_object()
        if hasattr(obj, "keys"):
            if "/Alt" in obj:
                found.append(("(" + str(obj["/Alt"]) + ")").encode())
            if "/K" in obj:
                walk(obj["/K"])
        elif isinstance(obj, list):
            for item in obj:
                walk(item)

    walk(doc.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_footer_carries_disclaimer_date_id_and_version(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("lungs"))  # cites NCI and Cleveland Clinic
    assert {s.id for s in filled.sources} >= {"nci-cardiopulmonary-pdq", "clevelandclinic-metastasis"}
    result = renderer.render(filled, RenderOptions(print_date=dt.date(2026, 3, 4)))
    text = text_of(result.pdf)
    assert "does not replace the advice of your care team" in text
    version = f"Printed 4 Mar 2026 · Sheet lungs · Content version {result.content_version}"
    assert version in text
    assert "Notes from your care team" in text
    assert "Reviewed 30 Dec 2025." in text  # NCI's page, with its credit on the same line
    assert "Source: National Cancer Institute (NCI). Public domain." in text
    assert "© Cleveland Clinic. Quoted with credit" in text


def test_hostile_patient_name_prints_literally(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("questions"))
    hostile = '<b>Ann & "Bo"</b>'
    options = RenderOptions(personal=Personal(hostile, "1 Dec 2026", "Dr Lee, 555-0100"))
    html = renderer.html(filled, options)
    assert "&lt;b&gt;Ann &amp; &#34;Bo&#34;&lt;/b&gt;" in html
    assert hostile not in html
    text = text_of(renderer.render(filled, options).pdf)
    assert hostile in text
    assert "Dr Lee, 555-0100" in text


def test_personal_details_change_neither_the_content_version_nor_repr(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant("bone"))
    plain = renderer.render(filled, RenderOptions())
    personal = RenderOptions(personal=Personal("Ann Lee"))
    assert renderer.render(filled, personal).content_version == plain.content_version
    assert "Ann" not in repr(personal)


def test_large_print_is_18pt_on_at_most_two_pages(renderer: Renderer, content: Content) -> None:
    for sheet_id, ctype in [("bone", None), ("where-it-spreads", "breast"), ("questions", None)]:
        filled = content.fill(Variant.of(sheet_id, ctype))
        result = renderer.render(filled, RenderOptions(large_print=True))
        assert result.pages <= 2
        assert result.body_pt == 18
        sizes = font_sizes_of(result.pdf, _printed_words(filled)[1])
        assert sizes, sizes
        assert min(sizes) >= 18, sizes
        assert len(qr_codes(result.pdf)) == len(filled.sources)


def test_fitting_sheet_is_laid_out_once(renderer: Renderer, content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "bladder"))  # room to spare at 13 pt on letter
    result = renderer.render(filled, RenderOptions())
    assert result.renders == 1
    assert result.body_pt == 13


def test_the_next_copy_of_a_sheet_is_one_layout_at_the_size_the_first_fitted(content: Content) -> None:
    """Another patient's copy starts at the size the last copy fitted at, and comes out as a cold render does."""
    day = dt.date(2026, 5, 1)
    renderer = Renderer(Project(ROOT, DATA / "no-clinic"))
    for key in variant_keys():  # the first variant that needs more than one size on letter
        filled = content.fill(variant(key))
        first = renderer.render(filled, RenderOptions(print_date=day))
        if first.renders > 1:
            break
    else:
        pytest.skip("every variant fits at the largest size: nothing to remember")
    named = renderer.render(filled, RenderOptions(print_date=day, personal=LONGEST))
    assert (named.renders, named.body_pt, named.pages) == (1, first.body_pt, 1)
    cold = Renderer(Project(ROOT, DATA / "no-clinic")).render(filled, RenderOptions(print_date=day, personal=LONGEST))
    assert cold.renders == first.renders
    assert cold.pdf == named.pdf  # the remembered size is the size a cold render finds, byte for byte
    a4 = renderer.render(filled, RenderOptions(paper="a4", print_date=day))  # another paper: not letter's size
    cold_a4 = Renderer(Project(ROOT, DATA / "no-clinic")).render(filled, RenderOptions(paper="a4", print_date=day))
    assert a4.body_pt == cold_a4.body_pt


def test_overflowing_sheet_fails_naming_the_section_where_the_page_runs_out_and_writes_nothing(scratch: Path) -> None:
    (scratch / "sheets" / "too-long.yaml").write_text(OVERFLOW_SHEET, encoding="utf-8")
    out = scratch / "out" / "too-long.pdf"
    result = cli("render", "too-long", "-o", str(out), cwd=scratch)
    assert result.code == 1
    assert "Traceback" not in result.err
    # Part 3 starts page 2 (its heading is line 16 of the file): the file, its line, the section, how much.
    assert re.fullmatch(
        r"error: sheets/too-long\.yaml:16: sheet 'too-long' \(general, letter\) does not fit on one page even at "
        r"11 pt: the page runs out in section 'Part 3' \(line 16\); it needs \d pages, with about \d+ words left "
        r"over Fix: shorten the sheet \(drop or narrow a passage\) or split it into two sheets; nothing was "
        r"written \(--draft FILE\.pdf writes the overflowing layout, to see what to cut\)\.\n",
        result.err,
    )
    assert "heading: Part 3" in OVERFLOW_SHEET.splitlines()[15]
    assert not out.exists()
    assert not list(scratch.glob("out/*"))


@pytest.mark.parametrize("large_print", [False, True])
def test_a_draft_of_a_sheet_that_does_not_fit_is_stamped_on_every_page(scratch: Path, large_print: bool) -> None:
    """What the content lead looks at to decide what to cut: the layout that overflows, never a patient's PDF."""
    (scratch / "sheets" / "too-long.yaml").write_text(OVERFLOW_SHEET, encoding="utf-8")
    out, draft = scratch / "too-long.pdf", scratch / "draft.pdf"
    large = ["--large-print"] if large_print else []
    result = cli("render", "too-long", *large, "--patient", "Ann Lee", "-o", str(out), "--draft", str(draft),
                 cwd=scratch)  # fmt: skip
    assert result.code == 1
    needs = int(re.search(r"it needs (\d) pages", result.err)[1])  # type: ignore[index]
    assert f"Wrote {draft}: the layout that does not fit, every page stamped 'DRAFT: " in result.err
    assert not out.exists()
    pages = [" ".join(page.extract_text().split()) for page in reader(draft.read_bytes()).pages]
    assert len(pages) == needs > (2 if large_print else 1)  # the layout that did not fit, every page of it
    variant = "too-long/general, letter, large print, 18 pt" if large_print else "too-long/general, letter, 11 pt"
    for n, text in enumerate(pages, start=1):
        assert f"DRAFT: does not fit, not for patients ({variant}): page {n} of {needs}" in text
    assert "Part 3" in pages[1] or large_print
    assert "Ann Lee" not in " ".join(pages)  # a draft is a file on disk: never the patient's details


def test_a_draft_is_not_written_when_the_sheet_fits(tmp_path: Path) -> None:
    result = cli("render", "bone", "-o", str(tmp_path / "bone.pdf"), "--draft", str(tmp_path / "draft.pdf"))
    assert result.code == 0, result.err
    assert result.out.startswith(f"Wrote {tmp_path / 'bone.pdf'} (1 page, body ")  # "1 page", "2 pages"
    assert f"note: it fits, so no draft was written to {tmp_path / 'draft.pdf'}." in result.err
    assert not (tmp_path / "draft.pdf").exists()
    large = cli("render", "bone", "--large-print", "-o", str(tmp_path / "large.pdf"))
    assert large.code == 0, large.err
    assert large.out.startswith(f"Wrote {tmp_path / 'large.pdf'} (2 pages, body 18 pt")


def test_cli_render_writes_pdf_and_keeps_the_name_out_of_its_output(tmp_path: Path) -> None:
    out = tmp_path / "ann.pdf"
    # A real process: the name must reach none of its output, the logging it sets up at startup included.
    result = run_cli(
        "render",
        "where-it-spreads",
        "--cancer-type",
        "lung",
        "--patient",
        "Annabel Quixote",
        "--care-team",
        "Dr Lee, 555-0100",
        "--paper",
        "a4",
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert "Annabel" not in result.out + result.err
    assert "Annabel Quixote" in text_of(out.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["ann.pdf"]


def test_cli_render_with_a_name_fits_the_default_sheet_and_refuses_bad_names_at_their_option(tmp_path: Path) -> None:
    ok = cli("render", "where-it-spreads", "-o", str(tmp_path / "w.pdf"), "--patient", "A")  # failed before
    assert ok.code == 0, ok.err
    assert (tmp_path / "w.pdf").exists()
    hidden = cli("render", "bone", "-o", str(tmp_path / "b.pdf"), "--patient", "Dr \u202eevil")
    assert hidden.code == 1
    assert hidden.err.startswith("error: --patient: Patient name contains an invisible direction")
    # A real process: the renderer's log lines (to stderr in a real run) must not quote the character.
    box = run_cli("render", "bone", "-o", str(tmp_path / "b.pdf"), "--care-team", "Dr Lee \U0001fae0")
    assert box.code == 1
    assert "Care team contact contains a character no installed font can print" in box.err
    assert "\U0001fae0" not in box.err
    assert "WARNING" not in box.err  # no renderer log line quotes it
    assert not (tmp_path / "b.pdf").exists()


def test_cli_render_unknown_cancer_type_lists_known_ones(tmp_path: Path) -> None:
    result = cli("render", "where-it-spreads", "-t", "brest", "-o", str(tmp_path / "x.pdf"))
    assert result.code == 1
    assert "use one of: bladder, breast, colon" in result.err
    assert not (tmp_path / "x.pdf").exists()


def test_an_unknown_sheet_cannot_be_rendered(content: Content) -> None:
    with pytest.raises(FactsheetsError, match="unknown sheet 'nope'"):
        content.sheet("nope")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_lines_to_write_on_are_at_least_8_mm_apart(renderer: Renderer, content: Content, paper: str) -> None:
    """Measured on the rasterised page: every grey rule (answer, notes, personal box lines)."""
    filled = content.fill(Variant("questions"))
    image = (
        pypdfium2.PdfDocument(renderer.render(filled, RenderOptions(paper=paper)).pdf)[0]
        .render(scale=300 / 72)
        .to_pil()
        .convert("L")
    )
    width, height = image.size
    pixels = image.load()

    def thin_grey(x: int, y: int) -> bool:  # a grey rule on white; not the soft edge of a dark line
        return 120 <= pixels[x, y] <= 170 and min(pixels[x, y - 4], pixels[x, y + 4]) > 230

    def ruled(x0: int, x1: int) -> list[int]:  # one y per grey rule covering a third of the column
        span = range(x0, x1, 4)
        rows = [y for y in range(4, height - 4) if sum(thin_grey(x, y) for x in span) > len(span) / 3]
        return [y for i, y in enumerate(rows) if i == 0 or y - rows[i - 1] > 2]

    # Two columns, as the boxes stand: the call box's line to write the number on stands beside the notes' lines.
    left, right = ruled(0, width * 62 // 100), ruled(width * 66 // 100, width)
    for lines in (left, right):
        gaps_mm = [(b - a) / 300 * 25.4 for a, b in itertools.pairwise(lines)]
        assert min(gaps_mm) >= 8, gaps_mm
    assert len(set(left) | set(right)) >= 8, (left, right)  # the answers, the notes' lines, the personal box


def test_the_same_sheet_gives_the_same_bytes_from_renderers_started_apart(content: Content) -> None:
    """Workers start at different times; a FHIR record hashes one worker's PDF, its link gets another's.

    fontTools stamps embedded fonts with the time it saved them, so the renderers are started more
    than a second apart: the PDFs must still be identical, byte for byte.
    """
    filled = content.fill(variant("bone/general"))
    first = Renderer(Project(ROOT, DATA / "no-clinic")).render(filled, RenderOptions(print_date=dt.date(2026, 5, 1)))
    time.sleep(1.2)
    second = Renderer(Project(ROOT, DATA / "no-clinic")).render(filled, RenderOptions(print_date=dt.date(2026, 5, 1)))
    assert first.pdf == second.pdf
