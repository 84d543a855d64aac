"""Render a filled sheet to HTML (Jinja2) and to a PDF that fits its page budget (WeasyPrint).

A `Renderer` is built once per process and reused: it keeps the Jinja environment, the font
configuration and the parsed stylesheets warm, which is most of WeasyPrint's per-call cost. It
also remembers the body size each sheet fitted at (`FitMemory`), so the next copy of that sheet
costs one layout, not one per size tried, and keeps each sheet's layout with no personal details
(an edition, `stamping.Editions`), so a patient's copy lays out only the boxes that carry the
name, date and care team and stamps them on it (`render`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox
from weasyprint.text.fonts import FontConfiguration

from factsheets.content.clinic import Paper
from factsheets.content.sheets import Sheet
from factsheets.content.sources import SourceMeta
from factsheets.content.yamlfile import Loc
from factsheets.errors import FactsheetsError, Problem, counted
from factsheets.project import Project
from factsheets.render.edition import LANGUAGE, content_version, edition_id, edition_svg
from factsheets.render.fetcher import ProjectFetcher, ResourceRefused
from factsheets.render.options import RenderOptions
from factsheets.render.overlay import Holed, Move, joined, overlay, prepare
from factsheets.render.personal import Personal, describe, field_problem
from factsheets.render.qr import qr_svg
from factsheets.render.recent import Recent
from factsheets.render.shapes import Shape, check, filled_in, marked, plain, shape, unfilled
from factsheets.render.stamping import (
    CannotStamp,
    Carrier,
    Edition,
    Editions,
    Placement,
    Unit,
    carrier,
    check_styled_alike,
    holed,
    pieces,
    placement,
    site,
    unit_box,
    units,
)
from factsheets.render.tagging import finish_tags
from factsheets.selection.select import URGENT, WORDS_TO_KNOW, FilledSheet
from factsheets.templating import template_problems

log = logging.getLogger("factsheets.render")

# Body sizes tried in turn until the sheet fits: start generous, never below the floor.
STANDARD_SIZES = (13.0, 12.5, 12.0, 11.5, 11.0)
LARGE_PRINT_SIZES = (18.0,)
DRAFT_STAMP = "DRAFT: does not fit, not for patients"
DISCLAIMER = (
    "This sheet is general information. It does not replace the advice of your care team, who know your situation."
)


class DoesNotFit(FactsheetsError):
    """A sheet that needs more pages than its budget even at the smallest size: nothing is written.

    A kind of its own so that `render --draft` and `check --draft` can ask for the overflowing
    layout, while other refusals (a personal detail, a template) stay what they are.
    """


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    body_pt: float
    renders: int  # how many layouts of the whole sheet it needed (a kept edition's counts as the one it stands for)
    content_version: str
    stamped: bool = False  # the details laid out alone and placed on the sheet's kept edition (stamping)


class FitMemory(Recent[float]):
    """The body size each sheet last fitted at, keyed by a hash of its HTML laid out blank.

    The personal box has a fixed place and height and its values are checked to fit their
    lines, so two patients' copies of a sheet lay out alike: the size found for one is the
    size of the next. The key is the blank sheet's HTML (no name, date or contact in it, and
    only a hash of that is kept), with the paper and page budget; anything that could move the
    layout (content, template, clinic, print date) gives another key. Bounded: the least recently used go.
    """

    def __init__(self, limit: int = 1024) -> None:
        super().__init__(limit)


@dataclass(frozen=True)
class LaidAlone:
    """A sheet's units with a patient's details laid out in their carrier (`stamping.carrier`), a page for each
    (`stamping.pieces`): written with the copy, or with all of a packet's at once (`Renderer.joined`)."""

    boxes: list[Any]  # the units' boxes in their small layout, in the order of the units
    pieces: Document


@dataclass(frozen=True)
class Stamped:
    """A copy whose details are laid out and written, a page per box, not yet laid onto its edition
    (`Renderer.finished`, or a packet's `Renderer.joined`). Holds the details: kept for the request only."""

    edition: Edition
    filled: FilledSheet
    options: RenderOptions
    holed: Holed  # the edition written with a slot for each box
    laid: LaidAlone  # the boxes laid out, a page each, not yet written
    moves: list[Move]  # how far each box moves into its slot
    made: int  # layouts of the whole sheet made for its edition now (0: kept)


