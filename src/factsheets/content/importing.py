"""`factsheets import`: a captured page made into a source of the project, checked before anything is written.

The page (`content.capture`) gives its main content and what it says about itself; the command
line adds what it does not say. The source is written as any other: front matter, then the
publisher's Markdown (`content.extraction`), and read back as `check` reads it, so a page that
cannot be made into sections is refused here, with the reason, rather than found broken later.
Its provenance goes into its front matter (`captured`): where and when the page was captured,
in which format, the sha256 of the file imported, and the day it was imported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.capture import Capture, read_capture
from factsheets.content.extraction import page_markdown
from factsheets.content.licences import EXAMPLES as LICENCES
from factsheets.content.licences import licence_problem
from factsheets.content.reading import content_files
from factsheets.content.sources import Document, load_document, parse_document
from factsheets.errors import FactsheetsError, Problem, counted, display_path, raise_any

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Given:
    """What the command line says about the page; None: take the page's own word."""

    id: str | None = None
    url: str | None = None
    publisher: str | None = None
    license: str | None = None
    captured_from: str | None = None
    captured_on: dt.date | None = None


@dataclass(frozen=True)
class Imported:
    """A page made into a source: the file's text, and the document `check` will read from it."""

    capture: Capture
    path: Path  # where the source is to be written
    text: str
    document: Document
    captured_on_from: str  # how the capture date was known, for the user: 'the page', '--captured-on', ...

    @property
    def id(self) -> str:
        return self.document.id

    def summary(self) -> str:
        """'9 sections: 23 paragraphs, 21 items, 0 rows': what a sheet can select from it."""
        sections = self.document.sections
        counts = [sum(s.count(kind) for s in sections) for kind in ("paragraph", "item", "row")]
        return f"{len(sections)} sections: {counts[0]} paragraphs, {counts[1]} items, {counts[2]} rows"


def import_page(page: Path, sources_dir: Path, given: Given, today: dt.date) -> Imported:
    """The source `page` makes, for `sources_dir`; refused, with every reason at once, when it cannot be one."""
    capture = read_capture(page)
    facts = _facts(capture, given)
    body = page_markdown(capture.content, capture.title or "")
    path = sources_dir / f"{facts['id']}.md"
    when, known_from = _capture_date(capture, given)
    facts["captured"] = {
        "where": given.captured_from or display_path(page),
        "when": when.isoformat(),
        "format": capture.format,
        "sha256": capture.sha256,
        "imported": today.isoformat(),
    }
    facts["title"] = body.split("\n", 1)[0].removeprefix("# ").strip()  # the page's own title heading
    if not facts["title"]:
        raise FactsheetsError(
            Problem(
                "the page has no title: no heading and no <title>",
                "capture the page again: this copy lost its heading.",
                page,
            )
        )
    document = _checked(page, path, _source_text(facts, body))
    facts["cancer_types"] = _cancer_types(document) or None
    if facts["cancer_types"]:  # their lines move the body down: read again, so blocks know their lines
        document = _checked(page, path, _source_text(facts, body))
    return Imported(capture, path, _source_text(facts, body), document, known_from)


def _facts(capture: Capture, given: Given) -> dict[str, Any]:
    """id, publisher, url, licence and review facts: the command line's word first, then the page's."""
    url = given.url or capture.url
    publisher = given.publisher or capture.publisher
    licence = given.license or capture.license
    problems = [
        _missing(capture, "its address", "--url https://...", url),
        _missing(capture, "its publisher", "--publisher NAME", publisher),
        _missing(capture, "its licence", f"--license LICENCE ({LICENCES})", licence),
    ]
    if licence and licence_problem(licence):
        problems.append(Problem(f"--license {licence_problem(licence)}", f"give --license as {LICENCES}."))
    if url and not re.match(r"^https://\S+$", url):
        problems.append(Problem(f"--url '{url}' is not an https:// address", "give the page's address on the web."))
    source_id = given.id or _id_from(url, capture.id_prefix)
    if source_id is None or not ID.match(source_id):
        problems.append(_bad_id(capture, source_id))
    raise_any([p for p in problems if p is not None])
    credit = capture.credit if publisher == capture.publisher else None
    return {
        "id": source_id,
        "title": "",
        "publisher": publisher,
        "url": url,
        "license": licence,
        "reviewed": capture.reviewed,
        "review_every": capture.review_every,
        "reviewed_as_printed": capture.reviewed_as_printed,
        "credit": credit,
        "cancer_types": None,
        "captured": None,
    }


def _missing(capture: Capture, what: str, option: str, value: str | None) -> Problem | None:
    if value:
        return None
    return Problem(f"the page does not state {what}", f"give it with {option}.", capture.path)


