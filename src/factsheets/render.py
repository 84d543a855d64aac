"""Render a filled sheet to HTML (Jinja2) and to a PDF that fits its page budget (WeasyPrint).

A `Renderer` is built once per process and reused: it keeps the Jinja environment, the font
configuration and the parsed stylesheets warm, which is most of WeasyPrint's per-call cost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from weasyprint import CSS, HTML
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.text.fonts import FontConfiguration

from factsheets import __version__
from factsheets.clinic import Clinic, Paper
from factsheets.errors import FactsheetsError, Problem
from factsheets.fetcher import ProjectFetcher, ResourceRefused
from factsheets.project import Project
from factsheets.qr import qr_svg
from factsheets.select import FilledSheet

# Body sizes tried in turn until the sheet fits: start generous, never below the floor.
STANDARD_SIZES = (13.0, 12.5, 12.0, 11.5, 11.0)
LARGE_PRINT_SIZES = (18.0,)
DISCLAIMER = ("This sheet is general information. It does not replace the advice of your care team, "
              "who know your situation.")


@dataclass(frozen=True)
class Personal:
    """Details printed on one patient's copy; never logged, stored, or part of any hash."""

    patient: str = ""
    date: str = ""
    care_team: str = ""

    def __repr__(self) -> str:  # keeps names out of tracebacks and debug logs
        return "Personal(<redacted>)"

    def __bool__(self) -> bool:
        return bool(self.patient or self.date or self.care_team)


@dataclass(frozen=True)
class RenderOptions:
    paper: Paper | None = None  # None: the clinic's default
    large_print: bool = False
    personal: Personal = field(default_factory=Personal)
    print_date: dt.date = field(default_factory=dt.date.today)

    @property
    def max_pages(self) -> int:
        return 2 if self.large_print else 1  # large print may use the back of the page


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    body_pt: float
    renders: int  # how many layouts the fit step needed
    content_version: str


def content_version(filled: FilledSheet) -> str:
    """Short hash of what a sheet says and where it came from (not of who it is for)."""
    h = hashlib.sha256(f"{__version__}\n{filled.sheet.id}\n{filled.variant}\n{filled.sheet.title}".encode())
    for section in filled.sections:
        h.update(section.heading.encode())
        for group in section.groups:
            h.update(repr((group.texts, group.citation and (group.citation.source.id, group.citation.line))).encode())
    return h.hexdigest()[:8]