PACKETS_KEPT = 16  # packets of holed editions kept (`Renderer.joined`): ~30 KB a sheet in each
FONT_EPOCH = "1704067200"  # 2024-01-01: the embedded fonts' timestamp (see _fixed_font_timestamps)


class Renderer:
    """Templates, styles and fonts loaded once; `render` may be called many times."""

    def __init__(self, project: Project, editions: int = 0) -> None:
        """`editions`: how many blank layouts to keep for stamping (`stamping.EDITIONS_KEPT` in a web
        worker). None by default: a one-shot command or the batch build prints each sheet once, and
        an edition laid out first and then stamped would cost it more than one full layout."""
        self.project = project
        self.clinic = project.clinic
        self.env = project.environment(strict=True)
        allowed = [*project.template_dirs, *project.style_dirs, *project.asset_dirs, project.clinic_dir]
        layers = [project.clinic_dir, project.root, project.shipped]
        self.fetcher = ProjectFetcher([d for d in allowed if d.exists()], layers)
        self.fonts = FontConfiguration()
        self._base_css = self._css(filename=self._find_style("sheet.css"))
        self._size_css: dict[tuple[str, float, bool], CSS] = {}
        self.fitted = FitMemory()
        self.editions = Editions(editions)
        # Editions' keys by the marked HTML of their shapes (`_known`): a few sets of fields given for each.
        self.shaped: Recent[str] = Recent(4 * editions)
        self.packets: Recent[Holed] = Recent(PACKETS_KEPT if editions else 0)  # packets of holed editions joined
        self._patient: dict[str, LaidAlone] | None = None  # within `one_patient` only: units laid out, by carrier

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
        cited = _numbered_sources(filled)
        sources = [
            {"n": n, "meta": src, "qr": qr_svg(src.url, f"QR code linking to {src.publisher}: {src.url}")}
            for n, src in enumerate(cited, start=1)
        ]
        numbers = {src.id: n for n, src in enumerate(cited, start=1)}
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
                urgent_heading=URGENT,
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
            small = 16 if large else 9  # no character under 16 pt in large print, none under 9 pt for patients
            self._size_css[key] = self._css(
                string=(
                    f"@page {{ size: {paper}; }} html {{ font-size: {body_pt}pt; }} "
                    f":root {{ --accent: {self.clinic.accent_color}; --small: {small}pt; }}"
                )
            )
        return self._size_css[key]

    def render(self, filled: FilledSheet, options: RenderOptions, *, full_layout: bool = False) -> Rendered:
        """Lay out at the largest size that fits the page budget, and write; refuse rather than cut.

        The personal box is on every layout at its fixed height, so a sheet that fits in the
        batch build fits with any name; a value that would need more than its line is refused
        at its field, as is any character no installed font can draw.

        When the renderer keeps editions (a web worker's), the sheet's edition (its layout with no
        details) is laid out once and kept (`self.editions`); a copy with details lays out only the
        boxes that carry them, checks them as a full layout would, and stamps them on the edition
        (`stamping`). Where that could not be exact (large print's page 2 heading carries the name,
        `stamping.CannotStamp`), and with `full_layout`, the sheet is laid out whole with the
        details, as every copy once was.
        """
        return self.finished(self.made(filled, options, full_layout=full_layout))

    def made(self, filled: FilledSheet, options: RenderOptions, *, full_layout: bool = False) -> Rendered | Stamped:
        """`render`, but a stamped copy comes back before its pieces are laid onto its edition: a packet lays
        all its sheets' pieces in one pass (`joined`); `finished` lays one sheet's."""
        if full_layout or not self.editions.limit:
            return self._full(filled, options, 0)
        html = self.html(filled, options) if options.personal else ""
        edition, made = self._known(html, options) or self._edition(filled, options)
        pages, renders = len(edition.document.pages), made or 1
        if not options.personal:
            if edition.pdf is None:
                edition.pdf = self._write(edition.document, filled, options.personal)
            return Rendered(edition.pdf, pages, edition.body_pt, renders, content_version(filled))
        given = tuple(options.personal.given())  # which fields, never what they hold
        if given not in edition.unstampable:
            try:
                holed, laid, moves = self._stamp(edition, filled, options, html)
            except CannotStamp:
                edition.unstampable.add(given)
            except FactsheetsError:
                raise  # a value refused at its field: a full layout would refuse it too
            except Exception as err:  # noqa: BLE001 - a fault in stamping costs a full layout, never the copy
                self._failed(edition, filled, options, err)
            else:
                return Stamped(edition, filled, options, holed, laid, moves, made)
        return self._full(filled, options, made)

    def finished(self, made: Rendered | Stamped) -> Rendered:
        """A copy written: a stamped one's pieces laid onto its edition (`overlay`), or, should that fail, the
        sheet laid out whole."""
        if isinstance(made, Rendered):
            return made
        try:
            ink = self._write(made.laid.pieces, made.filled, made.options.personal, margins=False)
            pdf = overlay(made.holed, [(ink, list(enumerate(made.moves)))])
        except FactsheetsError:
            raise  # a character no installed font can draw, at its field: a full layout would refuse it too
        except Exception as err:  # noqa: BLE001 - a fault in stamping costs a full layout, never the copy
            self._failed(made.edition, made.filled, made.options, err)
            return self._full(made.filled, made.options, made.made)
        edition, renders = made.edition, made.made or 1
        version = content_version(made.filled)
        return Rendered(pdf, len(edition.document.pages), edition.body_pt, renders, version, stamped=True)

    def joined(self, parts: list[Rendered | Stamped], title: str, summary: str) -> bytes:
        """A packet's sheets as one PDF (`merging.merge`). When every sheet was stamped, their pieces are laid
        in one pass onto the packet of their holed editions, joined once and kept (`overlay.joined`), rather
        than each sheet written and the packet merged: half what a stamped packet cost."""
        stamped = [part for part in parts if isinstance(part, Stamped)]
        if len(stamped) == len(parts) > 1:
            try:
                return self._joined(stamped, title, summary)
            except FactsheetsError:
                raise
            except Exception as err:  # noqa: BLE001 - each sheet is then finished on its own, and merged
                log.warning("stamping a packet failed (%s): each sheet written apart", type(err).__name__)
        from factsheets.render.merging import merge  # pikepdf loads only when PDFs are joined

        return merge([("", self.finished(part).pdf) for part in parts], title, summary)

    def _joined(self, stamped: list[Stamped], title: str, summary: str) -> bytes:
        """A packet's stamped sheets: all their boxes' pages written at once (each box laid out for several
        sheets written once), and laid onto the packet of their holed editions in one pass."""
        laid = list({id(part.laid): part.laid for part in stamped}.values())
        first: dict[int, int] = {}
        pages: list[Page] = []
        for one in laid:
            first[id(one)] = len(pages)
            pages += one.pieces.pages
        ink = self._write(laid[0].pieces.copy(pages), stamped[0].filled, stamped[0].options.personal, margins=False)
        inks = [(ink, [(first[id(part.laid)] + n, move) for n, move in enumerate(part.moves)]) for part in stamped]
        return overlay(self._packet(stamped, title), inks, summary)

    def _packet(self, stamped: list[Stamped], title: str) -> Holed:
        """The holed editions of a packet's sheets joined into one, its slots numbered on: kept, bounded. Kept
        under the sheets' editions and the packet's title (its cancer type, as the editions are), never under
        its summary (which may hold a patient's codes)."""
        key = hashlib.sha256("|".join([title, *(part.holed.digest for part in stamped)]).encode()).hexdigest()
        packet = self.packets.get(key)
        if packet is None:
            packet = joined([part.holed for part in stamped], title)
            self.packets.put(key, packet)
        return packet

    def _known(self, html: str, options: RenderOptions) -> tuple[Edition, int] | None:
        """The kept edition a copy with details is stamped on, found from the copy's own HTML (`html`) with its
        values put back to markers: the HTML its edition's shape was made from (`shapes`). Saves making the
        sheet's blank HTML only to look its edition up; None when unknown or the values are not plain."""
        if not html or not plain(options.personal):
            return None
        key = self.shaped.get(self._marked_key(unfilled(html, options.personal), options))
        edition = self.editions.get(key) if key else None
        return (edition, 0) if edition is not None else None

    def _marked_key(self, marked_html: str, options: RenderOptions) -> str:
        """What `self.shaped` keeps an edition's key under: its marked HTML, with the paper and page budget."""
        return hashlib.sha256(f"{self._paper(options)}|{options.max_pages}|{marked_html}".encode()).hexdigest()

    def _failed(self, edition: Edition, filled: FilledSheet, options: RenderOptions, err: Exception) -> None:
        """Copies with these fields are laid out whole from now on; the log names the sheet and the error's
        kind, never its message (which could hold a value)."""
        if not isinstance(err, CannotStamp):
            log.warning("stamping %s failed (%s): laid out whole", filled.variant.key, type(err).__name__)
        edition.unstampable.add(tuple(options.personal.given()))

    def _full(self, filled: FilledSheet, options: RenderOptions, made: int) -> Rendered:
        """The sheet laid out whole with the details (after `made` layouts of its edition), and written."""
        document, body_pt, attempts = self.fit(filled, options)
        pdf = self._write(document, filled, options.personal)
        return Rendered(pdf, len(document.pages), body_pt, made + attempts, content_version(filled))

    def _edition(self, filled: FilledSheet, options: RenderOptions) -> tuple[Edition, int]:
        """The sheet's kept edition for this paper and print size, laid out (and kept) when there is none;
        with the layouts made for it now (0 for a kept one)."""
        blank = replace(options, personal=Personal())
        html = self.html(filled, blank)
        key = self._fit_key(filled, blank, html)
        edition = self.editions.get(key)
        if edition is not None:
            return edition, 0
        document, body_pt, attempts = self._fit_html(filled, blank, html, key)
        edition = Edition(document, body_pt, attempts, key)
        self.editions.put(key, edition)
        return edition, attempts

    def _stamp(
        self, edition: Edition, filled: FilledSheet, options: RenderOptions, html: str
    ) -> tuple[Holed, LaidAlone, list[Move]]:
        """The details' boxes laid out alone (the same style sheets, page size and body size, so the same
        widths), each value checked to keep to its lines, a page each; with the edition holed where they go
        and how far each moves there (`overlay` lays them there). `html`: the copy's."""
        sheets = self._sheets(self._paper(options), edition.body_pt, options.large_print)
        shape = self._shape(edition, filled, options, sheets)
        if shape is not None and plain(options.personal) and check(shape, html, options.personal):
            found, cut = shape.found, filled_in(shape, options.personal)  # no parse: where they go is known
        else:
            found, cut = self._cut_out(edition, html, sheets)
        laid = self._laid_alone(cut, edition.body_pt, options)
        placed = [placement(edition, blank, box) for (blank, _), box in zip(found, laid.boxes, strict=True)]
        return self._holed(edition, filled, placed), laid, [Move(place.dx, place.dy) for place in placed]

    def _cut_out(self, edition: Edition, html: str, sheets: list[CSS]) -> tuple[list[Unit], Carrier]:
        """The sheet's HTML (with details, or with markers) parsed, its units found and checked against the
        edition's, and cut out to lay out (`stamping.carrier`)."""
        with _refusals_as_problems():
            page = HTML(string=html, base_url=self._base_url(), url_fetcher=self.fetcher)
        found = units(edition.document, page)
        for blank, _ in found:
            site(edition, blank)  # the edition's side, checked once: a known refusal before any layout
        check_styled_alike(sheets, edition.document, page, found)
        return found, carrier(page, found, sheets)

    def _shape(self, edition: Edition, filled: FilledSheet, options: RenderOptions, sheets: list[CSS]) -> Shape | None:
        """Where the details go for these fields, found once per edition with markers for the values
        (`shapes`); None where markers cannot stand for them (the copy is then cut out from its own HTML)."""
        given = tuple(options.personal.given())
        if given not in edition.shapes:
            try:
                html = self.html(filled, marked(options))
                found, cut = self._cut_out(edition, html, sheets)
                edition.shapes[given] = shape(html, found, cut)
                self.shaped.put(self._marked_key(html, options), edition.key)
            except (CannotStamp, FactsheetsError) as err:
                edition.shapes[given] = str(err)  # the words, never the exception (see `stamping._site`)
            except Exception as err:  # noqa: BLE001 - a template that cannot take markers (unpacks a value, say)
                edition.shapes[given] = f"the markers fail in a template ({type(err).__name__})"
        kept = edition.shapes[given]
        return None if isinstance(kept, str) else kept

    def _laid_alone(self, cut: Carrier, body_pt: float, options: RenderOptions) -> LaidAlone:
        """A sheet's units laid out in their carrier, their values checked, and each put on a page of its own
        (written with the copy): once for all of a patient's sheets whose carriers are alike, within
        `one_patient` (a packet)."""
        key = f"{self._paper(options)}|{body_pt}|{options.large_print}|{cut.key}"
        if self._patient is not None and key in self._patient:
            return self._patient[key]
        small = self._render(cut.page, self._paper(options), body_pt, options.large_print)
        _check_personal_lines(small)
        # Checked before they are written alone: WeasyPrint tags a block only. Written (`finished`, `joined`),
        # they refuse a character no installed font can draw, at its field.
        boxes = [unit_box(small, element) for element in cut.elements]
        laid = LaidAlone(boxes, pieces(small, boxes))
        if self._patient is not None:
            self._patient[key] = laid
        return laid

    @contextmanager
    def one_patient(self) -> Iterator[None]:
        """Render one patient's sheets within: a unit whose carrier is alike on several (the personal box on
        every sheet of a packet) is laid out and written once for them. What is laid out holds the details:
        it is kept for the block alone, and forgotten when it ends."""
        self._patient = {}
        try:
            yield
        finally:
            self._patient = None

    def _holed(self, edition: Edition, filled: FilledSheet, placed: list[Placement]) -> Holed:
        """The edition written with a slot where each of these boxes goes: once per edition and set of boxes."""
        key = tuple(id(place.blank) for place in placed)
        if key not in edition.holed:
            edition.holed[key] = prepare(self._write(holed(edition.document, placed), filled, Personal()), len(placed))
        return edition.holed[key]

    def fit(self, filled: FilledSheet, options: RenderOptions) -> tuple[Document, float, int]:
        """The layout at the largest body size within the page budget: (document, size, attempts).

        Sizes are tried largest first; a sheet laid out before starts at the size it fitted at
        (`self.fitted`), so the common case is one layout.
        """
        html = self.html(filled, options)
        return self._fit_html(filled, options, html, self._fit_key(filled, options, html))

    def _fit_html(
        self, filled: FilledSheet, options: RenderOptions, html: str, key: str
    ) -> tuple[Document, float, int]:
        """`fit` for the sheet's HTML, made already, and its key in `self.fitted`."""
        sizes, paper = sizes_for(options), self._paper(options)
        known = self.fitted.get(key)
        order = [known, *sizes] if known in sizes else list(sizes)  # known fails only if the layout changed: all again
        for attempt, body_pt in enumerate(order, start=1):
            document = self._layout(html, paper, body_pt, options.large_print)
            if attempt == 1:
                _check_personal_lines(document)
            if len(document.pages) <= options.max_pages:
                _check_running_header(document, filled, options.personal)
                self.fitted.put(key, body_pt)
                return document, body_pt, attempt
        raise DoesNotFit(_overflow(filled, options, paper, sizes[-1], document))

    def _fit_key(self, filled: FilledSheet, options: RenderOptions, html: str) -> str:
        """What the fitted size depends on: the sheet's HTML laid out blank, the paper and the page budget."""
        blank = html if not options.personal else self.html(filled, replace(options, personal=Personal()))
        return hashlib.sha256(f"{self._paper(options)}|{options.max_pages}|{blank}".encode()).hexdigest()

    def pages_at(self, filled: FilledSheet, options: RenderOptions, body_pt: float) -> int:
        """Pages the sheet takes at one body size: to ask whether a change would make it fit."""
        return len(self._layout(self.html(filled, options), self._paper(options), body_pt, options.large_print).pages)

    def draft(self, filled: FilledSheet, options: RenderOptions) -> Document:
        """The overflowing layout at the smallest size, every page stamped as a draft not for patients.

        Laid out blank (no personal details: a draft is a file on disk, and the box keeps its
        height either way); the stamp stands in the top margin and behind the text, so the
        layout is the one that did not fit.
        """
        blank = replace(options, personal=Personal())
        paper, body_pt = self._paper(blank), sizes_for(blank)[-1]
        label = f"{filled.variant.key}, {paper}{', large print' if blank.large_print else ''}, {body_pt:g} pt"
        stamp = self._css(string=_stamp(label))
        return self._layout(self.html(filled, blank), paper, body_pt, blank.large_print, stamp)

    def _write(self, document: Document, filled: FilledSheet, personal: Personal, margins: bool = True) -> bytes:
        """PDF/UA-1 bytes, refusing any character drawn as an empty box. `margins`: whether its pages may have
        margin boxes (`tagging.finish_tags`; a stamped copy's pieces have none)."""
        with _missing_glyphs() as missing, _refusals_as_problems(), _fixed_font_timestamps():  # links, images fetched
            pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        if missing:
            raise FactsheetsError(_glyph_problems(filled, personal, missing))
        return finish_tags(pdf, margins)

    def _layout(self, html: str, paper: Paper, body_pt: float, large: bool, extra: CSS | None = None) -> Document:
        with _refusals_as_problems():
            page = HTML(string=html, base_url=self._base_url(), url_fetcher=self.fetcher)
        return self._render(page, paper, body_pt, large, extra)

    def _render(self, page: HTML, paper: Paper, body_pt: float, large: bool, extra: CSS | None = None) -> Document:
        sheets = [*self._sheets(paper, body_pt, large), *([extra] if extra else [])]
        with _refusals_as_problems():
            return page.render(stylesheets=sheets, font_config=self.fonts)

    def _sheets(self, paper: Paper, body_pt: float, large: bool) -> list[CSS]:
        """The style sheets a sheet is laid out with: the project's (or the clinic's), and its size."""
        return [self._base_css, self._size(paper, body_pt, large)]

    def _base_url(self) -> str:
        return str(self.project.templates_dir) + "/"


