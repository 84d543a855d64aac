"""Render a filled sheet to HTML (Jinja2) and to a PDF that fits its page budget (WeasyPrint).

A `Renderer` is built once per process and reused: it keeps the Jinja environment, the font
configuration and the parsed stylesheets warm, which is most of WeasyPrint's per-call cost.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import LineBox, MarginBox
from weasyprint.text.fonts import FontConfiguration

from factsheets.content.clinic import Paper
from factsheets.errors import FactsheetsError, Problem
from factsheets.project import Project
from factsheets.render.edition import LANGUAGE, content_version, edition_id, edition_svg
from factsheets.render.fetcher import ProjectFetcher, ResourceRefused
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal, describe, field_problem
from factsheets.render.qr import qr_svg
from factsheets.render.tagging import finish_tags
from factsheets.selection.select import FilledSheet
from factsheets.templating import template_problems

# Body sizes tried in turn until the sheet fits: start generous, never below the floor.
STANDARD_SIZES = (13.0, 12.5, 12.0, 11.5, 11.0)
LARGE_PRINT_SIZES = (18.0,)
DISCLAIMER = (
    "This sheet is general information. It does not replace the advice of your care team, who know your situation."
)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    body_pt: float
    renders: int  # how many layouts the fit step needed
    content_version: str


FONT_EPOCH = "1704067200"  # 2024-01-01: the embedded fonts' timestamp (see _fixed_font_timestamps)


class Renderer:
    """Templates, styles and fonts loaded once; `render` may be called many times."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.clinic = project.clinic
        self.env = project.environment(strict=True)
        allowed = [*project.template_dirs, *project.style_dirs, *project.asset_dirs, project.clinic_dir]
        layers = [project.clinic_dir, project.root, project.shipped]
        self.fetcher = ProjectFetcher([d for d in allowed if d.exists()], layers)
        self.fonts = FontConfiguration()
        self._base_css = self._css(filename=self._find_style("sheet.css"))
        self._size_css: dict[tuple[str, float, bool], CSS] = {}

    def _css(self, **source: object) -> CSS:
        try:
            with _fixed_font_timestamps():  # @font-face fonts are loaded, and WOFF unpacked, here
                return CSS(**source, font_config=self.fonts, url_fetcher=self.fetcher)
        except ResourceRefused as err:
            raise FactsheetsError(
                Problem(
                    f"stylesheet needs a resource that was refused ({err.reason})",
                    err.fix or f"keep fonts and images under assets/ or the clinic folder: {err.url}",
                )
            ) from None

    def _find_style(self, name: str) -> str:
        for folder in self.project.style_dirs:
            if (folder / name).is_file():
                return str(folder / name)
        raise FactsheetsError(
            Problem(
                f"stylesheet {name} not found in {', '.join(map(str, self.project.style_dirs))}",
                "restore styles/ from the project.",
            )
        )

    def html(self, filled: FilledSheet, options: RenderOptions) -> str:
        """The sheet as HTML: what WeasyPrint lays out, and what tests and benchmarks compare."""
        sources = [
            {"n": n, "meta": src, "qr": qr_svg(src.url, f"QR code linking to {src.publisher}: {src.url}")}
            for n, src in enumerate(filled.sources, start=1)
        ]
        numbers = {src.id: n for n, src in enumerate(filled.sources, start=1)}
        edition = edition_id(filled)  # the content's, never the patient's: the same on every copy
        with template_problems():
            return self.env.get_template("sheet.html").render(
                filled=filled,
                sheet=filled.sheet,
                sources=sources,
                numbers=numbers,
                clinic=self.clinic,
                logo_uri=self.clinic.logo_uri,
                options=options,
                personal=options.personal,
                disclaimer=DISCLAIMER,
                print_date=options.print_date,
                approved=self._approved(filled, options.print_date),
                version=content_version(filled),
                paper=self._paper(options),
                large_print=options.large_print,
                language=LANGUAGE,
                edition=edition,
                edition_code=edition_svg(edition),
            )

    def _approved(self, filled: FilledSheet, today: dt.date) -> dt.date | None:
        """The approval date the footer prints: none once the clinic's `approval_valid_for` has run out."""
        if filled.approved_on is None:
            return None
        until = self.clinic.approval_until(filled.approved_on)
        return None if until is not None and today > until else filled.approved_on

    def _paper(self, options: RenderOptions) -> Paper:
        return options.paper or self.clinic.paper

    def _size(self, paper: Paper, body_pt: float, large: bool) -> CSS:
        key = (paper, body_pt, large)
        if key not in self._size_css:
            small = 13 if large else 9
            self._size_css[key] = self._css(
                string=(
                    f"@page {{ size: {paper}; }} html {{ font-size: {body_pt}pt; }} "
                    f":root {{ --accent: {self.clinic.accent_color}; --small: {small}pt; }}"
                )
            )
        return self._size_css[key]

    def render(self, filled: FilledSheet, options: RenderOptions) -> Rendered:
        """Lay out at the largest size that fits the page budget, and write; refuse rather than cut.

        The personal box is on every layout at its fixed height, so a sheet that fits in the
        batch build fits with any name; a value that would need more than its line is refused
        at its field, as is any character no installed font can draw.
        """
        document, body_pt, attempts = self.fit(filled, options)
        pdf = self._write(document, filled, options.personal)
        return Rendered(pdf, len(document.pages), body_pt, attempts, content_version(filled))

    def fit(self, filled: FilledSheet, options: RenderOptions) -> tuple[Document, float, int]:
        """The layout at the largest body size within the page budget: (document, size, attempts)."""
        sizes = LARGE_PRINT_SIZES if options.large_print else STANDARD_SIZES
        paper = self._paper(options)
        html = self.html(filled, options)
        for attempt, body_pt in enumerate(sizes, start=1):
            document = self._layout(html, paper, body_pt, options.large_print)
            if attempt == 1:
                _check_personal_lines(document)
            if len(document.pages) <= options.max_pages:
                return document, body_pt, attempt
        raise FactsheetsError(_overflow(filled, options, paper, sizes[-1], document))

    def _write(self, document: Document, filled: FilledSheet, personal: Personal) -> bytes:
        """PDF/UA-1 bytes, refusing any character drawn as an empty box."""
        with _missing_glyphs() as missing, _refusals_as_problems(), _fixed_font_timestamps():  # links, images fetched
            pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        if missing:
            raise FactsheetsError(_glyph_problems(filled, personal, missing))
        return finish_tags(pdf)

    def _layout(self, html: str, paper: Paper, body_pt: float, large: bool) -> Document:
        base = str(self.project.templates_dir) + "/"
        with _refusals_as_problems():
            return HTML(string=html, base_url=base, url_fetcher=self.fetcher).render(
                stylesheets=[self._base_css, self._size(paper, body_pt, large)], font_config=self.fonts
            )