class Renderer:
    """Templates, styles and fonts loaded once; `render` may be called many times."""

    def __init__(self, project: Project, clinic: Clinic) -> None:
        self.project = project
        self.clinic = clinic
        overrides = [clinic.folder] if clinic.folder else []
        self.template_dirs = [d / "templates" for d in overrides] + [project.root / "templates"]
        self.style_dirs = [d / "styles" for d in overrides] + [project.root / "styles"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.template_dirs]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        allowed = [*self.template_dirs, *self.style_dirs, project.root / "assets", *overrides]
        self.fetcher = ProjectFetcher([d for d in allowed if d.exists()])
        self.fonts = FontConfiguration()
        self._base_css = self._css(filename=self._find_style("sheet.css"))
        self._size_css: dict[tuple[str, float, bool], CSS] = {}

    def _css(self, **source: object) -> CSS:
        try:
            return CSS(**source, font_config=self.fonts, url_fetcher=self.fetcher)  # type: ignore[arg-type]
        except ResourceRefused as err:
            raise FactsheetsError(Problem(f"stylesheet needs a resource that was refused ({err.reason})",
                                          f"keep fonts and images under assets/ or the clinic folder: {err.url}"))

    def _find_style(self, name: str) -> str:
        for folder in self.style_dirs:
            if (folder / name).is_file():
                return str(folder / name)
        raise FactsheetsError(Problem(f"stylesheet {name} not found in {', '.join(map(str, self.style_dirs))}",
                                      "restore styles/ from the project."))

    def html(self, filled: FilledSheet, options: RenderOptions) -> str:
        """The sheet as HTML: what WeasyPrint lays out, and what tests and benchmarks compare."""
        sources = [
            {"n": n, "meta": src, "qr": qr_svg(src.url, f"QR code linking to {src.publisher}: {src.url}")}
            for n, src in enumerate(filled.sources, start=1)
        ]
        numbers = {s["meta"].id: s["n"] for s in sources}
        return self.env.get_template("sheet.html").render(
            filled=filled, sheet=filled.sheet, sources=sources, numbers=numbers, clinic=self.clinic,
            logo_uri=self.clinic.logo_path.resolve().as_uri() if self.clinic.logo_path else None,
            options=options, personal=options.personal, disclaimer=DISCLAIMER,
            print_date=options.print_date, version=content_version(filled),
            paper=self._paper(options), large_print=options.large_print,
        )

    def _paper(self, options: RenderOptions) -> Paper:
        return options.paper or self.clinic.paper

    def _size(self, paper: Paper, body_pt: float, large: bool) -> CSS:
        key = (paper, body_pt, large)
        if key not in self._size_css:
            small = 13 if large else 9
            self._size_css[key] = self._css(string=(
                f"@page {{ size: {paper}; }} html {{ font-size: {body_pt}pt; }} "
                f":root {{ --accent: {self.clinic.accent_color}; --small: {small}pt; }}"))
        return self._size_css[key]

    def render(self, filled: FilledSheet, options: RenderOptions) -> Rendered:
        """Lay out at the largest size that fits the page budget; refuse rather than cut."""
        sizes = LARGE_PRINT_SIZES if options.large_print else STANDARD_SIZES
        paper = self._paper(options)
        html = self.html(filled, options)
        document = None
        for attempt, body_pt in enumerate(sizes, start=1):
            document = self._layout(html, paper, body_pt, options.large_print)
            if len(document.pages) <= options.max_pages:
                with _refusals_as_problems():  # attachments and links are fetched while writing
                    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
                return Rendered(pdf, len(document.pages), body_pt, attempt, content_version(filled))
        assert document is not None
        raise FactsheetsError(_overflow(filled, options, paper, sizes[-1], document))

    def _layout(self, html: str, paper: Paper, body_pt: float, large: bool):
        base = str(self.template_dirs[-1]) + "/"
        with _refusals_as_problems():
            return HTML(string=html, base_url=base, url_fetcher=self.fetcher).render(
                stylesheets=[self._base_css, self._size(paper, body_pt, large)], font_config=self.fonts)


@contextmanager
def _refusals_as_problems() -> Iterator[None]:
    try:
        yield
    except ResourceRefused as err:
        raise FactsheetsError(Problem(f"the page needs a resource that was refused ({err.reason})",
                                      f"keep logos and images in the clinic folder or assets/: {err.url}")) from None


def _overflow(filled: FilledSheet, options: RenderOptions, paper: str, floor: float, document) -> Problem:
    words = sum(len(text.split()) for page in document.pages[options.max_pages:] for text in _page_texts(page))
    pages = len(document.pages)
    variant = filled.variant + (", large print" if options.large_print else "")
    return Problem(
        f"sheet '{filled.sheet.id}' ({variant}, {paper}) does not fit on {options.max_pages} page(s) even at "
        f"{floor:g} pt: it needs {pages} pages, with about {words} words left over",
        "shorten the sheet (drop or narrow a passage) or split it into two sheets; nothing was written.",
        filled.sheet.path,
    )


def _page_texts(page) -> list[str]:
    """Text laid out on one page (WeasyPrint's box tree; used only to size an overflow)."""
    texts: list[str] = []

    def walk(box) -> None:
        if isinstance(box, MarginBox):  # the footer repeats on every page; it is not overflow
            return
        if hasattr(box, "text"):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    walk(page._page_box)
    return texts