def sizes_for(options: RenderOptions) -> tuple[float, ...]:
    """The body sizes tried, largest first: the last is the floor."""
    return LARGE_PRINT_SIZES if options.large_print else STANDARD_SIZES


def write_draft(documents: list[Document]) -> bytes:
    """Drafts (`Renderer.draft`) as one PDF, one after another: for people deciding what to cut, not a patient's PDF."""
    pages = [page for document in documents for page in document.pages]
    with _refusals_as_problems(), _fixed_font_timestamps():
        pdf: bytes = documents[0].copy(pages).write_pdf()
    return pdf


def _stamp(label: str) -> str:
    """CSS for a draft: the stamp in the top margin of every page, and a pale DRAFT across it (out of the flow)."""
    return (
        f"@page {{ @top-center {{ content: {_css_string(f'{DRAFT_STAMP} ({label}): page ')} counter(page) "
        f"{_css_string(' of ')} counter(pages); color: #b00000; "
        "font-weight: 700; font-size: 9pt; vertical-align: middle; } } "
        "@page large-print { @top-left { content: none; } } "  # the stamp, not large print's page 2 heading
        'body::after { content: "DRAFT"; position: fixed; top: 35%; left: 0; right: 0; text-align: center; '
        "font-size: 96pt; font-weight: 700; color: rgba(176, 0, 0, 0.12); transform: rotate(-30deg); }"
    )


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


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
    found = [line for page in document.pages for line in _personal_lines(page._page_box)]
    for name, lines, allowed in found:
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