def _bad_id(capture: Capture, source_id: str | None) -> Problem:
    if source_id is None:
        return Problem(
            "no source id: the page's publisher is not one factsheets names ids for",
            "give one with --id, e.g. --id acme-bone-pain (lower-case letters, digits and hyphens).",
            capture.path,
        )
    return Problem(f"--id '{source_id}' is not a source id", "use lower-case letters, digits and hyphens.")


def _id_from(url: str | None, prefix: str | None) -> str | None:
    """'nci-ascites' for https://www.cancer.gov/about-cancer/treatment/side-effects/ascites."""
    if not url or not prefix:
        return None
    last = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1].lower()
    return f"{prefix}-{last}" if ID.match(last) else None


def _capture_date(capture: Capture, given: Given) -> tuple[dt.date, str]:
    """When the page was captured: as given, as the page says, or the file's date (said so to the user)."""
    if given.captured_on is not None:
        return given.captured_on, "--captured-on"
    if capture.captured_on is not None:
        return dt.date.fromisoformat(capture.captured_on), "the page"
    return dt.date.fromtimestamp(capture.path.stat().st_mtime), "the file's date"


def _source_text(meta: dict[str, Any], body: str) -> str:
    """Front matter (optional facts the page does not state are left out), then the body."""
    kept = {key: value for key, value in meta.items() if value is not None or key == "reviewed"}
    front = yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    return f"---\n{front}---\n\n{body}"


def _checked(page: Path, path: Path, text: str) -> Document:
    """The source as `check` will read it; one without text under its headings is refused."""
    document = parse_document(path, text)
    if not any(section.blocks for section in document.sections):
        raise FactsheetsError(
            Problem(
                "no text under any heading: the page cannot be made into sections",
                "capture the page itself (its text, not a list of links or a page of images), or save it again "
                "from the browser with File > Save Page As (HTML).",
                page,
            )
        )
    return document


def _cancer_types(document: Document) -> list[str]:
    """The cancer types the page has rows for: a table row headed by the type, as NCI's table of where
    cancers spread has. Types merely named in the text are not listed: a list such as 'bladder, breast
    and colon cancers' names them without a phrase to find, so a list from the text would be partial."""
    labels = {kind.label.casefold(): key for key, kind in CANCER_TYPES.items()}
    found = {labels.get(b.cells[0].casefold()) for s in document.sections for b in s.blocks if b.cells}
    return [key for key in CANCER_TYPES if key in found]


def existing_source(folders: list[Path], source_id: str) -> Document | None:
    """The source of this id in `folders` (most local first), by file name or by the id inside a file;
    files that cannot be read are skipped here (`check` names them)."""
    for folder in folders:
        candidates = [folder / f"{source_id}.md", *content_files(folder, (".md",))]
        for path in dict.fromkeys(candidates):
            if not path.is_file():
                continue
            try:
                document = load_document(path)
            except FactsheetsError:
                continue
            if document.id == source_id:
                return document
    return None


def same_capture(old: Document, new: Document) -> bool:
    """The same text and facts from the same bytes: importing a page again on another day changes nothing."""
    if old.meta.captured is None or new.meta.captured is None:
        return False
    imported = {"captured": new.meta.captured.model_copy(update={"imported": old.meta.captured.imported})}
    return old.text == new.text and old.meta == new.meta.model_copy(update=imported)


def section_changes(old: Document, new: Document) -> list[str]:
    """How a new capture differs from the source it replaces, section by section (the sheets' side is
    `selection.impact`): sections added, gone, or with blocks changed; and text that only moved lines."""
    before = {s.address: [b.text for b in s.blocks] for s in old.sections}
    after = {s.address: [b.text for b in s.blocks] for s in new.sections}
    changes = [f"+ section '{a}' ({counted(len(after[a]), 'block')})" for a in after if a not in before]
    changes += [f"- section '{a}' ({counted(len(before[a]), 'block')})" for a in before if a not in after]
    for address in (a for a in after if a in before and after[a] != before[a]):
        added, gone = set(after[address]) - set(before[address]), set(before[address]) - set(after[address])
        changes.append(f"~ section '{address}': {counted(max(len(added), len(gone)), 'block')} changed, added or gone")
    moved = _moved_lines(old, new)
    if moved:
        changes.append(
            f"{counted(moved, 'block')} with the same words would be on another line: sheets citing them keep "
            "their words, but print a new edition code"
        )
    return changes


def _moved_lines(old: Document, new: Document) -> int:
    lines = {(s.address, b.kind, b.position, b.text): b.line for s in old.sections for b in s.blocks}
    return sum(
        1
        for s in new.sections
        for b in s.blocks
        if lines.get((s.address, b.kind, b.position, b.text), b.line) != b.line
    )