@contextmanager
def _fixed_font_timestamps() -> Iterator[None]:
    """The same sheet gives the same bytes, whichever process renders it and when.

    fontTools stamps the fonts WeasyPrint embeds with the time it saved them: when a Renderer
    loads the style sheet's WOFF fonts, and when a PDF's variable fonts are instanced. So two
    workers started a second apart wrote different PDFs of one sheet, and a record's hash did not
    match its link's PDF. fontTools takes the reproducible-builds SOURCE_DATE_EPOCH instead when
    it is set; it is set only around those two steps (a render is one thread in its process).
    """
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = before or FONT_EPOCH
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]


@contextmanager
def _missing_glyphs() -> Iterator[list[str]]:
    """Characters drawn as an empty box (.notdef) during the render, caught as they happen.

    WeasyPrint reports them only as a log warning carrying the character; this filter takes
    that record off the logger (it reaches no handler) and keeps the character for an error.
    """
    logger = logging.getLogger("weasyprint")
    missing: list[str] = []
    floor, level = logger.getEffectiveLevel(), logger.level

    def take(record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(".notdef glyph"):
            args = record.args if isinstance(record.args, tuple) else ()  # (character, code point)
            missing.append(chr(args[1]) if len(args) > 1 and isinstance(args[1], int) else "\ufffd")
            return False
        return record.levelno >= floor  # a quiet logger stays quiet while lowered for this

    logger.addFilter(take)
    logger.setLevel(min(floor, logging.WARNING))
    try:
        yield missing
    finally:
        logger.setLevel(level)
        logger.removeFilter(take)


def _glyph_problems(filled: FilledSheet, personal: Personal, missing: list[str]) -> list[Problem]:
    """Blame the personal field holding each undrawable character, else the sheet."""
    problems = []
    for char in dict.fromkeys(missing):
        name = next((key for key, value in personal.fields().items() if char in value), None)
        if name:
            problems.append(
                field_problem(
                    name,
                    f"contains a character no installed font can print ({describe(char)}). Type it again without it.",
                )
            )
        else:
            problems.append(
                Problem(
                    f"sheet '{filled.sheet.id}' has a character no installed font can print ({describe(char)})",
                    "install a font that covers it (scripts/setup.sh installs the Noto fonts), or change the text.",
                    filled.sheet.path,
                )
            )
    return problems


def _check_personal_lines(document: Document) -> None:
    """Each personal value must keep to its lines (data-lines), or the box would outgrow its reserve."""
    problems = []
    for name, lines, allowed in _personal_lines(document.pages[0]._page_box):
        if lines > allowed:
            problems.append(
                field_problem(
                    name,
                    f"is too long to fit on its line of the sheet (it needs {lines} "
                    "lines). Shorten it, for example with initials.",
                )
            )
    if problems:
        raise FactsheetsError(problems)


def _personal_lines(page_box: Any) -> list[tuple[str, int, int]]:
    """(field, lines used, lines allowed) for each value box marked data-field."""
    found = []

    def walk(box: Any) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.get("data-field") and not isinstance(box, LineBox):
            lines = sum(1 for child in getattr(box, "children", []) if isinstance(child, LineBox))
            if lines:
                found.append((element.get("data-field"), lines, int(element.get("data-lines", "1"))))
                return
        for child in getattr(box, "children", []):
            walk(child)

    walk(page_box)
    return found


@contextmanager
def _refusals_as_problems() -> Iterator[None]:
    try:
        yield
    except ResourceRefused as err:
        raise FactsheetsError(
            Problem(
                f"the page needs a resource that was refused ({err.reason})",
                err.fix or f"keep logos and images in the clinic folder or assets/: {err.url}",
            )
        ) from None


def _overflow(filled: FilledSheet, options: RenderOptions, paper: str, floor: float, document: Document) -> Problem:
    words = sum(len(text.split()) for page in document.pages[options.max_pages :] for text in _page_texts(page))
    pages = len(document.pages)
    variant = filled.variant.type_key + (", large print" if options.large_print else "")
    return Problem(
        f"sheet '{filled.sheet.id}' ({variant}, {paper}) does not fit on {options.max_pages} page(s) even at "
        f"{floor:g} pt: it needs {pages} pages, with about {words} words left over",
        "shorten the sheet (drop or narrow a passage) or split it into two sheets; nothing was written.",
        filled.sheet.path,
    )


def _page_texts(page: Any) -> list[str]:
    """Text laid out on one page (WeasyPrint's box tree; used only to size an overflow)."""
    texts: list[str] = []

    def walk(box: Any) -> None:
        if isinstance(box, MarginBox):  # the footer repeats on every page; it is not overflow
            return
        if hasattr(box, "text"):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    walk(page._page_box)
    return texts