RUNNING_HEADER_LINES = 2  # large print's page 2 heading: the title, then "· For" and the name


def _check_running_header(document: Document, filled: FilledSheet, personal: Personal) -> None:
    """Large print's page 2 heading (the title and the patient's name) must keep to the lines its margin holds."""
    for page in document.pages[1:]:
        lines = sum(_lines_in(box) for box in page._page_box.children if isinstance(box, MarginBox))
        if lines <= RUNNING_HEADER_LINES:
            continue
        if personal.patient:
            raise FactsheetsError(
                field_problem(
                    "patient",
                    f"is too long for the heading of page 2 in large print (with the title it needs {lines} lines, "
                    f"and {RUNNING_HEADER_LINES} fit). Shorten it, for example with initials.",
                )
            )
        raise FactsheetsError(
            Problem(
                f"sheet '{filled.sheet.id}' has a title too long for the heading of page 2 in large print "
                f"(it needs {lines} lines)",
                "shorten the title: one line of 16 pt bold holds about 50 characters.",
                filled.sheet.path,
            )
        )


def _lines_in(box: Any) -> int:
    return 1 if isinstance(box, LineBox) else sum(_lines_in(child) for child in getattr(box, "children", []))


def _numbered_sources(filled: FilledSheet) -> tuple[SourceMeta, ...]:
    """The sources the page numbers, in order: the sheet's, and any its urgent signs quote that a packet's
    shortened sheet (selection.repeats, which recounts the sections' and Words to know's) left off."""
    ids = {src.id for src in filled.sources}
    extra = {
        g.citation.source.id: g.citation.source for g in filled.urgent if g.citation and g.citation.source.id not in ids
    }
    return (*filled.sources, *extra.values())


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
    """What a content lead needs to cut: the sheet's file, the part where the page runs out (at its line), how much."""
    words = sum(len(text.split()) for page in document.pages[options.max_pages :] for text in _page_texts(page))
    variant = filled.variant.type_key + (", large print" if options.large_print else "")
    budget = "one page" if options.max_pages == 1 else counted(options.max_pages, "page")
    heading = _runs_out_at(document, options.max_pages)
    where, line = _part_of(filled, heading)
    return Problem(
        f"sheet '{filled.sheet.id}' ({variant}, {paper}) does not fit on {budget} even at {floor:g} pt: the page "
        f"runs out {where}; it needs {counted(len(document.pages), 'page')}, with about {counted(words, 'word')} "
        "left over",
        "shorten the sheet (drop or narrow a passage) or split it into two sheets; nothing was written "
        "(--draft FILE.pdf writes the overflowing layout, to see what to cut).",
        filled.sheet.path,
        line,
    )


def _part_of(filled: FilledSheet, heading: str | None) -> tuple[str, int | None]:
    """Where a heading printed on the page comes from: words for the message, and the sheet's line if it is there."""
    sheet = filled.sheet
    for index, section in enumerate(filled.sections):
        if section.heading == heading:
            line = _line(sheet, ("sections", index))
            return f"in section '{heading}'" + (f" (line {line})" if line else ""), line
    if heading == WORDS_TO_KNOW and sheet.words_to_know:
        line = _line(sheet, ("words_to_know",))
        return "in the Words to know box" + (f" (words_to_know, line {line})" if line else ""), line
    if heading is None:
        return "before the first section (the title and the personal box)", None
    return f"at '{heading}', after the sheet's own sections", None


def _line(sheet: Sheet, loc: Loc) -> int | None:
    """The line of `loc` in the sheet's file (None for a sheet made in code)."""
    return sheet.problem(loc, "", "").line


def _runs_out_at(document: Document, budget: int) -> str | None:
    """The heading of the part holding the first text past the page budget: the last heading begun before it."""
    heading = None
    for index, page in enumerate(document.pages):
        for kind, text in _reading_order(page._page_box):
            if kind == "heading":
                heading = text
            if index >= budget and text.strip():
                return heading
    return heading


def _reading_order(box: Any) -> Iterator[tuple[str, str]]:
    """("heading", text) for each h2 and ("text", text) for other text, as laid out; not the footer or margins."""
    if isinstance(box, MarginBox) or box.style["position"] == "fixed":  # the footer repeats on every page
        return
    if box.element_tag == "h2" and not isinstance(box, (TextBox, LineBox)):
        yield "heading", " ".join(" ".join(_texts(box)).split())
        return
    if isinstance(box, TextBox):
        yield "text", box.text
    for child in getattr(box, "children", []):
        yield from _reading_order(child)


def _texts(box: Any) -> list[str]:
    return [box.text] if isinstance(box, TextBox) else [t for c in getattr(box, "children", []) for t in _texts(c)]


def _page_texts(page: Any) -> list[str]:
    """Text laid out on one page, headings included, footer and margins left out (used to size an overflow)."""
    return [text for _, text in _reading_order(page._page_box)]
